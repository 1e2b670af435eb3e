// The small interfaces the use cases depend on; DynamoDB, SQS and SESv2 adapters (lambdas/adapters) implement
// them, and the local stack may substitute in-memory ones.

import type { CountedDelivery } from './delivery-history.ts';
import type { RecipientEvent } from './recipient-event.ts';
import type { AllowlistEntry, AllowlistKind, DayCounter, EventRecord } from './records.ts';
import type {
  Decision,
  RecipientSummary,
  SesSuppressionBelief,
  SuppressionReason,
  SuppressionRequest,
} from './suppression-policy.ts';

export interface StoredSummary {
  summary: RecipientSummary;
  version: number;
  /** When the summary expires (epoch seconds), if it has an expiry (summaries from before summary expiry have none). */
  expiresAt?: number;
}

/**
 * recorded: event, summary and counters committed together; duplicate: this event was recorded before;
 * summary-changed: the summary moved since it was read (re-read and retry); conflict: a concurrent transaction
 * touched one of the items (retry after a pause).
 */
export type RecordResult = 'recorded' | 'duplicate' | 'summary-changed' | 'conflict';

export interface RecordEventInput {
  event: RecipientEvent;
  decision: Decision;
  summary: RecipientSummary;
  /** The version read with the summary; null when the recipient had none. */
  expectedVersion: number | null;
  /**
   * The expiry read with the summary, if any: the event moves it on but never brings it closer (a summary written
   * under a longer retention, e.g. before the default became 60 days, outlives the events it was written with).
   */
  storedExpiresAt?: number | null;
  /** Store the event as an item (history, `GET /bounces/{id}`); a delivery may be kept in the summary only. */
  keepEvent: boolean;
  /**
   * Enter the event in the delivery ledger (deliveries, unless every delivery is kept): it makes a delivery that
   * was counted before its address had a summary, and applied after, a duplicate of itself.
   */
  ledger: boolean;
}

export interface EventStore {
  getSummary(email: string): Promise<StoredSummary | null>;
  recordEvent(input: RecordEventInput): Promise<RecordResult>;
  /**
   * Counts a delivery to an address without a summary (daily counters, exactly once through the delivery
   * ledger), with the other deliveries counted at the same moment: one write per counter per batch.
   */
  countDelivery(event: RecipientEvent): Promise<'recorded' | 'duplicate'>;
  /** Deliveries to this address the ledger counted with event times in from..to (inclusive). */
  countedDeliveries(email: string, from: string, to: string): Promise<CountedDelivery[]>;
}

export interface AuditEvent {
  id: string;
  email: string;
  domain: string;
  occurredAt: string;
  recordedAt: string;
  action: 'ses-suppression-removed' | 'reactivated' | 'suppression-failed';
  actor: string;
  requestId: string;
  causeEventId: string | null;
  detail: string;
}

export interface CompleteSuppressionInput {
  email: string;
  requestId: string;
  state: 'confirmed' | 'failed';
  at: string;
  error: string | null;
  /** New belief about SES's own list; undefined leaves it as it is. */
  sesSuppression?: SesSuppressionBelief;
  audit: AuditEvent | null;
}

export interface SuppressionStateStore {
  getSummary(email: string): Promise<StoredSummary | null>;
  /** Moves `pending` to confirmed/failed only if the summary still waits for this request; 'stale' otherwise. */
  completeSuppression(input: CompleteSuppressionInput): Promise<'updated' | 'stale'>;
}

export interface SuppressionQueue {
  send(request: SuppressionRequest): Promise<void>;
}

/** The processor's view of the allowlist: whether one entry exists (coverage is domain/allowlist.ts's rule). */
export interface Allowlist {
  has(kind: AllowlistKind, value: string): Promise<boolean>;
}

/** SES's entry for an address on the account suppression list. */
export interface SesSuppressionEntry {
  reason: string;
  lastUpdateTime: string;
  messageId: string | null;
  feedbackId: string | null;
}

/** The SES account suppression list. Throttling and refusals are the typed errors below. */
export interface SuppressionList {
  put(email: string, reason: SuppressionReason): Promise<void>;
  /** 'not-found' when the address was not on the list (a delete that is already done). */
  remove(email: string): Promise<'removed' | 'not-found'>;
  /** null when the address is not on the list. */
  get(email: string): Promise<SesSuppressionEntry | null>;
}

/** SES throttled the call (TooManyRequestsException) even after the SDK's own retries: try again later. */
export class SuppressionListThrottledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuppressionListThrottledError';
  }
}

