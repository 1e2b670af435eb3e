// The suppression policy and the recipient summary it maintains: which event asks for which SESv2 change,
// the soft-bounce streak, complaints, SES's own mislabelled suppressions, the allowlist and dry run. Pure.
import type { Category } from './classification.ts';
import type { RecipientEvent } from './recipient-event.ts';

export type SuppressionReason = 'BOUNCE' | 'COMPLAINT';
export type SuppressionAction = 'put' | 'delete';
export type SuppressionCause =
  | 'hard-bounce'
  | 'soft-bounce-streak'
  | 'complaint'
  | 'ses-mislabel-repair'
  | 'reactivation';
export type SuppressionState = 'pending' | 'confirmed' | 'failed' | 'dry-run';

export interface SuppressionStatus {
  state: SuppressionState;
  action: SuppressionAction;
  reason: SuppressionReason | null;
  cause: SuppressionCause;
  since: string;
  eventId: string;
  requestId: string;
  updatedAt: string;
  error?: string;
}

export interface SesSuppressionBelief {
  likely: boolean;
  reason: SuppressionReason;
  since: string;
  eventId: string;
  /** SES suppressed after a Permanent bounce that was the sender's fault. */
  mislabel: boolean;
}

export interface RecipientSummary {
  email: string;
  emailDisplay: string;
  domain: string;
  hard: number;
  soft: number;
  complaints: number;
  deliveries: number;
  firstEventAt: string;
  lastEventAt: string;
  lastEventId: string;
  lastEventType: string;
  softStreak: number;
  softBounceTimes: string[];
  lastDeliveryAt: string | null;
  suppression: SuppressionStatus | null;
  sesSuppression: SesSuppressionBelief | null;
}

/** The message the suppression worker acts on (docs/data-model.md, "Suppression-queue message body"). */
export interface SuppressionRequest {
  v: 1;
  requestId: string;
  action: SuppressionAction;
  email: string;
  reason?: SuppressionReason;
  cause: SuppressionCause;
  eventId: string;
  requestedAt: string;
  actor?: string;
}

export interface Decision {
  action: 'none' | 'suppress' | 'repair-ses-suppression';
  reason: string;
  suppressionReason: SuppressionReason | null;
  softStreak: number;
  countsTowardStreak: boolean;
  sesMislabel: boolean;
  allowlisted: boolean;
  dryRun: boolean;
}

export interface PolicySettings {
  softBounceThreshold: number;
  softBounceWindowDays: number;
  suppressOnComplaint: boolean;
  repairSesFalseSuppressions: boolean;
  dryRun: boolean;
}

export interface PolicyResult {
  summary: RecipientSummary;
  decision: Decision;
  request: SuppressionRequest | null;
}

/** Soft bounces in these categories say nothing about the address: they never count toward a streak. */
export const NON_COUNTING_SOFT_CATEGORIES: ReadonlySet<Category> = new Set<Category>([
  'message-too-large',
  'content-rejected',
  'policy-violation',
  'sender-blocked',
  'sender-authentication',
  'sender-rejected',
  'relay-denied',
  'rate-limited',
]);

const DAY_MS = 86_400_000;

export function requestFromStatus(email: string, status: SuppressionStatus): SuppressionRequest {
  return {
    v: 1,
    requestId: status.requestId,
    action: status.action,
    email,
    ...(status.reason && status.action === 'put' ? { reason: status.reason } : {}),
    cause: status.cause,
    eventId: status.eventId,
    requestedAt: status.since,
  };
}

function emptySummary(event: RecipientEvent): RecipientSummary {
  return {
    email: event.email,
    emailDisplay: event.emailDisplay,
    domain: event.domain,
    hard: 0,
    soft: 0,
    complaints: 0,
    deliveries: 0,
    firstEventAt: event.occurredAt,
    lastEventAt: event.occurredAt,
    lastEventId: event.id,
    lastEventType: event.type,
    softStreak: 0,
    softBounceTimes: [],
    lastDeliveryAt: null,
    suppression: null,
    sesSuppression: null,
  };
}

