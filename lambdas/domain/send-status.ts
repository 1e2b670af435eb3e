// The one-word answer to "can I send to this address?", from our summary and SES's own suppression list. Pure.

export const SEND_STATUSES = ['ok', 'risky', 'suppressed'] as const;
export type SendStatus = (typeof SEND_STATUSES)[number];

export interface SendStatusInput {
  /** Our suppression state for the address: confirmed or requested (pending) counts as suppressed. */
  suppressed: boolean;
  /** SES says the address is on the account suppression list (null: unknown, e.g. SES unreachable). */
  onSesSuppressionList: boolean | null;
  softBounceStreak: number;
  hardBounces: number;
  complaints: number;
  /** ISO timestamps of the latest hard bounce and the latest delivery, if any. */
  lastHardBounceAt: string | null;
  lastDeliveryAt: string | null;
}

/**
 * `suppressed`: SES will not send (its list has the address) or we have put/asked to put it there.
 * `risky`: sendable, but the history says it may fail or hurt reputation: an open soft-bounce streak, a complaint,
 * or a hard bounce that was not followed by a delivery (e.g. a sender-side failure we deliberately did not suppress).
 * `ok`: everything else.
 */
export function sendStatusOf(input: SendStatusInput): SendStatus {
  if (input.suppressed || input.onSesSuppressionList === true) return 'suppressed';
  if (input.softBounceStreak > 0 || input.complaints > 0) return 'risky';
  const bouncedSinceDelivery =
    input.lastHardBounceAt !== null &&
    (input.lastDeliveryAt === null || input.lastHardBounceAt > input.lastDeliveryAt);
  if (input.hardBounces > 0 && bouncedSinceDelivery) return 'risky';
  return 'ok';
}
