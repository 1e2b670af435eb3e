// What the data routes need, injected by the handler (real clients) or by tests (dynalite, SES emulator).

import type { QueryStore, SuppressionList } from '../domain/ports.ts';
import type { CursorCodec } from './cursor.ts';

export interface DataDeps {
  store: QueryStore;
  cursors: CursorCodec;
  /** The SES account suppression list: the query API reads entries and removes them (reactivation). */
  ses: Pick<SuppressionList, 'get' | 'remove'>;
  now: () => Date;
  /** Events older than this are expired by TTL: the default lower bound of time-window queries. */
  retentionDays: number;
  /** A reactivation moves the summary's expiry on by this many days (RECIPIENT_RETENTION_DAYS). */
  recipientRetentionDays: number;
}

/** Pages stay under Lambda's 6 MB response limit (API Gateway allows 10 MB), measured with the proxy's escaping. */
export const MAX_PAGE_BYTES = 5 * 1024 * 1024;
/** Query calls one page may spend before answering with what it has (and a cursor). */
export const MAX_QUERIES_PER_PAGE = 240;
