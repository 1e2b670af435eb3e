// Processor benchmark: notifications/s end to end (SQS batch → processor handler → DynamoDB) against dynalite, and
// DynamoDB requests, read and write capacity units per event of each kind (delivery to a new address or one with
// history, bounces, complaints, duplicates; counted from the SDK and ReturnConsumedCapacity), the counter rollup's
// units for the same events (their stream records rolled up in windows of ROLLUP_WINDOW_SECONDS of the scenario's
// stream, as the rollup's event source hands them out), compared with
// plain PutItem and bare 4-item TransactWriteItems against the same dynalite in the same run.
// Usage: npx tsx bench/processor.ts [--events N] [--concurrency C] [--delivery-history none|recipients-with-history|all]
//   [--event-items full|slim] [--rollup-seconds S]
// EVENT_INDEXES (the handlers' variable) picks the stage of the event indexes, e.g. EVENT_INDEXES=v1 for the first model's.

import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, SQSEvent, SQSRecord } from 'aws-lambda';
import { createCounterRollupHandler } from '../lambdas/adapters/counter-rollup-lambda.ts';
import { DynamoCounterRollupStore } from '../lambdas/adapters/dynamo-counter-rollup.ts';
import { DynamoAllowlist, DynamoEventStore } from '../lambdas/adapters/dynamo-event-store.ts';
import { type EventItemShape, eventItem } from '../lambdas/adapters/dynamo-items.ts';
import { createProcessorHandler } from '../lambdas/adapters/processor-lambda.ts';
import { InMemoryMessageParking, InMemorySuppressionQueue } from '../lambdas/adapters/queues.ts';
import { ROLLUP_STREAM_FILTERS } from '../lambdas/adapters/stream-sources.ts';
import { loadEventIndexes } from '../lambdas/config.ts';
import { classifyBounce } from '../lambdas/domain/classify.ts';
import {
  DEFAULT_DELIVERY_HISTORY,
  DELIVERY_HISTORY_MODES,
  type DeliveryHistory,
} from '../lambdas/domain/delivery-history.ts';
import { buildRecipientEvents } from '../lambdas/domain/recipient-event.ts';
import { parseSesDocument } from '../lambdas/domain/ses-notification.ts';
import { applyEvent, DEFAULT_POLICY_SETTINGS } from '../lambdas/domain/suppression-policy.ts';
import { startTransactionalDynalite } from '../local/dynalite-transactions.ts';
import { createTable } from '../local/dynamo.ts';
import { LocalStream } from '../local/event-stream.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const EVENTS = option('--events', 3000);
/** `--event-items full|slim`: the shape of the event items the processor writes (default: the store's). */
const EVENT_ITEMS: EventItemShape | undefined = (() => {
  const i = args.indexOf('--event-items');
  if (i < 0) return undefined;
  const shape = (['full', 'slim'] as const).find((candidate) => candidate === args[i + 1]);
  if (shape === undefined) throw new Error('--event-items: full or slim');
  return shape;
})();
/** `--delivery-history <mode>`: the processor's deliveryHistory setting (default: the stack's default). */
const DELIVERY_HISTORY: DeliveryHistory = (() => {
  const i = args.indexOf('--delivery-history');
  if (i < 0) return DEFAULT_DELIVERY_HISTORY;
  const mode = DELIVERY_HISTORY_MODES.find((candidate) => candidate === args[i + 1]);
  if (mode === undefined) throw new Error(`--delivery-history: one of ${DELIVERY_HISTORY_MODES.join(', ')}`);
  return mode;
})();
const CONCURRENCY = option('--concurrency', 4);
const BATCH = 10;
/**
 * Seconds of a scenario's stream per rollup invocation: the rollup's event source window (60 s), so a slow stream
 * hands the rollup few records per invocation and costs more rollup units per event. At most ROLLUP_BATCH_RECORDS
 * records per invocation, like the event source's batch size.
 */
