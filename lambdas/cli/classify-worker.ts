// Worker thread of `ses-bounce classify`: classifies batches of JSON Lines and returns their output lines.

import { parentPort } from 'node:worker_threads';
import { classifyBlock } from './classify-parallel.ts';

export interface BatchRequest {
  id: number;
  /** Line number of the first line in the batch. */
  start: number;
  /** The batch's lines, each ending in "\n". */
  text: string;
}

export interface BatchResponse {
  id: number;
  /** One output line per input line, joined with "\n". */
  output: string;
  failures: number;
}

const port = parentPort;
if (port !== null) {
  port.on('message', (request: BatchRequest) => {
    const { output, failures } = classifyBlock(request.start, request.text);
    const response: BatchResponse = { id: request.id, output, failures };
    port.postMessage(response);
  });
}
