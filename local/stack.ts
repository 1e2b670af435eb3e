// The whole system in one process: embedded DynamoDB, the SESv2 suppression list, SQS-like queues feeding the
// processor and suppression-worker Lambdas, the query API behind an API Gateway-shaped adapter, `POST /sns`,
// and the read-only page, all on one loopback port.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import pLimit from 'p-limit';
import {
  PUBLISHER_STREAM_FILTERS,
  ROLLUP_RETRY_ATTEMPTS,
  ROLLUP_STREAM_FILTERS,
} from '../lambdas/adapters/stream-sources.ts';
import { loadEventIndexes } from '../lambdas/config.ts';
import {
  type ApiHandler,
  answerClientError,
  apiContext,
  toApiGatewayEvent,
  writeApiResult,
} from './api-gateway.ts';
import { awsSignatureProblem } from './aws-request-signature.ts';
import { escapeControlCharacters } from './console-text.ts';
import { ensureTable, type RunningDynalite, startDynalite } from './dynamo.ts';
import { LocalStream, type StreamConsumer, type StreamSubscription } from './event-stream.ts';
import { isEventBridgeRequest, LocalEventBus } from './eventbridge-api.ts';
import { BodyTooLargeError, readBody, sendError, sendJson } from './http-util.ts';
import { crossSiteWriteRefusal, isLoopback, rebindingRefusal } from './request-guard.ts';
import {
  createSesv2SuppressionEmulator,
  type Sesv2SuppressionEmulator,
  type SuppressionEntry,
} from './sesv2-suppression-server.ts';
import { interpretSnsPost, SNS_MAX_MESSAGE_AGE_MS, SnsIntakeError } from './sns-endpoint.ts';
import { type CertificateFetcher, createSnsSignatureVerifier } from './sns-signature.ts';
import { handleSqsRequest, isSqsRequest } from './sqs-api.ts';
import { type BatchConsumer, LocalQueue } from './sqs-queue.ts';

const TABLE_NAME = 'ses-bounce-local';
const LOCAL_ACCESS_KEY_ID = 'AKIDLOCALSTACK';
/** SNS caps HTTP deliveries at 256 KiB of message; the JSON envelope escapes it, so allow some headroom. */
const MAX_SNS_BODY_BYTES = 1024 * 1024;
const MAX_API_BODY_BYTES = 1024 * 1024;
/**
 * Query API invocations at once, and how many more may wait for one, before requests are shed with 503 and
 * Retry-After (as API Gateway answers when Lambda concurrency is exhausted). Every invocation fans out into
 * DynamoDB calls served by this same process, so unbounded bursts only queue work and memory (bench:local-burst).
 */
export const API_CONCURRENCY = 4;
export const API_QUEUE_LIMIT = 16;
const RETRY_AFTER_SECONDS = 1;

export { isLoopback };

/** A setting that makes the stack unsafe or unusable; `npm start` prints it and exits 2. */
export class LocalStackConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalStackConfigError';
  }
}

export interface LambdaHandlers {
  processor: BatchConsumer;
  suppressionWorker: BatchConsumer;
  queryApi: ApiHandler;
  /** The events publisher on the table's emulated stream; without it nothing is published or recorded. */
  eventsPublisher?: StreamConsumer;
  /** The counter rollup on the table's emulated stream; without it the daily counters stay as they are. */
  counterRollup?: StreamConsumer;
}

export interface LocalStackOptions {
  port?: number;
  host?: string;
  /** Persist DynamoDB here; in memory when omitted. */
  dataDir?: string;
  /** Require SNS signatures; defaults to true whenever `host` is not a loopback address. */
  verifySignatures?: boolean;
  fetchCertificate?: CertificateFetcher;
  /** Accept SNS messages from these topics only; any topic when omitted, which only a loopback stack allows. */
  topicArns?: readonly string[];
  /** Refuse signed SNS messages older than this; defaults to SNS_MAX_MESSAGE_AGE_MS when signatures are verified. */
  maxMessageAgeMs?: number;
  /** How long a failed message waits before SQS hands it out again. */
  retryDelayMs?: number;
  /** Receives before a failing message is parked in its dead-letter queue. */
  maxReceiveCount?: number;
  /** Loads the Lambda handlers once the environment points at the local services. */
  loadHandlers: () => Promise<LambdaHandlers>;
  /**
   * Bearer token the query API and /local/* require, and the secret access key the emulated AWS services (SQS,
   * SESv2, DynamoDB) check SigV4 signatures with; defaults to none on loopback and to a random token otherwise
   * (the page passes it from its URL fragment, #token=…).
   */
  apiToken?: string | null;
  /** Query API invocations at once and waiting, beyond which requests get 503 (API_CONCURRENCY, API_QUEUE_LIMIT). */
  apiConcurrency?: number;
  apiQueueLimit?: number;
  /** Extra environment for the handlers (policy settings and the like); the stack's endpoints always win. */
  environment?: Record<string, string>;
  log?: (line: string) => void;
}

