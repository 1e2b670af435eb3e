// applyEvent split into named steps behaves exactly like the 190-line function it replaced (frozen in
// test/support/apply-event-before.ts): same summary, decision and request for generated summaries, events,
// settings and allowlist flags, both from arbitrary summaries and along generated histories.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLAMES, CATEGORIES, type Classification, VERDICTS } from '../../lambdas/domain/classification.ts';
import type { RecipientEvent } from '../../lambdas/domain/recipient-event.ts';
import {
  applyEvent,
  type PolicySettings,
  type RecipientSummary,
  SUPPRESSION_CAUSES,
  SUPPRESSION_STATES,
  type SuppressionStatus,
} from '../../lambdas/domain/suppression-policy.ts';
import { applyEvent as applyEventBefore } from '../support/apply-event-before.ts';

const BASE = Date.parse('2024-10-01T00:00:00.000Z');
/** Times over ~40 days in 6-hour steps: windows, ties and reorderings all occur. */
const time = fc.integer({ min: 0, max: 160 }).map((i) => new Date(BASE + i * 6 * 3_600_000).toISOString());
const sortedTimes = fc.uniqueArray(time, { maxLength: 10 }).map((ts) => [...ts].sort());

const classification: fc.Arbitrary<Classification> = fc.record({
  verdict: fc.constantFrom(...VERDICTS),
  category: fc.constantFrom(...CATEGORIES),
  blame: fc.constantFrom(...BLAMES),
  suppress: fc.boolean(),
  code: fc.constant(null),
  codeTitle: fc.constant(null),
  evidence: fc.constant('generated'),
});

const settings: fc.Arbitrary<PolicySettings> = fc.record({
  softBounceThreshold: fc.integer({ min: 1, max: 5 }),
  softBounceWindowDays: fc.integer({ min: 1, max: 20 }),
  suppressOnComplaint: fc.boolean(),
  repairSesFalseSuppressions: fc.boolean(),
  dryRun: fc.boolean(),
});

const event: fc.Arbitrary<RecipientEvent> = fc
  .record({
    id: fc.stringMatching(/^[0-9a-f]{32}$/),
    type: fc.constantFrom('bounce', 'bounce', 'complaint', 'delivery', 'delivery'),
    occurredAt: time,
    recordedAt: time,
    classification: fc.option(classification, { freq: 8 }),
    bounceType: fc.constantFrom('Permanent', 'Transient', 'Undetermined'),
    bounceSubType: fc.constantFrom('General', 'Suppressed', 'OnAccountSuppressionList', 'MailboxFull'),
    complaintSubType: fc.constantFrom(null, 'OnAccountSuppressionList'),
    emailDisplay: fc.constantFrom('R <r@example.com>', 'r@example.com'),
  })
  .map(
    (g): RecipientEvent => ({
      id: g.id,
      type: g.type,
      email: 'r@example.com',
      emailDisplay: g.emailDisplay,
      domain: 'example.com',
      occurredAt: g.occurredAt,
      recordedAt: g.recordedAt,
      sesMessageId: 'm',
      feedbackId: null,
      snsMessageId: null,
      format: 'notification',
      source: null,
      sourceArn: null,
      configurationSet: null,
      sendingAccountId: null,
      subject: null,
      bounce:
        g.type === 'bounce'
          ? {
              bounceType: g.bounceType,
              bounceSubType: g.bounceSubType,
              action: 'failed',
              status: null,
              diagnosticCode: null,
              reportingMta: null,
              remoteMtaIp: null,
            }
          : null,
      classification: g.type === 'bounce' ? g.classification : null,
      complaint:
        g.type === 'complaint'
          ? {
              complaintSubType: g.complaintSubType,
              feedbackType: 'abuse',
              userAgent: null,
              arrivalDate: null,
            }
          : null,
      delivery: null,
    }),
  );

const suppression: fc.Arbitrary<SuppressionStatus | null> = fc.option(
  fc.record({
    state: fc.constantFrom(...SUPPRESSION_STATES),
    action: fc.constantFrom('put' as const, 'delete' as const),
    reason: fc.constantFrom('BOUNCE' as const, 'COMPLAINT' as const, null),
    cause: fc.constantFrom(...SUPPRESSION_CAUSES),
    since: time,
    eventId: fc.constant('e'.repeat(32)),
    requestId: fc.constant('e'.repeat(32)),
    updatedAt: time,
  }),
);

const summary: fc.Arbitrary<RecipientSummary> = fc
  .record({
    first: time,
    last: time,
    counts: fc.array(fc.nat({ max: 5 }), { minLength: 5, maxLength: 5 }),
    softBounceTimes: sortedTimes,
    deliveryTimes: sortedTimes,
    streakForgottenUntil: fc.option(time),
    lastDeliveryAt: fc.option(time),
    lastEventType: fc.constantFrom('bounce', 'complaint', 'delivery'),
    suppression,
    sesSuppression: fc.option(
      fc.record(
        {
          likely: fc.boolean(),
          reason: fc.constantFrom('BOUNCE' as const, 'COMPLAINT' as const),
          since: time,
          eventId: fc.constant('s'.repeat(32)),
          mislabel: fc.boolean(),
        },
        { requiredKeys: ['likely', 'mislabel'] },
      ),
    ),
  })
  .map(
    (g): RecipientSummary => ({
      email: 'r@example.com',
      emailDisplay: 'r@example.com',
      domain: 'example.com',
      hard: g.counts[0] ?? 0,
      soft: g.counts[1] ?? 0,
      complaints: g.counts[2] ?? 0,
      deliveries: g.counts[3] ?? 0,
      firstEventAt: [g.first, g.last].sort()[0] ?? g.first,
      lastEventAt: [g.first, g.last].sort()[1] ?? g.last,
      lastEventId: 'l'.repeat(32),
      lastEventType: g.lastEventType,
      softStreak: g.counts[4] ?? 0,
      softBounceTimes: g.softBounceTimes.filter(
        (t) => g.streakForgottenUntil === null || t > g.streakForgottenUntil,
      ),
      deliveryTimes: g.deliveryTimes.filter(
        (t) => g.streakForgottenUntil === null || t > g.streakForgottenUntil,
      ),
      streakForgottenUntil: g.streakForgottenUntil,
      lastDeliveryAt: g.lastDeliveryAt,
      suppression: g.suppression,
      sesSuppression: g.sesSuppression,
    }),
  );

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  for (const v of Object.values(value)) deepFreeze(v);
  Object.freeze(value);
}

describe('applyEvent as named steps', () => {
  it('matches the former applyEvent from any summary', () => {
    fc.assert(
      fc.property(fc.option(summary), event, settings, fc.boolean(), (previous, e, s, allowlisted) => {
        deepFreeze(previous); // neither version may change the summary it was given
        expect(applyEvent(previous, e, s, allowlisted)).toStrictEqual(
          applyEventBefore(previous, e, s, allowlisted),
        );
      }),
      { seed: 20261207, numRuns: 20_000 },
    );
  });

  it('matches the former applyEvent along generated histories', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(event, fc.boolean()), { minLength: 1, maxLength: 30 }),
        settings,
        (steps, s) => {
          let previous: RecipientSummary | null = null;
          for (const [e, allowlisted] of steps) {
            const after = applyEvent(previous, e, s, allowlisted);
            expect(after).toStrictEqual(applyEventBefore(previous, e, s, allowlisted));
            previous = after.summary;
          }
        },
      ),
      { seed: 20261208, numRuns: 3_000 },
    );
  });
});
