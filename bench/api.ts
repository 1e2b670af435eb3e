// Query API benchmark: p50/p99 latency of GET /recipients/{email}, GET /bounces (one page) and GET /stats
// (90 days) against dynalite holding 100,000 recorded events, DynamoDB requests and read units per call
// (counted from ReturnConsumedCapacity), and GET /stats measured at 10,000 and at 100,000 events to show its
// cost does not grow with the number of events.
//
// Loading: the processor's transactional path costs ~10 ms per event on dynalite (100k ≈ 17 min), so events are
// built by the processor's own code — parseSesDocument → buildRecipientEvents (classifier included) → applyEvent
// (suppression policy, summaries) → eventItem / counterUpdates / summaryItem — and written in the store's exact
// item format with BatchWriteItem; counters are summed in memory and written once per phase.
// Usage: npx tsx bench/api.ts [--events 100000] [--checkpoint 10000] [--stats-points 25000,50000,75000]
//        [--iterations 200]
import { performance } from 'node:perf_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { apiEvent } from '../harness/api-event.ts';
import { counterUpdates, eventItem, summaryItem } from '../lambdas/adapters/dynamo-items.ts';
import { dynamoQueryStore } from '../lambdas/adapters/dynamo-query-store.ts';
import { Sesv2SuppressionList } from '../lambdas/adapters/sesv2-suppression-list.ts';
import { createQueryApi } from '../lambdas/api/app.ts';
import { CursorCodec } from '../lambdas/api/cursor.ts';
import { classifyBounce } from '../lambdas/domain/classify.ts';
import { buildRecipientEvents } from '../lambdas/domain/recipient-event.ts';
import { explainCode } from '../lambdas/domain/registry.ts';
import { parseSesDocument } from '../lambdas/domain/ses-notification.ts';
import {
  applyEvent,
  DEFAULT_POLICY_SETTINGS,
  type RecipientSummary,
} from '../lambdas/domain/suppression-policy.ts';
import { queryApiHandler } from '../lambdas/handlers/query-api.ts';
import { createTable, startDynalite } from '../local/dynamo.ts';
import { startSesv2SuppressionServer } from '../local/sesv2-suppression-server.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(name);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const TOTAL = option('--events', 100_000);
const CHECKPOINT = option('--checkpoint', 10_000);
const ITERATIONS = option('--iterations', 200);
const STATS_POINTS = (args[args.indexOf('--stats-points') + 1] ?? '')
  .split(',')
  .filter(() => args.includes('--stats-points'))
  .map(Number)
  .concat(args.includes('--stats-points') ? [] : [25_000, 50_000, 75_000]);
const NOW = new Date('2024-12-01T00:00:00.000Z');
const SPAN_DAYS = 120;
const RECIPIENTS = 20_000;
const TABLE = 'bench-api';
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const settings = DEFAULT_POLICY_SETTINGS;

/** Deterministic PRNG (mulberry32) so every run loads the same data. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(42);
const BIG = ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com', 'gmx.de'];
const domainOf = (recipient: number) =>
  recipient % 10 < 6 ? (BIG[recipient % BIG.length] ?? 'gmail.com') : `company${recipient % 300}.example.com`;
const addressOf = (recipient: number) => `user${recipient}@${domainOf(recipient)}`;

const BOUNCES = [
  {
    bounceType: 'Permanent',
    bounceSubType: 'General',
    status: '5.1.1',
    diagnosticCode: 'smtp; 550 5.1.1 user unknown',
  },
  {
    bounceType: 'Transient',
    bounceSubType: 'MailboxFull',
    status: '4.2.2',
    diagnosticCode: 'smtp; 452 4.2.2 Mailbox full',
  },
  {
    bounceType: 'Permanent',
    bounceSubType: 'General',
    status: '5.7.1',
    diagnosticCode: 'smtp; 550 5.7.1 rejected as spam',
  },
  {
    bounceType: 'Transient',
    bounceSubType: 'General',
    status: '4.4.7',
    diagnosticCode: 'smtp; 4.4.7 Message expired',
  },
];

function notification(index: number): object {
  // Skewed recipients: a few addresses collect long histories.
  const recipient = Math.floor(RECIPIENTS * random() ** 2);
  const email = addressOf(recipient);
  const timestamp = new Date(NOW.getTime() - random() * SPAN_DAYS * 86_400_000).toISOString();
  const mail = {
    timestamp,
    source: index % 3 === 0 ? 'news@mail.example.com' : 'billing@mail.example.com',
    sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/mail.example.com',
    sendingAccountId: '123456789012',
    messageId: `0100bench${String(index).padStart(10, '0')}-000000`,
    destination: [email],
    commonHeaders: { subject: 'Your receipt', to: [email] },
  };
  const feedbackId = `0100feedback${String(index).padStart(10, '0')}-000000`;
  const kind = random();
  if (kind < 0.6) {
    return {
      notificationType: 'Delivery',
      mail,
      delivery: { timestamp, processingTimeMillis: 900, recipients: [email], smtpResponse: '250 2.0.0 OK' },
    };
  }
  if (kind < 0.95) {
    const bounce = BOUNCES[index % BOUNCES.length] ?? BOUNCES[0];
    return {
      notificationType: 'Bounce',
      mail,
      bounce: {
        feedbackId,
        bounceType: bounce?.bounceType,
        bounceSubType: bounce?.bounceSubType,
        bouncedRecipients: [
          {
            emailAddress: email,
            action: 'failed',
            status: bounce?.status,
            diagnosticCode: bounce?.diagnosticCode,
          },
        ],
        timestamp,
        reportingMTA: 'dns; a8-51.smtp-out.amazonses.com',
      },
    };
  }
  return {
    notificationType: 'Complaint',
    mail,
    complaint: {
      feedbackId,
      complaintSubType: null,
      complainedRecipients: [{ emailAddress: email }],
      timestamp,
      complaintFeedbackType: 'abuse',
    },
  };
}

interface Tally {
  requests: number;
  readUnits: number;
}

/** The reads the query API sends; BatchGetItem answers its consumed capacity per table, in a list. */
const READS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'ScanCommand']);