/** SES refused the request (BadRequestException, e.g. a sandbox account): retrying will not help. */
export class SuppressionListRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuppressionListRejectedError';
  }
}

/** Which events a history read covers (validated by the caller). */
export interface EventFilters {
  email?: string;
  domain?: string;
  verdict?: string;
  category?: string;
  type?: EventRecord['type'];
  code?: string;
  messageId?: string;
  source?: string;
  /** ISO 8601 UTC; from inclusive, to exclusive. */
  from?: string;
  to?: string;
}

/** A history read: the filters, whether audit entries count, and the clock that bounds index reads by retention. */
export interface EventWindow {
  filters: EventFilters;
  /** Include audit entries (recipient history) rather than SES events only. */
  includeAudit: boolean;
  now: Date;
  /** Events older than this have expired by TTL. */
  retentionDays: number;
}

/** Where a page of history ends and the next begins (carried in the API's cursors). */
export interface HistoryPosition {
  group: string;
  position: string;
}

interface HistoryPageOptions<T> {
  limit: number;
  /** A page stops before it would pass this many bytes (as measured by `present`), but holds at least one item. */
  maxBytes: number;
  /** At most this many store reads per page; the page may then be short but still continues. */
  maxQueries: number;
  present(record: EventRecord): { value: T; bytes: number };
}

interface ReactivationRecord {
  email: string;
  domain: string;
  eventId: string;
  requestId: string;
  occurredAt: string;
  actor: string;
  detail: string;
  /** Update the summary too (absent when the address was only on SES's list). */
  summaryExists: boolean;
  /** The summary's expiry moves on by this many days from the reactivation, never closer than the stored one. */
  retentionDays: number;
  /** The expiry read with the summary, if any. */
  storedExpiresAt?: number | null;
}

/**
 * The read side of the store, and the few writes of the query API (allowlist, erasure, reactivation), in domain
 * types. Items that are not what their writer wrote fail with the codec's CorruptItemError; a history page skips
 * them so one bad item never hides its neighbours.
 */
export interface QueryStore {
  getSummary(email: string): Promise<StoredSummary | null>;
  getEvent(id: string): Promise<EventRecord | null>;
  /** Newest first, from `start` (exclusive) or the window's end. */
  readHistory<T>(
    window: EventWindow,
    start: HistoryPosition | null,
    options: HistoryPageOptions<T>,
  ): Promise<{ items: T[]; next: HistoryPosition | null }>;
  /** Whether a position (from a client's cursor) can lie inside this window. */
  isHistoryPosition(window: EventWindow, position: HistoryPosition): boolean;
  /** Day-total counters for the UTC days from..to (inclusive), all shards. */
  dayCounters(fromDay: string, toDay: string): Promise<DayCounter[]>;
  /** Day × domain counters for the UTC days from..to (inclusive), all shards. */
  domainDayCounters(fromDay: string, toDay: string): Promise<DayCounter[]>;
  getAllowlistEntry(kind: AllowlistKind, value: string): Promise<AllowlistEntry | null>;
  /** Re-putting keeps the original creation time and author; the note is replaced. Returns the entry as stored. */
  putAllowlistEntry(entry: AllowlistEntry): Promise<AllowlistEntry>;
  /** Resolves false when there was no such entry. */
  deleteAllowlistEntry(kind: AllowlistKind, value: string): Promise<boolean>;
  listAllowlist(
    limit: number,
    afterSortKey: string | null,
  ): Promise<{ items: AllowlistEntry[]; lastSortKey: string | null }>;
  /**
   * Deletes every item of the recipient's partition (history, audit and summary) and returns how many. Each SES
   * event leaves a tombstone under its id that lasts until the event itself would have expired, and at least
   * until `tombstonesUntil`, so that a redelivery of its notification is a duplicate. A day × domain counter the
   * erasure leaves at zero events or below is kept, shown by no reader, until `emptiedCountersUntil`.
   */
  eraseRecipient(
    email: string,
    until: { tombstonesUntil: Date; emptiedCountersUntil: Date },
  ): Promise<number>;
  /** Audit event and summary reset in one transaction; ReactivationConflictError when the summary changed. */
  recordReactivation(record: ReactivationRecord): Promise<void>;
}

/** The recipient changed (or was erased) while a reactivation was being recorded: retry. */
export class ReactivationConflictError extends Error {
  override readonly name = 'ReactivationConflictError';
}
