// Worker thread of `ses-bounce classify`: classifies batches of JSON Lines and returns their output lines.

import { parentPort } from 'node:worker_threads';
import { classifyBlock } from './classify-lines.ts';

export interface BatchRequest {
  id: number;
  /** Line number of the first line in the batch. */
  start: number;
  /** The batch's lines, each ending in "\n". */
  text: string;
}

export interface BatchResponse {
  id: number;
  /** One output line per input line, each ending in "\n", as UTF-8 (transferred, not copied). */
  output: Uint8Array;
  failures: number;
}

const encoder = new TextEncoder();
const port = parentPort;
if (port !== null) {
  port.on('message', (request: BatchRequest) => {
    const { output, failures } = classifyBlock(request.start, request.text);
    // Encoding here and transferring the bytes is cheaper than cloning a large string into the main thread,
    // which then writes the bytes as they are.
    const bytes = encoder.encode(`${output}\n`);
    const response: BatchResponse = { id: request.id, output: bytes, failures };
    port.postMessage(response, [bytes.buffer]);
  });
}
