// `npm run bench:cost`: prints infra/README.md's cost tables (harness/cost-model.ts) from bench/cost-inputs.json.
//   --measure before|after   measure that variant's inputs on this checkout first and store them in the file:
//                            write and read units per event kind from bench:processor (rollup windows of the default
//                            counterRollupWindow; rows at 0.4 and 19 notifications a second), the processor's log
//                            bytes per invocation and per recorded event, item and index-entry sizes by DynamoDB's size rule from the real
//                            items the processor writes for samples/ (every index of the table definition with its
//                            projection), and the retention defaults of lambdas/config.ts
//   --bench FILE             with --measure: bench:processor's output (`--rollup-seconds` the default
//                            counterRollupWindow) saved in FILE instead of running it
//   --readme                 write the tables into infra/README.md (between the cost-model markers)
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, SQSRecord } from 'aws-lambda';
import {
  bounceCostTable,
  COST_INPUTS,
  costTables,
  ITEM_OVERHEAD_BYTES,
  type LogBytes,
  MIX,
  README_BLOCKS,
  readCostInputs,
  type ScenarioUnits,
  type StoredSizes,
  type VariantInputs,
  withTables,
} from '../harness/cost-model.ts';
import { DEFAULT_SETTINGS } from '../infra/props.ts';
import { createCounterRollupHandler } from '../lambdas/adapters/counter-rollup-lambda.ts';
import { DynamoCounterRollupStore } from '../lambdas/adapters/dynamo-counter-rollup.ts';
import { DynamoAllowlist, DynamoEventStore } from '../lambdas/adapters/dynamo-event-store.ts';
import { itemSize as storedItemSize } from '../lambdas/adapters/dynamo-item-size.ts';
import { createProcessorHandler } from '../lambdas/adapters/processor-lambda.ts';
import { InMemoryMessageParking, InMemorySuppressionQueue } from '../lambdas/adapters/queues.ts';
import { ROLLUP_STREAM_FILTERS } from '../lambdas/adapters/stream-sources.ts';
import { TABLE_DEFINITION } from '../lambdas/adapters/table-definition.ts';
import { CONFIG_DEFAULTS, defaultRecipientRetentionDays } from '../lambdas/config.ts';
import { classifyBounce } from '../lambdas/domain/classify.ts';
import { DEFAULT_DELIVERY_HISTORY } from '../lambdas/domain/delivery-history.ts';
import { DEFAULT_POLICY_SETTINGS } from '../lambdas/domain/suppression-policy.ts';
import { startTransactionalDynalite } from '../local/dynalite-transactions.ts';
import { createTable } from '../local/dynamo.ts';
import { LocalStream } from '../local/event-stream.ts';

const README = new URL('../infra/README.md', import.meta.url);

type Item = Record<string, unknown>;
/**
 * Attribute names plus values by DynamoDB's item-size rule (lambdas/adapters/dynamo-item-size.ts: the rule the
 * event codec and the local stack use; a packed event item's Binary counts its bytes), without the per-item overhead.
 */
export function itemSize(item: Item): number {
  return storedItemSize(marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: true }));
}

const pick = (item: Item, names: readonly string[]) =>
  Object.fromEntries(Object.entries(item).filter(([name]) => names.includes(name)));

/** The index entries an item has, each by the index's projection, with the per-entry overhead. */
export function indexEntriesSize(item: Item): number {
  const tableKeys = [TABLE_DEFINITION.partitionKey.name, TABLE_DEFINITION.sortKey.name];
  let bytes = 0;
  for (const index of TABLE_DEFINITION.globalSecondaryIndexes) {
    const keys = [index.partitionKey.name, ...(index.sortKey ? [index.sortKey.name] : [])];
    if (keys.some((key) => item[key] === undefined)) continue;
    const { projection, nonKeyAttributes } = index as {
      projection: string;
      nonKeyAttributes?: readonly string[];
    };
    const projected =
      projection === 'ALL' ? Object.keys(item) : projection === 'INCLUDE' ? (nonKeyAttributes ?? []) : [];
    bytes += itemSize(pick(item, [...tableKeys, ...keys, ...projected])) + ITEM_OVERHEAD_BYTES;
  }
  return bytes;
}

export function describeIndexes(): string[] {
  return TABLE_DEFINITION.globalSecondaryIndexes.map((index) => `${index.indexName} ${index.projection}`);
}

const average = (values: readonly number[]) =>
  values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;

/**
 * Lambda's own lines per invocation in its text log format (AWS Lambda Developer Guide, "Working with Lambda function
 * logs": START, END, REPORT; REPORT with the figures of a warm invocation).
 */