type Consumed = { CapacityUnits?: number };

function instrument(client: DynamoDBClient, tally: Tally): void {
  client.middlewareStack.add(
    (next, context) => async (input) => {
      const isRead = READS.has(context.commandName ?? '');
      if (isRead) {
        tally.requests += 1;
        (input.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      }
      const result = await next(input);
      const consumed = (result.output as { ConsumedCapacity?: Consumed | Consumed[] }).ConsumedCapacity;
      if (isRead)
        for (const part of Array.isArray(consumed) ? consumed : [consumed])
          tally.readUnits += part?.CapacityUnits ?? 0;
      return result;
    },
    { step: 'initialize', name: 'benchTally' },
  );
}

async function main(): Promise<void> {
  const dynamo = await startDynalite();
  const ses = await startSesv2SuppressionServer();
  const loaderClient = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
  const apiClient = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
  const tally: Tally = { requests: 0, readUnits: 0 };
  instrument(apiClient, tally);
  await createTable(loaderClient, TABLE);
  const loader = DynamoDBDocumentClient.from(loaderClient, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const documents = DynamoDBDocumentClient.from(apiClient, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const sesClient = new SESv2Client({ endpoint: ses.url, region: 'us-east-1', credentials });
  const handler = queryApiHandler(
    createQueryApi({
      store: dynamoQueryStore(documents, TABLE),
      cursors: new CursorCodec(null),
      ses: new Sesv2SuppressionList(sesClient),
      now: () => NOW,
      retentionDays: 400,
      recipientRetentionDays: 400,
      explainCode,
      classifyBounce,
      logger: new Logger({ logLevel: 'SILENT' }),
    }),
  );

  const summaries = new Map<string, { summary: RecipientSummary; version: number }>();
  const counters = new Map<string, Record<string, unknown>>();
  const seen: string[] = [];

  async function writeAll(items: Array<Record<string, unknown>>): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < items.length) {
          let requests: Record<string, Array<{ PutRequest: { Item: Record<string, unknown> } }>> | undefined =
            {
              [TABLE]: items.slice(next, next + 25).map((Item) => ({ PutRequest: { Item } })),
            };
          next += 25;
          while (requests !== undefined && Object.keys(requests).length > 0) {
            const out = await loader.send(new BatchWriteCommand({ RequestItems: requests }));
            requests = out.UnprocessedItems as typeof requests;
          }
        }
      }),
    );
  }

  async function load(from: number, to: number): Promise<number> {
    const started = performance.now();
    const items: Array<Record<string, unknown>> = [];
    const touched = new Set<string>();
    for (let index = from; index < to; index += 1) {
      const parsed = parseSesDocument(notification(index));
      if (parsed.kind !== 'notification') throw new Error(`generator produced ${parsed.kind}`);
      const { events } = buildRecipientEvents(parsed.notification, {
        recordedAt: NOW.toISOString(),
        snsMessageId: null,
        classify: classifyBounce,
      });
      for (const event of events) {
        const previous = summaries.get(event.email);
        const { summary, decision } = applyEvent(previous?.summary ?? null, event, settings, false);
        summaries.set(event.email, { summary, version: (previous?.version ?? 0) + 1 });
        touched.add(event.email);
        if (previous === undefined) seen.push(event.email);
        items.push(eventItem(event, decision, 400));
        for (const update of counterUpdates(event, decision, 400)) {
          const id = `${update.Key.pk}|${update.Key.sk}`;
          const counter = counters.get(id) ?? { ...update.Key };
          for (const [placeholder, name] of Object.entries(update.ExpressionAttributeNames)) {
            if (placeholder.startsWith('#c')) counter[name] = Number(counter[name] ?? 0) + 1;
            else counter[name] = update.ExpressionAttributeValues[`:${placeholder.slice(1)}`];
          }
          counters.set(id, counter);
        }
      }
    }
    await writeAll(items);
    await writeAll(
      [...touched].map((email) => {
        const entry = summaries.get(email);
        if (entry === undefined) throw new Error('lost summary');
        return summaryItem(entry.summary, entry.version);
      }),
    );
    await writeAll([...counters.values()]);
    return (to - from) / ((performance.now() - started) / 1000);
  }

  async function measure(
    name: string,
    makePath: () => { path: string; query?: Record<string, string> },
    iterations = ITERATIONS,
  ) {
    for (let warm = 0; warm < 5; warm += 1) {
      const request = makePath();
      await handler(apiEvent('GET', request.path, request.query ? { query: request.query } : {}));
    }
    const before = { ...tally };
    const times: number[] = [];
    let bytes = 0;
    for (let run = 0; run < iterations; run += 1) {
      const request = makePath();
      const started = performance.now();
      const result = await handler(
        apiEvent('GET', request.path, request.query ? { query: request.query } : {}),
      );
      times.push(performance.now() - started);
      if (result.statusCode !== 200) throw new Error(`${name}: ${result.statusCode} ${result.body}`);
      bytes += result.body.length;
    }
    times.sort((a, b) => a - b);
    process.stderr.write(`  ${name}: ${iterations} calls\n`);
    const pick = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
    return {
      name,
      p50: pick(0.5),
      p99: pick(0.99),
      requests: (tally.requests - before.requests) / iterations,
      readUnits: (tally.readUnits - before.readUnits) / iterations,
      kilobytes: bytes / iterations / 1024,
      iterations,
    };
  }

  const statsQuery = { from: '2024-09-02', to: '2024-11-30' };
  const pickRecipient = () => seen[Math.floor(random() * seen.length)] ?? 'user0@gmail.com';
  const suites = () => [
    () => measure('GET /recipients/{email}', () => ({ path: `/recipients/${pickRecipient()}` })),
    () =>
      measure('GET /recipients/{email}?ses=false', () => ({
        path: `/recipients/${pickRecipient()}`,
        query: { ses: 'false' },
      })),
    () => measure('GET /bounces (one page of 50)', () => ({ path: '/bounces' })),
    () =>
      measure('GET /bounces?type=bounce&verdict=hard', () => ({
        path: '/bounces',
        query: { type: 'bounce', verdict: 'hard' },
      })),
    () =>
      measure('GET /bounces?domain=gmail.com', () => ({ path: '/bounces', query: { domain: 'gmail.com' } })),
    () =>
      measure(
        'GET /bounces?limit=1000',
        () => ({ path: '/bounces', query: { limit: '1000' } }),
        Math.ceil(ITERATIONS / 5),
      ),
    () => measure('GET /stats (90 days, by day)', () => ({ path: '/stats', query: statsQuery })),
    () =>
      measure('GET /stats (90 days, top domains)', () => ({
        path: '/stats',
        query: { ...statsQuery, groupBy: 'domain' },
      })),
  ];

  const rows: Array<{ events: number; result: Awaited<ReturnType<typeof measure>> }> = [];
  // Every suite at the checkpoint and at the total; GET /stats alone at the points in between, to show its
  // cost against the number of events.
  const points = [...new Set([CHECKPOINT, ...STATS_POINTS, TOTAL])]
    .filter((n) => n <= TOTAL)
    .sort((a, b) => a - b);
  const rates: string[] = [];
  let loaded = 0;
  for (const point of points) {
    process.stderr.write(`loading ${point - loaded} events (to ${point})\n`);
    const rate = await load(loaded, point);
    rates.push(`${point - loaded} at ${rate.toFixed(0)}/s`);
    loaded = point;
    const all = suites();
    const chosen = point === CHECKPOINT || point === TOTAL ? all : all.slice(6, 7);
    for (const suite of chosen) rows.push({ events: point, result: await suite() });
  }

  console.log(`loaded ${rates.join(', ')} events`);
  console.log(`${seen.length} recipients, ${counters.size} counter items; node ${process.version}`);
  console.log(
    '| events | endpoint | calls | p50 ms | p99 ms | DynamoDB requests/call | read units/call | response KB |',
  );
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const { events, result } of rows) {
    console.log(
      `| ${events.toLocaleString('en-US')} | ${result.name} | ${result.iterations} | ${result.p50.toFixed(1)} | ` +
        `${result.p99.toFixed(1)} | ` +
        `${result.requests.toFixed(1)} | ${result.readUnits.toFixed(1)} | ${result.kilobytes.toFixed(1)} |`,
    );
  }
  loaderClient.destroy();
  apiClient.destroy();
  sesClient.destroy();
  await ses.close();
  await dynamo.close();
}

await main();
