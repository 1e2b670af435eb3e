// The local stack as the load harness needs it: the same modules `npm start` is built from (SQS-semantics queues
// with DLQs, the SQS and SESv2 wire protocols, dynalite with transactions, the API Gateway adapter, the real
// Lambda handlers), composed with a fault-injecting proxy in front of DynamoDB that can restart the store, a
// seeded SESv2 fault source, and per-message latency taken at the queue's consumer boundary.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import { DEFAULT_DELIVERY_HISTORY } from '../../lambdas/domain/delivery-history.ts';
import { apiContext, toApiGatewayEvent, writeApiResult } from '../../local/api-gateway.ts';
import { ensureTable, type RunningDynalite, startDynalite } from '../../local/dynamo.ts';
import { LocalStream } from '../../local/event-stream.ts';
import { isEventBridgeRequest, LocalEventBus } from '../../local/eventbridge-api.ts';
import { readBody, sendError } from '../../local/http-util.ts';
import { loadLambdaHandlers } from '../../local/lambdas.ts';
import { createSesv2SuppressionEmulator, type Sesv2Faults } from '../../local/sesv2-suppression-server.ts';
import { interpretSnsPost, LOCAL_TOPIC_ARN } from '../../local/sns-endpoint.ts';
import { handleSqsRequest, isSqsRequest } from '../../local/sqs-api.ts';
import { type BatchConsumer, LocalQueue } from '../../local/sqs-queue.ts';
import { attachStreamConsumers } from '../../local/stack.ts';
import { startDynamoFaultProxy } from './dynamo-fault-proxy.ts';
import { seededRandom } from './workload.ts';

export const LOAD_TABLE = 'ses-bounce-load';
const credentials = { accessKeyId: 'AKIDLOADTEST', secretAccessKey: 'load-test-secret' };

export interface LoadStackOptions {
  seed: number;
  /** Persist DynamoDB here (required to restart it); in memory when omitted. */
  dataDir?: string;
  /** Route the handlers' DynamoDB calls through the fault proxy (otherwise straight to the store). */
  faultProxy?: boolean;
  sesFaults?: Sesv2Faults;
  /** Visibility timeout: how long a failed message waits before it is handed out again. */
  retryDelayMs?: number;
  /** As the CDK stack sets them: 5 receives on the notification queue, 10 on the suppression queue. */
  ingestMaxReceiveCount?: number;
  suppressionMaxReceiveCount?: number;
  /** Extra handler environment (policy settings); the stack's endpoints always win. */
  environment?: Record<string, string>;
}

export interface ProcessedMessage {
  queueMessageId: string;
  body: string;
  receiveCount: number;
  /** Milliseconds from entering the queue to the processor's success (null for redriven messages). */
  latencyMs: number | null;
}

export type LoadStack = Awaited<ReturnType<typeof startLoadStack>>;

/** The SNS → SQS body of one SES notification, made by the local stack's own SNS intake. */
export async function snsBodyOf(message: string, snsMessageId: string, timestamp: string): Promise<string> {
  const envelope = {
    Type: 'Notification',
    MessageId: snsMessageId,
    TopicArn: LOCAL_TOPIC_ARN,
    Message: message,
    Timestamp: timestamp,
    SignatureVersion: '1',
    Signature: 'unsigned-load-test',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/load-test-unsigned.pem',
    UnsubscribeURL: 'http://127.0.0.1/local/unsubscribe',
  };
  const result = await interpretSnsPost(JSON.stringify(envelope), 'Notification');
  if (result.kind !== 'enqueue') throw new Error('the SNS intake did not accept a notification');
  return result.sqsBody;
}

