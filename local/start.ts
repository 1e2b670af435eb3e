// `npm start`: the whole system on this machine, no AWS account. One process; Ctrl-C or SIGTERM stops it cleanly.
//   --port N (3000)  --host H (127.0.0.1)  --data DIR (persist; default in memory)  --no-demo
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { normalizeAddress } from '../lambdas/domain/address.ts';
import { escapeControlCharacters } from './console-text.ts';
import { loadLambdaHandlers } from './lambdas.ts';
import { expandFileArguments, loadSnsPosts, type SnsPost, sesEventTime } from './notification-files.ts';
import { postAll, type ReplayResult } from './replay.ts';
import type { SuppressionReason } from './sesv2-suppression-server.ts';
import { isLoopback, type LocalStack, LocalStackConfigError, startLocalStack } from './stack.ts';

const SAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'samples');

const USAGE = `usage: npm start -- [--port 3000] [--host 127.0.0.1] [--data DIR] [--no-demo] [--topic-arn ARN]...
  --port N     HTTP port for everything: page, query API, POST /sns, SESv2 paths (0: any free port)
  --host H     listen address; anything but loopback turns on SNS signature checks and an API token,
               and needs --topic-arn
  --data DIR   keep DynamoDB and the SESv2 suppression list in DIR across restarts (default: in memory)
  --no-demo    do not fill an empty store from samples/
  --topic-arn A  accept SNS messages from this topic only (repeatable; default on loopback: any topic)`;

export interface StartOptions {
  port: number;
  host: string;
  dataDir: string | null;
  demo: boolean;
  topicArns: string[];
}

export function parseStartArguments(argv: readonly string[]): StartOptions {
  const { values } = parseArgs({
    args: [...argv],
    allowPositionals: false,
    options: {
      port: { type: 'string', default: '3000' },
      host: { type: 'string', default: '127.0.0.1' },
      data: { type: 'string' },
      'no-demo': { type: 'boolean', default: false },
      'topic-arn': { type: 'string', multiple: true, default: [] },
    },
  });
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65_535)
    throw new Error(`--port must be 0-65535, got "${values.port}"`);
  if (values.host.trim() === '') throw new Error('--host must not be empty');
  for (const arn of values['topic-arn']) {
    if (!/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$/.test(arn)) {
      throw new Error(`--topic-arn is not an SNS topic ARN: "${arn}"`);
    }
  }
  return {
    port,
    host: values.host,
    dataDir: values.data ? resolve(values.data) : null,
    demo: !values['no-demo'],
    topicArns: values['topic-arn'],
  };
}

/** Replays samples/ (shifted so the newest event is ten minutes ago) when the store holds no events yet. */
export async function loadDemoIfEmpty(stack: LocalStack, log: (line: string) => void): Promise<number> {
  const headers: Record<string, string> = stack.apiToken ? { authorization: `Bearer ${stack.apiToken}` } : {};
  // The daily counters of the last year tell whether anything was recorded, for a few Queries (never a Scan).
  const today = new Date();
  const yearAgo = new Date(today.getTime() - 365 * 86_400_000);
  const range = `from=${yearAgo.toISOString().slice(0, 10)}&to=${today.toISOString().slice(0, 10)}`;
  const stats = (await fetch(`${stack.url}/stats?${range}`, { headers }).then((response) =>
    response.json(),
  )) as {
    totals?: { events?: number };
  };
  if ((stats.totals?.events ?? 0) > 0) {
    log('store already holds events: demo samples not replayed');
    return 0;
  }
  const posts = await loadSnsPosts(await expandFileArguments([SAMPLES_DIR]), { shiftToNow: new Date() });
  for (const entry of alreadySuppressedBySes(posts)) stack.sesv2.seed(entry);
  const results = await replayInEventOrder(stack, posts);
  const rejected = results.filter((result) => result.status >= 400);
  for (const result of rejected) log(`demo sample refused: ${result.origin}: ${result.message}`);
  return results.length - rejected.length;
}

/**
 * Posts notifications oldest first, each processed before the next, as SES would have sent them over the month
 * (a burst in one second would let a standard queue reorder them, which is a different story than the samples tell).
 */
export async function replayInEventOrder(
  stack: LocalStack,
  posts: readonly SnsPost[],
): Promise<ReplayResult[]> {
  const timed = posts.map((post, index) => ({ post, index, time: sesEventTime(JSON.parse(post.body)) ?? 0 }));
  timed.sort((a, b) => a.time - b.time || a.index - b.index);
  const results: ReplayResult[] = [];
  for (const { post } of timed) {
    if (stack.verifySignatures) {
      // Unsigned samples would be refused at /sns; they are this process's own input, so feed them in directly.
      const answer = await stack
        .enqueueTrusted(post.body, post.headers['x-amz-sns-message-type'])
        .then((accepted) => ({ status: 200, message: accepted.status }))
        .catch((error: unknown) => ({
          status: 400,
          message: error instanceof Error ? error.message : String(error),
        }));
      results.push({ origin: post.origin, ...answer });
    } else {
      results.push(...(await postAll(stack.url, [post])));
    }
    await stack.ingestIdle();
  }
  await stack.idle();
  return results;
}

