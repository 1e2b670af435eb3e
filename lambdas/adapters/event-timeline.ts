// Reads events newest first across several Query streams (the sharded time/domain index partitions of one month,
// or one recipient's partition) with a lazy k-way merge, so a page reads about `limit` items plus one chunk per
// shard. Positions are `<occurredAt>#<id>` (unique per event), the same in every stream, so one position is a
// complete continuation point across all shards of a group. Pure of AWS: Query calls go through `QueryRunner`.

interface StreamSpec {
  indexName?: string;
  partitionKeyName: string;
  partitionKeyValue: string;
  sortKeyName: string;
  /** Prefix of the stream's sort key before the position (`E#` in the table, '' in the indexes). */
  sortKeyPrefix: string;
}

export interface StreamGroup {
  /** Stable label of the group (a month `yyyy-mm`, or `recipient`), carried in cursors. */
  label: string;
  streams: readonly StreamSpec[];
}

export interface ItemFilter {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

export interface QueryRequest {
  stream: StreamSpec;
  /** Inclusive sort-key bounds. */
  lowSortKey: string;
  highSortKey: string;
  limit: number;
  exclusiveStartKey: Record<string, unknown> | undefined;
  filter: ItemFilter | undefined;
}

export interface QueryResult {
  items: Record<string, unknown>[];
  lastEvaluatedKey: Record<string, unknown> | undefined;
}

export type QueryRunner = (request: QueryRequest) => Promise<QueryResult>;

export interface TimelineQuery {
  groups: readonly StreamGroup[];
  /** Inclusive lower and exclusive upper bound in position space. */
  lowPosition: string;
  highPosition: string;
  filter?: ItemFilter;
}

export interface TimelineStart {
  group: string;
  /** Exclusive: continue with items strictly older than this position. */
  position: string;
}

export interface TimelinePage<T> {
  items: T[];
  next: TimelineStart | null;
  queries: number;
}

export interface TimelineOptions<T> {
  limit: number;
  maxBytes: number;
  /** At most this many Query calls per page; a page may then be short (even empty) but still carries a cursor. */
  maxQueries: number;
  /** Turns a stored item into the presented item and its position; null drops a malformed item. */
  present(item: Record<string, unknown>): { value: T; bytes: number } | null;
  /**
   * For streams that hold only keys and filter attributes (an index projecting a few attributes): reads the whole
   * items of the page's entries once the merge has chosen them, in one call, aligned with `entries` (null for an
   * item gone since the index read). The index is then read ahead INDEX_READ_AHEAD times deeper, so a page seldom
   * waits for a lone refill. Without it, streams hold whole items.
   */
  hydrate?(
    entries: readonly Record<string, unknown>[],
  ): Promise<ReadonlyArray<Record<string, unknown> | null>>;
}

/**
 * How much deeper than its share of the page each stream reads when its entries are hydrated afterwards: index
 * entries are small (keys and filter attributes), and a shard that runs dry mid-merge costs a sequential round trip.
 */
const INDEX_READ_AHEAD = 4;

interface StreamState {
  spec: StreamSpec;
  buffer: Array<{ item: Record<string, unknown>; position: string }>;
  lastEvaluatedKey: Record<string, unknown> | undefined;
  exhausted: boolean;
  fetched: number;
  /** Everything at or above this position has been evaluated in this stream. */
  progress: string;
}

/** The position of an item: what follows the stream's prefix in its sort key. */
function positionOf(item: Record<string, unknown>, spec: StreamSpec): string | null {
  const sortKey = item[spec.sortKeyName];
  if (typeof sortKey !== 'string' || !sortKey.startsWith(spec.sortKeyPrefix)) return null;
  return sortKey.slice(spec.sortKeyPrefix.length);
}

type Entry = { item: Record<string, unknown>; position: string };
/** An entry the merge chose for the page, with the group it came from (the cursor names it). */
type Chosen = Entry & { group: string };

function newestHead(streams: readonly StreamState[]): { stream: StreamState; entry: Entry } | null {
  let best: { stream: StreamState; entry: Entry } | null = null;
  for (const stream of streams) {
    const entry = stream.buffer[0];
    if (entry !== undefined && (best === null || entry.position > best.entry.position))
      best = { stream, entry };
  }
  return best;
}

export async function readTimeline<T>(
  run: QueryRunner,
  query: TimelineQuery,
  start: TimelineStart | null,
  options: TimelineOptions<T>,
): Promise<TimelinePage<T>> {
  const readAhead = options.hydrate === undefined ? 1 : INDEX_READ_AHEAD;
  const { chosen, next, queries } = await chooseEntries(run, query, start, options, readAhead);
  const items =
    options.hydrate === undefined
      ? chosen.map((entry) => entry.item)
      : await options.hydrate(chosen.map((entry) => entry.item));
  const out: T[] = [];
  let bytes = 0;
  let last: Chosen | undefined;
  for (const [index, entry] of chosen.entries()) {
    const item = items[index];
    const presented = item === undefined || item === null ? null : options.present(item);
    if (presented === null) continue;
    // Over the byte cap (a single item larger than the cap still makes a page): end here, continue after `last`.
    if (last !== undefined && bytes + presented.bytes > options.maxBytes)
      return { items: out, next: { group: last.group, position: last.position }, queries };
    out.push(presented.value);
    bytes += presented.bytes;
    last = entry;
  }
  return { items: out, next, queries };
}

/**
 * The merge: the page's entries (at most `limit`), newest first, and where the next page starts (null when nothing
 * can follow), within the Query budget.
 */
async function chooseEntries<T>(
  run: QueryRunner,
  query: TimelineQuery,
  start: TimelineStart | null,
  options: TimelineOptions<T>,
  readAhead: number,
): Promise<{ chosen: Chosen[]; next: TimelineStart | null; queries: number }> {
  const chosen: Chosen[] = [];
  let queries = 0;
  let lastChosen = '';
  let groupIndex = start === null ? 0 : query.groups.findIndex((group) => group.label === start.group);
  if (groupIndex < 0) return { chosen, next: null, queries };
  let ceiling = start?.position ?? query.highPosition;

  const page = (next: TimelineStart | null) => ({ chosen, next, queries });

  while (groupIndex < query.groups.length) {
    const group = query.groups[groupIndex];
    if (group === undefined) break;
    const groupCeiling = ceiling;
    const streams: StreamState[] = group.streams.map((spec) => ({
      spec,
      buffer: [],
      lastEvaluatedKey: undefined,
      exhausted: false,
      fetched: 0,
      progress: groupCeiling,
    }));

    /** Takes the head entry unless the page is full; false means stop here. */
    const choose = (stream: StreamState, entry: Entry): boolean => {
      if (chosen.length >= options.limit) return false;
      stream.buffer.shift();
      chosen.push({ ...entry, group: group.label });
      lastChosen = entry.position;
      return true;
    };

    const fetch = async (stream: StreamState): Promise<void> => {
      const remaining = Math.max(1, options.limit - chosen.length);
      const base = (Math.ceil(remaining / streams.length) + 1) * readAhead;
      const chunk = Math.min(1000, base * 2 ** Math.min(stream.fetched, 6));
      const result = await run({
        stream: stream.spec,
        lowSortKey: `${stream.spec.sortKeyPrefix}${query.lowPosition}`,
        highSortKey: `${stream.spec.sortKeyPrefix}${groupCeiling}`,
        limit: chunk,
        exclusiveStartKey: stream.lastEvaluatedKey,
        filter: query.filter,
      });
      stream.fetched += 1;
      for (const item of result.items) {
        const position = positionOf(item, stream.spec);
        // The ceiling is inclusive in the key condition but exclusive in meaning: drop the item sitting on it.
        if (position !== null && position < groupCeiling) stream.buffer.push({ item, position });
      }
      stream.lastEvaluatedKey = result.lastEvaluatedKey;
      stream.exhausted = result.lastEvaluatedKey === undefined;
      if (result.lastEvaluatedKey !== undefined) {
        const position = positionOf(result.lastEvaluatedKey, stream.spec);
        if (position !== null) stream.progress = position;
      }
    };

    for (;;) {
      const waiting = streams.filter((stream) => stream.buffer.length === 0 && !stream.exhausted);
      if (waiting.length > 0) {
        if (queries + waiting.length <= options.maxQueries) {
          queries += waiting.length;
          await Promise.all(waiting.map(fetch));
          continue;
        }
        // Out of budget. A stream that is not exhausted has evaluated everything at or above its progress and
        // nothing below it, so everything at or above the highest progress of all unexhausted streams has been
        // evaluated everywhere: emit the buffered entries there, then continue strictly below it.
        const safe =
          streams
            .filter((stream) => !stream.exhausted)
            .map((stream) => stream.progress)
            .sort()
            .at(-1) ?? query.lowPosition;
        for (
          let head = newestHead(streams);
          head !== null && head.entry.position >= safe;
          head = newestHead(streams)
        ) {
          if (!choose(head.stream, head.entry)) return page({ group: group.label, position: lastChosen });
        }
        return page({ group: group.label, position: safe });
      }
      const head = newestHead(streams);
      if (head === null) break;
      if (!choose(head.stream, head.entry)) return page({ group: group.label, position: lastChosen });
      if (chosen.length >= options.limit) {
        // Full page: stop without reading ahead. The cursor is null only when nothing can follow, so a page
        // that ends exactly at the last item may be followed by one empty page (as DynamoDB's own paging is).
        const more =
          groupIndex < query.groups.length - 1 ||
          streams.some((stream) => stream.buffer.length > 0 || !stream.exhausted);
        return page(more ? { group: group.label, position: lastChosen } : null);
      }
    }
    groupIndex += 1;
    ceiling = query.highPosition;
  }
  return page(null);
}