function platformLines(requestId: string): string[] {
  return [
    `START RequestId: ${requestId} Version: $LATEST`,
    `END RequestId: ${requestId}`,
    `REPORT RequestId: ${requestId}\tDuration: 123.45 ms\tBilled Duration: 124 ms\tMemory Size: 512 MB\tMax Memory Used: 98 MB\t`,
  ];
}
/** Bytes CloudWatch Logs adds to every log event in its size rule (PutLogEvents: message bytes + 26 per event). */
const LOG_EVENT_OVERHEAD_BYTES = 26;

/** A sample SES notification re-addressed to the i-th of `count` new recipients, as an SQS record from SNS. */
function sampleRecord(file: string, i: number): SQSRecord {
  const document = JSON.parse(readFileSync(new URL(`../samples/${file}`, import.meta.url), 'utf8'));
  const email = `reader${i}@example.org`;
  document.mail.messageId = `log-${file}-${i}`;
  document.mail.destination = [email];
  if (document.delivery) document.delivery.recipients = [email];
  if (document.bounce) {
    document.bounce.feedbackId = `log-${i}`;
    document.bounce.bouncedRecipients = [{ ...document.bounce.bouncedRecipients[0], emailAddress: email }];
  }
  const id = `${file}-${i}`;
  return {
    messageId: id,
    receiptHandle: id,
    body: JSON.stringify({
      Type: 'Notification',
      MessageId: randomUUID(),
      TopicArn: 'arn:aws:sns:us-east-1:1:t',
      Message: JSON.stringify(document),
    }),
    attributes: { ApproximateReceiveCount: '1' },
    eventSource: 'aws:sqs',
  } as unknown as SQSRecord;
}

/** The processor at the deployed defaults against dynalite at `endpoint`, on a table it creates there. */
async function processorOn(
  endpoint: string,
  table: string,
  observability: { logger: Logger; metrics: Metrics; concurrency: number },
) {
  const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
  const raw = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials });
  const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  await createTable(raw, table);
  const now = () => new Date();
  const processor = createProcessorHandler({
    deps: {
      store: new DynamoEventStore(doc, {
        tableName: table,
        eventRetentionDays: CONFIG_DEFAULTS.eventRetentionDays,
        recipientRetentionDays: defaultRecipientRetentionDays(CONFIG_DEFAULTS),
        batchSummaryReads: true,
      }),
      queue: new InMemorySuppressionQueue(),
      allowlist: new DynamoAllowlist(doc, { tableName: table, cacheSeconds: 60, now }),
      classify: classifyBounce,
      settings: DEFAULT_POLICY_SETTINGS,
      deliveryHistory: DEFAULT_DELIVERY_HISTORY,
      now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    },
    parking: new InMemoryMessageParking(),
    ...observability,
  });
  return { raw, doc, now, processor };
}

/**
 * What the processor writes to CloudWatch Logs, measured: its log lines and metrics document (EMF) at the deployed
 * defaults (Powertools level INFO, metrics on), captured from stdout and stderr while it handles a batch of 24
 * counted deliveries and a batch of 24 hard bounces (a real sample each) against dynalite, plus Lambda's own lines.
 */
async function measureLogBytes(): Promise<LogBytes> {
  const table = 'cost-logs';
  const db = await startTransactionalDynalite();
  const metricsDisabled = process.env.POWERTOOLS_METRICS_DISABLED;
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  const serviceName = DEFAULT_SETTINGS.serviceName;
  const { raw, processor } = await processorOn(db.endpoint, table, {
    logger: new Logger({ serviceName, logLevel: DEFAULT_SETTINGS.logLevel }),
    metrics: new Metrics({ namespace: DEFAULT_SETTINGS.metricsNamespace, serviceName }),
    concurrency: Math.min(DEFAULT_SETTINGS.processorBatchSize, 100),
  });
  const BATCH = 24;
  const invocationLog = async (file: string) => {
    const lines: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      lines.push(
        ...String(chunk)
          .split('\n')
          .filter((line) => line.length > 0),
      );
      return true;
    };
    const [out, err] = [process.stdout.write, process.stderr.write];
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    try {
      await processor({ Records: Array.from({ length: BATCH }, (_, i) => sampleRecord(file, i)) });
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
    }
    lines.push(...platformLines(randomUUID()));
    return lines.reduce((sum, line) => sum + Buffer.byteLength(line) + LOG_EVENT_OVERHEAD_BYTES, 0);
  };
  const deliveries = await invocationLog('11-delivery.json');
  const bounces = await invocationLog('01-bounce-permanent-general-gmail-5.1.1.json');
  if (metricsDisabled !== undefined) process.env.POWERTOOLS_METRICS_DISABLED = metricsDisabled;
  raw.destroy();
  await db.close();
  return {
    invocation: deliveries,
    recordedEvent: Math.round((bounces - deliveries) / BATCH),
    source:
      'measured by bench:cost: the processor at INFO with metrics, a batch of 24 counted deliveries and one of 24 ' +
      "hard bounces, stdout and stderr, plus Lambda's START/END/REPORT lines and 26 B per log event",
  };
}