export async function startLoadStack(opts: LoadStackOptions) {
  const random = seededRandom(opts.seed ^ 0x5eed);
  const retryDelayMs = opts.retryDelayMs ?? 500;
  const ingestDeadLetter = new LocalQueue({ name: 'load-ingest-dlq' });
  const ingest = new LocalQueue({
    name: 'load-ingest',
    visibilityTimeoutMs: retryDelayMs,
    maxReceiveCount: opts.ingestMaxReceiveCount ?? 5,
    deadLetterQueue: ingestDeadLetter,
    batchSize: 10,
    concurrency: 2,
  });
  const suppressionDeadLetter = new LocalQueue({ name: 'load-suppression-dlq' });
  const suppression = new LocalQueue({
    name: 'load-suppression',
    visibilityTimeoutMs: retryDelayMs,
    maxReceiveCount: opts.suppressionMaxReceiveCount ?? 10,
    deadLetterQueue: suppressionDeadLetter,
    batchSize: 10,
    concurrency: 1,
  });
  const queues = { ingest, ingestDeadLetter, suppression, suppressionDeadLetter };
  const byName = new Map(Object.values(queues).map((q) => [q.name, q]));
  const sesv2 = createSesv2SuppressionEmulator({
    random,
    ...(opts.sesFaults ? { faults: opts.sesFaults } : {}),
  });

  // The table's stream (emulated by the DynamoDB front) feeds the real events publisher (the bus records) and the
  // real counter rollup (attachStreamConsumers).
  const stream = new LocalStream(LOAD_TABLE);
  const eventBus = new LocalEventBus();
  const dataDir = opts.dataDir ? join(opts.dataDir, 'dynamodb') : undefined;
  let dynamo: RunningDynalite = await startDynalite({
    ...(dataDir ? { dataDir } : {}),
    onChange: stream.add,
  });
  const proxy = await startDynamoFaultProxy({ upstream: dynamo.endpoint, random, faults: {} });
  let handlers: Awaited<ReturnType<typeof loadLambdaHandlers>> | undefined;
  // An SQS outage: SendMessage (to the suppression queue or the DLQ) answers 500 while it lasts.
  let sqsOutage = false;
  let sqsRefused = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (await sesv2.handle(req, res)) return;
    if (isEventBridgeRequest(req)) {
      eventBus.handle(req, res, await readBody(req, 1024 * 1024));
      return;
    }
    if (isSqsRequest(req)) {
      const body = await readBody(req, 1024 * 1024);
      if (sqsOutage && String(req.headers['x-amz-target']).endsWith('.SendMessage')) {
        sqsRefused += 1;
        res.writeHead(500, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-query-error': 'InternalError;Receiver',
        });
        res.end(
          JSON.stringify({ __type: 'com.amazonaws.sqs#InternalError', message: 'Injected: SQS unavailable' }),
        );
        return;
      }
      await handleSqsRequest(req, res, body, byName, origin);
      return;
    }
    if (!handlers) {
      sendError(res, 503, 'starting', 'starting');
      return;
    }
    const body = await readBody(req, 1024 * 1024);
    writeApiResult(res, await handlers.queryApi(toApiGatewayEvent(req, body, '127.0.0.1'), apiContext()));
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendError(res, 500, 'internal-error', 'Internal error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  Object.assign(
    process.env,
    {
      POWERTOOLS_SERVICE_NAME: 'ses-bounce-load',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_METRICS_NAMESPACE: 'SesBounceLoad',
      // SES allows ~1 call/s; the worker's ceiling is 100/s, used here so a run ends within the session.
      SUPPRESSION_RATE_PER_SECOND: '100',
      // The default, set explicitly: the API check (api-check.ts) expects what it stores.
      DELIVERY_HISTORY: DEFAULT_DELIVERY_HISTORY,
    },
    opts.environment ?? {},
    {
      TABLE_NAME: LOAD_TABLE,
      SUPPRESSION_QUEUE_URL: suppression.url(origin),
      DEAD_LETTER_QUEUE_URL: ingestDeadLetter.url(origin),
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: '',
      AWS_ENDPOINT_URL_DYNAMODB: opts.faultProxy ? proxy.endpoint : dynamo.endpoint,
      AWS_ENDPOINT_URL_SESV2: origin,
      AWS_ENDPOINT_URL_SQS: origin,
      AWS_ENDPOINT_URL_EVENTBRIDGE: origin,
    },
  );
  const setupClient = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
  await ensureTable(setupClient, LOAD_TABLE);
  setupClient.destroy();
  handlers = await loadLambdaHandlers();

  // Latency and receive counts, seen where the event source mapping sees them.
  const enqueuedAt = new Map<string, number>();
  const processed: ProcessedMessage[] = [];
  let progress: Array<() => void> = [];
  const notifyProgress = () => {
    const waiters = progress;
    progress = [];
    for (const resolve of waiters) resolve();
  };
  const loaded = handlers;
  const processor: BatchConsumer = async (event, context) => {
    try {
      const result = (await loaded.processor(event, context)) as SQSBatchResponse | undefined;
      const failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      const now = performance.now();
      for (const record of event.Records) {
        if (failed.has(record.messageId)) continue;
        const sent = enqueuedAt.get(record.messageId);
        enqueuedAt.delete(record.messageId);
        processed.push({
          queueMessageId: record.messageId,
          body: record.body,
          receiveCount: Number(record.attributes.ApproximateReceiveCount),
          latencyMs: sent === undefined ? null : now - sent,
        });
      }
      return result;
    } finally {
      notifyProgress();
    }
  };
  // Which suppression requests the worker was handed: one request id per address, however often redelivered.
  const suppressionRequests = new Map<string, Set<string>>();
  const worker: BatchConsumer = (event, context) => {
    for (const record of event.Records) {
      try {
        const request = JSON.parse(record.body) as { email?: unknown; requestId?: unknown };
        const email = String(request.email);
        const ids = suppressionRequests.get(email) ?? new Set<string>();
        ids.add(String(request.requestId));
        suppressionRequests.set(email, ids);
      } catch {
        // Not JSON: the worker itself rejects it.
      }
    }
    return loaded.suppressionWorker(event, context);
  };
  ingest.attach(processor);
  suppression.attach(worker);
  attachStreamConsumers(stream, loaded);

  const outstanding = () => {
    const s = ingest.stats();
    return s.visible + s.inFlight;
  };

  return {
    url: origin,
    queues,
    sesv2,
    proxy,
    processed,
    /** What the events publisher put on EventBridge, and the stream batches it gave up. */
    eventBus,
    stream,
    suppressionRequests,
    /** A client straight to the store (no faults): for checking the final state. */
    verificationClient: () =>
      DynamoDBDocumentClient.from(
        new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials }),
      ),
    /** Enqueues an SQS body on the notification queue, as the SNS subscription would. */
    send(body: string): void {
      const { messageId } = ingest.send(body);
      enqueuedAt.set(messageId, performance.now());
    },
    outstanding,
    /** Resolves when the processor finished a batch, or after `ms`. */
    progress(ms: number): Promise<void> {
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, ms);
        progress.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    /** Stops the store (in-flight requests first), starts it again on the same data, after `downMs`. */
    async restartDynamo(downMs: number): Promise<void> {
      if (!dataDir || !opts.faultProxy)
        throw new Error('restarting DynamoDB needs a data directory and the proxy');
      await proxy.restartUpstream(async () => {
        await dynamo.close();
        dynamo = await startDynalite({ dataDir, onChange: stream.add });
        return dynamo.endpoint;
      }, downMs);
    },
    /** Makes SendMessage fail for `ms` (the window between a commit and its suppression-queue message). */
    async sqsOutage(ms: number): Promise<number> {
      sqsOutage = true;
      await new Promise((resolve) => setTimeout(resolve, ms));
      sqsOutage = false;
      return sqsRefused;
    },
    sqsRefused: () => sqsRefused,
    /** Moves both DLQs back to their queues (what `ses-bounce redrive` does in AWS). */
    redrive(): number {
      return ingestDeadLetter.redriveTo(ingest) + suppressionDeadLetter.redriveTo(suppression);
    },
    async idle(): Promise<void> {
      for (;;) {
        await ingest.idle();
        await suppression.idle();
        await stream.idle();
        if (outstanding() === 0) return;
      }
    },
    async close(): Promise<void> {
      // Invocations in flight finish against a live server and store before either closes.
      await Promise.all([...Object.values(queues).map((queue) => queue.stop()), stream.stop()]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await proxy.close();
      await dynamo.close();
    },
  };
}
