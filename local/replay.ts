// `npm run replay -- [--url URL] [--shift] FILE...`: posts SES notification files (bare SES JSON, SNS HTTP
// messages or Lambda SNS events; files, directories or globs) to a running local stack's `POST /sns`.

import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { escapeControlCharacters } from './console-text.ts';
import { expandFileArguments, loadSnsPosts, type SnsPost } from './notification-files.ts';

export interface ReplayResult {
  origin: string;
  status: number;
  message: string;
}

export async function postAll(baseUrl: string, posts: readonly SnsPost[]): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for (const post of posts) {
    const response = await fetch(new URL('/sns', baseUrl), {
      method: 'POST',
      headers: post.headers,
      body: post.body,
    });
    const text = await response.text();
    let message = text;
    try {
      const parsed = JSON.parse(text) as { status?: string; error?: { message?: string } };
      message = parsed.error?.message ?? parsed.status ?? text;
    } catch {
      // Not JSON: show the text as it came.
    }
    results.push({ origin: post.origin, status: response.status, message });
  }
  return results;
}

const USAGE = `usage: npm run replay -- [--url http://127.0.0.1:3000] [--shift] [--no-wait] FILE|DIR|GLOB...
  --url      the local stack (default: $LOCAL_STACK_URL or http://127.0.0.1:3000)
  --shift    move all timestamps by one delta so the newest event is ten minutes ago
  --no-wait  do not wait for the stack's queues to drain before reporting`;

interface QueueStats {
  visible: number;
  inFlight: number;
}

/**
 * Waits until the local stack's queues are empty and returns how many messages its dead-letter queues hold;
 * null when the target is not a local stack (no /local/status) or it does not settle in time.
 */
export async function waitUntilProcessed(baseUrl: string, timeoutMs = 60_000): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(new URL('/local/status', baseUrl)).catch(() => null);
    if (!response?.ok) return null;
    const status = (await response.json().catch(() => null)) as {
      queues?: Record<string, QueueStats>;
    } | null;
    if (!status?.queues) return null;
    const queues = Object.entries(status.queues);
    const deadLetter = queues.filter(([name]) => name.endsWith('-dlq'));
    const working = queues.filter(([name]) => !name.endsWith('-dlq'));
    if (working.every(([, stats]) => stats.visible === 0 && stats.inFlight === 0)) {
      return deadLetter.reduce((sum, [, stats]) => sum + stats.visible, 0);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return null;
}

export async function main(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const baseUrl = values.url ?? process.env.LOCAL_STACK_URL ?? 'http://127.0.0.1:3000';
  let posts: SnsPost[];
  try {
    const files = await expandFileArguments(positionals);
    posts = await loadSnsPosts(files, values.shift ? { shiftToNow: new Date() } : {});
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  let results: ReplayResult[];
  try {
    results = await postAll(baseUrl, posts);
  } catch (error) {
    const reason =
      error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : '';
    process.stderr.write(
      `cannot reach the local stack at ${baseUrl} (${reason}); is \`npm start\` running?\n`,
    );
    return 1;
  }
  for (const result of results) {
    process.stdout.write(
      `${escapeControlCharacters(`${result.status} ${result.origin}: ${result.message}`)}\n`,
    );
  }
  const failed = results.filter((result) => result.status >= 400).length;
  process.stdout.write(`${results.length - failed} accepted, ${failed} rejected\n`);
  if (!values['no-wait']) {
    const parked = await waitUntilProcessed(baseUrl);
    if (parked !== null) {
      process.stdout.write(
        `processed; dead-letter queues hold ${parked} message(s)${parked > 0 ? ` (see ${new URL('/local/dead-letters', baseUrl).href})` : ''}\n`,
      );
    }
  }
  return failed === 0 ? 0 : 1;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      shift: { type: 'boolean', default: false },
      'no-wait': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
