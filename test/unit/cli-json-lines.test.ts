// The line streamer behind `classify`: chunk boundaries, line ends, long lines, backpressure and a vanishing reader.

import { PassThrough, Readable, Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serializeClassification, toBounceInput } from '../../lambdas/cli/classify-lines.ts';
import { type LineMapper, mapLines } from '../../lambdas/cli/json-lines.ts';
import { main } from '../../lambdas/cli/main.ts';
import { BLAMES, CATEGORIES, type Classification, VERDICTS } from '../../lambdas/domain/classification.ts';
import { classifyBounce } from '../../lambdas/domain/classify.ts';

const echo: LineMapper = {
  line: (text, n) => `${n}:${text}`,
  tooLong: (n, length) => `${n}:too long (${length})`,
};

class Collector extends Writable {
  data = '';
  writes = 0;
  maxQueued = 0;
  constructor(private readonly delayMs = 0) {
    super({ highWaterMark: 1024 });
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.data += chunk.toString('utf8');
    this.writes++;
    this.maxQueued = Math.max(this.maxQueued, this.writableLength);
    if (this.delayMs > 0) setTimeout(callback, this.delayMs);
    else callback();
  }
}

const chunks = (...parts: (string | Buffer)[]) =>
  Readable.from(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part)));

describe('mapLines', () => {
  it('joins lines split across chunks and decodes characters split across chunks', async () => {
    // Prepare: "żółw" with its first character's two bytes in different chunks
    const text = Buffer.from('first\nżółw\nthird', 'utf8');
    const out = new Collector();

    // Act
    const result = await mapLines(
      chunks(text.subarray(0, 7), text.subarray(7, 9), text.subarray(9)),
      out,
      echo,
      {
        maxLineLength: 100,
      },
    );

    // Assess
    expect(out.data).toBe('1:first\n2:żółw\n3:third\n');
    expect(result).toEqual({ lines: 3, completed: true });
  });

  it('treats CRLF like LF, keeps empty lines, and ignores the break after the last line', async () => {
    const out = new Collector();

    await mapLines(chunks('a\r\n\r\nb\r\n'), out, echo, { maxLineLength: 100 });

    expect(out.data).toBe('1:a\n2:\n3:b\n');
  });

  it('reports an over-long line spread over many chunks and continues with the next', async () => {
    // Prepare
    const out = new Collector();
    const long = 'x'.repeat(250);

    // Act
    await mapLines(
      chunks('ok\n', long.slice(0, 100), long.slice(100, 200), `${long.slice(200)}\nafter`),
      out,
      echo,
      {
        maxLineLength: 120,
      },
    );

    // Assess
    expect(out.data).toBe('1:ok\n2:too long (250)\n3:after\n');
  });

  it('reports an over-long last line without a break', async () => {
    const out = new Collector();

    await mapLines(chunks('ok\n', 'y'.repeat(30)), out, echo, { maxLineLength: 10 });

    expect(out.data).toBe('1:ok\n2:too long (30)\n');
  });

  it('waits for a slow reader instead of buffering without bound', async () => {
    // Prepare: 30,000 lines into a writable that accepts one chunk every millisecond
    const count = 30_000;
    const input = Readable.from(
      (function* () {
        for (let i = 0; i < count; i += 1000) {
          yield Buffer.from(
            Array.from({ length: 1000 }, (_, j) => `line ${i + j}`)
              .join('\n')
              .concat('\n'),
          );
        }
      })(),
    );
    const out = new Collector(1);

    // Act
    const result = await mapLines(input, out, echo, { maxLineLength: 100 });

    // Assess: everything arrives, in order, in a bounded number of large writes
    const received = out.data.split('\n').filter((line) => line.length > 0);
    expect(received).toHaveLength(count);
    expect(received[count - 1]).toBe(`${count}:line ${count - 1}`);
    expect(out.writes).toBeLessThan(count / 100);
    expect(out.maxQueued).toBeLessThan(out.data.length / 2);
    expect(result.completed).toBe(true);
  });

  it('stops quietly when the reader goes away', async () => {
    // Prepare: an output that fails on its first write, like a closed pipe
    const out = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const input = Readable.from(
      (function* () {
        for (let i = 0; i < 200; i++) yield Buffer.from(`${'z'.repeat(1000)}\n`);
      })(),
    );

    // Act
    const result = await mapLines(input, out, echo, { maxLineLength: 2000 });

    // Assess
    expect(result.completed).toBe(false);
    expect(result.lines).toBeLessThan(200);
  });
});

