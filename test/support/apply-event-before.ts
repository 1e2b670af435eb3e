// FROZEN COPY of lambdas/domain/suppression-policy.ts before applyEvent was split into named steps: the oracle of
// test/unit/apply-event-equivalence.test.ts, deleted once the equivalence is proven.
// The suppression policy and the recipient summary it maintains: which event asks for which SESv2 change,
// the soft-bounce streak, complaints, SES's own mislabelled suppressions, the allowlist and dry run. Pure.
import type { Category } from '../../lambdas/domain/classification.ts';
import type { RecipientEvent } from '../../lambdas/domain/recipient-event.ts';

export type SuppressionReason = 'BOUNCE' | 'COMPLAINT';
export type SuppressionAction = 'put' | 'delete';
export const SUPPRESSION_CAUSES = [
  'hard-bounce',
  'soft-bounce-streak',
  'complaint',
  'ses-mislabel-repair',
  'soft-bounce-streak-revoked',
  'reactivation',
] as const;
export type SuppressionCause = (typeof SUPPRESSION_CAUSES)[number];
/** cancelled: a pending (or dry-run) streak suppression withdrawn before SES was asked, see applyEvent. */
export const SUPPRESSION_STATES = ['pending', 'confirmed', 'failed', 'dry-run', 'cancelled'] as const;
export type SuppressionState = (typeof SUPPRESSION_STATES)[number];

export interface SuppressionStatus {
  state: SuppressionState;
  action: SuppressionAction;
  /** Absent on a reactivation (lambdas/adapters/dynamo-query-store.ts writes none). */
  reason?: SuppressionReason | null;
  cause: SuppressionCause;
  since: string;
  eventId: string;
  requestId: string;
  updatedAt: string;
  error?: string;
}