export interface LocalStack {
  /** Base URL from this machine (loopback when listening on a wildcard address). */
  url: string;
  host: string;
  verifySignatures: boolean;
  /** Null when the API is open (loopback); otherwise also the secret access key of the emulated AWS services. */
  apiToken: string | null;
  tableName: string;
  dynamoEndpoint: string;
  tableState: 'created' | 'existing';
  sesv2: Sesv2SuppressionEmulator;
  /** What the events publisher put on EventBridge (GET /local/events). */
  eventBus: LocalEventBus;
  /** The table's emulated stream feeding the events publisher; `failures` are the batches it gave up. */
  stream: LocalStream;
  queues: {
    ingest: LocalQueue;
    ingestDeadLetter: LocalQueue;
    suppression: LocalQueue;
    suppressionDeadLetter: LocalQueue;
  };
  /**
   * Feeds one body in from this process, skipping the signature check (the demo's unsigned samples on a
   * non-loopback stack). Throws SnsIntakeError for what POST /sns would refuse with 400.
   */
  enqueueTrusted(body: string, messageType?: string): Promise<{ status: string }>;
  /** Resolves when both queues and the stream have nothing waiting or in flight. */
  idle(): Promise<void>;
  /** Resolves when the processor's queue has nothing waiting or in flight (suppressions may still be queued). */
  ingestIdle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The counter rollup's event source as the CDK construct configures it: its filters, a tumbling window (the event
 * names the shard), and its retries (here with a growing pause, as Lambda backs off).
 */
export const ROLLUP_SUBSCRIPTION: StreamSubscription = {
  name: 'counter rollup',
  filters: ROLLUP_STREAM_FILTERS,
  tumblingWindow: true,
  maxAttempts: ROLLUP_RETRY_ATTEMPTS + 1,
  retryDelayMs: 100,
};

/** The stream's event sources as the CDK constructs configure them. */
export function attachStreamConsumers(stream: LocalStream, handlers: LambdaHandlers): void {
  if (handlers.eventsPublisher)
    stream.attach(handlers.eventsPublisher, { name: 'events publisher', filters: PUBLISHER_STREAM_FILTERS });
  if (handlers.counterRollup) stream.attach(handlers.counterRollup, ROLLUP_SUBSCRIPTION);
}

