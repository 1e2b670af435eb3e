// The query API's DynamoDB adapter (the QueryStore port): Query and GetItem only for reads (no Scan), keys from the
// shared table definition, every item decoded by its codec (dynamo-items.ts). History reads turn filters into the
// partitions to read (a recipient's partition, or the domain or time index month by month, every shard), the key
// range and the filter expression, and merge them newest first (event-timeline.ts). Writes are limited to the
// allowlist, recipient erasure and the reactivation audit.
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type EventFilters,
  type EventWindow,
  type HistoryPosition,
  type QueryStore,
  ReactivationConflictError,
} from '../domain/ports.ts';
import { domainOf } from '../domain/recipients.ts';
import type { AllowlistEntry } from '../domain/records.ts';
import { again, done, sleep as realSleep, retry } from '../domain/retry.ts';
import { errorNamed } from './aws-errors.ts';
import {
  allowlistFromItem,
  allowlistKey,
  allowlistUpdate,
  auditItem,
  counterFromItem,
  decodeEach,
  domainCounterErasure,
  type ErasedEvent,
  emptiedCounterHold,
  erasedEventOf,
  erasedPointerItem,
  eventFromItem,
  type Item,
  POINTER_NOT_ERASED,
  pointerFromItem,
  pointerItem,
  reactivationUpdate,
  summaryFromItem,
  tombstoneItem,
} from './dynamo-items.ts';
import {
  type ItemFilter,
  type QueryRequest,
  type QueryResult,
  readTimeline,
  type StreamGroup,
  type TimelineQuery,
} from './event-timeline.ts';
import {
  ALLOWLIST_PK,
  COUNTER_SHARDS,
  DEFAULT_EVENT_INDEXES,
  DOMAIN_SHARDS,
  EVENT_SK_PREFIX,
  type EventIndexStage,
  eventIndexPlan,
  INDEX_BY_DOMAIN,
  INDEX_BY_DOMAIN2,
  INDEX_BY_ID,
  INDEX_BY_TIME,
  INDEX_BY_TIME2,
  keys,
  type RecordedEventType,
  SES_EVENT_TYPES,
  TIME_SHARDS,
} from './table-definition.ts';

