// Processor benchmark: notifications/s end to end (SQS batch → processor handler → DynamoDB) against dynalite,
// DynamoDB requests and capacity units per event (counted from the SDK and ReturnConsumedCapacity), compared
// with plain PutItem and with bare 4-item TransactWriteItems against the same dynalite in the same run.
// Usage: npx tsx bench/processor.ts [--events N] [--concurrency C]
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoAllowlist, DynamoEventStore } from '../lambdas/adapters/dynamo-event-store.ts';
import { eventItem } from '../lambdas/adapters/dynamo-items.ts';
import { createProcessorHandler } from '../lambdas/adapters/processor-lambda.ts';
import { InMemoryMessageParking, InMemorySuppressionQueue } from '../lambdas/adapters/queues.ts';
import { classifyBounce } from '../lambdas/domain/classify.ts';
import { buildRecipientEvents } from '../lambdas/domain/recipient-event.ts';
import { parseSesDocument } from '../lambdas/domain/ses-notification.ts';
import { applyEvent, DEFAULT_POLICY_SETTINGS } from '../lambdas/domain/suppression-policy.ts';
import { startTransactionalDynalite } from '../local/dynalite-transactions.ts';
import { createTable } from '../local/dynamo.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const EVENTS = option('--events', 3000);
const CONCURRENCY = option('--concurrency', 4);
const BATCH = 10;
const TABLE = 'bench-processor';
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };

interface Tally {
  requests: Map<string, number>;
  units: Map<string, number>;
}

/** Counts every request the client sends and the capacity DynamoDB (here dynalite and its front) reports. */
function instrument(client: DynamoDBClient, tally: Tally, withCapacity: () => boolean): void {
  client.middlewareStack.add(
    (next, context) => async (input) => {
      const name = context.commandName ?? 'unknown';
      tally.requests.set(name, (tally.requests.get(name) ?? 0) + 1);
      const commandInput = input.input as Record<string, unknown>;
      if (withCapacity()) commandInput.ReturnConsumedCapacity = 'INDEXES';
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
        tally.units.set(`${name} table`, (tally.units.get(`${name} table`) ?? 0) + table);
        tally.units.set(`${name} indexes`, (tally.units.get(`${name} indexes`) ?? 0) + (total - table));
      }
      return result;
    },
    { step: 'initialize', name: 'benchTally' },
  );
}

const DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com', 'example.org', 'corp.example', 'mail.example.net'];

function notification(i: number, run: string): string {
  const email = `user${i}.${run}@${DOMAINS[i % DOMAINS.length]}`;
  const day = String(1 + (i % 28)).padStart(2, '0');
  const timestamp = `2024-10-${day}T${String(i % 24).padStart(2, '0')}:00:00.000Z`;
  const mail = {
    timestamp,
    messageId: `0100019${i.toString(16).padStart(9, '0')}-${run}-000000`,
    source: 'billing@mail.example.com',
    sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/mail.example.com',
    sendingAccountId: '123456789012',
    destination: [email],
    commonHeaders: { subject: 'Your receipt' },
  };
  const kind = i % 20;
  if (kind < 14) {
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
  if (kind < 18) {
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
  if (kind === 18) {
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

function record(body: string, id: string): SQSRecord {
  return {
    messageId: id,
    receiptHandle: id,
    body: JSON.stringify({
      Type: 'Notification',
      MessageId: id,
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
  const db = await startTransactionalDynalite();
  const tally: Tally = { requests: new Map(), units: new Map() };
  let counting = false;
  const raw = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials, maxAttempts: 3 });
  instrument(raw, tally, () => counting);
  const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  await createTable(raw, TABLE);

  const queue = new InMemorySuppressionQueue();
  const now = () => new Date();
  const processor = createProcessorHandler({
    deps: {
      store: new DynamoEventStore(doc, {
        tableName: TABLE,
        eventRetentionDays: 400,
        batchSummaryReads: true,
      }),
      queue,
      allowlist: new DynamoAllowlist(doc, { tableName: TABLE, cacheSeconds: 60, now }),
      classify: classifyBounce,
      settings: DEFAULT_POLICY_SETTINGS,
      now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    },
    parking: new InMemoryMessageParking(),
    logger: silentLogger,
    metrics,
    concurrency: 10,
  });

  const runProcessor = async (n: number, run: string) => {
    const batches = Math.ceil(n / BATCH);
    let failures = 0;
    const started = performance.now();
    await inParallel(batches, CONCURRENCY, async (b) => {
      const records = [];
      for (let i = b * BATCH; i < Math.min(n, (b + 1) * BATCH); i += 1)
        records.push(record(notification(i, run), `${run}-${i}`));
      const result = (await processor({ Records: records } satisfies SQSEvent)) as {
        batchItemFailures: unknown[];
      };
      failures += result.batchItemFailures.length;
    });
    return { seconds: (performance.now() - started) / 1000, failures };
  };

  // 1. Counting pass: requests and units per event, with ReturnConsumedCapacity on every call.
  tally.requests.clear();
  tally.units.clear();
  counting = true;
  const COUNTED = 500;
  await runProcessor(COUNTED, 'count');
  counting = false;
  const perEvent = (m: Map<string, number>) => [...m.entries()].map(([k, v]) => [k, v / COUNTED] as const);
  const countedRequests = perEvent(tally.requests);
  const countedUnits = perEvent(tally.units);

  // 2. Duplicate pass: the same 500 again (every one a duplicate).
  tally.requests.clear();
  tally.units.clear();
  counting = true;
  await runProcessor(COUNTED, 'count');
  counting = false;
  const duplicateRequests = perEvent(tally.requests);
  const duplicateUnits = perEvent(tally.units);

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
    `machine: ${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, node ${process.version}; batches of ${BATCH}, ${CONCURRENCY} concurrent batches, all records of a batch at once`,
    '',
    '| measure | value |',
    '| --- | --- |',
    `| plain PutItem of the same event items (${inFlight} in flight) | ${fmt(putRate)} items/s |`,
    `| bare 4-item TransactWriteItems (same front, ${inFlight} in flight) | ${fmt(txRate)} transactions/s |`,
    `| end to end (SQS batch → handler → DynamoDB) | ${fmt(e2eRate)} notifications/s (failures: ${e2e.failures}) |`,
    `| end to end / plain PutItem | ${((100 * e2eRate) / putRate).toFixed(0)}% |`,
    `| end to end / bare transaction | ${((100 * e2eRate) / txRate).toFixed(0)}% |`,
    '',
    `DynamoDB requests per new recipient event (counted over ${COUNTED}): ${countedRequests.map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`,
    `Capacity units per new recipient event: ${countedUnits.map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`,
    `Requests per duplicate delivery: ${duplicateRequests.map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`,
    `Units per duplicate delivery: ${duplicateUnits.map(([k, v]) => `${k} ${fmt(v)}`).join(', ') || 'none reported'}`,
    `Suppression requests queued: ${queue.sent.length}`,
  ];
  console.log(lines.join('\n'));
  raw.destroy();
  await db.close();
}

await main();
