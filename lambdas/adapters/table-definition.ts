// The single DynamoDB table as plain data: the CDK construct, the local stack and the tests all create it
// from this, and the adapters build keys with the helpers below. See docs/data-model.md. No AWS SDK import.

type KeyAttributeType = 'S' | 'N';

export interface KeyAttribute {
  name: string;
  type: KeyAttributeType;
}

interface GlobalSecondaryIndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  projection: 'ALL' | 'KEYS_ONLY';
}

export interface TableDefinition {
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  globalSecondaryIndexes: readonly GlobalSecondaryIndexDefinition[];
  timeToLiveAttribute: string;
  billingMode: 'PAY_PER_REQUEST';
}

export const INDEX_BY_TIME = 'byTime';
export const INDEX_BY_DOMAIN = 'byDomain';
export const INDEX_BY_ID = 'byId';

export const TABLE_DEFINITION: TableDefinition = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: INDEX_BY_TIME,
      partitionKey: { name: 'gsi1pk', type: 'S' },
      sortKey: { name: 'gsi1sk', type: 'S' },
      projection: 'ALL',
    },
    {
      indexName: INDEX_BY_DOMAIN,
      partitionKey: { name: 'gsi2pk', type: 'S' },
      sortKey: { name: 'gsi2sk', type: 'S' },
      projection: 'ALL',
    },
    {
      indexName: INDEX_BY_ID,
      partitionKey: { name: 'eid', type: 'S' },
      projection: 'ALL',
    },
  ],
  timeToLiveAttribute: 'expiresAt',
  billingMode: 'PAY_PER_REQUEST',
};

/** Write shards of the `byTime` index per type and month. Readers query all of them. */
export const TIME_SHARDS = 8;
/** Write shards of the `byDomain` index per domain, type and month. */
export const DOMAIN_SHARDS = 4;
/** Shards of the daily counter partitions. May be raised later (readers follow), never lowered. */
export const COUNTER_SHARDS = 16;

const SUMMARY_SK = 'SUMMARY';
export const EVENT_SK_PREFIX = 'E#';
/** The partition key of a recipient's items is this prefix and the normalized address. */
export const RECIPIENT_PK_PREFIX = 'R#';
export const ALLOWLIST_PK = 'ALLOW';
export const ERASED_SK = 'ERASED';
/** Partition prefix of the delivery ledger: one partition per minute of event time, one item per second. */
export const DELIVERY_LEDGER_PREFIX = 'DLV#';

export type RecordedEventType = 'bounce' | 'complaint' | 'delivery';
/** The event types the time and domain indexes hold (audit entries are in none). */
export const SES_EVENT_TYPES: readonly RecordedEventType[] = ['bounce', 'complaint', 'delivery'];

/** The shard of an event id (32 hex characters) among `shards`, stable across retries. */
export function shardOf(eventId: string, shards: number): number {
  return Number.parseInt(eventId.slice(0, 8), 16) % shards;
}

export const keys = {
  recipientPk: (email: string) => `${RECIPIENT_PK_PREFIX}${email}`,
  eventSk: (occurredAt: string, eventId: string) => `${EVENT_SK_PREFIX}${occurredAt}#${eventId}`,
  summary: (email: string) => ({ pk: `${RECIPIENT_PK_PREFIX}${email}`, sk: SUMMARY_SK }),
  byTimePk: (type: RecordedEventType, month: string, shard: number) => `T#${type}#${month}#${shard}`,
  byDomainPk: (domain: string, type: RecordedEventType, month: string, shard: number) =>
    `D#${domain}#${type}#${month}#${shard}`,
  /** Sort key of both time indexes: newest first with ScanIndexForward=false. */
  timeSk: (occurredAt: string, eventId: string) => `${occurredAt}#${eventId}`,
  dayCounter: (day: string, shard: number) => ({ pk: `STAT#${day.slice(0, 4)}#${shard}`, sk: `D#${day}` }),
  domainDayCounter: (day: string, domain: string, shard: number) => ({
    pk: `STATDOM#${day.slice(0, 4)}#${shard}`,
    sk: `${day}#${domain}`,
  }),
  /** The tombstone of an erased event: keyed by the event id alone, so it names no address. */
  erased: (eventId: string) => ({ pk: `ERASED#${eventId}`, sk: ERASED_SK }),
  /** The delivery-ledger item of an event time (`<ts>`, UTC milliseconds): partition per minute, item per second. */
  deliveryLedger: (occurredAt: string) => ({
    pk: `${DELIVERY_LEDGER_PREFIX}${occurredAt.slice(0, 16)}`,
    sk: occurredAt.slice(17, 19),
  }),
  /** The counter rollup's checkpoint of one stream shard. */
  rollupCheckpoint: (shardId: string) => ({ pk: `ROLLUP#${shardId}`, sk: 'CHECKPOINT' }),
  /** How far the rollup counted a batch of one stream shard it failed on (by the batch's first sequence number). */
  rollupFailedBatch: (shardId: string, first: string) => ({ pk: `ROLLUP#${shardId}`, sk: `FAILED#${first}` }),
  allowlistAddress: (email: string) => ({ pk: ALLOWLIST_PK, sk: `ADDR#${email}` }),
  allowlistDomain: (domain: string) => ({ pk: ALLOWLIST_PK, sk: `DOMAIN#${domain}` }),
} as const;
