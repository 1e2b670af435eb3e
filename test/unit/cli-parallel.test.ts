// The threaded classify stream must write exactly what the single-threaded one writes, for any input and any
// way the input is cut into chunks.

import { Readable, Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyBlock, classifyLineMapper } from '../../lambdas/cli/classify-lines.ts';
import {
  buildWorkerSource,
  classifyLinesInParallel,
  forEachBlock,
} from '../../lambdas/cli/classify-parallel.ts';
import { mapLines } from '../../lambdas/cli/json-lines.ts';

class Collector extends Writable {
  data = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.data += chunk.toString('utf8');
    callback();
  }
}

function chunked(bytes: Buffer, cuts: number[]): Readable {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    if (point > from) parts.push(bytes.subarray(from, point));
    from = point;
  }
  return Readable.from(parts);
}

async function singleThreaded(bytes: Buffer, cuts: number[], maxLineLength: number): Promise<string> {
  const out = new Collector();
  await mapLines(chunked(bytes, cuts), out, classifyLineMapper(), { maxLineLength });
  return out.data;
}

async function viaBlocks(
  bytes: Buffer,
  cuts: number[],
  maxLineLength: number,
  blockChars: number,
): Promise<string> {
  const output: string[] = [];
  await forEachBlock(
    chunked(bytes, cuts),
    {
      block(text, start) {
        output.push(`${classifyBlock(start, text).output}\n`);
        return undefined;
      },
      tooLong(lineNumber, length) {
        output.push(`${classifyLineMapper().tooLong(lineNumber, length)}\n`);
        return undefined;
      },
      stopped: () => false,
    },
    { maxLineLength, blockChars },
  );
  return output.join('');
}

const line = fc.oneof(
  fc.constant('{"status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}'),
  fc.constant('{"status":"4.2.2","diagnosticCode":"452 4.2.2 Mailbox full żółw"}'),
  fc.constant('{"bounceType":"Permanent"}'),
  fc.constant(''),
  fc.constant('{"status": 5}'),
  fc.constant('not json'),
  fc.string({ maxLength: 40 }).map((text) => JSON.stringify({ diagnosticCode: text })),
  fc.integer({ min: 0, max: 200 }).map((n) => JSON.stringify({ diagnosticCode: 'x'.repeat(n) })),
);

describe('forEachBlock', () => {
  it('cuts any input into the same lines as the single-threaded reader', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 30 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.integer({ min: 20, max: 300 }),
        fc.integer({ min: 1, max: 400 }),
        async (lines, eol, finalBreak, cuts, maxLineLength, blockChars) => {
          // Prepare
          const bytes = Buffer.from(lines.join(eol) + (finalBreak && lines.length > 0 ? eol : ''), 'utf8');

          // Act
          const expected = await singleThreaded(bytes, cuts, maxLineLength);
          const actual = await viaBlocks(bytes, cuts, maxLineLength, blockChars);

          // Assess
          expect(actual).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('classifyLinesInParallel', () => {
  it('gives workers a plain-JavaScript bundle, not a TypeScript loader', async () => {
    const source = await buildWorkerSource();

    expect(source).not.toContain('tsx/esm/api');
    expect(source).toContain('postMessage');
  });

  it('writes the single-threaded output with real worker threads', async () => {
    // Prepare: enough 64 KiB blocks to keep two workers busy, with errors spread through
    const lines = Array.from({ length: 6000 }, (_, i) =>
      i % 997 === 0
        ? '{"broken":'
        : JSON.stringify({ status: `5.${i % 8}.${i % 13}`, diagnosticCode: `550 line ${i}` }),
    );
    const bytes = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    const out = new Collector();

    // Act
    const result = await classifyLinesInParallel(chunked(bytes, [1000, 70_000, 200_001]), out, {
      threads: 2,
      maxLineLength: 10_000,
      blockChars: 16 * 1024,
      inlineBlocks: 2,
    });

    // Assess
    expect(out.data).toBe(await singleThreaded(bytes, [], 10_000));
    expect(result).toEqual({ lines: 6000, failures: 7, completed: true });
  });

  it('classifies a short input without starting workers', async () => {
    const out = new Collector();

    const result = await classifyLinesInParallel(chunked(Buffer.from('{}\n[]\n'), []), out, {
      threads: 4,
      maxLineLength: 100,
    });

    expect(result).toEqual({ lines: 2, failures: 1, completed: true });
    expect(out.data.split('\n')).toHaveLength(3);
  });
});
