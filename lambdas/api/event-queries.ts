// Turns validated event filters into a timeline query: which index partitions to read (a recipient's partition,
// the domain index or the time index, month by month, every shard), the key range and the filter expression.
import {
  DOMAIN_SHARDS,
  EVENT_SK_PREFIX,
  INDEX_BY_DOMAIN,
  INDEX_BY_TIME,
  keys,
  type RecordedEventType,
  TIME_SHARDS,
} from '../adapters/table-definition.ts';
import type { CursorCodec, CursorKey } from './cursor.ts';
import { queryFingerprint } from './cursor.ts';
import { MAX_PAGE_BYTES, MAX_QUERIES_PER_PAGE } from './deps.ts';
import { type EventView, parseStoredEvent, toEventView } from './event-view.ts';
import { EVENT_TYPES, type EventType } from './params.ts';
import type { QueryStore } from './query-store.ts';
import {
  type ItemFilter,
  readTimeline,
  type StreamGroup,
  type TimelineQuery,
  type TimelineStart,
} from './timeline.ts';

export interface EventFilters {
  email?: string;
  domain?: string;
  verdict?: string;
  category?: string;
  type?: EventType | 'audit';
  code?: string;
  messageId?: string;
  source?: string;
  /** ISO 8601 UTC; from inclusive, to exclusive. */
  from?: string;
  to?: string;
}

export interface EventListOptions {
  /** Include audit entries (recipient history) rather than SES events only. */
  includeAudit: boolean;
  limit: number;
  cursor: string | undefined;
  /** Route scope for cursor binding. */
  scope: string;
}

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

function buildFilter(
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
      EVENT_TYPES.forEach((type, index) => {
        values[`:f_type${index}`] = type;
      });
      parts.push(`#f_type IN (${EVENT_TYPES.map((_type, index) => `:f_type${index}`).join(', ')})`);
    }
    if (filters.domain !== undefined) equal('domain', filters.domain);
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

export function eventTimelineQuery(
  filters: EventFilters,
  includeAudit: boolean,
  now: Date,
  retentionDays: number,
) {
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
    filters.type === 'audit' ? [] : filters.type !== undefined ? [filters.type] : EVENT_TYPES;
  const domain = filters.domain;
  const groups: StreamGroup[] = (low < high ? monthsDescending(low, high) : []).map((month) => ({
    label: month,
    streams: types.flatMap((type) =>
      domain !== undefined
        ? Array.from({ length: DOMAIN_SHARDS }, (_unused, shard) => ({
            indexName: INDEX_BY_DOMAIN,
            partitionKeyName: 'gsi2pk',
            partitionKeyValue: keys.byDomainPk(domain, type, month, shard),
            sortKeyName: 'gsi2sk',
            sortKeyPrefix: '',
          }))
        : Array.from({ length: TIME_SHARDS }, (_unused, shard) => ({
            indexName: INDEX_BY_TIME,
            partitionKeyName: 'gsi1pk',
            partitionKeyValue: keys.byTimePk(type, month, shard),
            sortKeyName: 'gsi1sk',
            sortKeyPrefix: '',
          })),
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

function belongsTo(query: TimelineQuery) {
  return (key: CursorKey): boolean => {
    const { g, p } = key;
    if (typeof g !== 'string' || typeof p !== 'string') return false;
    if (!query.groups.some((group) => group.label === g)) return false;
    if (p !== query.highPosition && !POSITION.test(p)) return false;
    return p >= query.lowPosition && p <= query.highPosition;
  };
}

/** One page of events for validated filters, with a cursor bound to exactly these filters. */
export async function listEvents(
  store: QueryStore,
  cursors: CursorCodec,
  filters: EventFilters,
  options: EventListOptions,
  now: Date,
  retentionDays: number,
): Promise<{ items: EventView[]; nextCursor: string | null }> {
  const query = eventTimelineQuery(filters, options.includeAudit, now, retentionDays);
  const fingerprint = queryFingerprint(options.scope, { ...filters });
  let start: TimelineStart | null = null;
  if (options.cursor !== undefined) {
    const key = cursors.decode(options.cursor, fingerprint, belongsTo(query));
    start = { group: String(key.g), position: String(key.p) };
  }
  const page = await readTimeline(store.runQuery, query, start, {
    limit: options.limit,
    maxBytes: MAX_PAGE_BYTES,
    maxQueries: MAX_QUERIES_PER_PAGE,
    present(item) {
      const stored = parseStoredEvent(item);
      if (stored === null) return null;
      const value = toEventView(stored);
      // Measured as Lambda sends it: the body string is JSON-escaped once more inside the proxy result.
      return { value, bytes: Buffer.byteLength(JSON.stringify(JSON.stringify(value))) };
    },
  });
  return {
    items: page.items,
    nextCursor:
      page.next === null ? null : cursors.encode(fingerprint, { g: page.next.group, p: page.next.position }),
  };
}
