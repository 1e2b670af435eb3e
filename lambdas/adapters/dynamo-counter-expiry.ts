// Upgrade step for tables written before day × domain counters carried `expiresAt` (docs/data-model.md,
// "Upgrading"): such a counter names a domain and would stay for good. The key design finds them without a Scan:
// the counters live in the partitions `STATDOM#<yyyy>#<s>` (one per calendar year and counter shard), so a Query per
// partition with a filter on the missing attribute and a keys-only projection reads just the counters. Each one
// gets `expiresAt` exactly as the counter rollup computes it, by a conditional write that never touches a counter
// that has one meanwhile. Idempotent and resumable: a counter that has its `expiresAt` no longer matches the filter.
// Recipient summaries written before they expired get theirs the same way, from one Scan (backfillSummaryExpiry).
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { MAX_CLOCK_SKEW_MS } from '../domain/recipient-event.ts';
import { type Paced, type Pacing, pacer } from '../domain/retry.ts';
import { errorNamed } from './aws-errors.ts';
import { domainCounterExpiresAt, summaryExpiresAt, TTL_HORIZON_SECONDS } from './dynamo-items.ts';
import { COUNTER_SHARDS, keys, TABLE_DEFINITION } from './table-definition.ts';

/** The sort key of every recipient summary (`pk = R#<email>`). */
const SUMMARY_SK = keys.summary('').sk;

/** Items read per Query page: the rate limit paces reads too, and an interrupted run loses at most one page. */
const PAGE_SIZE = 100;

export interface CounterExpiryBackfillOptions {
  tableName: string;
  /** The deployed EVENT_RETENTION_DAYS: the counters get the expiry the counter rollup gives them with it. */
  retentionDays: number;
  /** First calendar year whose counter partitions are read; the last is the current one (clock skew included). */
  fromYear: number;
  /** Count what would be done, write nothing. */
  dryRun: boolean;
  /** At most this many DynamoDB requests (Query pages and writes) per second. */
  requestsPerSecond: number;
  /** Epoch milliseconds (injected: the tests and the pacing use their own clock). */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Told when a year's partitions are done, with that year's tally (a rerun may start at the next year). */
  onYear?(year: number, tally: Readonly<CounterExpiryTally>): Promise<void>;
}

export interface CounterExpiryTally {
  /** Day × domain counters read without `expiresAt`. */
  found: number;
  /** Given an `expiresAt` still ahead. */
  set: number;
  /** Given an `expiresAt` already past: DynamoDB's TTL deletes them within days. */
  setExpired: number;
  /** Deleted: their expiry lies beyond TTL's horizon, so TTL would never delete them. */
  deleted: number;
  /** Left alone: another writer gave them an `expiresAt` or deleted them between the read and the write. */
  changedMeanwhile: number;
  /** Requests sent (Query pages and writes). */
  requests: number;
}

const emptyTally = (): CounterExpiryTally => ({
  found: 0,
  set: 0,
  setExpired: 0,
  deleted: 0,
  changedMeanwhile: 0,
  requests: 0,
});

function addTo(total: CounterExpiryTally, part: Readonly<CounterExpiryTally>): void {
  for (const name of Object.keys(total) as (keyof CounterExpiryTally)[]) total[name] += part[name];
}

/** A counter's key names its day first: `<yyyy-mm-dd>#<domain>`. */
const COUNTER_SK = /^(\d{4}-\d{2}-\d{2})#/;

const TTL = TABLE_DEFINITION.timeToLiveAttribute;
const PK = TABLE_DEFINITION.partitionKey.name;
const SK = TABLE_DEFINITION.sortKey.name;
/** Only an item that still exists and still has no expiry is written: a value set meanwhile stays. */
const STILL_WITHOUT_EXPIRY = {
  ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#ttl)',
  ExpressionAttributeNames: { '#pk': PK, '#ttl': TTL },
};

/** Gives every day × domain counter of the years from `fromYear` to now that lacks `expiresAt` the rollup's. */
export async function backfillCounterExpiry(
  client: DynamoDBDocumentClient,
  options: CounterExpiryBackfillOptions,
): Promise<CounterExpiryTally> {
  const paced = pacer(options);
  const total = emptyTally();
  // No event time lies further ahead than the clock skew the processor accepts.
  const lastYear = new Date(options.now() + MAX_CLOCK_SKEW_MS).getUTCFullYear();
  for (let year = options.fromYear; year <= lastYear; year += 1) {
    const tally = emptyTally();
    for (let shard = 0; shard < COUNTER_SHARDS; shard += 1) {
      // The partition of this year and shard: the one its first day's counters are in.
      const { pk } = keys.domainDayCounter(`${year}-01-01`, '', shard);
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        tally.requests += 1;
        const page = await paced(() =>
          client.send(
            new QueryCommand({
              TableName: options.tableName,
              KeyConditionExpression: '#pk = :pk',
              FilterExpression: 'attribute_not_exists(#ttl)',
              ProjectionExpression: '#pk, #sk',
              ExpressionAttributeNames: { '#pk': PK, '#sk': SK, '#ttl': TTL },
              ExpressionAttributeValues: { ':pk': pk },
              Limit: PAGE_SIZE,
              ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
            }),
          ),
        );
        for (const item of page.Items ?? []) {
          const day = COUNTER_SK.exec(String(item[SK]))?.[1];
          if (day === undefined) continue; // not a counter the processor wrote
          tally.found += 1;
          await giveExpiry(
            client,
            paced,
            options,
            { [PK]: item[PK], [SK]: item[SK] },
            domainCounterExpiresAt(day, options.retentionDays),
            tally,
          );
        }
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
    }
    addTo(total, tally);
    await options.onYear?.(year, tally);
  }
  return total;
}

