// Line-by-line streaming with buffered, backpressure-aware output: one output line per input line, in order,
// in constant memory (bounded by the longest line allowed). Shared by `classify` and its benchmark floor.

import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Joins output lines into large writes and waits for 'drain' when the destination is full. */
export class BufferedLineWriter {
  private lines: string[] = [];
  private size = 0;
  private failed = false;

  constructor(
    private readonly out: Writable,
    private readonly flushAt = 64 * 1024,
  ) {
    // A reader that goes away (`| head`) makes stdout emit EPIPE; stop writing instead of crashing.
    out.on('error', () => {
      this.failed = true;
    });
  }

  /** True once the destination failed (for example it was closed); further output is dropped. */
  get closed(): boolean {
    return this.failed || this.out.destroyed;
  }

  /** Queues one line (the newline is added). Returns a promise only when the caller must wait for drain. */
  push(line: string): Promise<void> | undefined {
    this.lines.push(line);
    this.size += line.length + 1;
    return this.size >= this.flushAt ? this.flush() : undefined;
  }

  /** Writes ready-made output (whole lines, UTF-8) after what is queued. */
  pushBytes(bytes: Uint8Array): Promise<void> | undefined {
    const queued = this.flush();
    if (queued !== undefined) return queued.then(() => this.write(bytes));
    return this.write(bytes);
  }

  flush(): Promise<void> | undefined {
    if (this.size === 0) return undefined;
    const data = `${this.lines.join('\n')}\n`;
    this.lines = [];
    this.size = 0;
    return this.write(data);
  }

  private write(data: string | Uint8Array): Promise<void> | undefined {
    if (this.closed || this.out.write(data)) return undefined;
    return new Promise((resolve) => {
      const done = () => {
        this.out.off('drain', done);
        this.out.off('error', done);
        this.out.off('close', done);
        resolve();
      };
      this.out.on('drain', done);
      this.out.on('error', done);
      this.out.on('close', done);
    });
  }
}

export interface LineMapper {
  /** Maps one input line (without its line break) to one output line. */
  line(text: string, lineNumber: number): string;
  /** The output line for an input line longer than the limit (its text was not kept). */
  tooLong(lineNumber: number, length: number): string;
}

/** Receives lines in order; a returned promise pauses reading until it settles. */
interface LineHandler {
  line(text: string, lineNumber: number): Promise<void> | undefined;
  tooLong(lineNumber: number, length: number): Promise<void> | undefined;
  /** Checked after every line; true stops reading (for example when the output went away). */
  stopped(): boolean;
}

export interface LineOptions {
  /** Longest line kept in memory, in characters; longer lines are skipped and reported. */
  maxLineLength: number;
}

export interface MapLinesResult {
  lines: number;
  /** False when the output went away before the input was exhausted. */
  completed: boolean;
}

/**
 * Reads `input` as UTF-8 text lines (LF or CRLF; a last line without a break counts; invalid bytes become
 * U+FFFD) and hands each to `handler`, in order. Returns the number of lines seen.
 */
async function forEachLine(input: Readable, handler: LineHandler, options: LineOptions): Promise<number> {
  const decoder = new StringDecoder('utf8');
  let lineNumber = 0;
  // The unfinished line, kept as parts so a long line is joined once, not re-copied on every chunk.
  let pending: string[] = [];
  let pendingLength = 0;
  let skipping = false;

  const emit = (text: string): Promise<void> | undefined => {
    lineNumber++;
    const end = text.length > 0 && text.charCodeAt(text.length - 1) === 13 ? text.length - 1 : text.length;
    return handler.line(end === text.length ? text : text.slice(0, end), lineNumber);
  };
  const emitTooLong = (length: number): Promise<void> | undefined => {
    lineNumber++;
    return handler.tooLong(lineNumber, length);
  };

  const consume = async (text: string): Promise<void> => {
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      let wait: Promise<void> | undefined;
      const length = pendingLength + newline - start;
      if (skipping || length > options.maxLineLength) {
        wait = emitTooLong(length);
        skipping = false;
      } else if (pending.length > 0) {
        pending.push(text.slice(start, newline));
        wait = emit(pending.join(''));
      } else {
        wait = emit(text.slice(start, newline));
      }
      pending = [];
      pendingLength = 0;
      if (wait !== undefined) await wait;
      if (handler.stopped()) return;
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    const rest = text.length - start;
    if (rest === 0) return;
    if (!skipping && pendingLength + rest > options.maxLineLength) {
      skipping = true;
      pending = [];
    }
    if (!skipping) pending.push(start === 0 ? text : text.slice(start));
    pendingLength += rest;
  };

  for await (const chunk of input) {
    await consume(typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
    if (handler.stopped()) return lineNumber;
  }
  await consume(decoder.end());
  if (skipping) await emitTooLong(pendingLength);
  else if (pendingLength > 0) await emit(pending.join(''));
  return lineNumber;
}

/** Writes `mapper.line(...)` for each input line to `out`, through a BufferedLineWriter. */
export async function mapLines(
  input: Readable,
  out: Writable,
  mapper: LineMapper,
  options: LineOptions,
): Promise<MapLinesResult> {
  const writer = new BufferedLineWriter(out);
  const lines = await forEachLine(
    input,
    {
      line: (text, lineNumber) => writer.push(mapper.line(text, lineNumber)),
      tooLong: (lineNumber, length) => writer.push(mapper.tooLong(lineNumber, length)),
      stopped: () => writer.closed,
    },
    options,
  );
  await writer.flush();
  return { lines, completed: !writer.closed };
}
