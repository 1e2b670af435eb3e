// The cost model of infra/README.md "Cost per million sent emails" (issue #13): processing and steady-state storage
// per million sent emails a month, at 1 M and 50 M sent a month, 2% bounces and 0.1% complaints, from measured inputs
// (bench/cost-inputs.json: units per event kind from bench:processor, item and index-entry sizes of the samples by
// DynamoDB's size rule, the retention defaults) and the list prices below. Pure: `npm run bench:cost` measures the
// inputs and prints these tables; test/unit/cost-model.test.ts holds the README to them.

import { readFileSync } from 'node:fs';

/** The measured inputs (`npm run bench:cost -- --measure before|after` writes them). */
export const COST_INPUTS = new URL('../bench/cost-inputs.json', import.meta.url);
/** The blocks of infra/README.md the model writes: per million sent emails, and per million bounces. */
export const README_BLOCKS = {
  sent: {
    begin: '<!-- cost-model: begin (npm run bench:cost -- --readme) -->',
    end: '<!-- cost-model: end -->',
  },
  bounces: {
    begin: '<!-- cost-model bounces: begin (npm run bench:cost -- --readme) -->',
    end: '<!-- cost-model bounces: end -->',
  },
} as const;
type ReadmeBlock = (typeof README_BLOCKS)[keyof typeof README_BLOCKS];

export function readCostInputs(): CostInputs {
  return JSON.parse(readFileSync(COST_INPUTS, 'utf8')) as CostInputs;
}

function blockBounds(readme: string, block: ReadmeBlock): { begin: number; end: number } {
  const begin = readme.indexOf(block.begin);
  const end = readme.indexOf(block.end);
  if (begin < 0 || end < begin)
    throw new Error(`infra/README.md lacks the markers ${block.begin} … ${block.end}`);
  return { begin: begin + block.begin.length, end };
}

/** The text between a block's markers in infra/README.md. */
export function readmeTables(readme: string, block: ReadmeBlock): string {
  const { begin, end } = blockBounds(readme, block);
  return readme.slice(begin, end).trim();
}

/** infra/README.md with the text between a block's markers replaced. */
export function withTables(readme: string, block: ReadmeBlock, tables: string): string {
  const { begin, end } = blockBounds(readme, block);
  return `${readme.slice(0, begin)}\n${tables}\n${readme.slice(end)}`;
}

