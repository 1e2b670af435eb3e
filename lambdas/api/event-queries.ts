// One page of events for validated filters: the store reads the history (QueryStore.readHistory); this binds the
// continuation to a cursor that only this query accepts, and presents each record in the API's list shape.
import type { EventFilters, EventWindow, QueryStore } from '../domain/ports.ts';
import type { CursorCodec } from './cursor.ts';
import { queryFingerprint } from './cursor.ts';
import { MAX_PAGE_BYTES, MAX_QUERIES_PER_PAGE } from './deps.ts';
import { type EventView, toEventView } from './event-view.ts';

export type { EventFilters };

export interface EventListOptions {
  /** Include audit entries (recipient history) rather than SES events only. */
  includeAudit: boolean;
  limit: number;
  cursor: string | undefined;
  /** Route scope for cursor binding. */
  scope: string;
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
  const window: EventWindow = { filters, includeAudit: options.includeAudit, now, retentionDays };
  const fingerprint = queryFingerprint(options.scope, { ...filters });
  let start = null;
  if (options.cursor !== undefined) {
    const key = cursors.decode(options.cursor, fingerprint, ({ g, p }) =>
      typeof g === 'string' && typeof p === 'string'
        ? store.isHistoryPosition(window, { group: g, position: p })
        : false,
    );
    start = { group: String(key.g), position: String(key.p) };
  }
  const page = await store.readHistory(window, start, {
    limit: options.limit,
    maxBytes: MAX_PAGE_BYTES,
    maxQueries: MAX_QUERIES_PER_PAGE,
    present(record) {
      const value = toEventView(record);
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
