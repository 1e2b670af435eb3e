// Summary items as the processor writes them (through the one summary codec), for tests that seed a mocked table:
// a complete summary of `email` with only the fields a test cares about overridden.
import { summaryItem } from '../../lambdas/adapters/dynamo-items.ts';
import type { RecipientSummary, SuppressionStatus } from '../../lambdas/domain/suppression-policy.ts';

export function summaryItemOf(
  email: string,
  overrides: Partial<RecipientSummary> = {},
  version = 1,
): Record<string, unknown> {
  const at = '2024-10-01T00:00:00.000Z';
  return summaryItem(
    {
      email,
      emailDisplay: email,
      domain: email.slice(email.lastIndexOf('@') + 1),
      hard: 0,
      soft: 0,
      complaints: 0,
      deliveries: 0,
      onAccountList: 0,
      firstEventAt: at,
      lastEventAt: at,
      lastEventId: '0'.repeat(32),
      lastEventType: 'delivery',
      softStreak: 0,
      softBounceTimes: [],
      deliveryTimes: [],
      streakForgottenUntil: null,
      lastDeliveryAt: null,
      suppression: null,
      sesSuppression: null,
      ...overrides,
    },
    version,
  );
}

/** A pending suppression request as the processor records it on the summary. */
export function pendingSuppression(
  requestId: string,
  action: SuppressionStatus['action'],
  cause: SuppressionStatus['cause'] = 'hard-bounce',
): SuppressionStatus {
  return {
    state: 'pending',
    action,
    reason: action === 'put' ? 'BOUNCE' : null,
    cause,
    since: '2026-11-26T00:00:00.000Z',
    eventId: requestId,
    requestId,
    updatedAt: '2026-11-26T00:00:00.000Z',
  };
}