const DAY_MS = 86_400_000;
const POSITION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z(?:#[0-9a-f]{1,64})?$/;

function monthsDescending(lowIso: string, highIso: string): string[] {
  const months: string[] = [];
  let year = Number(highIso.slice(0, 4));
  let month = Number(highIso.slice(5, 7));
  const lowMonth = lowIso.slice(0, 7);
  for (;;) {
    const label = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
    if (label < lowMonth) break;
    months.push(label);
    month -= 1;
    if (month === 0) {
      month = 12;
      year -= 1;
    }
  }
  return months;
}

/** The filter of a history read. The time indexes of `v2` hold exactly the attributes it names for an index. */
export function buildFilter(
  filters: EventFilters,
  source: 'recipient' | 'index',
  includeAudit: boolean,
): ItemFilter | undefined {
  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const equal = (attribute: string, value: string) => {
    names[`#f_${attribute}`] = attribute;
    values[`:f_${attribute}`] = value;
    parts.push(`#f_${attribute} = :f_${attribute}`);
  };
  if (source === 'recipient') {
    if (filters.type !== undefined) equal('type', filters.type);
    else if (!includeAudit) {
      names['#f_type'] = 'type';
      SES_EVENT_TYPES.forEach((type, index) => {
        values[`:f_type${index}`] = type;
      });
      parts.push(`#f_type IN (${SES_EVENT_TYPES.map((_type, index) => `:f_type${index}`).join(', ')})`);
    }
    // Every item of one recipient is of its address's domain (a slim event item stores none): a domain filter then
    // passes all of them or, for another domain, none (no item of the address has that domain).
    if (filters.domain !== undefined && filters.domain !== domainOf(filters.email ?? ''))
      equal('domain', filters.domain);
  }
  if (filters.verdict !== undefined) equal('verdict', filters.verdict);
  if (filters.category !== undefined) equal('category', filters.category);
  if (filters.messageId !== undefined) equal('sesMessageId', filters.messageId);
  if (filters.code !== undefined) {
    names['#f_code'] = 'code';
    values[':f_code'] = filters.code;
    values[':f_codePrefix'] = `${filters.code}.`;
    parts.push('(#f_code = :f_code OR begins_with(#f_code, :f_codePrefix))');
  }
  if (filters.source !== undefined) {
    names['#f_source'] = 'source';
    names['#f_configurationSet'] = 'configurationSet';
    values[':f_source'] = filters.source;
    parts.push('(#f_source = :f_source OR #f_configurationSet = :f_source)');
  }
  return parts.length === 0 ? undefined : { expression: parts.join(' AND '), names, values };
}

/** The index streams of a month: the first model's (byTime, byDomain) or v2's (byTime2, byDomain2, sorted on `sk`). */
function indexStream(
  v2: boolean,
  domain: string | undefined,
  type: RecordedEventType,
  month: string,
  shard: number,
) {
  if (domain !== undefined) {
    return {
      indexName: v2 ? INDEX_BY_DOMAIN2 : INDEX_BY_DOMAIN,
      partitionKeyName: 'gsi2pk',
      partitionKeyValue: keys.byDomainPk(domain, type, month, shard),
      sortKeyName: v2 ? 'sk' : 'gsi2sk',
      sortKeyPrefix: v2 ? EVENT_SK_PREFIX : '',
    };
  }
  return {
    indexName: v2 ? INDEX_BY_TIME2 : INDEX_BY_TIME,
    partitionKeyName: 'gsi1pk',
    partitionKeyValue: keys.byTimePk(type, month, shard),
    sortKeyName: v2 ? 'sk' : 'gsi1sk',
    sortKeyPrefix: v2 ? EVENT_SK_PREFIX : '',
  };
}

function eventTimelineQuery({ filters, includeAudit, now, retentionDays }: EventWindow, v2: boolean) {
  if (filters.email !== undefined) {
    const query: TimelineQuery = {
      groups: [
        {
          label: 'recipient',
          streams: [
            {
              partitionKeyName: 'pk',
              partitionKeyValue: keys.recipientPk(filters.email),
              sortKeyName: 'sk',
              sortKeyPrefix: EVENT_SK_PREFIX,
            },
          ],
        },
      ],
      // '0' and '~' bracket every ISO timestamp, so an open range reads the whole history.
      lowPosition: filters.from ?? '0',
      highPosition: filters.to ?? '~',
      filter: buildFilter(filters, 'recipient', includeAudit),
    };
    return query;
  }
  // The indexes are partitioned by month, so the window is clamped to where events can exist: not older than
  // retention (TTL has removed them; two days' slack for TTL's own lag) and not later than a day past now (clock
  // skew between the ISP, SES and us). `from=0001-01-01` thus reads the same months as no `from` at all.
  const oldest = new Date(now.getTime() - (retentionDays + 2) * DAY_MS).toISOString();
  const newest = new Date(now.getTime() + DAY_MS).toISOString();
  const low = filters.from !== undefined && filters.from > oldest ? filters.from : oldest;
  const high = filters.to !== undefined && filters.to < newest ? filters.to : newest;
  const types: readonly RecordedEventType[] =
    filters.type === 'audit' ? [] : filters.type !== undefined ? [filters.type] : SES_EVENT_TYPES;
  const domain = filters.domain;
  const groups: StreamGroup[] = (low < high ? monthsDescending(low, high) : []).map((month) => ({
    label: month,
    streams: types.flatMap((type) =>
      Array.from({ length: domain !== undefined ? DOMAIN_SHARDS : TIME_SHARDS }, (_unused, shard) =>
        indexStream(v2, domain, type, month, shard),
      ),
    ),
  }));
  const query: TimelineQuery = {
    groups,
    lowPosition: low,
    highPosition: high,
    filter: buildFilter(filters, 'index', includeAudit),
  };
  return query;
}

function belongsTo(query: TimelineQuery, { group, position }: HistoryPosition): boolean {
  if (!query.groups.some((candidate) => candidate.label === group)) return false;
  if (position !== query.highPosition && !POSITION.test(position)) return false;
  return position >= query.lowPosition && position <= query.highPosition;
}

function yearsBetween(fromDay: string, toDay: string): string[] {
  const years: string[] = [];
  for (let year = Number(fromDay.slice(0, 4)); year <= Number(toDay.slice(0, 4)); year += 1) {
    years.push(String(year).padStart(4, '0'));
  }
  return years;
}

/** Index windows longer than this many months first look up the oldest counted day (see fromOldestCountedDay). */
const PROBE_AFTER_MONTHS = 2;
/** Days before now whose months a probed window always reads: the counters lag the events (the counter rollup). */
const RECENT_DAYS = 7;

/** The id of an audit entry among an erasure's rows (`sk = E#<occurredAt>#<id>`, type audit); null for the rest. */
function auditIdOf(row: Item): string | null {
  const { sk, type } = row;
  if (type !== 'audit' || typeof sk !== 'string' || !sk.startsWith(EVENT_SK_PREFIX)) return null;
  return sk.slice(sk.lastIndexOf('#') + 1);
}

const BATCH_WRITE_SIZE = 25;
/** Tombstone transactions of one erasure in flight at once. */
const ERASE_CONCURRENCY = 10;
/** BatchWriteItem calls per chunk of writes before erasure fails (DynamoDB returns what it could not write). */
const ERASE_ATTEMPTS = 10;

/** Keys per BatchGetItem (DynamoDB's limit). */
const BATCH_GET_SIZE = 100;

export interface DynamoQueryStoreOptions {
  /** Pause between retries of unprocessed batch items; tests pass their own. Defaults to the real clock. */
  sleep?: (ms: number) => Promise<void>;
  /** The stage of the event indexes (which indexes the lists read, pointers or byId); defaults to a new table's. */
  eventIndexes?: EventIndexStage;
}

export function dynamoQueryStore(
  client: DynamoDBDocumentClient,
  tableName: string,
  options: DynamoQueryStoreOptions = {},
): QueryStore {
  const sleep = options.sleep ?? realSleep;
  const plan = eventIndexPlan(options.eventIndexes ?? DEFAULT_EVENT_INDEXES);
  const keyOf = (item: Item) => JSON.stringify([item.pk, item.sk]);

  /**
   * The whole items of index entries, aligned with the entries; null for an entry whose item is gone (erased,
   * expired) between the index read and this one. DynamoDB hands back what it could not read under load: retried.
   * The batches of a page (at most MAX_LIMIT / 100) are read at once.
   */
  async function wholeItems(entries: readonly Item[]): Promise<Array<Item | null>> {
    const found = new Map<string, Item>();
    const batches = Array.from({ length: Math.ceil(entries.length / BATCH_GET_SIZE) }, (_unused, batch) =>
      entries.slice(batch * BATCH_GET_SIZE, (batch + 1) * BATCH_GET_SIZE).map(({ pk, sk }) => ({ pk, sk })),
    );
    const readBatch = async (batch: Item[]) => {
      let pending = batch;
      await retry(
        { attempts: ERASE_ATTEMPTS, pauseMs: (attempt) => Math.min(1000, 25 * 2 ** (attempt - 1)), sleep },
        async () => {
          const out: BatchGetCommandOutput = await client.send(
            new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending } } }),
          );
          for (const item of out.Responses?.[tableName] ?? []) found.set(keyOf(item), item);
          pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
          return pending.length === 0 ? done(undefined) : again();
        },
        () => {
          throw new Error(
            `BatchGetItem left ${pending.length} items unread after ${ERASE_ATTEMPTS} attempts`,
          );
        },
      );
    };
    await Promise.all(batches.map(readBatch));
    return entries.map((entry) => found.get(keyOf(entry)) ?? null);
  }

  async function queryAll(input: QueryCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    let exclusiveStartKey: Item | undefined;
    do {
      const out = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: exclusiveStartKey }));
      items.push(...((out.Items ?? []) as Item[]));
      exclusiveStartKey = out.LastEvaluatedKey as Item | undefined;
    } while (exclusiveStartKey !== undefined);
    return items;
  }

  async function countersOf(prefix: 'STAT' | 'STATDOM', low: string, high: string, from: string, to: string) {
    const queries = yearsBetween(from, to).flatMap((year) =>
      Array.from({ length: COUNTER_SHARDS }, (_unused, shard) =>
        queryAll({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :low AND :high',
          ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
          ExpressionAttributeValues: { ':pk': `${prefix}#${year}#${shard}`, ':low': low, ':high': high },
        }),
      ),
    );
    return (await Promise.all(queries)).flat();
  }

  type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

  async function batchWrite(writes: WriteRequest[]): Promise<void> {
    for (let index = 0; index < writes.length; index += BATCH_WRITE_SIZE) {
      let requests: BatchWriteCommandInput['RequestItems'] = {
        [tableName]: writes.slice(index, index + BATCH_WRITE_SIZE),
      };
      await retry(
        { attempts: ERASE_ATTEMPTS, pauseMs: (attempt) => Math.min(1000, 25 * 2 ** (attempt - 1)), sleep },
        async () => {
          const out: BatchWriteCommandOutput = await client.send(
            new BatchWriteCommand({ RequestItems: requests }),
          );
          requests = out.UnprocessedItems ?? {};
          return Object.keys(requests).length === 0 ? done(undefined) : again();
        },
        () => {
          throw new Error(`BatchWriteItem left writes unprocessed after ${ERASE_ATTEMPTS} attempts`);
        },
      );
    }
  }

  /** The event's tombstone and its removal from its domain counter, in one transaction (once per event). */
  async function entomb(event: ErasedEvent, floor: number): Promise<void> {
    const expiresAt = Math.max(event.expiresAt ?? floor, floor);
    await retry(
      { attempts: ERASE_ATTEMPTS, pauseMs: (attempt) => Math.min(1000, 25 * 2 ** (attempt - 1)), sleep },
      async () => {
        try {
          await client.send(
            new TransactWriteCommand({
              TransactItems: [
                // The first item refuses a second erasure of the event: its tombstone (stages before v2), else
                // its erased pointer. A pointer after a tombstone is written either way (it drops the address).
                ...(plan.tombstones
                  ? [
                      {
                        Put: {
                          TableName: tableName,
                          Item: tombstoneItem(event.id, expiresAt),
                          ConditionExpression: 'attribute_not_exists(pk)',
                        },
                      },
                    ]
                  : []),
                ...(plan.pointers
                  ? [
                      {
                        Put: {
                          TableName: tableName,
                          Item: erasedPointerItem(event.id, expiresAt),
                          ...(plan.tombstones ? {} : POINTER_NOT_ERASED),
                        },
                      },
                    ]
                  : []),
                { Update: { TableName: tableName, ...domainCounterErasure(event) } },
              ],
            }),
          );
          return done(undefined);
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          const reasons = error.CancellationReasons ?? [];
          // Tombstoned (or its pointer erased) by an earlier, interrupted erasure: its counter was corrected then.
          if (reasons[0]?.Code === 'ConditionalCheckFailed') return done(undefined);
          if (reasons.some((reason) => reason.Code === 'TransactionConflict')) return again();
          throw error;
        }
      },
      () => {
        throw new Error(`erasure: a tombstone stayed contended after ${ERASE_ATTEMPTS} attempts`);
      },
    );
  }

  /**
   * A domain counter the erasure left at zero or below is kept until `untilSeconds` (emptiedCounterHold), not
   * deleted: its guards and its negative count absorb the rollup's retries and late additions of the erased events.
   */
  async function holdEmptiedCounter(key: { pk: string; sk: string }, untilSeconds: number): Promise<void> {
    try {
      await client.send(
        new UpdateCommand({ TableName: tableName, ...emptiedCounterHold(key, untilSeconds) }),
      );
    } catch (error) {
      // Other recipients' events are counted there: it stays as it is.
      if (!errorNamed(error, 'ConditionalCheckFailedException')) throw error;
    }
  }

  /**
   * The first UTC day in fromDay..toDay with any event, from the day-total counters (written in each event's own
   * transaction): per calendar year, oldest first, one strongly consistent Query of one item on each counter shard.
   * Null when no event is counted in the range.
   */
  async function oldestCountedDay(fromDay: string, toDay: string): Promise<string | null> {
    for (const year of yearsBetween(fromDay, toDay)) {
      const firsts = await Promise.all(
        Array.from({ length: COUNTER_SHARDS }, (_unused, shard) =>
          client.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :low AND :high',
              ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
              ExpressionAttributeValues: {
                ':pk': keys.dayCounter(`${year}-01-01`, shard).pk,
                ':low': `D#${fromDay}`,
                ':high': `D#${toDay}`,
              },
              ProjectionExpression: '#sk',
              ConsistentRead: true,
              Limit: 1,
            }),
          ),
        ),
      );
      const days = firsts
        .flatMap((out) => (out.Items ?? []).map((item) => String(item.sk).slice(2, 12)))
        .sort();
      if (days[0] !== undefined) return days[0];
    }
    return null;
  }

  /**
   * An index window of more than PROBE_AFTER_MONTHS months starts at the oldest day the counters count, so months
   * before the table's first event (`from=0001-01-01` on a young table: up to retention's 14 months × 24 index
   * partitions) are skipped for a few one-item Queries, and a window without events reads no index at all. The
   * counters follow the events by the counter rollup's window (about a minute), so the months from a week before
   * `now` on are read whatever the counters say: an event recorded a moment ago is never skipped (a late event of
   * an older, not yet counted day is listed once the rollup has counted it).
   */
  async function fromOldestCountedDay(query: TimelineQuery, now: Date): Promise<TimelineQuery> {
    if (query.groups.length <= PROBE_AFTER_MONTHS) return query;
    const oldest = await oldestCountedDay(query.lowPosition.slice(0, 10), query.highPosition.slice(0, 10));
    const recent = new Date(now.getTime() - RECENT_DAYS * DAY_MS).toISOString().slice(0, 7);
    const fromRecent = { ...query, groups: query.groups.filter((group) => group.label >= recent) };
    if (oldest === null) return fromRecent;
    if (oldest <= query.lowPosition) return query;
    const month = oldest.slice(0, 7);
    if (month >= recent) return fromRecent;
    return { ...query, lowPosition: oldest, groups: query.groups.filter((group) => group.label >= month) };
  }

  const runQuery = async (request: QueryRequest): Promise<QueryResult> => {
    const { stream, filter } = request;
    const out = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: stream.indexName,
        KeyConditionExpression: '#qpk = :qpk AND #qsk BETWEEN :qlow AND :qhigh',
        ExpressionAttributeNames: {
          '#qpk': stream.partitionKeyName,
          '#qsk': stream.sortKeyName,
          ...(filter?.names ?? {}),
        },
        ExpressionAttributeValues: {
          ':qpk': stream.partitionKeyValue,
          ':qlow': request.lowSortKey,
          ':qhigh': request.highSortKey,
          ...(filter?.values ?? {}),
        },
        FilterExpression: filter?.expression,
        ScanIndexForward: false,
        Limit: request.limit,
        ExclusiveStartKey: request.exclusiveStartKey,
      }),
    );
    return { items: (out.Items ?? []) as Item[], lastEvaluatedKey: out.LastEvaluatedKey as Item | undefined };
  };

  return {
    async readHistory(window, start, options) {
      const query = await fromOldestCountedDay(eventTimelineQuery(window, plan.listIndexesV2), window.now);
      // byTime2 and byDomain2 hold only the keys and the filter attributes: the page's entries are read whole, once
      // the merge has chosen them (one BatchGetItem per 100), not every entry the index reads found.
      const projected = query.groups.some((group) =>
        group.streams.some(
          (stream) => stream.indexName === INDEX_BY_TIME2 || stream.indexName === INDEX_BY_DOMAIN2,
        ),
      );
      return readTimeline(runQuery, query, start, {
        limit: options.limit,
        maxBytes: options.maxBytes,
        maxQueries: options.maxQueries,
        ...(projected ? { hydrate: wholeItems } : {}),
        present(item) {
          const [record] = decodeEach([item], eventFromItem);
          return record === undefined ? null : options.present(record);
        },
      });
    },

    isHistoryPosition(window, position) {
      return belongsTo(eventTimelineQuery(window, plan.listIndexesV2), position);
    },

    async getSummary(email) {
      const out = await client.send(new GetCommand({ TableName: tableName, Key: keys.summary(email) }));
      return out.Item === undefined ? null : summaryFromItem(out.Item);
    },

    async getEvent(id) {
      if (plan.pointers) {
        const pointer = await client.send(new GetCommand({ TableName: tableName, Key: keys.pointer(id) }));
        if (pointer.Item !== undefined) {
          const target = pointerFromItem(pointer.Item);
          if (target === null) return null;
          const event = await client.send(new GetCommand({ TableName: tableName, Key: target }));
          return event.Item === undefined ? null : eventFromItem(event.Item);
        }
        // An event recorded before pointers (until `ses-bounce backfill-pointers` gives it one) is in byId.
        if (!plan.byIdFallback) return null;
      }
      const out = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: INDEX_BY_ID,
          KeyConditionExpression: '#eid = :eid',
          ExpressionAttributeNames: { '#eid': 'eid' },
          ExpressionAttributeValues: { ':eid': id },
          Limit: 1,
        }),
      );
      const item = out.Items?.[0];
      return item === undefined ? null : eventFromItem(item);
    },

    async dayCounters(fromDay, toDay) {
      return decodeEach(
        await countersOf('STAT', `D#${fromDay}`, `D#${toDay}`, fromDay, toDay),
        counterFromItem,
      );
    },

    async domainDayCounters(fromDay, toDay) {
      // `~` sorts after every domain character, so `<toDay>~` closes the last day's range.
      return decodeEach(await countersOf('STATDOM', fromDay, `${toDay}~`, fromDay, toDay), counterFromItem);
    },

    async getAllowlistEntry(kind, value) {
      const out = await client.send(new GetCommand({ TableName: tableName, Key: allowlistKey(kind, value) }));
      return out.Item === undefined ? null : allowlistFromItem(out.Item);
    },

    async putAllowlistEntry(entry) {
      const out = await client.send(
        new UpdateCommand({ TableName: tableName, ...allowlistUpdate(entry), ReturnValues: 'ALL_NEW' }),
      );
      return out.Attributes === undefined ? entry : allowlistFromItem(out.Attributes);
    },

    async deleteAllowlistEntry(kind, value) {
      const out = await client.send(
        new DeleteCommand({ TableName: tableName, Key: allowlistKey(kind, value), ReturnValues: 'ALL_OLD' }),
      );
      return out.Attributes !== undefined;
    },

    async listAllowlist(limit, afterSortKey) {
      const out = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': 'pk' },
          ExpressionAttributeValues: { ':pk': ALLOWLIST_PK },
          Limit: limit,
          ExclusiveStartKey: afterSortKey === null ? undefined : { pk: ALLOWLIST_PK, sk: afterSortKey },
        }),
      );
      const items: AllowlistEntry[] = decodeEach(out.Items ?? [], allowlistFromItem);
      const last = out.LastEvaluatedKey?.sk;
      return { items, lastSortKey: typeof last === 'string' ? last : null };
    },

    async eraseRecipient(email, { tombstonesUntil, emptiedCountersUntil }) {
      const rows = await queryAll({
        TableName: tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: {
          '#pk': 'pk',
          '#sk': 'sk',
          '#type': 'type',
          '#domain': 'domain',
          '#verdict': 'verdict',
          '#bounceSubType': 'bounceSubType',
          '#complaintSubType': 'complaintSubType',
          '#expiresAt': 'expiresAt',
          '#rollup': 'rollup',
        },
        ExpressionAttributeValues: { ':pk': keys.recipientPk(email) },
        ProjectionExpression:
          '#pk, #sk, #type, #domain, #verdict, #bounceSubType, #complaintSubType, #expiresAt, #rollup',
      });
      const events = rows.flatMap((row) => erasedEventOf(row) ?? []);
      // Tombstones (with the counter corrections) first: an erasure cut short is repeated, and never leaves an
      // event deleted without its tombstone, nor takes an event out of its counter twice.
      const floor = Math.ceil(tombstonesUntil.getTime() / 1000);
      for (let index = 0; index < events.length; index += ERASE_CONCURRENCY) {
        await Promise.all(
          events.slice(index, index + ERASE_CONCURRENCY).map((event) => entomb(event, floor)),
        );
      }
      // A domain counter that only this recipient's events made up would still name its domain: readers no longer
      // show it, and it expires soon (kept until the rollup can no longer add the erased events to it).
      const counters = new Map(
        events.map((event) => [JSON.stringify(domainCounterErasure(event).Key), event]),
      );
      const holdUntil = emptiedCountersUntil.getTime() / 1000;
      await Promise.all(
        [...counters.values()].map((event) => holdEmptiedCounter(domainCounterErasure(event).Key, holdUntil)),
      );
      // An audit entry's pointer names the address: it goes with the entry (an audit entry is never redelivered).
      const auditPointers = plan.pointers
        ? rows.flatMap((row) => {
            const id = auditIdOf(row);
            return id === null ? [] : [{ DeleteRequest: { Key: keys.pointer(id) } }];
          })
        : [];
      await batchWrite([
        ...rows.map((row) => ({ DeleteRequest: { Key: { pk: row.pk, sk: row.sk } } })),
        ...auditPointers,
      ]);
      return rows.length;
    },

    async recordReactivation(record) {
      const audit = auditItem({
        id: record.eventId,
        email: record.email,
        domain: record.domain,
        occurredAt: record.occurredAt,
        recordedAt: record.occurredAt,
        action: 'reactivated',
        actor: record.actor,
        requestId: record.requestId,
        causeEventId: null,
        detail: record.detail,
      });
      const putAudit = {
        Put: { TableName: tableName, Item: audit, ConditionExpression: 'attribute_not_exists(pk)' },
      };
      // From v2-readers on, GET /bounces/{id} finds the entry by its pointer.
      const putPointer = plan.pointers
        ? [
            {
              Put: {
                TableName: tableName,
                Item: pointerItem({ pk: String(audit.pk), sk: String(audit.sk), id: record.eventId }, null),
              },
            },
          ]
        : [];
      try {
        if (!record.summaryExists && putPointer.length === 0) {
          await client.send(new PutCommand(putAudit.Put));
          return;
        }
        if (!record.summaryExists) {
          await client.send(new TransactWriteCommand({ TransactItems: [putAudit, ...putPointer] }));
          return;
        }
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              putAudit,
              {
                Update: {
                  TableName: tableName,
                  ...reactivationUpdate(record, record.retentionDays),
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
              ...putPointer,
            ],
          }),
        );
      } catch (error) {
        if (
          errorNamed(error, 'ConditionalCheckFailedException') ||
          error instanceof TransactionCanceledException
        ) {
          throw new ReactivationConflictError('the recipient changed (or was erased) while reactivating');
        }
        throw error;
      }
    },
  };
}
