// The state-change events published to Amazon EventBridge (docs/events.md): derived from committed changes of the
// stored items (the table's stream), never from the processor's intentions, so a failed or duplicate transaction
// publishes nothing. Every recipient-state event comes from the one summary item of its recipient, whose changes
// the stream delivers in order; a complaint comes from its event item. Pure.

import { eventIdOf } from './recipient-event.ts';
import type { EventRecord } from './records.ts';
import type {
  RecipientSummary,
  SuppressionAction,
  SuppressionCause,
  SuppressionReason,
  SuppressionStatus,
} from './suppression-policy.ts';

/** The `source` of every event. */
export const EVENT_SOURCE = 'ses-bounce-processor';

export const DETAIL_TYPES = [
  'Recipient Suppressed',
  'Suppression Confirmed',
  'Suppression Failed',
  'Recipient Reactivated',
  'Suppression Lifted',
  'Complaint Received',
  'Recipient Erased',
] as const;
export type DetailType = (typeof DETAIL_TYPES)[number];

/** Fields of every detail: the de-duplication id (the same for every delivery of one change) and the recipient. */
interface DetailBase {
  eventId: string;
  email: string;
}

export interface RecipientSuppressedDetail extends DetailBase {
  reason: SuppressionReason;
  cause: SuppressionCause;
  /** The SES event (bounce or complaint) that caused the suppression. */
  causeEventId: string;
  requestId: string;
  /** DRY_RUN: recorded, SES is never asked. */
  dryRun: boolean;
  category: string | null;
  code: string | null;
  evidence: string | null;
  suppressedAt: string;
}

export interface SuppressionOutcomeDetail extends DetailBase {
  action: SuppressionAction;
  reason: SuppressionReason | null;
  cause: SuppressionCause;
  causeEventId: string;
  requestId: string;
}
export interface SuppressionConfirmedDetail extends SuppressionOutcomeDetail {
  confirmedAt: string;
}
export interface SuppressionFailedDetail extends SuppressionOutcomeDetail {
  error: string;
  failedAt: string;
}

export interface RecipientReactivatedDetail extends DetailBase {
  /** Who reactivated (the API caller as recorded in the audit event), null when the audit event is gone. */
  actor: string | null;
  /** Why, as the caller gave it. */
  why: string | null;
  auditEventId: string;
  requestId: string;
  reactivatedAt: string;
}

export interface SuppressionLiftedDetail extends DetailBase {
  /** The soft-bounce-streak suppression taken back. */
  liftedRequestId: string;
  /** requested: SES is asked to remove the address; not-needed: SES had not been asked yet; dry-run: DRY_RUN. */
  sesRemoval: 'requested' | 'not-needed' | 'dry-run';
  liftedAt: string;
}

export interface ComplaintReceivedDetail extends DetailBase {
  complaintEventId: string;
  feedbackType: string | null;
  complaintSubType: string | null;
  sesMessageId: string | null;
  feedbackId: string | null;
  occurredAt: string;
}

export interface RecipientErasedDetail extends DetailBase {
  erasedAt: string;
}

export interface DetailOf {
  'Recipient Suppressed': RecipientSuppressedDetail;
  'Suppression Confirmed': SuppressionConfirmedDetail;
  'Suppression Failed': SuppressionFailedDetail;
  'Recipient Reactivated': RecipientReactivatedDetail;
  'Suppression Lifted': SuppressionLiftedDetail;
  'Complaint Received': ComplaintReceivedDetail;
  'Recipient Erased': RecipientErasedDetail;
}

/** One event to publish: EventBridge's DetailType, Time and Detail. */
export type StateChangeEvent = {
  [T in DetailType]: { detailType: T; time: string; detail: DetailOf[T] };
}[DetailType];

/**
 * One committed change of a stored item, decoded: a recipient summary (null before its first event or after
 * erasure), an event item (SES event or audit entry), or an item no event comes from.
 */
export type StoredChange =
  | { kind: 'summary'; before: RecipientSummary | null; after: RecipientSummary | null; at: string }
  | { kind: 'event'; before: EventRecord | null; after: EventRecord | null }
  | { kind: 'other' };

/** A stable de-duplication id: the detail-type and what identifies the change (never the stream position). */
function idOf(detailType: DetailType, ...parts: string[]): string {
  return eventIdOf([detailType, ...parts].join('|'));
}

function suppressed(email: string, status: SuppressionStatus): StateChangeEvent | null {
  // A put is only ever caused by a bounce or a complaint, which always carry their reason.
  if (!status.reason) return null;
  return {
    detailType: 'Recipient Suppressed',
    time: status.since,
    detail: {
      eventId: idOf('Recipient Suppressed', email, status.requestId),
      email,
      reason: status.reason,
      cause: status.cause,
      causeEventId: status.eventId,
      requestId: status.requestId,
      dryRun: status.state === 'dry-run',
      // Completed from the cause event by withCause (the summary does not keep the classification).
      category: null,
      code: null,
      evidence: null,
      suppressedAt: status.since,
    },
  };
}

