// The JSON Lines stream of `ses-bounce classify` spread over worker threads: the main thread cuts the input into
// blocks of whole lines and writes the results in input order; workers parse and classify. Memory stays bounded
// by the blocks in flight. The first blocks are classified on the main thread, so short inputs start no worker.

import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { classifyBlock, classifyLineMapper } from './classify-lines.ts';
import type { BatchRequest, BatchResponse } from './classify-worker.ts';
import { BufferedLineWriter, type LineOptions } from './json-lines.ts';

export interface ParallelOptions extends LineOptions {
  threads: number;
  /** Characters of whole lines per batch sent to a worker. */
  blockChars?: number;
  /** Blocks classified on the main thread before any worker starts (short inputs never start one). */
  inlineBlocks?: number;
}

export interface ParallelResult {
  lines: number;
  failures: number;
  completed: boolean;
}

interface BatchResult {
  /** Output lines: a string without the final line break, or UTF-8 bytes with it (from a worker). */
  output: string | Uint8Array;
  failures: number;
}

const WORKER_ENTRY = new URL('./classify-worker.ts', import.meta.url);

// Workers run the classifier as one plain-JavaScript bundle built here with esbuild (a dependency of tsx), so a
// worker starts without a TypeScript loader (and esbuild service) of its own. If esbuild is unavailable, a worker
// loads tsx itself and imports the TypeScript entry (slower to start, same results).
let workerSource: Promise<string> | undefined;

