// Use case of the processor: one inbound message → parsed → one recorded event per recipient (exactly once) →
// suppression requests queued. No AWS, no logger: the handler turns the returned outcomes into logs and metrics.

import { allowlistCoverage } from './allowlist.ts';
import type { BounceInput, Classification } from './classification.ts';
import {
  COUNTED_DELIVERY,
  type DeliveryHistory,
  firstSummary,
  hasHistory,
  isCountedOnly,
  keepsEvent,
  lookbackWindow,
} from './delivery-history.ts';
import type { Allowlist, EventStore, SuppressionQueue } from './ports.ts';
import { buildRecipientEvents, type InvalidRecipient, type RecipientEvent } from './recipient-event.ts';
import { type AttemptResult, again, contentionPause, done, type RetryPolicy, retry } from './retry.ts';
import {
  type ParsedMessage,
  parseMessageBody,
  type Rejection,
  type SesNotification,
} from './ses-notification.ts';
import {
  applyEvent,
  type Decision,
  type PolicySettings,
  type RecipientSummary,
  requestFromStatus,
  type SuppressionRequest,
} from './suppression-policy.ts';

export interface ProcessorDependencies {
  store: EventStore;
  queue: SuppressionQueue;
  allowlist: Allowlist;
  classify: (input: BounceInput) => Classification;
  settings: PolicySettings;
  /** Which deliveries are kept as events (delivery-history.ts). */
  deliveryHistory: DeliveryHistory;
  now: () => Date;
  /** Pause before retrying a transaction conflict; injected so tests do not wait. */
  sleep: (ms: number) => Promise<void>;
}

type RecipientOutcome =
  | { status: 'recorded'; event: RecipientEvent; decision: Decision; requestSent: SuppressionRequest | null }
  | { status: 'duplicate'; event: RecipientEvent; requestResent: SuppressionRequest | null };

export type MessageOutcome =
  | {
      kind: 'processed';
      notification: SesNotification;
      snsMessageId: string | null;
      recipients: RecipientOutcome[];
      /** Set when some recipients had unusable addresses: the others are recorded, the message must be parked. */
      rejection: Rejection | null;
    }
  | { kind: 'ignored'; eventType: string; snsMessageId: string | null }
  | { kind: 'rejected'; rejection: Rejection; snsMessageId: string | null };

/** A failure a retry can fix (contention that outlasted our retries); the caller lets SQS/Lambda retry. */
export class TransientProcessingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientProcessingError';
  }
}

const MAX_ATTEMPTS = 6;

async function recordRecipientEvent(
  event: RecipientEvent,
  deps: ProcessorDependencies,
): Promise<RecipientOutcome> {
  const allowlisted =
    (await allowlistCoverage((kind, value) => deps.allowlist.has(kind, value), event.email, event.domain)) !==
    null;
  const policy: RetryPolicy = {
    attempts: MAX_ATTEMPTS,
    // Pauses after a transaction conflict; a changed summary is re-read at once.
    pauseMs: contentionPause,
    sleep: deps.sleep,
  };
  return retry(
    policy,
    async (): Promise<AttemptResult<RecipientOutcome>> => {
      const stored = await deps.store.getSummary(event.email);
      const mode = deps.deliveryHistory;
      if (isCountedOnly(event, stored?.summary ?? null, mode)) {
        const counted = await deps.store.countDelivery(event);
        return done(
          counted === 'recorded'
            ? { status: 'recorded', event, decision: COUNTED_DELIVERY, requestSent: null }
            : { status: 'duplicate', event, requestResent: null },
        );
      }
      const result =
        stored && (hasHistory(stored.summary) || mode === 'all')
          ? applyEvent(stored.summary, event, deps.settings, allowlisted)
          : await firstResult(stored?.summary ?? null, event, deps, allowlisted);
      const recorded = await deps.store.recordEvent({
        event,
        decision: result.decision,
        summary: result.summary,
        expectedVersion: stored?.version ?? null,
        storedExpiresAt: stored?.expiresAt ?? null,
        keepEvent: keepsEvent(event, mode),
        ledger: event.type === 'delivery' && mode !== 'all',
      });
      if (recorded === 'recorded') {
        if (result.request) await deps.queue.send(result.request);
        return done({ status: 'recorded', event, decision: result.decision, requestSent: result.request });
      }
      if (recorded === 'duplicate') return done(await resendPending(event, deps));
      return again(recorded === 'conflict');
    },
    () => {
      throw new TransientProcessingError(
        `event ${event.id}: the summary or counters stayed contended after ${MAX_ATTEMPTS} attempts`,
      );
    },
  );
}

/** The first history of an address learns the deliveries that were only counted since the event happened. */
async function firstResult(
  stored: RecipientSummary | null,
  event: RecipientEvent,
  deps: ProcessorDependencies,
  allowlisted: boolean,
) {
  if (deps.deliveryHistory === 'all') return applyEvent(stored, event, deps.settings, allowlisted);
  const { from, to } = lookbackWindow(event);
  const counted = from <= to ? await deps.store.countedDeliveries(event.email, from, to) : [];
  return firstSummary(stored, event, counted, deps.settings, allowlisted);
}

/** The first delivery may have died between its commit and its SendMessage: re-send what is still pending. */
async function resendPending(event: RecipientEvent, deps: ProcessorDependencies): Promise<RecipientOutcome> {
  const current = await deps.store.getSummary(event.email);
  const pending = current?.summary.suppression;
  if (pending && pending.state === 'pending' && pending.requestId === event.id) {
    const request = requestFromStatus(event.email, pending);
    await deps.queue.send(request);
    return { status: 'duplicate', event, requestResent: request };
  }
  return { status: 'duplicate', event, requestResent: null };
}

/** One parsed message through the use case (the processor's glue parses a batch first to order it). */
export async function processParsedMessage(
  parsed: ParsedMessage,
  deps: ProcessorDependencies,
): Promise<MessageOutcome> {
  if (parsed.kind !== 'notification') return parsed;
  const { notification, snsMessageId, snsPublishedAt } = parsed;
  const recordedAt = deps.now().toISOString();
  const { events, invalid } = buildRecipientEvents(notification, {
    recordedAt,
    // SNS's publish time is the same on every redelivery, so a clamped event time keeps the event's key.
    receivedAt: snsPublishedAt ?? recordedAt,
    snsMessageId,
    classify: deps.classify,
  });
  const recipients: RecipientOutcome[] = [];
  for (const event of events) recipients.push(await recordRecipientEvent(event, deps));
  return {
    kind: 'processed',
    notification,
    snsMessageId,
    recipients,
    rejection: invalidRejection(notification, invalid),
  };
}

function invalidRejection(notification: SesNotification, invalid: InvalidRecipient[]): Rejection | null {
  if (invalid.length === 0) return null;
  const field =
    notification.type === 'bounce'
      ? 'bounce.bouncedRecipients'
      : notification.type === 'complaint'
        ? 'complaint.complainedRecipients'
        : 'delivery.recipients';
  return {
    code: 'invalid-recipient-address',
    detail: invalid.map((i) => `${field}[${i.index}]: ${i.reason}`).join('; '),
  };
}

/** An SQS body: SNS's envelope, or the SES document itself under raw message delivery. */
export function processMessageBody(body: string, deps: ProcessorDependencies): Promise<MessageOutcome> {
  return processParsedMessage(parseMessageBody(body), deps);
}