function outcome(email: string, status: SuppressionStatus): StateChangeEvent | null {
  const common = {
    email,
    action: status.action,
    reason: status.reason ?? null,
    cause: status.cause,
    causeEventId: status.eventId,
    requestId: status.requestId,
  };
  if (status.state === 'confirmed') {
    return {
      detailType: 'Suppression Confirmed',
      time: status.updatedAt,
      detail: {
        eventId: idOf('Suppression Confirmed', email, status.requestId),
        ...common,
        confirmedAt: status.updatedAt,
      },
    };
  }
  if (status.state === 'failed') {
    return {
      detailType: 'Suppression Failed',
      time: status.updatedAt,
      detail: {
        eventId: idOf('Suppression Failed', email, status.requestId),
        ...common,
        error: status.error ?? 'unknown',
        failedAt: status.updatedAt,
      },
    };
  }
  return null;
}

function lifted(
  email: string,
  liftedRequestId: string,
  sesRemoval: SuppressionLiftedDetail['sesRemoval'],
  at: string,
): StateChangeEvent {
  return {
    detailType: 'Suppression Lifted',
    time: at,
    detail: {
      eventId: idOf('Suppression Lifted', email, liftedRequestId),
      email,
      liftedRequestId,
      sesRemoval,
      liftedAt: at,
    },
  };
}

/** A new suppression status (a request this summary had not seen). */
function started(
  email: string,
  before: SuppressionStatus | null,
  status: SuppressionStatus,
): StateChangeEvent | null {
  if (status.cause === 'reactivation') {
    return {
      detailType: 'Recipient Reactivated',
      time: status.since,
      detail: {
        eventId: idOf('Recipient Reactivated', email, status.requestId),
        email,
        actor: null,
        why: null,
        auditEventId: status.eventId,
        requestId: status.requestId,
        reactivatedAt: status.since,
      },
    };
  }
  if (status.cause === 'soft-bounce-streak-revoked') {
    // The request deletes the streak suppression the summary held before it.
    return lifted(
      email,
      before?.requestId ?? status.requestId,
      status.state === 'dry-run' ? 'dry-run' : 'requested',
      status.since,
    );
  }
  if (status.action === 'put' && (status.state === 'pending' || status.state === 'dry-run')) {
    return suppressed(email, status);
  }
  // A repair of SES's own false suppression: the recipient was never suppressed here; its outcome is published.
  return outcome(email, status);
}

function summaryEvents(
  before: RecipientSummary | null,
  after: RecipientSummary | null,
  at: string,
): StateChangeEvent[] {
  if (after === null) {
    if (before === null) return [];
    const email = before.email;
    // One erasure per summary: the summary's first event and its counters name this incarnation of it.
    const incarnation = `${before.firstEventAt}|${before.lastEventId}`;
    return [
      {
        detailType: 'Recipient Erased',
        time: at,
        detail: { eventId: idOf('Recipient Erased', email, incarnation), email, erasedAt: at },
      },
    ];
  }
  const was = before?.suppression ?? null;
  const now = after.suppression;
  if (now === null) return [];
  const email = after.email;
  if (was === null || was.requestId !== now.requestId) {
    const event = started(email, was, now);
    return event ? [event] : [];
  }
  if (was.state === now.state) return [];
  if (now.state === 'cancelled') return [lifted(email, now.requestId, 'not-needed', now.updatedAt)];
  if (was.state === 'pending') {
    const event = outcome(email, now);
    return event ? [event] : [];
  }
  return [];
}

function eventItemEvents(before: EventRecord | null, after: EventRecord | null): StateChangeEvent[] {
  // Only an insert is news: a removal is TTL or erasure (published from the summary), events are never modified.
  if (before !== null || after === null || after.type !== 'complaint') return [];
  return [
    {
      detailType: 'Complaint Received',
      time: after.occurredAt,
      detail: {
        eventId: idOf('Complaint Received', after.id),
        email: after.email,
        complaintEventId: after.id,
        feedbackType: after.complaintFeedbackType,
        complaintSubType: after.complaintSubType,
        sesMessageId: after.sesMessageId,
        feedbackId: after.feedbackId,
        occurredAt: after.occurredAt,
      },
    },
  ];
}

/** The events one committed change of a stored item publishes (none for most changes). */
export function stateChangeEvents(change: StoredChange): StateChangeEvent[] {
  switch (change.kind) {
    case 'summary':
      return summaryEvents(change.before, change.after, change.at);
    case 'event':
      return eventItemEvents(change.before, change.after);
    case 'other':
      return [];
  }
}

/**
 * The id of the stored event an event's detail is completed from: the cause of a suppression (its classification)
 * and the audit event of a reactivation (who and why). Null when the event is complete.
 */
export function causeToRead(event: StateChangeEvent): string | null {
  if (event.detailType === 'Recipient Suppressed') return event.detail.causeEventId;
  if (event.detailType === 'Recipient Reactivated') return event.detail.auditEventId;
  return null;
}

/** The event completed from the stored event causeToRead named (null: erased or expired since; left null). */
export function withCause(event: StateChangeEvent, cause: EventRecord | null): StateChangeEvent {
  if (cause === null) return event;
  if (event.detailType === 'Recipient Suppressed') {
    return {
      ...event,
      detail: { ...event.detail, category: cause.category, code: cause.code, evidence: cause.evidence },
    };
  }
  if (event.detailType === 'Recipient Reactivated') {
    return { ...event, detail: { ...event.detail, actor: cause.actor, why: cause.detail } };
  }
  return event;
}
