// The floor for bench/cli-classify.ts: the same line streamer and buffered output as `ses-bounce classify`, but it
// only parses each JSON line and writes a JSON line of the same average size, built the way the CLI builds its
// lines (strings escaped once, then a template). Usage: cli-classify-floor.ts BYTES

import { mapLines } from '../lambdas/cli/json-lines.ts';

const targetLength = Number(process.argv[2] ?? '150');
// {"status":"5.1.1","pad":"..."}: fixed overhead of the object around the padding, about 30 characters.
const pad = JSON.stringify('p'.repeat(Math.max(0, targetLength - 30)));
const encoded = new Map<string, string>();
const json = (text: string): string => {
  let known = encoded.get(text);
  if (known === undefined) {
    known = JSON.stringify(text);
    if (encoded.size < 4096) encoded.set(text, known);
  }
  return known;
};

const result = await mapLines(
  process.stdin,
  process.stdout,
  {
    line(text) {
      const value = JSON.parse(text) as { status?: unknown };
      return `{"status":${typeof value.status === 'string' ? json(value.status) : 'null'},"pad":${pad}}`;
    },
    tooLong: (lineNumber) => JSON.stringify({ error: `line ${lineNumber} too long` }),
  },
  { maxLineLength: 16 * 1024 * 1024 },
);
process.exitCode = result.completed ? 0 : 1;