/**
 * Samples that say SES had the address on the account list already (OnAccountSuppressionList) describe an SES
 * whose list holds it: seed the emulated list likewise, so the demo's SES view agrees with its history.
 */
export function alreadySuppressedBySes(
  posts: readonly SnsPost[],
): Array<{ emailAddress: string; reason: SuppressionReason }> {
  const entries = new Map<string, SuppressionReason>();
  for (const post of posts) {
    const outer = JSON.parse(post.body) as Record<string, unknown>;
    if (outer.Type !== undefined && outer.Type !== 'Notification') continue;
    const document = (typeof outer.Message === 'string' ? JSON.parse(outer.Message) : outer) as {
      bounce?: { bounceSubType?: string; bouncedRecipients?: Array<{ emailAddress?: string }> };
      complaint?: {
        complaintSubType?: string | null;
        complainedRecipients?: Array<{ emailAddress?: string }>;
      };
    };
    const listed: Array<[Array<{ emailAddress?: string }> | undefined, SuppressionReason]> = [
      [
        document.bounce?.bounceSubType === 'OnAccountSuppressionList'
          ? document.bounce.bouncedRecipients
          : undefined,
        'BOUNCE',
      ],
      [
        document.complaint?.complaintSubType === 'OnAccountSuppressionList'
          ? document.complaint.complainedRecipients
          : undefined,
        'COMPLAINT',
      ],
    ];
    for (const [recipients, reason] of listed) {
      for (const recipient of recipients ?? []) {
        const normalized = normalizeAddress(recipient.emailAddress ?? '');
        if (normalized.ok) entries.set(normalized.address.email, reason);
      }
    }
  }
  return [...entries].map(([emailAddress, reason]) => ({ emailAddress, reason }));
}

export async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let options: StartOptions;
  try {
    options = parseStartArguments(argv);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  const started = performance.now();
  const log = (line: string) => process.stdout.write(`${escapeControlCharacters(line)}\n`);
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      port: options.port,
      host: options.host,
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      topicArns: options.topicArns,
      loadHandlers: loadLambdaHandlers,
      log,
    });
  } catch (error) {
    if (!(error instanceof LocalStackConfigError)) throw error;
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    return 2;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\n');
    log(`${signal}: stopping…`);
    stack.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(
          `error while stopping: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));

  const loopback = isLoopback(options.host);
  log(`ses-bounce-processor local stack, ready in ${Math.round(performance.now() - started)} ms`);
  log(`  page            ${stack.url}/`);
  if (!loopback) log(`  listening on    ${options.host} (port ${new URL(stack.url).port})`);
  log(
    `  query API       ${stack.url}/bounces  ${stack.url}/recipients/{email}  ${stack.url}/stats  (${stack.url}/openapi.json)`,
  );
  log(`  SNS endpoint    POST ${stack.url}/sns  (SNS HTTP messages or bare SES notifications)`);
  log(
    `  SESv2 list      ${stack.url}/v2/email/suppression/addresses  (SESv2Client with endpoint: '${stack.url}')`,
  );
  log(
    `  DynamoDB        ${stack.dynamoEndpoint}  table ${stack.tableName} (${options.dataDir ? `persisted in ${options.dataDir}` : 'in memory'})`,
  );
  if (loopback) {
    log(
      '  auth            none: the query API is unauthenticated on loopback; unsigned SNS replay is accepted',
    );
  } else {
    log(
      `  auth            SNS: signed (certificates from sns.<region>.amazonaws.com only), from ${options.topicArns.join(', ')}, at most an hour old;`,
    );
    log(
      `                  the query API needs "Authorization: Bearer ${stack.apiToken}"; page: ${stack.url}/#token=${stack.apiToken}`,
    );
    log(
      '                  SQS, SESv2 and DynamoDB need SigV4 with that token as secret access key (any access key id)',
    );
  }
  if (options.demo) {
    const count = await loadDemoIfEmpty(stack, log);
    if (count > 0)
      log(`  demo            replayed ${count} sample notifications from samples/ over the last 30 days`);
  }
  log('Replay more with: npm run replay -- samples/*.json    Stop with Ctrl-C.');
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== 0) process.exit(code);
    },
    (error: unknown) => {
      process.stderr.write(`failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
