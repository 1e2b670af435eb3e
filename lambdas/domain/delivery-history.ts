// Deliveries are most of a sender's traffic (issue #13): which deliveries get an item of their own, and how the
// first summary of an address learns the deliveries that were only counted before the address had one. Pure.
import type { RecipientEvent } from './recipient-event.ts';
import {
  applyEvent,
  type Decision,
  type PolicyResult,
  type PolicySettings,
  type RecipientSummary,
} from './suppression-policy.ts';

/**
 * none: a delivery is counted (daily counters) and, when the address has a summary, applied to it; no delivery
 * is kept as an event. recipients-with-history: as none, and an address with a summary also keeps the delivery
 * in its history. all: every delivery is an event and every delivered address gets a summary (the model before
 * issue #13).
 */
export const DELIVERY_HISTORY_MODES = ['none', 'recipients-with-history', 'all'] as const;
export type DeliveryHistory = (typeof DELIVERY_HISTORY_MODES)[number];

/**
 * The cheapest mode that keeps every guarantee: the streak, the last delivery and the counts live in the summary
 * and the daily counters, none of them needs a delivery event.
 */
export const DEFAULT_DELIVERY_HISTORY: DeliveryHistory = 'none';

/**
 * How far before its own processing the first summary of an address looks for deliveries that were only counted
 * (event time): a bounce or complaint usually reaches the processor seconds after it happened.
 */
const DELIVERY_LOOKBACK_MS = 15 * 60_000;

/** A delivery read back from the delivery ledger (the count of a delivery to an address without a summary). */
export interface CountedDelivery {
  id: string;
  occurredAt: string;
}

/** The decision recorded for a delivery that was only counted. */
export const COUNTED_DELIVERY: Decision = {
  action: 'none',
  reason: 'delivery counted; the address has no history',
  suppressionReason: null,
  softStreak: 0,
  countsTowardStreak: false,
  sesMislabel: false,
  allowlisted: false,
  dryRun: false,
};

/**
 * Whether an address has history: a bounce, a complaint or a suppression. A summary of deliveries only (every
 * delivered address had one before issue #13) is no history: its deliveries are only counted from then on.
 */
export function hasHistory(summary: RecipientSummary | null): boolean {
  return (
    summary !== null &&
    (summary.hard + summary.soft + summary.complaints > 0 ||
      summary.suppression !== null ||
      summary.sesSuppression !== null)
  );
}

/** Whether this delivery is only counted: the address has no history and deliveries are not all kept. */
export function isCountedOnly(
  event: RecipientEvent,
  summary: RecipientSummary | null,
  mode: DeliveryHistory,
): boolean {
  return event.type === 'delivery' && !hasHistory(summary) && mode !== 'all';
}

/** Whether the event itself is stored as an item (bounces and complaints always). */
export function keepsEvent(event: RecipientEvent, mode: DeliveryHistory): boolean {
  return event.type !== 'delivery' || mode !== 'none';
}

/** The event-time window a first summary reads counted deliveries from: the event's time up to its processing. */
export function lookbackWindow(event: RecipientEvent): { from: string; to: string } {
  const earliest = new Date(Date.parse(event.recordedAt) - DELIVERY_LOOKBACK_MS).toISOString();
  // ISO-8601 UTC with milliseconds sorts as text: the later of the two.
  const [from = earliest] = [event.occurredAt, earliest].sort().reverse();
  return { from, to: event.recordedAt };
}

/**
 * The first history of an address (its summary so far, if any, holds deliveries only): the deliveries counted for
 * it since the event happened are applied first (in event time they lie after it, so they break any later run of
 * soft bounces), then the event decides.
 */
export function firstSummary(
  stored: RecipientSummary | null,
  event: RecipientEvent,
  counted: readonly CountedDelivery[],
  settings: PolicySettings,
  allowlisted: boolean,
): PolicyResult {
  let previous = stored;
  for (const delivery of [...counted].sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : 1))) {
    previous = applyEvent(
      previous,
      {
        ...event,
        id: delivery.id,
        type: 'delivery',
        occurredAt: delivery.occurredAt,
        feedbackId: null,
        bounce: null,
        classification: null,
        complaint: null,
        delivery: { smtpResponse: null, processingTimeMillis: null, reportingMta: null, remoteMtaIp: null },
      },
      settings,
      allowlisted,
    ).summary;
  }
  return applyEvent(previous, event, settings, allowlisted);
}