/** Sets `expiresAt` of an item that still has none (or deletes it when TTL would ignore that expiry). */
async function giveExpiry(
  client: DynamoDBDocumentClient,
  paced: Paced,
  options: Pick<CounterExpiryBackfillOptions, 'tableName' | 'dryRun' | 'now'>,
  key: Record<string, unknown>,
  expiresAt: number,
  tally: CounterExpiryTally,
): Promise<void> {
  const nowSeconds = options.now() / 1000;
  // TTL ignores an expiry more than TTL_HORIZON_SECONDS in the past: such a counter is deleted here instead, as TTL
  // would have done long ago.
  const outcome: keyof CounterExpiryTally =
    expiresAt < nowSeconds - TTL_HORIZON_SECONDS ? 'deleted' : expiresAt <= nowSeconds ? 'setExpired' : 'set';
  if (options.dryRun) {
    tally[outcome] += 1;
    return;
  }
  tally.requests += 1;
  try {
    await paced(() =>
      outcome === 'deleted'
        ? client.send(new DeleteCommand({ TableName: options.tableName, Key: key, ...STILL_WITHOUT_EXPIRY }))
        : client.send(
            new UpdateCommand({
              TableName: options.tableName,
              Key: key,
              UpdateExpression: 'SET #ttl = :expiresAt',
              ...STILL_WITHOUT_EXPIRY,
              ExpressionAttributeValues: { ':expiresAt': expiresAt },
            }),
          ),
    );
    tally[outcome] += 1;
  } catch (error) {
    if (!errorNamed(error, 'ConditionalCheckFailedException')) throw error;
    tally.changedMeanwhile += 1;
  }
}

export interface SummaryExpiryBackfillOptions extends Pacing {
  tableName: string;
  /** The deployed RECIPIENT_RETENTION_DAYS: a summary gets the expiry its last event would have given it. */
  retentionDays: number;
  dryRun: boolean;
  /** Told after each Scan page with the tally so far (a long Scan reports progress). */
  onPage?(tally: Readonly<CounterExpiryTally>): Promise<void>;
}

/** The latest time a summary was touched: its last event, its last delivery, a reactivation. */
function lastTouchOf(item: Record<string, unknown>): string | null {
  const suppression = item.suppression as { cause?: unknown; since?: unknown } | undefined;
  const times = [
    item.lastEventAt,
    item.lastDeliveryAt,
    suppression?.cause === 'reactivation' ? suppression.since : undefined,
  ].filter((time): time is string => typeof time === 'string' && !Number.isNaN(Date.parse(time)));
  return times.length === 0 ? null : times.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));
}

/**
 * Gives every recipient summary without `expiresAt` (written before summaries expired) the expiry its last touch
 * would have given it: `summaryExpiresAt` of its latest event, delivery or reactivation time. Summaries live in the
 * recipients' own partitions and no index holds them, so this is one Scan of the table (filtered to summaries
 * without expiry, keys and times projected); each one is written like a counter (conditional, never one that got an
 * expiry meanwhile). Idempotent and resumable.
 */
export async function backfillSummaryExpiry(
  client: DynamoDBDocumentClient,
  options: SummaryExpiryBackfillOptions,
): Promise<CounterExpiryTally> {
  const paced = pacer(options);
  const tally = emptyTally();
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    tally.requests += 1;
    const page = await paced(() =>
      client.send(
        new ScanCommand({
          TableName: options.tableName,
          FilterExpression: '#sk = :summary AND attribute_not_exists(#ttl)',
          ProjectionExpression: '#pk, #sk, #lastEventAt, #lastDeliveryAt, #suppression',
          ExpressionAttributeNames: {
            '#pk': PK,
            '#sk': SK,
            '#ttl': TTL,
            '#lastEventAt': 'lastEventAt',
            '#lastDeliveryAt': 'lastDeliveryAt',
            '#suppression': 'suppression',
          },
          ExpressionAttributeValues: { ':summary': SUMMARY_SK },
          ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
        }),
      ),
    );
    for (const item of page.Items ?? []) {
      const touched = lastTouchOf(item);
      if (touched === null) continue; // not a summary the processor wrote
      tally.found += 1;
      await giveExpiry(
        client,
        paced,
        options,
        { [PK]: item[PK], [SK]: item[SK] },
        summaryExpiresAt({ occurredAt: touched, recordedAt: touched }, options.retentionDays),
        tally,
      );
    }
    await options.onPage?.(tally);
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return tally;
}
