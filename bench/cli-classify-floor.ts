// The floor for bench/cli-classify.ts: the same line streamer and buffered output as `ses-bounce classify`, but it
// only parses each JSON line and writes a JSON line of the same average size. Usage: cli-classify-floor.ts BYTES

import { mapLines } from '../lambdas/cli/json-lines.ts';

const targetLength = Number(process.argv[2] ?? '150');
// {"status":"5.1.1","pad":"..."}: fixed overhead of the object around the padding, about 30 characters.
const pad = 'p'.repeat(Math.max(0, targetLength - 30));

const result = await mapLines(
  process.stdin,
  process.stdout,
  {
    line(text) {
      const value = JSON.parse(text) as { status?: unknown };
      return JSON.stringify({ status: typeof value.status === 'string' ? value.status : null, pad });
    },
    tooLong: (lineNumber) => JSON.stringify({ error: `line ${lineNumber} too long` }),
  },
  { maxLineLength: 16 * 1024 * 1024 },
);
process.exitCode = result.completed ? 0 : 1;