export async function buildWorkerSource(): Promise<string> {
  try {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [fileURLToPath(WORKER_ENTRY)],
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
    });
    const bundle = result.outputFiles[0]?.text;
    if (bundle !== undefined) return bundle;
  } catch {
    // fall through to the loader-based worker
  }
  const tsx = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(WORKER_ENTRY.href)}); });`;
}

class WorkerPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<
    number,
    { resolve: (r: BatchResult) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;
  /** Set once a worker failed or exited early; later batches fail at once instead of waiting forever. */
  private broken: Error | undefined;
  private closing = false;

  static async start(size: number): Promise<WorkerPool> {
    workerSource ??= buildWorkerSource();
    return new WorkerPool(size, await workerSource);
  }

  private constructor(size: number, source: string) {
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(source, { eval: true });
      worker.on('message', (response: BatchResponse) => {
        const waiter = this.waiting.get(response.id);
        this.waiting.delete(response.id);
        waiter?.resolve({ output: response.output, failures: response.failures });
      });
      worker.on('error', (error) => this.failAll(error));
      worker.on('exit', (code) => this.failAll(new Error(`classify worker exited with code ${code}`)));
      return worker;
    });
  }

  run(start: number, text: string): Promise<BatchResult> {
    const id = this.nextId++;
    const worker = this.workers[id % this.workers.length];
    return new Promise((resolve, reject) => {
      if (this.broken !== undefined) {
        reject(this.broken);
        return;
      }
      this.waiting.set(id, { resolve, reject });
      const request: BatchRequest = { id, start, text };
      worker?.postMessage(request);
    });
  }

  private failAll(error: Error): void {
    if (this.closing) return;
    this.broken ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

interface BlockHandler {
  /** `text` holds `count` complete lines, each ending in "\n"; the first is line `start`. */
  block(text: string, start: number, count: number): Promise<void> | undefined;
  tooLong(lineNumber: number, length: number): Promise<void> | undefined;
  stopped(): boolean;
}

/**
 * Like forEachLine, but hands over blocks of whole lines (about `blockChars` long) without slicing them into
 * lines: the main thread only finds line ends, so the per-line work happens in the workers.
 */
export async function forEachBlock(
  input: Readable,
  handler: BlockHandler,
  options: LineOptions & { blockChars: number },
): Promise<number> {
  const decoder = new StringDecoder('utf8');
  let lineNumber = 0;
  let blockStart = 1;
  let blockCount = 0;
  let parts: string[] = [];
  let partsChars = 0;
  let tail: string[] = [];
  let tailLength = 0;
  let skipping = false;

  const flush = (): Promise<void> | undefined => {
    if (blockCount === 0) return undefined;
    const text = parts.length === 1 ? (parts[0] ?? '') : parts.join('');
    const wait = handler.block(text, blockStart, blockCount);
    parts = [];
    partsChars = 0;
    blockCount = 0;
    return wait;
  };
  const addLines = (text: string, count: number) => {
    if (blockCount === 0) blockStart = lineNumber + 1;
    parts.push(text);
    partsChars += text.length;
    blockCount += count;
    lineNumber += count;
  };
  const tooLong = async (length: number): Promise<void> => {
    await flush();
    lineNumber++;
    await handler.tooLong(lineNumber, length);
  };

  const consume = async (text: string): Promise<void> => {
    let from = 0;
    let newline = text.indexOf('\n');
    // Complete lines in this text: [from, newline]; the first one continues the tail.
    while (newline !== -1) {
      const length = (from === 0 ? tailLength : 0) + newline - from;
      if (skipping || length > options.maxLineLength) {
        await tooLong(length);
        skipping = false;
        tail = [];
        tailLength = 0;
        from = newline + 1;
        if (handler.stopped()) return;
      } else {
        // Gather the run of acceptable lines up to the next too-long one (or the end of the text).
        let runEnd = newline;
        let count = 1;
        let next = text.indexOf('\n', runEnd + 1);
        while (next !== -1 && next - runEnd - 1 <= options.maxLineLength) {
          runEnd = next;
          count++;
          next = text.indexOf('\n', runEnd + 1);
        }
        const run = text.slice(from, runEnd + 1);
        if (from === 0 && tail.length > 0) {
          tail.push(run);
          addLines(tail.join(''), count);
          tail = [];
          tailLength = 0;
        } else {
          addLines(run, count);
        }
        from = runEnd + 1;
        if (partsChars >= options.blockChars) {
          const wait = flush();
          if (wait !== undefined) await wait;
          if (handler.stopped()) return;
        }
      }
      newline = text.indexOf('\n', from);
    }
    const rest = text.length - from;
    if (rest === 0) return;
    if (!skipping && tailLength + rest > options.maxLineLength) {
      skipping = true;
      tail = [];
    }
    if (!skipping) tail.push(from === 0 ? text : text.slice(from));
    tailLength += rest;
  };

  for await (const chunk of input) {
    await consume(typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
    if (handler.stopped()) return lineNumber;
  }
  await consume(decoder.end());
  if (skipping) await tooLong(tailLength);
  else if (tailLength > 0) addLines(`${tail.join('')}\n`, 1);
  await flush();
  return lineNumber;
}

export async function classifyLinesInParallel(
  input: Readable,
  out: Writable,
  options: ParallelOptions,
): Promise<ParallelResult> {
  const blockChars = options.blockChars ?? 64 * 1024;
  const inlineBlocks = options.inlineBlocks ?? 16;
  const maxInFlight = options.threads * 2;
  const writer = new BufferedLineWriter(out);
  const inFlight: Promise<BatchResult>[] = [];
  let pool: Promise<WorkerPool> | undefined;
  let failures = 0;

  const writeOldest = async (): Promise<void> => {
    const result = await inFlight.shift();
    if (result === undefined) return;
    failures += result.failures;
    await (typeof result.output === 'string' ? writer.push(result.output) : writer.pushBytes(result.output));
  };
  const enqueue = (result: Promise<BatchResult>): Promise<void> | undefined => {
    inFlight.push(result);
    return inFlight.length >= maxInFlight ? writeOldest() : undefined;
  };

  let blocks = 0;
  try {
    const lines = await forEachBlock(
      input,
      {
        block(text, start) {
          blocks++;
          // The first blocks are classified here: an input of up to about a megabyte never pays for workers.
          if (blocks <= inlineBlocks) return enqueue(Promise.resolve(classifyBlock(start, text)));
          pool ??= WorkerPool.start(options.threads);
          return enqueue(pool.then((workers) => workers.run(start, text)));
        },
        tooLong(lineNumber, length) {
          const mapper = classifyLineMapper();
          return enqueue(Promise.resolve({ output: mapper.tooLong(lineNumber, length), failures: 1 }));
        },
        stopped: () => writer.closed,
      },
      { maxLineLength: options.maxLineLength, blockChars },
    );
    while (inFlight.length > 0 && !writer.closed) await writeOldest();
    await writer.flush();
    return { lines, failures, completed: !writer.closed };
  } finally {
    // Results still in flight after an early stop are dropped; settle them so none rejects unobserved.
    for (const pending of inFlight) pending.catch(() => undefined);
    if (pool !== undefined)
      await pool.then(
        (workers) => workers.close(),
        () => undefined,
      );
  }
}
