// `npm run bench:cost`: prints infra/README.md's cost tables (harness/cost-model.ts) from bench/cost-inputs.json.
//   --measure before|after   measure that variant's inputs on this checkout first and store them in the file:
//                            write and read units per event kind from bench:processor (two runs: rollup windows of
//                            24 and 100 records), item and index-entry sizes by DynamoDB's size rule from the real
//                            items the processor writes for samples/ (every index of the table definition with its
//                            projection), and the retention defaults of lambdas/config.ts
//   --bench-low FILE, --bench-high FILE
//                            with --measure: bench:processor's output of `--rollup-window 24` / `100` saved in FILE
//                            instead of running it
//   --readme                 write the tables into infra/README.md (between the cost-model markers)
import { execFileSync } from 'node:child_process';
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
  README_BLOCKS,
  readCostInputs,
  type ScenarioUnits,
  type StoredSizes,
  type VariantInputs,
  withTables,
} from '../harness/cost-model.ts';
import { createCounterRollupHandler } from '../lambdas/adapters/counter-rollup-lambda.ts';
import { DynamoCounterRollupStore } from '../lambdas/adapters/dynamo-counter-rollup.ts';
import { DynamoAllowlist, DynamoEventStore } from '../lambdas/adapters/dynamo-event-store.ts';
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
type AttributeValue = Record<string, unknown>;

/** Bytes of a value by DynamoDB's item-size rule (Developer Guide, "Item sizes and formats"). */
function valueSize(v: AttributeValue): number {
  if (typeof v.S === 'string') return Buffer.byteLength(v.S);
  if (typeof v.N === 'string') return Math.ceil(v.N.replace(/^-|\.|e.*$/gi, '').length / 2) + 1;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (Array.isArray(v.L)) return 3 + (v.L as AttributeValue[]).reduce((s, x) => s + 1 + valueSize(x), 0);
  if (v.M !== undefined)
    return (
      3 +
      Object.entries(v.M as Record<string, AttributeValue>).reduce(
        (s, [k, x]) => s + 1 + Buffer.byteLength(k) + valueSize(x),
        0,
      )
    );
  if (Array.isArray(v.SS)) return (v.SS as string[]).reduce((s, x) => s + Buffer.byteLength(x), 0);
  if (Array.isArray(v.NS)) return (v.NS as string[]).reduce((s, x) => s + x.length, 0);
  return 0;
}

/** Attribute names plus values, without the per-item overhead. */
export function itemSize(item: Item): number {
  return Object.entries(
    marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: true }),
  ).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value as unknown as AttributeValue),
    0,
  );
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
  const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
  const raw = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials });
  const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  await createTable(raw, table);
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const logger = new Logger({ serviceName: 'bench-cost', logLevel: 'SILENT' });
  const metrics = new Metrics({ namespace: 'Bench', serviceName: 'bench-cost' });
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
  const entries = ledger.map((item) => (item.entries instanceof Set ? item.entries.size : 0));
  const entryBytes = 43;
  return {
    bounce: Math.round(average(ofType('bounce').map(stored)) + perEvent),
    complaint: Math.round(average(ofType('complaint').map(stored)) + perEvent),
    bounceInIndexes: Math.round(average(ofType('bounce').map(indexEntriesSize)) + perEventInIndexes),
    complaintInIndexes: Math.round(average(ofType('complaint').map(indexEntriesSize)) + perEventInIndexes),
    summary: Math.round(average(items.filter((item) => item.sk === 'SUMMARY').map(stored))),
    ledgerEntry: entryBytes,
    ledgerItem: Math.round(average(ledger.map((item, i) => itemSize(item) - (entries[i] ?? 0) * entryBytes))),
  };
}

/**
 * The per-event rows of bench:processor's output (its run with `--rollup-window N`, or that output saved in `file`):
 * scenario → read and write units (processor and rollup).
 */
function benchUnits(
  rollupWindow: number,
  file: string | undefined,
): Map<string, { read: number; write: number }> {
  const output =
    file !== undefined
      ? readFileSync(file, 'utf8')
      : execFileSync(
          'npx',
          ['tsx', 'bench/processor.ts', '--events', '40', '--rollup-window', String(rollupWindow)],
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

async function measure(label: string, benchFiles: { low?: string; high?: string }): Promise<VariantInputs> {
  const low = benchUnits(24, benchFiles.low);
  const high = benchUnits(100, benchFiles.high);
  return {
    label,
    eventRetentionDays: CONFIG_DEFAULTS.eventRetentionDays,
    recipientRetentionDays: defaultRecipientRetentionDays(CONFIG_DEFAULTS),
    indexes: describeIndexes(),
    sizes: await measureSizes(),
    units: {
      low: scenario(low, 'delivery, new address (batches of 1, low volume)'),
      lowWindow60: scenario(low, 'delivery, new address (0.4 per second, batches of 24)'),
      high: scenario(high, 'delivery, new address'),
    },
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
    const measured = await measure(`${commit}, measured ${new Date().toISOString().slice(0, 10)}`, {
      low: option('--bench-low'),
      high: option('--bench-high'),
    });
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