/** List prices, us-east-1, free tiers ignored; each with the page it is from. */
export const PRICES = {
  snsPublish: { usd: 0.5 / 1e6, source: 'https://aws.amazon.com/sns/pricing/' },
  kmsRequest: { usd: 0.03 / 1e4, source: 'https://aws.amazon.com/kms/pricing/' },
  sqsRequest: { usd: 0.4 / 1e6, source: 'https://aws.amazon.com/sqs/pricing/' },
  lambdaRequest: { usd: 0.2 / 1e6, source: 'https://aws.amazon.com/lambda/pricing/' },
  lambdaGbSecondArm: { usd: 0.0000133334, source: 'https://aws.amazon.com/lambda/pricing/' },
  dynamoWriteUnit: { usd: 0.625 / 1e6, source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/' },
  dynamoReadUnit: { usd: 0.125 / 1e6, source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/' },
  dynamoStorageGbMonth: { usd: 0.25, source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/' },
  dynamoPitrGbMonth: { usd: 0.2, source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/' },
  /**
   * The Standard-Infrequent Access table class: storage 60% less, reads and writes 25% more (DynamoDB Developer Guide,
   * "Considerations when choosing a table class", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/
   * WorkingWithTables.tableclasses.html); PITR is priced by the table's size, the same for both classes.
   */
  dynamoStorageGbMonthIa: { usd: 0.1, source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/' },
  dynamoWriteUnitIa: { usd: 0.78125 / 1e6, source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/' },
  dynamoReadUnitIa: { usd: 0.15625 / 1e6, source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/' },
  logsIngestGb: { usd: 0.5, source: 'https://aws.amazon.com/cloudwatch/pricing/' },
} as const;

/**
 * KMS requests SNS makes for an encrypted topic (Amazon SNS Developer Guide, "Key management", Estimating AWS KMS
 * costs, https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html): R = B / D × 2P per topic, B the billing
 * period in seconds, D the data-key reuse period (SNS reuses a data key for up to 5 minutes), P the publishing
 * principals (SES, one). The page adds that actual costs might be higher (SNS is distributed).
 */
export const SNS_DATA_KEY_REUSE_SECONDS = 300;
const SNS_PUBLISHING_PRINCIPALS = 1;
const MONTH_SECONDS = (365.25 / 12) * 86_400;
const MONTH_DAYS = 365.25 / 12;
const GB = 2 ** 30;
/** Bytes DynamoDB adds to every item and every index entry it stores (Developer Guide, item sizes and billing). */
export const ITEM_OVERHEAD_BYTES = 100;

/** What a month's notifications are: the model prices a mix of them. */
export interface Mix {
  bounces: number;
  complaints: number;
  deliveries: number;
  /** Deliveries to an address that already has a summary (it soft-bounced or complained and is still mailed). */
  deliveriesWithHistory: number;
  /** Suppressions requested (hard bounces that need one, complaints, streaks): one worker call each. */
  suppressions: number;
}

/** What one million sent emails are (issue #13's assumptions). */
export const MIX: Mix = {
  bounces: 20_000,
  complaints: 1_000,
  deliveries: 980_000,
  /** Deliveries to an address that already has a summary (it soft-bounced or complained and is still mailed). */
  deliveriesWithHistory: 19_600,
  /** Suppressions requested (hard bounces that need one, complaints, streaks): one worker call each. */
  suppressions: 17_000,
};

/**
 * A million bounce notifications and nothing else, each a hard bounce of one recipient that needs a suppression: the
 * worst case of "Cost per million bounces" (with SES's account-level suppression on, many need none).
 */
export const BOUNCE_MIX: Mix = {
  bounces: 1_000_000,
  complaints: 0,
  deliveries: 0,
  deliveriesWithHistory: 0,
  suppressions: 1_000_000,
};

/** Units one event of a kind costs, measured by bench:processor (processor and counter rollup, per event). */
export interface EventUnits {
  read: number;
  write: number;
}

export interface ScenarioUnits {
  deliveryNew: EventUnits;
  deliveryWithHistory: EventUnits;
  bounce: EventUnits;
  complaint: EventUnits;
}

/** Bytes one stored thing holds, by DynamoDB's rule, item overhead and its index entries included. */
export interface StoredSizes {
  /** Average over the sample bounces: the event item, its index entries and the items written with it. */
  bounce: number;
  complaint: number;
  /** Of those, in indexes (storage without PITR). */
  bounceInIndexes: number;
  complaintInIndexes: number;
  /** A summary after its first bounce or complaint. */
  summary: number;
  /** One delivery's ledger entry, and the rest of the ledger item of its second. */
  ledgerEntry: number;
  ledgerItem: number;
}

/** Bytes a function writes to CloudWatch Logs, Lambda's own START/END/REPORT lines included. */
export interface LogBytes {
  /** Per processor invocation, whatever its records: Lambda's lines, the metrics document (EMF). */
  invocation: number;
  /** Per recorded bounce, complaint or kept delivery ("event recorded"; a counted delivery logs nothing at INFO). */
  recordedEvent: number;
  /** Where the figures come from. */
  source: string;
}

/** One deployment's measured inputs. */
export interface VariantInputs {
  /** What was measured: the commit and the defaults. */
  label: string;
  eventRetentionDays: number;
  /** null: summaries never expire (they are counted after the event retention, and keep growing). */
  recipientRetentionDays: number | null;
  /** Index projections as the table definition has them (`byTime ALL`, …), for the record. */
  indexes: string[];
  sizes: StoredSizes;
  /**
   * By volume and batching (bench:processor, with the variant's counter rollup window): 1 M/month with a 1 s window
   * (batches of one message) and with a 60 s window (~24), 50 M/month in batches of 10 and, where measured, of 100.
   */
  units: {
    low: ScenarioUnits;
    lowWindow60: ScenarioUnits;
    high: ScenarioUnits;
    highBatch100?: ScenarioUnits;
  };
  /** The processor's batching by default: which of the units and batches each volume gets. */
  defaults: { low: 'low' | 'lowWindow60'; high: 'high' | 'highBatch100' };
  /** Seconds per counter rollup invocation and stream shard (its event source window). */
  rollupWindowSeconds: number;
  /** Deliveries a delivery-ledger item holds on average (a second's at first; a minute's at a low rate since #13). */
  ledgerDeliveriesPerItem: { low: number; high: number };
  logBytes: LogBytes;
}

export interface CostInputs {
  measuredAt: string;
  before: VariantInputs;
  after: VariantInputs;
}

export interface Volume {
  /** Million sent a month. */
  millions: number;
  scale: 'low' | 'high';
  /** Messages per processor batch (1 M/month: about one within the default 1 s window). */
  batch: number;
  /** Stream shards the counter rollup reads (about one invocation a minute each). */
  rollupShards: number;
  units: keyof VariantInputs['units'];
}

export const VOLUMES = {
  low: { millions: 1, scale: 'low', batch: 1, rollupShards: 1, units: 'low' },
  lowWindow60: { millions: 1, scale: 'low', batch: 24, rollupShards: 1, units: 'lowWindow60' },
  high: { millions: 50, scale: 'high', batch: 10, rollupShards: 4, units: 'high' },
  highBatch100: { millions: 50, scale: 'high', batch: 100, rollupShards: 4, units: 'highBatch100' },
} as const satisfies Record<string, Volume>;

/** A variant's default batching at 1 M/month and at 50 M/month. */
export function defaultVolumes(variant: VariantInputs): { low: Volume; high: Volume } {
  return { low: VOLUMES[variant.defaults.low], high: VOLUMES[variant.defaults.high] };
}

/**
 * Lambda assumptions, not measured (arm64, 512 MB processor, 128 MB worker, 256 MB rollup), per invocation and per
 * event: a few DynamoDB round trips of single-digit milliseconds each per event, plus the runtime's own overhead.
 */
const LAMBDA = {
  processorGb: 0.5,
  invocationSeconds: 0.06,
  recordedEventSeconds: 0.05,
  workerGb: 0.125,
  workerSeconds: 1,
  rollupGb: 0.25,
  rollupSeconds: 0.1,
};

export interface CostLine {
  item: string;
  usd: number;
}

/** Processing of a mix (default: a million sent emails), USD, line by line. */
export function processingCost(variant: VariantInputs, volume: Volume, mix: Mix = MIX): CostLine[] {
  const u = variant.units[volume.units];
  if (u === undefined) throw new Error(`${variant.label}: no units measured for ${volume.units}`);
  const notifications = mix.deliveries + mix.bounces + mix.complaints;
  const recorded = mix.bounces + mix.complaints + mix.deliveriesWithHistory;
  const invocations = notifications / volume.batch;
  const kmsRequests = (MONTH_SECONDS / SNS_DATA_KEY_REUSE_SECONDS) * 2 * SNS_PUBLISHING_PRINCIPALS;
  const rollupInvocations = (MONTH_SECONDS / variant.rollupWindowSeconds) * volume.rollupShards;
  const counted = mix.deliveries - mix.deliveriesWithHistory;
  const writes =
    counted * u.deliveryNew.write +
    mix.deliveriesWithHistory * u.deliveryWithHistory.write +
    mix.bounces * u.bounce.write +
    mix.complaints * u.complaint.write +
    mix.suppressions; // the worker's summary update, 1 WCU each
  const reads =
    counted * u.deliveryNew.read +
    mix.deliveriesWithHistory * u.deliveryWithHistory.read +
    mix.bounces * u.bounce.read +
    mix.complaints * u.complaint.read +
    mix.suppressions;
  const gbSeconds =
    invocations * LAMBDA.invocationSeconds * LAMBDA.processorGb +
    recorded * LAMBDA.recordedEventSeconds * LAMBDA.processorGb;
  return [
    { item: 'SNS publishes', usd: notifications * PRICES.snsPublish.usd },
    {
      item: 'KMS, topic key (SNS data-key reuse)',
      usd: (kmsRequests * PRICES.kmsRequest.usd) / volume.millions,
    },
    {
      item: 'SQS notification queue (send + receive and delete per batch)',
      usd: (notifications + 2 * invocations) * PRICES.sqsRequest.usd,
    },
    { item: 'SQS suppression queue', usd: 3 * mix.suppressions * PRICES.sqsRequest.usd },
    {
      item: 'Lambda processor (requests + GB-s)',
      usd: invocations * PRICES.lambdaRequest.usd + gbSeconds * PRICES.lambdaGbSecondArm.usd,
    },
    {
      item: 'Lambda worker',
      usd:
        mix.suppressions * PRICES.lambdaRequest.usd +
        mix.suppressions * LAMBDA.workerSeconds * LAMBDA.workerGb * PRICES.lambdaGbSecondArm.usd,
    },
    {
      item: 'Lambda counter rollup',
      usd:
        (rollupInvocations * PRICES.lambdaRequest.usd +
          rollupInvocations * LAMBDA.rollupSeconds * LAMBDA.rollupGb * PRICES.lambdaGbSecondArm.usd) /
        volume.millions,
    },
    { item: 'DynamoDB writes', usd: writes * PRICES.dynamoWriteUnit.usd },
    { item: 'DynamoDB reads', usd: reads * PRICES.dynamoReadUnit.usd },
    {
      item: 'CloudWatch Logs',
      usd:
        ((recorded * variant.logBytes.recordedEvent + invocations * variant.logBytes.invocation) / GB) *
        PRICES.logsIngestGb.usd,
    },
  ];
}

export interface StorageLine {
  item: string;
  tableGb: number;
  indexGb: number;
}

/** Months of items held at once when each lives `days`. */
const monthsOf = (days: number) => days / MONTH_DAYS;

/** Steady-state storage per million sent a month (GB held at once), line by line. */
export function storageLines(
  variant: VariantInputs,
  volume: Volume,
  retention: { eventDays: number; recipientDays: number | null } = {
    eventDays: variant.eventRetentionDays,
    recipientDays: variant.recipientRetentionDays,
  },
): StorageLine[] {
  const s = variant.sizes;
  const eventMonths = monthsOf(retention.eventDays);
  // Summaries that never expire: what 13 months of them hold (they keep growing).
  const summaryMonths = monthsOf(retention.recipientDays ?? Math.max(retention.eventDays, 400));
  const events = (count: number, bytes: number, inIndexes: number) => ({
    tableGb: (count * eventMonths * (bytes - inIndexes)) / GB,
    indexGb: (count * eventMonths * inIndexes) / GB,
  });
  const ledgerBytes =
    s.ledgerEntry + (s.ledgerItem + ITEM_OVERHEAD_BYTES) / variant.ledgerDeliveriesPerItem[volume.scale];
  return [
    { item: 'bounces', ...events(MIX.bounces, s.bounce, s.bounceInIndexes) },
    { item: 'complaints', ...events(MIX.complaints, s.complaint, s.complaintInIndexes) },
    {
      item: 'summaries',
      tableGb: ((MIX.bounces + MIX.complaints) * summaryMonths * s.summary) / GB,
      indexGb: 0,
    },
    {
      item: 'delivery ledger (15 days)',
      tableGb: (MIX.deliveries * monthsOf(15) * ledgerBytes) / GB,
      indexGb: 0,
    },
  ];
}

/** DynamoDB's table classes (CDK `TableClass`): Standard, and Standard-Infrequent Access. */
export type TableClass = 'standard' | 'standard-ia';

/** USD a month for what the lines hold: storage on table and indexes (by table class), PITR on the table. */
export function storageCost(lines: readonly StorageLine[], tableClass: TableClass = 'standard'): number {
  const table = lines.reduce((sum, line) => sum + line.tableGb, 0);
  const indexes = lines.reduce((sum, line) => sum + line.indexGb, 0);
  const storage =
    tableClass === 'standard' ? PRICES.dynamoStorageGbMonth.usd : PRICES.dynamoStorageGbMonthIa.usd;
  return table * (storage + PRICES.dynamoPitrGbMonth.usd) + indexes * storage;
}

/**
 * What DynamoDB costs per million sent a month in a table class: the writes and reads of processing them (measured
 * units, by the class's unit prices) and the storage they hold at steady state with the given retention.
 */
export function dynamoCost(
  variant: VariantInputs,
  volume: Volume,
  tableClass: TableClass,
  retention: { eventDays: number; recipientDays: number | null },
): number {
  const lines = processingCost(variant, volume);
  const usdOf = (item: string) => lines.find((line) => line.item === item)?.usd ?? 0;
  const ia = tableClass === 'standard-ia';
  const writes =
    usdOf('DynamoDB writes') * (ia ? PRICES.dynamoWriteUnitIa.usd / PRICES.dynamoWriteUnit.usd : 1);
  const reads = usdOf('DynamoDB reads') * (ia ? PRICES.dynamoReadUnitIa.usd / PRICES.dynamoReadUnit.usd : 1);
  return writes + reads + storageCost(storageLines(variant, volume, retention), tableClass);
}

const usd = (n: number) => n.toFixed(2);
const gb = (n: number) => n.toFixed(3);
const total = (lines: readonly CostLine[]) => lines.reduce((sum, line) => sum + line.usd, 0);

/** The README's tables, as `npm run bench:cost` prints them. */
export function costTables(inputs: CostInputs): string {
  const { before, after } = inputs;
  const columns = [
    { head: 'before, 1 M/month', variant: before, volume: defaultVolumes(before).low },
    { head: 'after, 1 M/month', variant: after, volume: defaultVolumes(after).low },
    {
      head: 'after, 1 M/month, `processorMaxBatchingWindow=1`',
      variant: after,
      volume: VOLUMES.low,
    },
    { head: 'before, 50 M/month', variant: before, volume: defaultVolumes(before).high },
    { head: 'after, 50 M/month', variant: after, volume: defaultVolumes(after).high },
  ];
  const processing = columns.map((c) => processingCost(c.variant, c.volume));
  const firstColumn = processing[0] ?? [];
  const lines = [
    'Processing, USD per million sent emails:',
    '',
    `| item | ${columns.map((c) => c.head).join(' | ')} |`,
    `| --- | ${columns.map(() => '---:').join(' | ')} |`,
    ...firstColumn.map(
      (line, i) => `| ${line.item} | ${processing.map((p) => usd(p[i]?.usd ?? 0)).join(' | ')} |`,
    ),
    `| **total** | ${processing.map((p) => `**${usd(total(p))}**`).join(' | ')} |`,
    '',
    'Steady-state storage, per million sent emails a month (GB held at once: table / indexes; USD a month with',
    `storage on both and PITR on the table). Before: ${describeRetention(before)}. After: ${describeRetention(after)}.`,
    '',
  ];
  const storageColumns = [
    { head: 'before', variant: before },
    { head: 'after', variant: after },
  ];
  const stored = storageColumns.map((c) => ({
    low: storageLines(c.variant, VOLUMES.low),
    high: storageLines(c.variant, VOLUMES.high),
  }));
  const cell = (line: StorageLine | undefined) =>
    line === undefined ? '' : `${gb(line.tableGb)} / ${gb(line.indexGb)}`;
  lines.push(
    `| part | ${storageColumns.map((c) => `${c.head}, 1 M/month | ${c.head}, 50 M/month`).join(' | ')} |`,
    `| --- | ${storageColumns.map(() => '---: | ---:').join(' | ')} |`,
    ...(stored[0]?.low ?? []).map(
      (line, i) =>
        `| ${line.item} | ${stored.map((s) => `${cell(s.low[i])} | ${cell(s.high[i])}`).join(' | ')} |`,
    ),
    `| **USD per month** | ${stored.map((s) => `**${usd(storageCost(s.low))}** | **${usd(storageCost(s.high))}**`).join(' | ')} |`,
    '',
    'Storage by retention (after; events and summaries kept as long, USD per million sent a month):',
    '',
    '| `eventRetentionDays` (= `recipientRetentionDays`) | 1 M/month | 50 M/month |',
    '| ---: | ---: | ---: |',
    ...RETENTION_CHOICES.map((days) => {
      const at = (volume: Volume) =>
        usd(storageCost(storageLines(after, volume, { eventDays: days, recipientDays: days })));
      return `| ${days} | ${at(VOLUMES.low)} | ${at(VOLUMES.high)} |`;
    }),
    '',
    'DynamoDB by table class (after; writes, reads and storage with PITR, USD per million sent a month; events and',
    'summaries kept as long):',
    '',
    '| `eventRetentionDays` (= `recipientRetentionDays`) | Standard, 1 M/month | Standard-IA, 1 M/month | Standard, 50 M/month | Standard-IA, 50 M/month |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...TABLE_CLASS_RETENTIONS.map((days) => {
      const at = (volume: Volume, tableClass: TableClass) =>
        usd(dynamoCost(after, volume, tableClass, { eventDays: days, recipientDays: days }));
      const { low, high } = defaultVolumes(after);
      return `| ${days} | ${at(low, 'standard')} | ${at(low, 'standard-ia')} | ${at(high, 'standard')} | ${at(high, 'standard-ia')} |`;
    }),
    '',
    `Inputs: bench/cost-inputs.json (measured ${inputs.measuredAt}; before: ${before.label}; after: ${after.label}).`,
  );
  return lines.join('\n');
}

/** infra/README.md "Cost per million bounces": BOUNCE_MIX at the 1 M/month volume, and what a million bounces store. */
export function bounceCostTable(inputs: CostInputs): string {
  const columns = [
    { head: 'before', variant: inputs.before },
    { head: 'after', variant: inputs.after },
  ];
  const processing = columns.map((c) => processingCost(c.variant, defaultVolumes(c.variant).low, BOUNCE_MIX));
  const storedMonth = (variant: VariantInputs) => {
    const { bounce, bounceInIndexes, summary } = variant.sizes;
    const tableGb = (BOUNCE_MIX.bounces * (bounce - bounceInIndexes + summary)) / GB;
    const indexGb = (BOUNCE_MIX.bounces * bounceInIndexes) / GB;
    return {
      gb: tableGb + indexGb,
      usd:
        tableGb * (PRICES.dynamoStorageGbMonth.usd + PRICES.dynamoPitrGbMonth.usd) +
        indexGb * PRICES.dynamoStorageGbMonth.usd,
    };
  };
  const stored = columns.map((c) => storedMonth(c.variant));
  return [
    `| item | ${columns.map((c) => `${c.head}, USD`).join(' | ')} |`,
    `| --- | ${columns.map(() => '---:').join(' | ')} |`,
    ...(processing[0] ?? []).map(
      (line, i) => `| ${line.item} | ${processing.map((p) => usd(p[i]?.usd ?? 0)).join(' | ')} |`,
    ),
    `| **per million bounces** | ${processing.map((p) => `**${usd(total(p))}**`).join(' | ')} |`,
    `| storage while they are kept: GB (events, their index entries and pointers, one summary each) | ${stored.map((x) => gb(x.gb)).join(' | ')} |`,
    `| storage while they are kept: USD a month (PITR on the table) | ${stored.map((x) => usd(x.usd)).join(' | ')} |`,
    '',
    `Inputs: bench/cost-inputs.json as above (before: ${inputs.before.label}; after: ${inputs.after.label}).`,
  ].join('\n');
}

export const RETENTION_CHOICES = [30, 45, 60, 90, 120, 180, 270, 400] as const;
/** Retentions the table-class comparison is priced at: the default, the former default, five years. */
const TABLE_CLASS_RETENTIONS = [60, 400, 1826] as const;

function describeRetention(variant: VariantInputs): string {
  const summaries =
    variant.recipientRetentionDays === null
      ? 'summaries never expire (counted at 400 days: they keep growing)'
      : `summaries ${variant.recipientRetentionDays} days`;
  return `events ${variant.eventRetentionDays} days, ${summaries}; ${variant.indexes.join(', ')}`;
}