function countsTowardStreak(event: RecipientEvent): boolean {
  const c = event.classification;
  if (event.type !== 'bounce' || !c || c.verdict !== 'soft') return false;
  return c.blame !== 'sender' && !NON_COUNTING_SOFT_CATEGORIES.has(c.category);
}

function isOurSuppressionActive(summary: RecipientSummary): boolean {
  const s = summary.suppression;
  return (
    s !== null &&
    s.action === 'put' &&
    (s.state === 'pending' || s.state === 'confirmed' || s.state === 'dry-run')
  );
}

function onAccountList(event: RecipientEvent): boolean {
  return (
    event.bounce?.bounceSubType === 'OnAccountSuppressionList' ||
    event.complaint?.complaintSubType === 'OnAccountSuppressionList'
  );
}

/** Applies one event to the recipient's summary and decides what, if anything, to ask SES for. */
export function applyEvent(
  previous: RecipientSummary | null,
  event: RecipientEvent,
  settings: PolicySettings,
  allowlisted: boolean,
): PolicyResult {
  const summary: RecipientSummary = previous
    ? { ...previous, softBounceTimes: [...previous.softBounceTimes] }
    : emptySummary(event);
  summary.emailDisplay = event.emailDisplay;

  if (event.occurredAt < summary.firstEventAt) summary.firstEventAt = event.occurredAt;
  if (event.occurredAt >= summary.lastEventAt) {
    summary.lastEventAt = event.occurredAt;
    summary.lastEventId = event.id;
    summary.lastEventType = event.type;
  }

  const c = event.classification;
  if (event.type === 'bounce') {
    if (c?.verdict === 'hard') summary.hard += 1;
    else summary.soft += 1;
  } else if (event.type === 'complaint') summary.complaints += 1;
  else summary.deliveries += 1;

  // Streak: countable soft bounces after the last delivery, within the window ending at the newest of them.
  const counts = countsTowardStreak(event);
  if (event.type === 'delivery') {
    if (summary.lastDeliveryAt === null || event.occurredAt > summary.lastDeliveryAt) {
      summary.lastDeliveryAt = event.occurredAt;
    }
  } else if (counts) {
    // One entry per event, even when two bounces carry the same instant: the event's conditional Put already
    // guarantees each event is applied once, so a time seen before is another bounce, not a repeat.
    summary.softBounceTimes.push(event.occurredAt);
  }
  const lastDelivery = summary.lastDeliveryAt;
  let times = summary.softBounceTimes.filter((t) => lastDelivery === null || t > lastDelivery).sort();
  const newest = times.at(-1);
  if (newest !== undefined) {
    const windowStart = new Date(Date.parse(newest) - settings.softBounceWindowDays * DAY_MS).toISOString();
    times = times.filter((t) => t >= windowStart);
  }
  summary.softBounceTimes = times.slice(-settings.softBounceThreshold);
  summary.softStreak = summary.softBounceTimes.length;
  const streakCounted = counts && summary.softBounceTimes.includes(event.occurredAt);

  const decision: Decision = {
    action: 'none',
    reason: 'nothing to do',
    suppressionReason: null,
    softStreak: summary.softStreak,
    countsTowardStreak: streakCounted,
    sesMislabel: false,
    allowlisted: false,
    dryRun: false,
  };

  // What SES's own list most likely holds now.
  const alreadyOnAccountList = onAccountList(event);
  if (alreadyOnAccountList) {
    summary.sesSuppression = {
      likely: true,
      reason: event.type === 'complaint' ? 'COMPLAINT' : (summary.sesSuppression?.reason ?? 'BOUNCE'),
      since: summary.sesSuppression?.since ?? event.occurredAt,
      eventId: summary.sesSuppression?.eventId ?? event.id,
      mislabel: summary.sesSuppression?.mislabel ?? false,
    };
  } else if (
    event.type === 'bounce' &&
    event.bounce?.bounceType === 'Permanent' &&
    event.bounce.bounceSubType !== 'Suppressed'
  ) {
    const mislabel = c?.blame === 'sender';
    decision.sesMislabel = mislabel;
    summary.sesSuppression = {
      likely: true,
      reason: 'BOUNCE',
      since: event.occurredAt,
      eventId: event.id,
      mislabel,
    };
  } else if (event.type === 'complaint') {
    summary.sesSuppression = {
      likely: true,
      reason: 'COMPLAINT',
      since: event.occurredAt,
      eventId: event.id,
      mislabel: false,
    };
  }

  // What we want.
  let wanted: {
    action: SuppressionAction;
    reason: SuppressionReason | null;
    cause: SuppressionCause;
    why: string;
  } | null = null;
  if (alreadyOnAccountList) {
    decision.reason = 'already on the account suppression list (SES did not send)';
  } else if (event.type === 'bounce' && c?.suppress) {
    wanted = { action: 'put', reason: 'BOUNCE', cause: 'hard-bounce', why: `hard bounce: ${c.category}` };
  } else if (streakCounted && summary.softStreak >= settings.softBounceThreshold) {
    wanted = {
      action: 'put',
      reason: 'BOUNCE',
      cause: 'soft-bounce-streak',
      why: `${summary.softStreak} soft bounces within ${settings.softBounceWindowDays} days without a delivery`,
    };
  } else if (event.type === 'complaint') {
    if (settings.suppressOnComplaint) {
      wanted = { action: 'put', reason: 'COMPLAINT', cause: 'complaint', why: 'complaint' };
    } else decision.reason = 'complaint; SUPPRESS_ON_COMPLAINT is off';
  } else if (decision.sesMislabel) {
    if (settings.repairSesFalseSuppressions && !isOurSuppressionActive(summary)) {
      wanted = {
        action: 'delete',
        reason: null,
        cause: 'ses-mislabel-repair',
        why: `SES labelled a sender-side problem (${c?.category}) Permanent and likely suppressed a good address`,
      };
    } else {
      decision.reason = `SES likely suppressed a good address (sender-side ${c?.category} labelled Permanent)${
        settings.repairSesFalseSuppressions ? '' : '; REPAIR_SES_FALSE_SUPPRESSIONS is off'
      }`;
    }
  } else if (event.type === 'bounce') {
    decision.reason = streakCounted
      ? `soft bounce ${summary.softStreak} of ${settings.softBounceThreshold}`
      : `not suppressed: ${c?.verdict ?? 'unclassified'} ${c?.category ?? ''}`.trim();
  } else if (event.type === 'delivery') {
    decision.reason = 'delivery resets the soft-bounce streak';
  }

  if (wanted === null) return { summary, decision, request: null };

  if (wanted.action === 'put' && isOurSuppressionActive(summary)) {
    decision.reason = `${wanted.why}; already suppressed (${summary.suppression?.state})`;
    return { summary, decision, request: null };
  }
  if (wanted.action === 'put' && allowlisted) {
    decision.allowlisted = true;
    decision.reason = `allowlisted: would have suppressed (${wanted.reason}, ${wanted.why})`;
    return { summary, decision, request: null };
  }

  decision.action = wanted.action === 'put' ? 'suppress' : 'repair-ses-suppression';
  decision.suppressionReason = wanted.reason;
  decision.reason = wanted.why;
  const status: SuppressionStatus = {
    state: settings.dryRun ? 'dry-run' : 'pending',
    action: wanted.action,
    reason: wanted.reason,
    cause: wanted.cause,
    since: event.recordedAt,
    eventId: event.id,
    requestId: event.id,
    updatedAt: event.recordedAt,
  };
  summary.suppression = status;
  if (settings.dryRun) {
    decision.dryRun = true;
    decision.reason = `dry run: ${wanted.why}`;
    return { summary, decision, request: null };
  }
  return { summary, decision, request: requestFromStatus(event.email, status) };
}
