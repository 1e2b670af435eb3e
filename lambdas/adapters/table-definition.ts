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
  projection: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  /** With INCLUDE: the attributes the index holds besides the table's and its own keys. */
  nonKeyAttributes?: readonly string[];
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
export const INDEX_BY_TIME2 = 'byTime2';
export const INDEX_BY_DOMAIN2 = 'byDomain2';

/**
 * What the list routes filter on in the time indexes (`buildFilter` in dynamo-query-store.ts): the only attributes
 * `byTime2` and `byDomain2` hold besides the keys. A page's items are then read whole with BatchGetItem.
 */
export const INDEX_FILTER_ATTRIBUTES = [
  'verdict',
  'category',
  'code',
  'source',
  'configurationSet',
  'sesMessageId',
] as const;

/**
 * The migration stage of the event indexes (EVENT_INDEXES, the `eventIndexes` setting; docs/data-model.md,
 * "Upgrading"). CloudFormation creates or deletes one index per stack update, so a table of the first model
 * (`v1`: byTime, byDomain, byId, all projecting every attribute) reaches `v2` (byTime2, byDomain2 holding only the
 * filter attributes; `ID#<id>` pointer items instead of byId) one index per deploy, in this order.
 */
export const EVENT_INDEX_STAGES = [
  'v1',
  'add-byTime2',
  'add-byDomain2',
  'v2-readers',
  'drop-byTime',
  'drop-byDomain',
  'v2',
] as const;
export type EventIndexStage = (typeof EVENT_INDEX_STAGES)[number];
/** A new deployment gets the final shape; an existing stack names its stage (infra/README, "Upgrading"). */
export const DEFAULT_EVENT_INDEXES: EventIndexStage = 'v2';

/** What a stage means for the table's indexes, its writers and its readers. */
export interface EventIndexPlan {
  /** The indexes the table has. */
  indexes: readonly string[];
  /** The list routes read byTime2/byDomain2 (then BatchGetItem), else byTime/byDomain. */
  listIndexesV2: boolean;
  /**
   * Each event (and audit entry) gets an `ID#<id>` pointer in its transaction, erasure marks it erased, and
   * GET /bounces/{id} reads it.
   */
  pointers: boolean;
  /** byId still exists: GET /bounces/{id} falls back to it for an event without a pointer. */
  byIdFallback: boolean;
  /** `ERASED#<id>` tombstones are still written by erasure and checked by the processor. */
  tombstones: boolean;
  /**
   * SES event items are written slim, with short names (docs/data-model.md, "Slim event items", "Short attribute
   * names"). From the stage after `v1` on: an upgraded stack deployed this release at `v1` first, so every function
   * that reads the table reads them before the processor writes one (a release before refuses them); a new table
   * starts at `v2`.
   */
  slimEventItems: boolean;
  /** The indexes the query API reads. */
  readIndexes: readonly string[];
}

export function eventIndexPlan(stage: EventIndexStage): EventIndexPlan {
  const at = EVENT_INDEX_STAGES.indexOf(stage);
  const reached = (name: EventIndexStage) => at >= EVENT_INDEX_STAGES.indexOf(name);
  const indexes = [
    ...(reached('drop-byTime') ? [] : [INDEX_BY_TIME]),
    ...(reached('drop-byDomain') ? [] : [INDEX_BY_DOMAIN]),
    ...(reached('v2') ? [] : [INDEX_BY_ID]),
    ...(reached('add-byTime2') ? [INDEX_BY_TIME2] : []),
    ...(reached('add-byDomain2') ? [INDEX_BY_DOMAIN2] : []),
  ];
  const v2 = reached('v2-readers');
  const readIndexes = [
    ...(v2 ? [INDEX_BY_TIME2, INDEX_BY_DOMAIN2] : [INDEX_BY_TIME, INDEX_BY_DOMAIN]),
    ...(reached('v2') ? [] : [INDEX_BY_ID]),
  ];
  return {
    indexes,
    readIndexes,
    listIndexesV2: v2,
    pointers: v2,
    byIdFallback: !reached('v2'),
    tombstones: !reached('v2'),
    slimEventItems: reached('add-byTime2'),
  };
}

