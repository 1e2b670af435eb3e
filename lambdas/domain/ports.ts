// The small interfaces the use cases depend on; DynamoDB, SQS and SESv2 adapters (lambdas/adapters) implement
// them, and the local stack may substitute in-memory ones.

import type { RecipientEvent } from './recipient-event.ts';
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
}

export interface EventStore {
  getSummary(email: string): Promise<StoredSummary | null>;
  recordEvent(input: RecordEventInput): Promise<RecordResult>;
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

export interface Allowlist {
  isAllowlisted(email: string, domain: string): Promise<boolean>;
}

export interface SuppressionList {
  put(email: string, reason: SuppressionReason): Promise<void>;
  /** 'not-found' when the address was not on the list (a delete that is already done). */
  remove(email: string): Promise<'removed' | 'not-found'>;
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