export interface SesSuppressionBelief {
  likely: boolean;
  /** reason, since and eventId are absent once a reactivation recorded that SES no longer lists the address. */
  reason?: SuppressionReason;
  since?: string;
  eventId?: string;
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
  /** Countable soft bounces after the latest delivery, within the window ending at the newest of them. */
  softStreak: number;
  /** Event times of the countable soft bounces the streak remembers (ascending; at most STREAK_MEMORY). */
  softBounceTimes: string[];
  /** Event times of the deliveries the streak remembers (ascending; at most STREAK_MEMORY). */
  deliveryTimes: string[];
  /** Set once the memory overflowed: events at or before this time no longer take part in the streak. */
  streakForgottenUntil: string | null;
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
  /** lift-suppression: a late older delivery broke the soft-bounce run we had suppressed for. */
  action: 'none' | 'suppress' | 'repair-ses-suppression' | 'lift-suppression';
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

/** The documented defaults of the policy (README): the Lambda environment and the CDK settings both start here. */
export const DEFAULT_POLICY_SETTINGS: Readonly<PolicySettings> = {
  softBounceThreshold: 3,
  softBounceWindowDays: 14,
  suppressOnComplaint: true,
  repairSesFalseSuppressions: false,
  dryRun: false,
};

export interface PolicyResult {
  summary: RecipientSummary;
  decision: Decision;
  request: SuppressionRequest | null;
}

/**
 * Soft bounces in these categories say nothing about the address: they never count toward a streak. Not
 * relay-denied: from the recipient's own MX it says the domain's mail route is broken (see rules/policy.ts).
 */
export const NON_COUNTING_SOFT_CATEGORIES: ReadonlySet<Category> = new Set<Category>([
  'message-too-large',
  'content-rejected',
  'policy-violation',
  'sender-blocked',
  'sender-authentication',
  'sender-rejected',
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
    deliveryTimes: [],
    streakForgottenUntil: null,
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

/** Our own streak suppression, still in force or on its way to SES. */
function isOurStreakSuppression(summary: RecipientSummary): boolean {
  return isOurSuppressionActive(summary) && summary.suppression?.cause === 'soft-bounce-streak';
}

/** What the summary remembers for the streak. */
export interface StreakMemory {
  bounces: string[];
  deliveries: string[];
  forgottenUntil: string | null;
}

/** How many times of each kind the summary keeps: enough for runs that overlap a late delivery, yet small. */
export function streakMemorySize(settings: Pick<PolicySettings, 'softBounceThreshold'>): number {
  return Math.max(2 * settings.softBounceThreshold, 6);
}

function streakMemoryOf(summary: RecipientSummary): StreakMemory {
  return {
    bounces: summary.softBounceTimes,
    deliveries: summary.deliveryTimes,
    forgottenUntil: summary.streakForgottenUntil,
  };
}

function insertSorted(times: readonly string[], time: string): string[] {
  const at = times.findIndex((t) => t > time);
  return at < 0 ? [...times, time] : [...times.slice(0, at), time, ...times.slice(at)];
}

/**
 * Adds one time. Each list keeps its newest `streakMemorySize` entries; everything at or before the newest
 * dropped time (of either kind) is forgotten, so a run is only ever judged with every delivery inside it known.
 * The result depends only on the set of times added, never on their order. One entry per event, even when two
 * bounces carry the same instant: the event's conditional Put already guarantees each event is applied once, so a
 * time seen before is another bounce, not a repeat.
 */
export function remember(
  memory: StreakMemory,
  kind: 'bounce' | 'delivery',
  time: string,
  settings: Pick<PolicySettings, 'softBounceThreshold'>,
): StreakMemory {
  let forgottenUntil = memory.forgottenUntil;
  if (forgottenUntil !== null && time <= forgottenUntil) return memory;
  const size = streakMemorySize(settings);
  let bounces = kind === 'bounce' ? insertSorted(memory.bounces, time) : memory.bounces;
  let deliveries = kind === 'delivery' ? insertSorted(memory.deliveries, time) : memory.deliveries;
  for (const list of [bounces, deliveries]) {
    const dropped = list.at(-size - 1);
    if (
      list.length > size &&
      dropped !== undefined &&
      (forgottenUntil === null || dropped > forgottenUntil)
    ) {
      forgottenUntil = dropped;
    }
  }
  if (forgottenUntil !== null) {
    const until = forgottenUntil;
    bounces = bounces.filter((t) => t > until);
    deliveries = deliveries.filter((t) => t > until);
  }
  return { bounces, deliveries, forgottenUntil };
}

/**
 * The first run of `softBounceThreshold` remembered soft bounces within `softBounceWindowDays` with no delivery
 * in between (a delivery at the very instant of a bounce counts as after it), or null.
 */
export function findSoftBounceRun(
  memory: StreakMemory,
  settings: Pick<PolicySettings, 'softBounceThreshold' | 'softBounceWindowDays'>,
): { from: string; to: string } | null {
  const n = settings.softBounceThreshold;
  const windowMs = settings.softBounceWindowDays * DAY_MS;
  // Segment of a bounce = how many deliveries precede it; a run must stay inside one segment.
  let d = 0;
  const segments = memory.bounces.map((b) => {
    while (d < memory.deliveries.length && (memory.deliveries[d] as string) < b) d += 1;
    return d;
  });
  for (let i = 0; i + n - 1 < memory.bounces.length; i += 1) {
    const from = memory.bounces[i] as string;
    const to = memory.bounces[i + n - 1] as string;
    if (segments[i] === segments[i + n - 1] && Date.parse(to) - Date.parse(from) <= windowMs) {
      return { from, to };
    }
  }
  return null;
}

/** Countable soft bounces after the latest delivery, within the window ending at the newest of them. */
function currentStreak(
  memory: StreakMemory,
  lastDeliveryAt: string | null,
  settings: Pick<PolicySettings, 'softBounceWindowDays'>,
): number {
  const since = memory.bounces.filter((t) => lastDeliveryAt === null || t > lastDeliveryAt);
  const newest = since.at(-1);
  if (newest === undefined) return 0;
  const windowStart = new Date(Date.parse(newest) - settings.softBounceWindowDays * DAY_MS).toISOString();
  return since.filter((t) => t >= windowStart).length;
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
  const summary: RecipientSummary = previous ? { ...previous } : emptySummary(event);
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

  // Streak, on event time (SNS and SQS do not keep order): the summary remembers recent countable soft-bounce and
  // delivery times, so the outcome depends on which events exist, not on the order they arrived in.
  const counts = countsTowardStreak(event);
  const memoryBefore = streakMemoryOf(summary);
  const runBefore = findSoftBounceRun(memoryBefore, settings);
  if (event.type === 'delivery') {
    if (summary.lastDeliveryAt === null || event.occurredAt > summary.lastDeliveryAt) {
      summary.lastDeliveryAt = event.occurredAt;
    }
  }
  const memory =
    event.type === 'delivery' || counts
      ? remember(memoryBefore, event.type === 'delivery' ? 'delivery' : 'bounce', event.occurredAt, settings)
      : memoryBefore;
  summary.softBounceTimes = memory.bounces;
  summary.deliveryTimes = memory.deliveries;
  summary.streakForgottenUntil = memory.forgottenUntil;
  summary.softStreak = currentStreak(memory, summary.lastDeliveryAt, settings);
  const runAfter = findSoftBounceRun(memory, settings);
  const streakCounted =
    counts && (memory.forgottenUntil === null || event.occurredAt > memory.forgottenUntil);
  // A delivery can only break runs. When the one that arrives (late) lies inside every run that had made us
  // suppress, the suppression was decided on incomplete knowledge: take it back (see below).
  const runBroken =
    event.type === 'delivery' &&
    runBefore !== null &&
    findSoftBounceRun(
      { ...memoryBefore, deliveries: insertSorted(memoryBefore.deliveries, event.occurredAt) },
      settings,
    ) === null;

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
  } else if (runBefore === null && runAfter !== null) {
    wanted = {
      action: 'put',
      reason: 'BOUNCE',
      cause: 'soft-bounce-streak',
      why: `${settings.softBounceThreshold} soft bounces within ${settings.softBounceWindowDays} days without a delivery (${runAfter.from} to ${runAfter.to})`,
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
  } else if (runBroken && isOurStreakSuppression(summary)) {
    const why = `the delivery of ${event.occurredAt} lies inside the soft-bounce run we suppressed for`;
    if (summary.suppression?.state === 'confirmed') {
      wanted = { action: 'delete', reason: null, cause: 'soft-bounce-streak-revoked', why };
    } else if (summary.suppression) {
      // SES was not asked yet (pending) or never will be (dry run): withdrawing the request is enough, the worker
      // drops a message whose requestId the summary no longer waits for.
      summary.suppression = { ...summary.suppression, state: 'cancelled', updatedAt: event.recordedAt };
      decision.action = 'lift-suppression';
      decision.reason = `${why}; the pending request is withdrawn`;
    }
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

  decision.action =
    wanted.action === 'put'
      ? 'suppress'
      : wanted.cause === 'soft-bounce-streak-revoked'
        ? 'lift-suppression'
        : 'repair-ses-suppression';
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