const INDEX_DEFINITIONS: Record<string, GlobalSecondaryIndexDefinition> = {
  [INDEX_BY_TIME]: {
    indexName: INDEX_BY_TIME,
    partitionKey: { name: 'gsi1pk', type: 'S' },
    sortKey: { name: 'gsi1sk', type: 'S' },
    projection: 'ALL',
  },
  [INDEX_BY_DOMAIN]: {
    indexName: INDEX_BY_DOMAIN,
    partitionKey: { name: 'gsi2pk', type: 'S' },
    sortKey: { name: 'gsi2sk', type: 'S' },
    projection: 'ALL',
  },
  [INDEX_BY_ID]: {
    indexName: INDEX_BY_ID,
    partitionKey: { name: 'eid', type: 'S' },
    projection: 'ALL',
  },
  [INDEX_BY_TIME2]: {
    indexName: INDEX_BY_TIME2,
    partitionKey: { name: 'gsi1pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    projection: 'INCLUDE',
    nonKeyAttributes: INDEX_FILTER_ATTRIBUTES,
  },
  [INDEX_BY_DOMAIN2]: {
    indexName: INDEX_BY_DOMAIN2,
    partitionKey: { name: 'gsi2pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    projection: 'INCLUDE',
    nonKeyAttributes: INDEX_FILTER_ATTRIBUTES,
  },
};

/** The table at a stage of the event indexes. */
export function tableDefinition(stage: EventIndexStage = DEFAULT_EVENT_INDEXES): TableDefinition {
  return {
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalSecondaryIndexes: eventIndexPlan(stage).indexes.flatMap((name) => INDEX_DEFINITIONS[name] ?? []),
    timeToLiveAttribute: 'expiresAt',
    billingMode: 'PAY_PER_REQUEST',
  };
}

/** The table of a new deployment (the default stage). */
export const TABLE_DEFINITION: TableDefinition = tableDefinition();

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
export const POINTER_PREFIX = 'ID#';
const POINTER_SK = 'ID';
/**
 * Partition prefix of the delivery ledger: one partition per minute of event time, holding the minute's item and,
 * once that is closed, one item per second.
 */
export const DELIVERY_LEDGER_PREFIX = 'DLV#';
/** Sort key of a minute's ledger item: after every second's (`00`–`59`), so a descending Query meets it first. */
export const MINUTE_LEDGER_SK = 'm';

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
  /** The pointer from an event id to its event (or, once erased, to nothing): keyed by the event id alone. */
  pointer: (eventId: string) => ({ pk: `${POINTER_PREFIX}${eventId}`, sk: POINTER_SK }),
  /** The tombstone of an erased event (stages before `v2`): keyed by the event id alone, so it names no address. */
  erased: (eventId: string) => ({ pk: `ERASED#${eventId}`, sk: ERASED_SK }),
  /** The delivery-ledger item of an event time's second (`<ts>`, UTC milliseconds): partition per minute. */
  deliveryLedger: (occurredAt: string) => ({
    pk: `${DELIVERY_LEDGER_PREFIX}${occurredAt.slice(0, 16)}`,
    sk: occurredAt.slice(17, 19),
  }),
  /** The delivery-ledger item of an event time's minute, in the same partition as its seconds' items. */
  minuteDeliveryLedger: (occurredAt: string) => ({
    pk: `${DELIVERY_LEDGER_PREFIX}${occurredAt.slice(0, 16)}`,
    sk: MINUTE_LEDGER_SK,
  }),
  /** The counter rollup's checkpoint of one stream shard. */
  rollupCheckpoint: (shardId: string) => ({ pk: `ROLLUP#${shardId}`, sk: 'CHECKPOINT' }),
  /** How far the rollup counted a batch of one stream shard it failed on (by the batch's first sequence number). */
  rollupFailedBatch: (shardId: string, first: string) => ({ pk: `ROLLUP#${shardId}`, sk: `FAILED#${first}` }),
  allowlistAddress: (email: string) => ({ pk: ALLOWLIST_PK, sk: `ADDR#${email}` }),
  allowlistDomain: (domain: string) => ({ pk: ALLOWLIST_PK, sk: `DOMAIN#${domain}` }),
} as const;