describe('main with injected streams', () => {
  it('refuses to wait for a terminal when classify gets no input flags', async () => {
    // Prepare
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const stdout = new Collector();
    const stderr = new Collector();

    // Act
    const code = await main(['classify'], { stdin, stdout, stderr });

    // Assess
    expect(code).toBe(2);
    expect(stderr.data).toContain('nothing to classify');
    expect(stdout.data).toBe('');
  });

  it('shows a command usage with help <command>', async () => {
    const stdout = new Collector();

    const code = await main(['help', 'classify'], {
      stdin: new PassThrough(),
      stdout,
      stderr: new Collector(),
    });

    expect(code).toBe(0);
    expect(stdout.data).toContain('Usage:\n  ses-bounce classify');
  });
});

describe('toBounceInput', () => {
  it.each([
    ['status', 5.1, 'a number'],
    ['diagnosticCode', ['550'], 'an array'],
    ['bounceType', true, 'a boolean'],
    ['bounceSubType', { kind: 'General' }, 'an object'],
    ['action', 0, 'a number'],
  ])('refuses a non-string %s', (key, value, kind) => {
    expect(toBounceInput({ [key]: value })).toBe(`"${key}" must be a string or null, got ${kind}`);
  });

  it.each([['MAIL'], ['rcpt'], [' Ehlo '], ['conn'], ['DATA'], ['quit'], ['HELO']])(
    'accepts smtpCommand %j',
    (smtpCommand) => {
      expect(toBounceInput({ status: '5.1.1', smtpCommand })).toEqual({ status: '5.1.1', smtpCommand });
    },
  );

  it('refuses an unknown smtpCommand with the list of known ones', () => {
    expect(toBounceInput({ smtpCommand: 'FROM' })).toBe(
      '"smtpCommand" must be one of CONN, HELO, EHLO, MAIL, RCPT, DATA, QUIT (any case), got "FROM"',
    );
    expect(toBounceInput({ smtpCommand: 25 })).toBe('"smtpCommand" must be a string or null, got a number');
  });

  it('keeps the five fields, accepts null, and ignores other keys', () => {
    const input = toBounceInput({
      status: '5.1.1',
      diagnosticCode: null,
      action: 'failed',
      recipient: 'a@b.c',
    });

    expect(input).toEqual({ status: '5.1.1', diagnosticCode: null, action: 'failed' });
  });
});

describe('serializeClassification', () => {
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.constantFrom(
      'say "hi"',
      'back\\slash',
      'line\nbreak',
      '\u2028\u2029',
      '\u0000\u001f',
      'żółw 😀',
      '\ud800',
    ),
  );
  const classification = fc.record({
    verdict: fc.constantFrom(...VERDICTS),
    category: fc.constantFrom(...CATEGORIES),
    blame: fc.constantFrom(...BLAMES),
    suppress: fc.boolean(),
    code: fc.option(text, { nil: null }),
    codeTitle: fc.option(text, { nil: null }),
    evidence: text,
  });

  it('writes exactly what JSON.stringify writes, for any strings', () => {
    fc.assert(
      fc.property(classification, (c: Classification) => {
        expect(serializeClassification(c)).toBe(JSON.stringify(c));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes exactly what JSON.stringify writes for real classifications', () => {
    fc.assert(
      fc.property(
        fc.record({
          status: fc.option(fc.constantFrom('5.1.1', '4.2.2', '5.7.26', '5.0.0', '4.7.650', '9.9.9', 'x'), {
            nil: null,
          }),
          diagnosticCode: fc.option(
            fc.oneof(
              fc.string({ maxLength: 80 }),
              fc.constantFrom(
                '550 5.1.1 user unknown',
                '552 5.2.2 mailbox full',
                '421 4.7.0 [TSS04] deferred',
              ),
            ),
            { nil: null },
          ),
          bounceType: fc.option(fc.constantFrom('Permanent', 'Transient', 'Undetermined'), { nil: null }),
        }),
        (input) => {
          const c = classifyBounce(input);
          expect(serializeClassification(c)).toBe(JSON.stringify(c));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