const ROLLUP_WINDOW_SECONDS = option('--rollup-seconds', 60);
const ROLLUP_BATCH_RECORDS = 1000;
const TABLE = 'bench-processor';
const EVENT_INDEXES = loadEventIndexes(process.env);
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };

interface Tally {
  requests: Map<string, number>;
  units: { read: number; writeTable: number; writeIndexes: number };
  /** What the counter rollup spent on the scenario's stream records. */
  rollup?: Tally;
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

function emptyTally(): Tally {
  return { requests: new Map(), units: { read: 0, writeTable: 0, writeIndexes: 0 } };
}

/**
 * Counts every request the client sends and the capacity reported with `ReturnConsumedCapacity: INDEXES`: dynalite
 * reports table units for its own calls (no index writes: the processor makes none outside transactions), the
 * transaction front (local/dynalite-transactions.ts) computes table and index units by DynamoDB's rules.
 */
function instrument(client: DynamoDBClient, tally: () => Tally | null): void {
  client.middlewareStack.add(
    (next, context) => async (input) => {
      const counting = tally();
      if (!counting) return next(input);
      const name = context.commandName?.replace(/Command$/, '') ?? 'unknown';
      counting.requests.set(name, (counting.requests.get(name) ?? 0) + 1);
      (input.input as Record<string, unknown>).ReturnConsumedCapacity = 'INDEXES';
      const result = await next(input);
      const output = result.output as { ConsumedCapacity?: unknown };
      const capacities = Array.isArray(output.ConsumedCapacity)
        ? output.ConsumedCapacity
        : output.ConsumedCapacity
          ? [output.ConsumedCapacity]
          : [];
      for (const c of capacities as { CapacityUnits?: number; Table?: { CapacityUnits?: number } }[]) {
        const total = c.CapacityUnits ?? 0;
        const table = c.Table?.CapacityUnits ?? total;
        if (READS.has(name)) counting.units.read += total;
        else {
          counting.units.writeTable += table;
          counting.units.writeIndexes += total - table;
        }
      }
      return result;
    },
    { step: 'initialize', name: 'benchTally' },
  );
}

const DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com', 'example.org', 'corp.example', 'mail.example.net'];

type Kind = 'hard' | 'soft' | 'complaint' | 'delivery';

/** The bench's mix: 70% hard, 20% soft, 5% complaints, 5% deliveries. */
function kindOf(i: number): Kind {
  const k = i % 20;
  return k < 14 ? 'hard' : k < 18 ? 'soft' : k === 18 ? 'complaint' : 'delivery';
}

/**
 * A stream of sending: event i at `perSecond` (10) per second from `hour`:00 on 2024-10-15 (deliveries arrive in
 * about this order).
 * Each scenario streams in its own hour, so no scenario's ledger items hold another's entries.
 */
const streamed = (i: number, hour = 9, perSecond = 10) =>
  new Date(Date.parse('2024-10-15T00:00:00.000Z') + hour * 3_600_000 + (i * 1000) / perSecond).toISOString();

function notification(i: number, run: string, kind: Kind = kindOf(i), address = run, at?: string): string {
  const email = `user${i}.${address}@${DOMAINS[i % DOMAINS.length]}`;
  const day = String(1 + (i % 28)).padStart(2, '0');
  const timestamp = at ?? `2024-10-${day}T${String(i % 24).padStart(2, '0')}:00:00.000Z`;
  const mail = {
    timestamp,
    messageId: `0100019${i.toString(16).padStart(9, '0')}-${run}-000000`,
    source: 'billing@mail.example.com',
    sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/mail.example.com',
    sendingAccountId: '123456789012',
    destination: [email],
    commonHeaders: { subject: 'Your receipt' },
  };
  if (kind === 'hard') {
    return JSON.stringify({
      notificationType: 'Bounce',
      mail,
      bounce: {
        feedbackId: `fb-${run}-${i}`,
        bounceType: 'Permanent',
        bounceSubType: 'General',
        timestamp,
        reportingMTA: 'dns; a8-51.smtp-out.amazonses.com',
        bouncedRecipients: [
          {
            emailAddress: email,
            action: 'failed',
            status: '5.1.1',
            diagnosticCode:
              'smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient address for typos or unnecessary spaces. gsmtp',
          },
        ],
      },
    });
  }
  if (kind === 'soft') {
    return JSON.stringify({
      notificationType: 'Bounce',
      mail,
      bounce: {
        feedbackId: `fb-${run}-${i}`,
        bounceType: 'Transient',
        bounceSubType: 'MailboxFull',
        timestamp,
        bouncedRecipients: [
          {
            emailAddress: email,
            action: 'failed',
            status: '4.2.2',
            diagnosticCode: 'smtp; 452 4.2.2 Mailbox full',
          },
        ],
      },
    });
  }
  if (kind === 'complaint') {
    return JSON.stringify({
      notificationType: 'Complaint',
      mail,
      complaint: {
        feedbackId: `fb-${run}-${i}`,
        complaintSubType: null,
        complaintFeedbackType: 'abuse',
        timestamp,
        complainedRecipients: [{ emailAddress: email }],
      },
    });
  }
  return JSON.stringify({
    notificationType: 'Delivery',
    mail,
    delivery: { timestamp, recipients: [email], smtpResponse: '250 2.0.0 OK', processingTimeMillis: 900 },
  });
}

const SAMPLES = join(import.meta.dirname, '..', 'samples');
const RECIPIENTS = {
  Bounce: 'bouncedRecipients',
  Complaint: 'complainedRecipients',
  Delivery: 'recipients',
} as const;

/**
 * The SES notifications of samples/ of one type, one per recipient, in the samples' order; `at(i)` re-times the i-th
 * (mail and event time) into a scenario's stream like the synthetic ones, so the rollup sees one sender's day.
 */
function sampleNotifications(type: keyof typeof RECIPIENTS, at: (i: number) => string): string[] {
  const lower = type.toLowerCase();
  return readdirSync(SAMPLES)
    .filter((name) => /^\d+-.*\.json$/.test(name))
    .sort()
    .flatMap((name) => {
      const document = JSON.parse(readFileSync(join(SAMPLES, name), 'utf8')) as Record<string, unknown>;
      if ((document.notificationType ?? document.eventType) !== type) return [];
      const details = document[lower] as Record<string, unknown[]>;
      return (details[RECIPIENTS[type]] ?? []).map((recipient) => ({
        ...document,
        [lower]: { ...details, [RECIPIENTS[type]]: [recipient] },
      }));
    })
    .map((document, i) =>
      JSON.stringify({
        ...document,
        mail: { ...(document.mail as object), timestamp: at(i) },
        [lower]: { ...(document[lower] as object), timestamp: at(i) },
      }),
    );
}

/** An SNS message id as SNS writes it (a UUID, 36 characters: the event item stores it), stable for one record id. */
function snsMessageId(id: string): string {
  const hex = createHash('sha256').update(id).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function record(body: string, id: string): SQSRecord {
  return {
    messageId: id,
    receiptHandle: id,
    body: JSON.stringify({
      Type: 'Notification',
      MessageId: snsMessageId(id),
      TopicArn: 'arn:aws:sns:us-east-1:1:t',
      Message: body,
    }),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'bench',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:1:q',
    awsRegion: 'us-east-1',
  };
}

async function inParallel(
  total: number,
  concurrency: number,
  work: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await work(next++);
    }),
  );
}

