// The suppression policy and the recipient summary it maintains: which event asks for which SESv2 change,
// the soft-bounce streak, complaints, SES's own mislabelled suppressions, the allowlist and dry run. Pure.
import type { Classification } from './classification.ts';
import { complaintHandling } from './complaint-feedback.ts';
import { notSentOnAccountList, type RecipientEvent } from './recipient-event.ts';
import { CATEGORY_POLICY } from './rules/policy.ts';

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
type SuppressionState = (typeof SUPPRESSION_STATES)[number];

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
  /**
   * Event time of the latest OnAccountSuppressionList event: SES itself said the address was on its list then.
   * Absent when no such event was seen since the last reactivation.
   */
  reportedAt?: string;
}

export interface RecipientSummary {
  email: string;
  emailDisplay: string;
  domain: string;
  hard: number;
  soft: number;
  complaints: number;
  deliveries: number;
  /** OnAccountSuppressionList bounces and complaints: SES did not send, so they are in no other count. */
  onAccountList: number;
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
  /** Soft bounces in a run that suppress; 0: soft bounces never suppress (the streak is still counted). */
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

/** The fields that say whose summary it is and which event it last saw; the rest starts at nothing. */
type SummaryIdentity = Pick<
  RecipientSummary,
  'email' | 'emailDisplay' | 'domain' | 'firstEventAt' | 'lastEventAt' | 'lastEventId' | 'lastEventType'
>;

/** A summary with no counts, streak, deliveries or suppression yet: a new recipient's, or a view of none stored. */
export function emptySummary(identity: SummaryIdentity): RecipientSummary {
  return {
    ...identity,
    hard: 0,
    soft: 0,
    complaints: 0,
    deliveries: 0,
    onAccountList: 0,
    softStreak: 0,
    softBounceTimes: [],
    deliveryTimes: [],
    streakForgottenUntil: null,
    lastDeliveryAt: null,
    suppression: null,
    sesSuppression: null,
  };
}

/** The empty summary an address's first event starts. */
function firstSummary(event: RecipientEvent): RecipientSummary {
  return emptySummary({
    email: event.email,
    emailDisplay: event.emailDisplay,
    domain: event.domain,
    firstEventAt: event.occurredAt,
    lastEventAt: event.occurredAt,
    lastEventId: event.id,
    lastEventType: event.type,
  });
}

/** A soft bounce whose category counts toward the streak (CATEGORY_POLICY), not blamed on the sender. */
function countsTowardStreak(event: RecipientEvent): boolean {
  const c = event.classification;
  if (event.type !== 'bounce' || !c || c.verdict !== 'soft') return false;
  return c.blame !== 'sender' && CATEGORY_POLICY[c.category].countsTowardStreak;
}

/** Our own streak suppression, still in force or on its way to SES. */
function isOurStreakSuppression(summary: RecipientSummary): boolean {
  return isOurSuppressionActive(summary) && summary.suppression?.cause === 'soft-bounce-streak';
}

/** What the summary remembers for the streak. */
interface StreakMemory {
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
function remember(
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
function findSoftBounceRun(
  memory: StreakMemory,
  settings: Pick<PolicySettings, 'softBounceThreshold' | 'softBounceWindowDays'>,
): { from: string; to: string } | null {
  const n = settings.softBounceThreshold;
  if (n === 0) return null;
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

/** The report of an OnAccountSuppressionList event newer than this event survives this event's belief. */
function laterReport(belief: SesSuppressionBelief | null, event: RecipientEvent): { reportedAt?: string } {
  const reportedAt = belief?.reportedAt;
  return reportedAt !== undefined && reportedAt > event.occurredAt ? { reportedAt } : {};
}

/** The earlier of two ISO times. */
function earlier(a: string, b: string): string {
  if (b < a) return b;
  return a;
}

/** Step 1: the counters and the first and latest event, whatever the event means for suppression. */
function countEvent(previous: RecipientSummary | null, event: RecipientEvent): RecipientSummary {
  const summary = previous ?? firstSummary(event);
  const notSent = notSentOnAccountList(event);
  const hard = !notSent && event.type === 'bounce' && event.classification?.verdict === 'hard';
  const latest = event.occurredAt >= summary.lastEventAt;
  return {
    ...summary,
    emailDisplay: event.emailDisplay,
    firstEventAt: earlier(summary.firstEventAt, event.occurredAt),
    ...(latest ? { lastEventAt: event.occurredAt, lastEventId: event.id, lastEventType: event.type } : {}),
    hard: summary.hard + (hard ? 1 : 0),
    soft: summary.soft + (!notSent && event.type === 'bounce' && !hard ? 1 : 0),
    complaints: summary.complaints + (!notSent && event.type === 'complaint' ? 1 : 0),
    deliveries: summary.deliveries + (event.type === 'delivery' ? 1 : 0),
    onAccountList: summary.onAccountList + (notSent ? 1 : 0),
  };
}

type SoftBounceRun = ReturnType<typeof findSoftBounceRun>;

/** What the streak step found: the run before and after the event, and whether the event counted. */
interface StreakChange {
  runBefore: SoftBounceRun;
  runAfter: SoftBounceRun;
  /** The event is a countable soft bounce the memory did not already forget. */
  counted: boolean;
  /** A (late) delivery that lies inside every run found before it. */
  runBroken: boolean;
}

/**
 * Step 2: the streak, on event time (SNS and SQS do not keep order). The summary remembers recent countable
 * soft-bounce and delivery times, so the outcome depends on which events exist, not on the order they arrived in.
 */
function advanceStreak(
  summary: RecipientSummary,
  event: RecipientEvent,
  settings: PolicySettings,
): { summary: RecipientSummary; change: StreakChange } {
  const counts = countsTowardStreak(event);
  const delivery = event.type === 'delivery';
  const before = streakMemoryOf(summary);
  const runBefore = findSoftBounceRun(before, settings);
  const lastDeliveryAt =
    delivery && (summary.lastDeliveryAt === null || event.occurredAt > summary.lastDeliveryAt)
      ? event.occurredAt
      : summary.lastDeliveryAt;
  const memory =
    delivery || counts
      ? remember(before, delivery ? 'delivery' : 'bounce', event.occurredAt, settings)
      : before;
  // A delivery can only break runs. When the one that arrives (late) lies inside every run that had made us
  // suppress, the suppression was decided on incomplete knowledge: it is taken back (see intentOf).
  const runBroken =
    delivery &&
    runBefore !== null &&
    findSoftBounceRun(
      { ...before, deliveries: insertSorted(before.deliveries, event.occurredAt) },
      settings,
    ) === null;
  return {
    summary: {
      ...summary,
      lastDeliveryAt,
      softBounceTimes: memory.bounces,
      deliveryTimes: memory.deliveries,
      streakForgottenUntil: memory.forgottenUntil,
      softStreak: currentStreak(memory, lastDeliveryAt, settings),
    },
    change: {
      runBefore,
      runAfter: findSoftBounceRun(memory, settings),
      counted: counts && (memory.forgottenUntil === null || event.occurredAt > memory.forgottenUntil),
      runBroken,
    },
  };
}

/** A Permanent bounce SES reported itself (not one it only relayed from its suppression list). */
function isSesPermanentBounce(event: RecipientEvent): boolean {
  return (
    event.type === 'bounce' &&
    event.bounce?.bounceType === 'Permanent' &&
    event.bounce.bounceSubType !== 'Suppressed'
  );
}

/** SES labelled a sender-side problem Permanent, and so likely suppressed a good address. */
function isSesMislabel(event: RecipientEvent): boolean {
  return (
    !notSentOnAccountList(event) && isSesPermanentBounce(event) && event.classification?.blame === 'sender'
  );
}

/** Step 3: what SES's own suppression list most likely holds after the event. */
function sesBeliefAfter(
  belief: SesSuppressionBelief | null,
  event: RecipientEvent,
): SesSuppressionBelief | null {
  if (notSentOnAccountList(event)) {
    return {
      likely: true,
      reason: event.type === 'complaint' ? 'COMPLAINT' : (belief?.reason ?? 'BOUNCE'),
      since: belief?.since ?? event.occurredAt,
      eventId: belief?.eventId ?? event.id,
      mislabel: belief?.mislabel ?? false,
      reportedAt: laterReport(belief, event).reportedAt ?? event.occurredAt,
    };
  }
  if (isSesPermanentBounce(event)) {
    return {
      likely: true,
      reason: 'BOUNCE',
      since: event.occurredAt,
      eventId: event.id,
      mislabel: isSesMislabel(event),
      ...laterReport(belief, event),
    };
  }
  if (event.type === 'complaint') {
    return {
      likely: true,
      reason: 'COMPLAINT',
      since: event.occurredAt,
      eventId: event.id,
      mislabel: false,
      ...laterReport(belief, event),
    };
  }
  return belief;
}

/** A change to SES's list the policy would like to make, and why. */
interface WantedChange {
  action: SuppressionAction;
  reason: SuppressionReason | null;
  cause: SuppressionCause;
  why: string;
}

/** What the event calls for: nothing (with the reason), a change to SES's list, or withdrawing our pending request. */
type Intent =
  | { kind: 'nothing'; reason: string }
  | { kind: 'change'; wanted: WantedChange }
  | { kind: 'withdraw'; reason: string };

function bounceWithoutChange(
  c: Classification | null,
  summary: RecipientSummary,
  streak: StreakChange,
  settings: PolicySettings,
): string {
  if (streak.counted && settings.softBounceThreshold === 0)
    return `soft bounce ${summary.softStreak} in a row (soft-bounce suppression off)`;
  if (streak.counted && summary.softStreak > settings.softBounceThreshold)
    return `soft bounce ${summary.softStreak} in a row (the run reached ${settings.softBounceThreshold} before)`;
  return streak.counted
    ? `soft bounce ${summary.softStreak} of ${settings.softBounceThreshold}`
    : `not suppressed: ${c?.verdict ?? 'unclassified'} ${c?.category ?? ''}`.trim();
}

function mislabelIntent(
  c: Classification | null,
  summary: RecipientSummary,
  settings: PolicySettings,
): Intent {
  if (settings.repairSesFalseSuppressions && !isOurSuppressionActive(summary)) {
    return {
      kind: 'change',
      wanted: {
        action: 'delete',
        reason: null,
        cause: 'ses-mislabel-repair',
        why: `SES labelled a sender-side problem (${c?.category}) Permanent and likely suppressed a good address`,
      },
    };
  }
  const off = settings.repairSesFalseSuppressions ? '' : '; REPAIR_SES_FALSE_SUPPRESSIONS is off';
  return {
    kind: 'nothing',
    reason: `SES likely suppressed a good address (sender-side ${c?.category} labelled Permanent)${off}`,
  };
}

function brokenRunIntent(summary: RecipientSummary, event: RecipientEvent): Intent {
  const why = `the delivery of ${event.occurredAt} lies inside the soft-bounce run we suppressed for`;
  if (summary.suppression?.state === 'confirmed') {
    return {
      kind: 'change',
      wanted: { action: 'delete', reason: null, cause: 'soft-bounce-streak-revoked', why },
    };
  }
  // SES was not asked yet (pending) or never will be (dry run): withdrawing the request is enough, the worker
  // drops a message whose requestId the summary no longer waits for.
  return { kind: 'withdraw', reason: `${why}; the pending request is withdrawn` };
}

/** Step 4: what the event calls for, first match wins. */
function intentOf(
  summary: RecipientSummary,
  event: RecipientEvent,
  streak: StreakChange,
  settings: PolicySettings,
): Intent {
  const c = event.classification;
  if (notSentOnAccountList(event)) {
    return { kind: 'nothing', reason: 'already on the account suppression list (SES did not send)' };
  }
  if (event.type === 'bounce' && c?.suppress) {
    return {
      kind: 'change',
      wanted: { action: 'put', reason: 'BOUNCE', cause: 'hard-bounce', why: `hard bounce: ${c.category}` },
    };
  }
  if (streak.runBefore === null && streak.runAfter !== null) {
    const { from, to } = streak.runAfter;
    const why = `${settings.softBounceThreshold} soft bounces within ${settings.softBounceWindowDays} days without a delivery (${from} to ${to})`;
    return { kind: 'change', wanted: { action: 'put', reason: 'BOUNCE', cause: 'soft-bounce-streak', why } };
  }
  if (event.type === 'complaint') {
    const feedback = complaintHandling(event.complaint?.feedbackType ?? null);
    if (!feedback.suppresses) {
      return {
        kind: 'nothing',
        reason: `complaint of feedback type ${feedback.type} (${feedback.meaning}): recorded, not suppressed`,
      };
    }
    return settings.suppressOnComplaint
      ? {
          kind: 'change',
          wanted: { action: 'put', reason: 'COMPLAINT', cause: 'complaint', why: 'complaint' },
        }
      : { kind: 'nothing', reason: 'complaint; SUPPRESS_ON_COMPLAINT is off' };
  }
  if (isSesMislabel(event)) return mislabelIntent(c, summary, settings);
  if (event.type === 'bounce')
    return { kind: 'nothing', reason: bounceWithoutChange(c, summary, streak, settings) };
  if (streak.runBroken && isOurStreakSuppression(summary)) return brokenRunIntent(summary, event);
  return { kind: 'nothing', reason: 'delivery resets the soft-bounce streak' };
}

function decisionAction(wanted: WantedChange): Decision['action'] {
  if (wanted.action === 'put') return 'suppress';
  return wanted.cause === 'soft-bounce-streak-revoked' ? 'lift-suppression' : 'repair-ses-suppression';
}

/**
 * Step 5: a wanted change becomes a request unless we already suppress (for a put), the address is allowlisted (for
 * a put), or this is a dry run (the summary records it, SES is not asked).
 */
function requestChange(
  summary: RecipientSummary,
  event: RecipientEvent,
  wanted: WantedChange,
  decision: Decision,
  settings: PolicySettings,
  allowlisted: boolean,
): PolicyResult {
  if (wanted.action === 'put' && isOurSuppressionActive(summary)) {
    const reason = `${wanted.why}; already suppressed (${summary.suppression?.state})`;
    return { summary, decision: { ...decision, reason }, request: null };
  }
  if (wanted.action === 'put' && allowlisted) {
    const reason = `allowlisted: would have suppressed (${wanted.reason}, ${wanted.why})`;
    return { summary, decision: { ...decision, allowlisted: true, reason }, request: null };
  }
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
  const requested: Decision = {
    ...decision,
    action: decisionAction(wanted),
    suppressionReason: wanted.reason,
    reason: settings.dryRun ? `dry run: ${wanted.why}` : wanted.why,
    dryRun: settings.dryRun,
  };
  return {
    summary: { ...summary, suppression: status },
    decision: requested,
    request: settings.dryRun ? null : requestFromStatus(event.email, status),
  };
}

/** Applies one event to the recipient's summary and decides what, if anything, to ask SES for. */
export function applyEvent(
  previous: RecipientSummary | null,
  event: RecipientEvent,
  settings: PolicySettings,
  allowlisted: boolean,
): PolicyResult {
  const counted = countEvent(previous, event);
  const { summary: streaked, change } = advanceStreak(counted, event, settings);
  const summary = { ...streaked, sesSuppression: sesBeliefAfter(streaked.sesSuppression, event) };
  const intent = intentOf(summary, event, change, settings);
  const decision: Decision = {
    action: 'none',
    reason: intent.kind === 'change' ? intent.wanted.why : intent.reason,
    suppressionReason: null,
    softStreak: summary.softStreak,
    countsTowardStreak: change.counted,
    sesMislabel: isSesMislabel(event),
    allowlisted: false,
    dryRun: false,
  };
  switch (intent.kind) {
    case 'nothing':
      return { summary, decision, request: null };
    case 'withdraw': {
      const suppression = summary.suppression && {
        ...summary.suppression,
        state: 'cancelled' as const,
        updatedAt: event.recordedAt,
      };
      return {
        summary: { ...summary, suppression },
        decision: { ...decision, action: 'lift-suppression' },
        request: null,
      };
    }
    case 'change':
      return requestChange(summary, event, intent.wanted, decision, settings, allowlisted);
  }
}