const WEB_ROOT = join(dirname(fileURLToPath(import.meta.url)), 'web');
const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const STATIC_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: join(WEB_ROOT, 'index.html'), type: 'text/html; charset=utf-8' },
  '/assets/app.js': { file: join(WEB_ROOT, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/style.css': { file: join(WEB_ROOT, 'style.css'), type: 'text/css; charset=utf-8' },
  '/assets/chart.umd.min.js': {
    file: join(PROJECT_ROOT, 'node_modules', 'chart.js', 'dist', 'chart.umd.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
};
const PAGE_SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The SESv2 list, persisted next to the DynamoDB data with --data (rewritten on each change: it is small and
 * changes at most a few times per second), so a restart keeps what SES would have kept.
 */
async function openSuppressionList(dataDir: string | undefined): Promise<Sesv2SuppressionEmulator> {
  if (!dataDir) return createSesv2SuppressionEmulator();
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, 'sesv2-suppression-list.json');
  const saved = await readFile(file, 'utf8').then(
    (text) =>
      JSON.parse(text) as Array<Omit<SuppressionEntry, 'lastUpdateTime'> & { lastUpdateTime: string }>,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    },
  );
  const emulator = createSesv2SuppressionEmulator({
    onChange: (entries) => writeFileSync(file, `${JSON.stringify(entries, null, 2)}\n`),
  });
  for (const entry of saved) emulator.seed({ ...entry, lastUpdateTime: new Date(entry.lastUpdateTime) });
  return emulator;
}

/** Whether a call to an emulated AWS service carries the token: SigV4 with it as secret key, or as a bearer token. */
async function awsCallProblem(req: IncomingMessage, body: string, token: string): Promise<string | null> {
  if (authorized(req, token)) return null;
  return awsSignatureProblem(req, body, token);
}

function sendAwsAuthError(res: ServerResponse, problem: string) {
  const body = JSON.stringify({
    __type: 'InvalidSignatureException',
    message: `This local stack requires its API token: ${problem}.`,
  });
  res.writeHead(403, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'x-amzn-errortype': 'InvalidSignatureException',
  });
  res.end(body);
}

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const host = opts.host ?? '127.0.0.1';
  const loopback = isLoopback(host);
  const sink = opts.log ?? (() => undefined);
  const log = (line: string) => sink(escapeControlCharacters(line));
  if (!loopback && (opts.topicArns ?? []).length === 0) {
    throw new LocalStackConfigError(
      `--topic-arn is required with --host ${host}: off loopback the stack accepts SNS messages only from the ` +
        'topics you name (for example --topic-arn arn:aws:sns:eu-west-1:123456789012:ses-feedback).',
    );
  }
  const verifySignatures = opts.verifySignatures ?? !loopback;
  const maxMessageAgeMs = opts.maxMessageAgeMs ?? (verifySignatures ? SNS_MAX_MESSAGE_AGE_MS : undefined);
  const apiLimit = pLimit(opts.apiConcurrency ?? API_CONCURRENCY);
  const apiQueueLimit = opts.apiQueueLimit ?? API_QUEUE_LIMIT;
  const verifier = verifySignatures
    ? createSnsSignatureVerifier(opts.fetchCertificate ? { fetchCertificate: opts.fetchCertificate } : {})
    : undefined;
  const apiToken =
    opts.apiToken !== undefined ? opts.apiToken : loopback ? null : randomBytes(18).toString('base64url');
  const retryDelayMs = opts.retryDelayMs ?? 2_000;
  const maxReceiveCount = opts.maxReceiveCount ?? 3;
  const onConsumerError = (error: unknown, queue: string) =>
    log(
      `${queue}: batch failed and will be retried (${error instanceof Error ? error.message : String(error)})`,
    );

  const ingestDeadLetter = new LocalQueue({ name: 'ses-bounce-ingest-dlq' });
  const ingest = new LocalQueue({
    name: 'ses-bounce-ingest',
    visibilityTimeoutMs: retryDelayMs,
    maxReceiveCount,
    deadLetterQueue: ingestDeadLetter,
    batchSize: 10,
    concurrency: 2,
    onConsumerError,
  });
  const suppressionDeadLetter = new LocalQueue({ name: 'ses-bounce-suppression-dlq' });
  const suppression = new LocalQueue({
    name: 'ses-bounce-suppression',
    visibilityTimeoutMs: retryDelayMs,
    maxReceiveCount,
    deadLetterQueue: suppressionDeadLetter,
    batchSize: 10,
    concurrency: 1,
    onConsumerError,
  });
  const queues = { ingest, ingestDeadLetter, suppression, suppressionDeadLetter };
  const queuesByName = new Map(
    [ingest, ingestDeadLetter, suppression, suppressionDeadLetter].map((q) => [q.name, q]),
  );
  const sesv2 = await openSuppressionList(opts.dataDir);
  const eventBus = new LocalEventBus();
  const stream = new LocalStream(TABLE_NAME, log);

  const dynamo: RunningDynalite = await startDynalite({
    onChange: stream.add,
    ...(opts.dataDir ? { dataDir: join(opts.dataDir, 'dynamodb') } : {}),
    ...(apiToken !== null
      ? {
          authorize: (req: IncomingMessage, body: Buffer) =>
            awsCallProblem(req, body.toString('utf8'), apiToken),
        }
      : {}),
  });
  let handlers: LambdaHandlers | undefined;
  let origin = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const refusal = (loopback ? rebindingRefusal(req) : null) ?? crossSiteWriteRefusal(req);
    if (refusal) {
      req.resume();
      sendError(res, refusal.status, refusal.code, refusal.message);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const internal = isSqsRequest(req) || isEventBridgeRequest(req) || url.pathname.startsWith('/v2/');
    if (internal) {
      // The emulated AWS services serve the Lambdas inside this process; nobody else reaches them off-host.
      // (A connection from this machine to its own address has equal local and remote addresses.)
      const remote = normalizeAddress(req.socket.remoteAddress ?? '');
      if (!isLoopback(remote) && remote !== normalizeAddress(req.socket.localAddress ?? '')) {
        req.resume();
        sendError(res, 403, 'forbidden', 'The emulated AWS endpoints answer loopback clients only.');
        return;
      }
      const body = await readBody(req, MAX_API_BODY_BYTES);
      // Loopback clients too: with a token, an unsigned SendMessage would skip /sns's signature and topic checks.
      const problem = apiToken === null ? null : await awsCallProblem(req, body, apiToken);
      if (problem !== null) {
        sendAwsAuthError(res, problem);
        return;
      }
      if (await sesv2.handle(req, res, body)) return;
      if (isEventBridgeRequest(req)) eventBus.handle(req, res, body);
      else if (isSqsRequest(req)) await handleSqsRequest(req, res, body, queuesByName, origin);
      else sendError(res, 404, 'not-found', `No emulated AWS operation at ${url.pathname}.`);
      return;
    }
    if (url.pathname === '/sns') {
      await acceptSns(req, res);
      return;
    }
    const asset = STATIC_FILES[url.pathname];
    if (asset && (req.method === 'GET' || req.method === 'HEAD')) {
      const content = await readFile(asset.file);
      res.writeHead(200, {
        'content-type': asset.type,
        'content-length': String(content.length),
        'cache-control': 'no-cache',
        ...PAGE_SECURITY_HEADERS,
      });
      res.end(req.method === 'HEAD' ? undefined : content);
      return;
    }
    if (apiToken !== null && !authorized(req, apiToken)) {
      sendError(
        res,
        401,
        'unauthorized',
        'Send the token printed at start as "Authorization: Bearer <token>".',
      );
      return;
    }
    if (url.pathname === '/local/status' && req.method === 'GET') {
      sendJson(res, 200, {
        verifySignatures,
        auth: apiToken === null ? 'none (loopback)' : 'bearer token',
        queues: Object.fromEntries(Object.values(queues).map((q) => [q.name, q.stats()])),
        suppressionList: sesv2.entries().length,
      });
      return;
    }
    if (url.pathname === '/local/events' && req.method === 'GET') {
      // What would have gone to EventBridge, oldest first, and the stream batches the publisher gave up.
      sendJson(res, 200, { events: eventBus.events(), failures: stream.failures });
      return;
    }
    if (url.pathname === '/local/dead-letters' && req.method === 'GET') {
      sendJson(res, 200, {
        ingest: ingestDeadLetter.peek(),
        suppression: suppressionDeadLetter.peek(),
      });
      return;
    }
    if (url.pathname === '/local/dead-letters/redrive' && req.method === 'POST') {
      const moved = ingestDeadLetter.redriveTo(ingest) + suppressionDeadLetter.redriveTo(suppression);
      sendJson(res, 200, { moved });
      return;
    }
    if (!handlers) {
      sendError(res, 503, 'starting', 'The local stack is still starting.');
      return;
    }
    if (apiLimit.activeCount + apiLimit.pendingCount >= apiLimit.concurrency + apiQueueLimit) {
      req.resume();
      sendError(
        res,
        503,
        'overloaded',
        `Too many requests in progress; retry after ${RETRY_AFTER_SECONDS} s.`,
        { 'retry-after': String(RETRY_AFTER_SECONDS) },
      );
      return;
    }
    const queryApi = handlers.queryApi;
    const result = await apiLimit(async () => {
      const body = await readBody(req, MAX_API_BODY_BYTES);
      return queryApi(toApiGatewayEvent(req, body, req.socket.remoteAddress ?? host), apiContext());
    });
    writeApiResult(res, result);
  };

  const acceptSns = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') {
      sendError(res, 405, 'method-not-allowed', 'POST an SNS message or an SES notification to /sns.');
      return;
    }
    const body = await readBody(req, MAX_SNS_BODY_BYTES);
    const header = req.headers['x-amz-sns-message-type'];
    const answer = await intake(body, typeof header === 'string' ? header : undefined, verifier);
    sendJson(res, 200, answer);
  };

  /** One SNS POST body (or bare SES document) into the ingest queue; `verify` unset for trusted local input. */
  const intake = async (body: string, header: string | undefined, verify: typeof verifier) => {
    const result = await interpretSnsPost(body, header, {
      ...(verify ? { verifier: verify } : {}),
      ...(verify && maxMessageAgeMs !== undefined ? { maxAgeMs: maxMessageAgeMs } : {}),
      ...(opts.topicArns && opts.topicArns.length > 0 ? { topicArns: opts.topicArns } : {}),
    });
    if (result.kind === 'enqueue') {
      const { messageId } = ingest.send(result.sqsBody);
      return { status: 'queued', snsMessageId: result.snsMessageId, queueMessageId: messageId };
    }
    log(
      `${result.type} for ${result.topicArn}: not confirmed automatically (the local stack makes no outbound calls); ` +
        `visit ${result.subscribeUrl} to confirm.`,
    );
    return { status: 'noted', type: result.type, subscribeUrl: result.subscribeUrl };
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof BodyTooLargeError) {
        res.setHeader('connection', 'close');
        sendError(res, 413, 'payload-too-large', error.message);
      } else if (error instanceof SnsIntakeError) {
        sendError(
          res,
          error.status,
          error.status === 403 ? 'signature-rejected' : 'invalid-sns-message',
          error.message,
        );
      } else {
        log(
          `internal error on ${req.method} ${req.url}: ${error instanceof Error ? error.message : String(error)}`,
        );
        sendError(res, 500, 'internal-error', 'Internal error');
      }
    });
  });
  server.on('clientError', answerClientError);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => resolve());
    });
  } catch (error) {
    await dynamo.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  // The Lambdas' SDK clients sign with these; with a token, the emulated services accept nothing else.
  const secretAccessKey = apiToken ?? 'local-stack-secret';
  const urlHost = host.includes(':') ? `[${host}]` : host;
  origin = `http://${urlHost}:${port}`;
  const loopbackOrigin = `http://127.0.0.1:${port}`;
  const selfOrigin = loopback ? origin : host === '0.0.0.0' || host === '::' ? loopbackOrigin : origin;

  Object.assign(process.env, opts.environment ?? {}, {
    TABLE_NAME,
    SUPPRESSION_QUEUE_URL: suppression.url(selfOrigin),
    DEAD_LETTER_QUEUE_URL: ingestDeadLetter.url(selfOrigin),
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    // Fake credentials and endpoint overrides: the unchanged Lambda code talks only to this process.
    AWS_ACCESS_KEY_ID: LOCAL_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_SESSION_TOKEN: '',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SESV2: selfOrigin,
    AWS_ENDPOINT_URL_SQS: selfOrigin,
    AWS_ENDPOINT_URL_EVENTBRIDGE: selfOrigin,
  });
  process.env.POWERTOOLS_SERVICE_NAME ??= 'ses-bounce-local';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'SesBounceLocal';

  let tableState: 'created' | 'existing';
  try {
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey },
    });
    // The indexes of the stage the handlers are set to (EVENT_INDEXES; a persisted table keeps the ones it has).
    tableState = await ensureTable(client, TABLE_NAME, loadEventIndexes(process.env));
    client.destroy();
    handlers = await opts.loadHandlers();
  } catch (error) {
    server.closeAllConnections();
    server.close();
    await dynamo.close();
    throw error;
  }
  const loaded = handlers;
  ingest.attach(loaded.processor);
  suppression.attach(loaded.suppressionWorker);
  attachStreamConsumers(stream, loaded);

  const idle = async () => {
    // The processor feeds the suppression queue, so settle in order and re-check until both are quiet.
    for (;;) {
      await ingest.idle();
      await suppression.idle();
      await stream.idle();
      if (ingest.stats().visible + ingest.stats().inFlight === 0) return;
    }
  };

  return {
    url: selfOrigin,
    host,
    verifySignatures,
    apiToken,
    tableName: TABLE_NAME,
    dynamoEndpoint: dynamo.endpoint,
    tableState,
    sesv2,
    eventBus,
    stream,
    queues,
    enqueueTrusted: (body, messageType) => intake(body, messageType, undefined),
    idle,
    ingestIdle: () => ingest.idle(),
    close: async () => {
      // Invocations in flight finish against a live server and store before either closes.
      await Promise.all([...Object.values(queues).map((queue) => queue.stop()), stream.stop()]);
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await dynamo.close();
    },
  };
}