/** What the processor and the counter rollup store for the samples, sized: the model's StoredSizes. */
async function measureSizes(): Promise<StoredSizes> {
  const table = 'cost-sizes';
  const stream = new LocalStream(table);
  const records: DynamoDBRecord[] = [];
  stream.attach(
    async (event) => {
      records.push(...event.Records);
      return { state: {} };
    },
    { name: 'rollup recorder', filters: ROLLUP_STREAM_FILTERS, tumblingWindow: true },
  );
  const db = await startTransactionalDynalite({ onChange: stream.add });
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const logger = new Logger({ serviceName: 'bench-cost', logLevel: 'SILENT' });
  const metrics = new Metrics({ namespace: 'Bench', serviceName: 'bench-cost' });
  const { raw, doc, now, processor } = await processorOn(db.endpoint, table, {
    logger,
    metrics,
    concurrency: 1,
  });
  const samples = new URL('../samples/', import.meta.url);
  for (const file of readdirSync(samples)
    .filter((name) => name.endsWith('.json'))
    .sort()) {
    const record = {
      messageId: file,
      receiptHandle: file,
      body: JSON.stringify({
        Type: 'Notification',
        MessageId: file,
        TopicArn: 'arn:aws:sns:us-east-1:1:t',
        Message: readFileSync(new URL(file, samples), 'utf8'),
      }),
      attributes: { ApproximateReceiveCount: '1' },
      eventSource: 'aws:sqs',
    } as unknown as SQSRecord;
    await processor({ Records: [record] });
  }
  await stream.idle();
  await createCounterRollupHandler({
    store: new DynamoCounterRollupStore(doc, {
      tableName: table,
      eventRetentionDays: CONFIG_DEFAULTS.eventRetentionDays,
      now,
    }),
    logger,
    metrics,
  })(Object.assign({ Records: records }, { shardId: 'shardId-cost', state: {} }));
  const items: Item[] = [];
  let ExclusiveStartKey: Item | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: table, ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}) }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  await stream.stop();
  raw.destroy();
  await db.close();

  const stored = (item: Item) => itemSize(item) + ITEM_OVERHEAD_BYTES + indexEntriesSize(item);
  const pk = (item: Item) => String(item.pk);
  const events = items.filter((item) => pk(item).startsWith('R#') && String(item.sk).startsWith('E#'));
  const ofType = (type: string) => events.filter((item) => item.type === type);
  // Items written with an event that are neither events, summaries, ledger nor counters (e.g. a pointer by id).
  const companions = items.filter((item) => !/^(R#|DLV#|STAT|ROLLUP|ALLOW)/.test(pk(item)));
  const perEvent = companions.reduce((sum, item) => sum + stored(item), 0) / Math.max(1, events.length);
  const perEventInIndexes =
    companions.reduce((sum, item) => sum + indexEntriesSize(item), 0) / Math.max(1, events.length);
  const ledger = items.filter((item) => pk(item).startsWith('DLV#'));
  // An entry is 43 bytes in a second's item, 45 in a minute's (it holds its second too).
  const entryBytes = ledger.map((item) =>
    item.entries instanceof Set ? [...item.entries].reduce((sum, entry) => sum + String(entry).length, 0) : 0,
  );
  const entryCount = ledger.reduce(
    (sum, item) => sum + (item.entries instanceof Set ? item.entries.size : 0),
    0,
  );
  return {
    bounce: Math.round(average(ofType('bounce').map(stored)) + perEvent),
    complaint: Math.round(average(ofType('complaint').map(stored)) + perEvent),
    bounceInIndexes: Math.round(average(ofType('bounce').map(indexEntriesSize)) + perEventInIndexes),
    complaintInIndexes: Math.round(average(ofType('complaint').map(indexEntriesSize)) + perEventInIndexes),
    summary: Math.round(average(items.filter((item) => item.sk === 'SUMMARY').map(stored))),
    ledgerEntry: Math.round(entryBytes.reduce((sum, bytes) => sum + bytes, 0) / Math.max(1, entryCount)),
    ledgerItem: Math.round(average(ledger.map((item, i) => itemSize(item) - (entryBytes[i] ?? 0)))),
  };
}

/**
 * The per-event rows of bench:processor's output (its run with `--rollup-window N`, or that output saved in `file`):
 * scenario → read and write units (processor and rollup).
 */
function benchUnits(file: string | undefined): Map<string, { read: number; write: number }> {
  const rollupSeconds = String(DEFAULT_SETTINGS.counterRollupWindow);
  const output =
    file !== undefined
      ? readFileSync(file, 'utf8')
      : execFileSync(
          'npx',
          ['tsx', 'bench/processor.ts', '--events', '40', '--rollup-seconds', rollupSeconds],
          {
            cwd: new URL('..', import.meta.url),
            encoding: 'utf8',
            maxBuffer: 1 << 24,
          },
        );
  const rows = new Map<string, { read: number; write: number }>();
  for (const match of output.matchAll(
    /^\| ([^|]+?) \| \d+ \| ([^|]*) \| ([\d.]+) \| [\d.]+ \| [\d.]+ \| [\d.]+ \| \*\*([\d.]+)\*\* \|$/gm,
  )) {
    // dynalite reports no capacity for a Query: count each of the processor's (strongly consistent) as 1 RRU.
    const queries = Number(/\bQuery ([\d.]+)/.exec((match[2] ?? '').split(';')[0] ?? '')?.[1] ?? 0);
    rows.set(match[1] ?? '', { read: Number(match[3]) + queries, write: Number(match[4]) });
  }
  return rows;
}

function scenario(rows: Map<string, { read: number; write: number }>, deliveryNew: string): ScenarioUnits {
  const row = (name: string) => {
    const found = rows.get(name);
    if (found === undefined) throw new Error(`bench:processor printed no row "${name}"`);
    return found;
  };
  return {
    deliveryNew: row(deliveryNew),
    deliveryWithHistory: row('delivery, address with history'),
    bounce: row('hard bounce, new address'),
    complaint: row('complaint, new address'),
  };
}

/** Deliveries a minute of event time holds at 1 M sent a month (a minute's ledger item takes them all). */
const LOW_DELIVERIES_PER_MINUTE = Math.round((MIX.deliveries / ((365.25 / 12) * 86_400)) * 60);

async function measure(label: string, benchFile: string | undefined): Promise<VariantInputs> {
  const rows = benchUnits(benchFile);
  const settings = DEFAULT_SETTINGS;
  return {
    label,
    eventRetentionDays: CONFIG_DEFAULTS.eventRetentionDays,
    recipientRetentionDays: defaultRecipientRetentionDays(CONFIG_DEFAULTS),
    indexes: describeIndexes(),
    sizes: await measureSizes(),
    units: {
      low: scenario(rows, 'delivery, new address (batches of 1, low volume)'),
      lowWindow60: scenario(rows, 'delivery, new address (0.4 per second, batches of 24)'),
      high: scenario(rows, 'delivery, new address (19 per second, batches of 10)'),
      highBatch100: scenario(rows, 'delivery, new address (19 per second, batches of 100)'),
    },
    // 0.4 notifications a second: a 60 s window gathers ~24; at 19 a second a batch fills to its size.
    defaults: {
      low: settings.processorMaxBatchingWindow >= 60 ? 'lowWindow60' : 'low',
      high: settings.processorBatchSize >= 100 ? 'highBatch100' : 'high',
    },
    rollupWindowSeconds: settings.counterRollupWindow,
    ledgerDeliveriesPerItem: { low: LOW_DELIVERIES_PER_MINUTE, high: 19 },
    logBytes: await measureLogBytes(),
  };
}

async function main(args: string[]): Promise<void> {
  const at = args.indexOf('--measure');
  if (at >= 0) {
    const which = args[at + 1];
    if (which !== 'before' && which !== 'after') throw new Error('--measure before|after');
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const option = (name: string) => {
      const i = args.indexOf(name);
      return i >= 0 ? args[i + 1] : undefined;
    };
    const measured = await measure(
      `${commit}, measured ${new Date().toISOString().slice(0, 10)}`,
      option('--bench'),
    );
    const previous = existsSync(COST_INPUTS) ? readCostInputs() : { before: measured, after: measured };
    const inputs = { ...previous, measuredAt: new Date().toISOString().slice(0, 10), [which]: measured };
    writeFileSync(COST_INPUTS, `${JSON.stringify(inputs, null, 2)}\n`);
  }
  const inputs = readCostInputs();
  const tables = costTables(inputs);
  const bounces = bounceCostTable(inputs);
  if (args.includes('--readme')) {
    const readme = readFileSync(README, 'utf8');
    writeFileSync(
      README,
      withTables(withTables(readme, README_BLOCKS.sent, tables), README_BLOCKS.bounces, bounces),
    );
  }
  console.log(`${tables}\n\nPer million bounces:\n\n${bounces}`);
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  await main(process.argv.slice(2));
}