// EMF documents would go to stdout; the bench prints its own table instead.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
const silentLogger = new Logger({ serviceName: 'bench', logLevel: 'SILENT' });
const metrics = new Metrics({ namespace: 'Bench', serviceName: 'bench' });

async function main(): Promise<void> {
  // The table's stream: the counter rollup's records of a counted scenario are kept and rolled up after it.
  const stream = new LocalStream(TABLE);
  const rollupRecords: DynamoDBRecord[] = [];
  let recording = false;
  stream.attach(
    async (event) => {
      if (recording) rollupRecords.push(...event.Records);
      return { state: {} };
    },
    { name: 'rollup recorder', filters: ROLLUP_STREAM_FILTERS, tumblingWindow: true },
  );
  const db = await startTransactionalDynalite({ onChange: stream.add });
  let tally: Tally | null = null;
  const raw = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials, maxAttempts: 3 });
  instrument(raw, () => tally);
  const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  await createTable(raw, TABLE, EVENT_INDEXES);

  const queue = new InMemorySuppressionQueue();
  const now = () => new Date();
  /** `concurrency`: records of one batch processed at once (the handler's is 10). */
  const processorWith = (concurrency: number) =>
    createProcessorHandler({
      deps: {
        store: new DynamoEventStore(doc, {
          tableName: TABLE,
          eventRetentionDays: 400,
          recipientRetentionDays: 400,
          batchSummaryReads: true,
          eventItemShape: EVENT_ITEMS,
          eventIndexes: EVENT_INDEXES,
        }),
        queue,
        allowlist: new DynamoAllowlist(doc, { tableName: TABLE, cacheSeconds: 60, now }),
        classify: classifyBounce,
        settings: DEFAULT_POLICY_SETTINGS,
        deliveryHistory: DELIVERY_HISTORY,
        now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      },
      parking: new InMemoryMessageParking(),
      logger: silentLogger,
      metrics,
      concurrency,
    });
  const rollup = createCounterRollupHandler({
    store: new DynamoCounterRollupStore(doc, { tableName: TABLE, eventRetentionDays: 400, now }),
    logger: silentLogger,
    metrics,
  });
  const processor = processorWith(10);
  const wideProcessor = processorWith(100);

  const runBodies = async (
    n: number,
    body: (i: number) => string,
    idPrefix: string,
    batch = BATCH,
    handler = processor,
    concurrency = CONCURRENCY,
    afterBatch: (b: number) => Promise<void> = async () => {},
  ) => {
    const batches = Math.ceil(n / batch);
    let failures = 0;
    const started = performance.now();
    await inParallel(batches, concurrency, async (b) => {
      const records = [];
      for (let i = b * batch; i < Math.min(n, (b + 1) * batch); i += 1)
        records.push(record(body(i), `${idPrefix}-${i}`));
      const result = (await handler({ Records: records } satisfies SQSEvent)) as {
        batchItemFailures: unknown[];
      };
      failures += result.batchItemFailures.length;
      await afterBatch(b);
    });
    return { seconds: (performance.now() - started) / 1000, failures };
  };
  const runProcessor = (n: number, run: string) => runBodies(n, (i) => notification(i, run), run);

  // 1. Counting passes: requests and capacity units per event of each kind, ReturnConsumedCapacity on every call.
  const COUNTED = 500;
  const counted: { scenario: string; tally: Tally; failures: number; n: number }[] = [];
  const count = async (
    scenario: string,
    n: number,
    body: (i: number) => string,
    idPrefix: string,
    batch = BATCH,
    handler = processor,
    perSecond = 10,
  ) => {
    const mine = emptyTally();
    await stream.idle();
    rollupRecords.length = 0;
    recording = true;
    tally = mine;
    // The rollup window each batch's stream records fall in: the batch is invoked when its last message is in (the
    // scenario streams `perSecond` notifications a second).
    const windows = new Map<number, DynamoDBRecord[]>();
    const afterBatch = async (b: number) => {
      await stream.idle();
      const at = Math.min(n, (b + 1) * batch) / perSecond;
      const window = Math.floor(at / ROLLUP_WINDOW_SECONDS);
      windows.set(window, [...(windows.get(window) ?? []), ...rollupRecords.splice(0)]);
    };
    // One batch at a time, as one Lambda invocation sees them: nothing is shared with another batch.
    const { failures } = await runBodies(n, body, idPrefix, batch, handler, 1, afterBatch);
    recording = false;
    // The scenario's stream records, rolled up per window as the rollup's event source hands them out.
    mine.rollup = emptyTally();
    tally = mine.rollup;
    for (const records of windows.values())
      for (let from = 0; from < records.length; from += ROLLUP_BATCH_RECORDS)
        await rollup(
          Object.assign(
            { Records: records.slice(from, from + ROLLUP_BATCH_RECORDS) },
            { shardId: 'shardId-bench', state: {} },
          ),
        );
    tally = null;
    counted.push({ scenario, tally: mine, failures, n });
  };
  const PER_KIND = 200;
  // Deliveries as a sender's stream produces them: 10 per second, 6 recipient domains.
  await count(
    'delivery, new address',
    PER_KIND,
    (i) => notification(i, 'dnew', 'delivery', 'dnew', streamed(i)),
    'dnew',
  );
  // A low volume (1 M sent a month is ~0.4 notifications/s): with a 1 s batching window a batch holds one message.
  await count(
    'delivery, new address (batches of 1, low volume)',
    PER_KIND,
    (i) => notification(i, 'done', 'delivery', 'done', streamed(i, 10, 0.4)),
    'done',
    1,
    processor,
    0.4,
  );
  // Larger batches (processorBatchSize; the stack lets the processor take up to 100 records of a batch at once).
  for (const [batch, n, hour] of [
    [100, PER_KIND * 5, 11],
    [1000, PER_KIND * 10, 15],
  ] as const) {
    await count(
      `delivery, new address (batches of ${batch}, 100 records at once)`,
      n,
      (i) => notification(i, `dwide${batch}`, 'delivery', `dwide${batch}`, streamed(i, hour)),
      `dwide${batch}`,
      batch,
      wideProcessor,
    );
  }
  // Low volume (0.4 notifications/s, ~1 M sent a month) with a longer batching window: a 20 s window gathers ~8
  // messages, 60 s ~24, 300 s ~120; each delivery is still in its own second of event time.
  for (const [batch, hour] of [
    [8, 16],
    [24, 17],
    [120, 18],
  ] as const) {
    await count(
      `delivery, new address (0.4 per second, batches of ${batch})`,
      PER_KIND,
      (i) => notification(i, `dlow${batch}`, 'delivery', `dlow${batch}`, streamed(i, hour, 0.4)),
      `dlow${batch}`,
      batch,
      processorWith(Math.min(batch, 100)),
      0.4,
    );
  }
  // 50 M sent a month is ~19 notifications/s: batches of 10 (1 s window) or 100 (a longer window fills them).
  for (const [batch, hour] of [
    [10, 23],
    [100, 24],
  ] as const) {
    await count(
      `delivery, new address (19 per second, batches of ${batch})`,
      PER_KIND * 10,
      (i) => notification(i, `d19x${batch}`, 'delivery', `d19x${batch}`, streamed(i, hour, 19)),
      `d19x${batch}`,
      batch,
      processorWith(batch),
      19,
    );
  }
  // A busier sender: the ledger items hold more deliveries, and an update is charged by the item's size.
  for (const [perSecond, hour] of [
    [100, 13],
    [1000, 14],
  ] as const) {
    await count(
      `delivery, new address (${perSecond} per second, batches of 10)`,
      PER_KIND * 5,
      (i) =>
        notification(i, `drate${perSecond}`, 'delivery', `drate${perSecond}`, streamed(i, hour, perSecond)),
      `drate${perSecond}`,
      BATCH,
      processor,
      perSecond,
    );
  }
  // History: one soft bounce per address first (not counted), then the counted event, another SES message.
  await runBodies(PER_KIND, (i) => notification(i, 'dhist', 'soft', 'dhist', streamed(i, 12)), 'dhist-seed');
  await count(
    'delivery, address with history',
    PER_KIND,
    (i) => notification(i, 'dhist2', 'delivery', 'dhist', streamed(i + 1, 12)),
    'dhist',
  );
  // Bounces and complaints as a sender's stream produces them too (their counters are rolled up per window), each
  // in an hour of its own.
  await count(
    'hard bounce, new address',
    PER_KIND,
    (i) => notification(i, 'hnew', 'hard', 'hnew', streamed(i, 19)),
    'hnew',
  );
  await runBodies(
    PER_KIND,
    (i) => notification(i, 'shist', 'delivery', 'shist', streamed(i, 20)),
    'shist-seed',
  );
  await count(
    'soft bounce, address with history',
    PER_KIND,
    (i) => notification(i, 'shist2', 'soft', 'shist', streamed(i, 20, 5)),
    'shist',
    BATCH,
    processor,
    5,
  );
  await count(
    'complaint, new address',
    PER_KIND,
    (i) => notification(i, 'cnew', 'complaint', 'cnew', streamed(i, 21)),
    'cnew',
  );
  const mix = (i: number) => notification(i, 'count', kindOf(i), 'count', streamed(i, 22));
  // The real notifications of samples/ (every recipient its own notification, in the samples' order): their event
  // items are larger than the synthetic ones above (longer diagnostics, evidence, ids).
  const sampleKinds = [
    ['Bounce', 'bounces', 30],
    ['Complaint', 'complaints', 31],
    ['Delivery', 'deliveries', 32],
  ] as const;
  for (const [type, plural, hour] of sampleKinds) {
    const notifications = sampleNotifications(type, (i) => streamed(i, hour));
    await count(
      `samples: ${plural} (${notifications.length} recipients)`,
      notifications.length,
      (i) => notifications[i] ?? '',
      `sample-${type}`,
    );
  }
  await count('mix (70/20/5/5), new addresses', COUNTED, mix, 'count');
  // 2. Duplicate pass: the same mix again (every one a duplicate).
  await count('mix again: every event a duplicate', COUNTED, mix, 'count');

  // 3. Throughput: plain PutItem of the event items, bare 4-item transactions, then end to end.
  const inFlight = CONCURRENCY * 4;
  // The baseline stores exactly the event items the processor would write (same size, same three GSI keys),
  // built before the clock starts: PutItem measures storing an event and nothing else.
  const settings = DEFAULT_POLICY_SETTINGS;
  const eventItems = Array.from({ length: EVENTS + 8 }, (_, i) => {
    const parsed = parseSesDocument(JSON.parse(notification(i, 'plain')));
    if (parsed.kind !== 'notification') throw new Error('bench notification must parse');
    const { events } = buildRecipientEvents(parsed.notification, {
      recordedAt: new Date().toISOString(),
      snsMessageId: null,
      classify: classifyBounce,
    });
    const event = events[0];
    if (!event) throw new Error('bench notification must have a recipient');
    return eventItem(event, applyEvent(null, event, settings, false).decision, 400);
  });
  const item = (i: number) => ({
    ...(eventItems[i % eventItems.length] ?? {}),
    sk: `E#${i}#${randomUUID()}`,
  });
  const plainPuts = async (from: number, count: number) => {
    const begin = performance.now();
    await inParallel(count, inFlight, async (i) => {
      await doc.send(new PutCommand({ TableName: TABLE, Item: item(from + i) }));
    });
    return (performance.now() - begin) / 1000;
  };
  const bareTransactions = async (from: number, count: number) => {
    const begin = performance.now();
    await inParallel(count, inFlight, async (j) => {
      const i = from + j;
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: TABLE, Item: item(i), ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Put: {
                TableName: TABLE,
                Item: { pk: `R#tx${i}@example.com`, sk: 'SUMMARY', hard: 1, version: 1 },
              },
            },
            {
              Update: {
                TableName: TABLE,
                Key: { pk: `STAT#2024#${i % 16}`, sk: 'D#2024-10-01' },
                UpdateExpression: 'ADD #e :one',
                ExpressionAttributeNames: { '#e': 'events' },
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
            {
              Update: {
                TableName: TABLE,
                Key: { pk: `STATDOM#2024#${i % 16}`, sk: '2024-10-01#example.com' },
                UpdateExpression: 'ADD #e :one',
                ExpressionAttributeNames: { '#e': 'events' },
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
          ],
        }),
      );
    });
    return (performance.now() - begin) / 1000;
  };

  // Rounds interleave the three workloads so a noisy neighbour on the machine slows all of them alike.
  const ROUNDS = 4;
  const perRound = Math.ceil(EVENTS / ROUNDS);
  let putSeconds = 0;
  let txSeconds = 0;
  const e2e = { seconds: 0, failures: 0 };
  for (let round = 0; round < ROUNDS; round += 1) {
    putSeconds += await plainPuts(round * perRound, perRound);
    txSeconds += await bareTransactions(round * perRound, perRound);
    const result = await runProcessor(perRound, `run${round}`);
    e2e.seconds += result.seconds;
    e2e.failures += result.failures;
  }

  const measured = perRound * ROUNDS;
  const putRate = measured / putSeconds;
  const txRate = measured / txSeconds;
  const e2eRate = measured / e2e.seconds;
  const fmt = (n: number) => n.toFixed(n < 10 ? 2 : 0);
  const lines = [
    `Processor benchmark: ${perRound * ROUNDS} notifications per workload in ${ROUNDS} interleaved rounds (70% hard, 20% soft, 5% complaints, 5% deliveries; 1 recipient each)`,
    `machine: ${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, node ${process.version}; batches of ${BATCH}, ${CONCURRENCY} concurrent batches, all records of a batch at once; deliveryHistory ${DELIVERY_HISTORY}; event items ${EVENT_ITEMS ?? 'default'}`,
    '',
    '| measure | value |',
    '| --- | --- |',
    `| plain PutItem of the same event items (${inFlight} in flight) | ${fmt(putRate)} items/s |`,
    `| bare 4-item TransactWriteItems (same front, ${inFlight} in flight) | ${fmt(txRate)} transactions/s |`,
    `| end to end (SQS batch → handler → DynamoDB) | ${fmt(e2eRate)} notifications/s (failures: ${e2e.failures}) |`,
    `| end to end / plain PutItem | ${((100 * e2eRate) / putRate).toFixed(0)}% |`,
    `| end to end / bare transaction | ${((100 * e2eRate) / txRate).toFixed(0)}% |`,
    '',
    'Per event (counted from ReturnConsumedCapacity: INDEXES; WCU/RCU = write/read capacity units, on demand the',
    "same numbers of write/read request units). Processor: the handler's requests; rollup: the counter rollup's,",
    `for the scenario's stream records in windows of ${ROLLUP_WINDOW_SECONDS} s of its stream (at most ${ROLLUP_BATCH_RECORDS} records):`,
    '',
    '| scenario | events | requests per event (processor; rollup) | RCU | WCU table | WCU indexes | WCU rollup | **WCU total** |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...counted.map(({ scenario, tally: t, failures, n }) => {
      const list = (tally: Tally) =>
        [...tally.requests.entries()].map(([k, v]) => `${k} ${fmt(v / n)}`).join(', ');
      const u = t.units;
      const r = t.rollup?.units ?? { read: 0, writeTable: 0, writeIndexes: 0 };
      const units = (v: number) => (v / n).toFixed(2);
      const rollupWrites = r.writeTable + r.writeIndexes;
      return `| ${scenario}${failures ? ` (failures: ${failures})` : ''} | ${n} | ${list(t)}; ${t.rollup ? list(t.rollup) : ''} | ${units(u.read + r.read)} | ${units(u.writeTable)} | ${units(u.writeIndexes)} | ${units(rollupWrites)} | **${units(u.writeTable + u.writeIndexes + rollupWrites)}** |`;
    }),
    '',
    `Suppression requests queued: ${queue.sent.length}`,
  ];
  console.log(lines.join('\n'));
  await stream.stop();
  raw.destroy();
  await db.close();
}

await main();
