// One recipient's messages processed by several invocations at once, with the same message in more than one of
// them (SQS redelivery, a duplicate SNS subscription): against dynalite and its transaction front, the events,
// summary and counters must come out exactly as if every message had been processed once, in any order.
import type { SQSBatchResponse } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixture,
  type ProcessorStack,
  snsEnvelope,
  sqsEvent,
  sqsRecord,
  startProcessorStack,
} from '../support/processor-harness.ts';

// soft (10-11), delivery (10-12), soft (10-16), soft (10-23) for one recipient
const FILES = [
  'ordering/27-bounce-transient-mailboxfull-interrupted-1.json',
  'ordering/28-delivery-resets-streak.json',
  'ordering/29-bounce-transient-mailboxfull-interrupted-2.json',
  'ordering/30-bounce-transient-mailboxfull-interrupted-3.json',
];
const ROUNDS = 25;

let stack: ProcessorStack;
beforeAll(async () => {
  // Every delivery kept (deliveryHistory all): the delivery is one of the four events counted here.
  stack = await startProcessorStack({ deliveryHistory: 'all' });
});
afterAll(async () => {
  await stack.close();
});

/** A seeded plan: which copies of which message go into which concurrent invocation, in which order. */
const planArbitrary = fc.record({
  copies: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 4, maxLength: 4 }),
  invocations: fc.integer({ min: 2, max: 6 }),
  order: fc.array(fc.integer(), { minLength: 20, maxLength: 20 }),
});

describe('concurrent invocations on one recipient (dynalite)', () => {
  it(`same and different messages at once, ${ROUNDS} seeded rounds: counts, summary and counters exact`, async () => {
    const plans = fc.sample(planArbitrary, { seed: 4242, numRuns: ROUNDS });
    const counters = () =>
      Promise.all(['type:bounce', 'type:delivery', 'events'].map((n) => stack.dayCounter('2026-10-16', n)));
    const before = await counters();
    for (const [round, plan] of plans.entries()) {
      // Prepare: each round its own recipient; every message in 1-3 copies spread over 2-4 invocations
      const email = `busy.${round}@hotmail.com`;
      const bodies = await Promise.all(
        FILES.map(async (f) => (await fixture(f)).replaceAll('sometimes.full@hotmail.com', email)),
      );
      const copies = bodies.flatMap((body, m) =>
        Array.from({ length: plan.copies[m] ?? 1 }, (_, c) => ({ body, id: `r${round}-m${m}-c${c}` })),
      );
      const shuffled = copies
        .map((copy, i) => ({ copy, key: plan.order[i] ?? i }))
        .sort((a, b) => a.key - b.key)
        .map((x) => x.copy);
      const batches: (typeof copies)[] = Array.from({ length: plan.invocations }, () => []);
      for (const [i, copy] of shuffled.entries()) batches[i % plan.invocations]?.push(copy);

      // Act: all invocations at once
      const results = (await Promise.all(
        batches.map((batch) =>
          stack.processor(sqsEvent(batch.map((c) => sqsRecord(snsEnvelope(c.body, c.id), c.id)))),
        ),
      )) as SQSBatchResponse[];

      // Assess
      const label = `round ${round}: ${JSON.stringify(plan.copies)} over ${plan.invocations}`;
      expect(
        results.flatMap((r) => r.batchItemFailures),
        label,
      ).toEqual([]);
      expect(await stack.events(email), label).toHaveLength(4);
      expect(await stack.summary(email), label).toMatchObject({
        hard: 0,
        soft: 3,
        complaints: 0,
        deliveries: 1,
        firstEventAt: '2026-10-11T06:00:10.000Z',
        lastEventAt: '2026-10-23T06:30:31.000Z',
        lastEventType: 'bounce',
        softStreak: 2,
        softBounceTimes: ['2026-10-11T06:00:10.000Z', '2026-10-16T06:30:51.000Z', '2026-10-23T06:30:31.000Z'],
        deliveryTimes: ['2026-10-12T20:00:29.128Z'],
        lastDeliveryAt: '2026-10-12T20:00:29.128Z',
      });
      const stored = await stack.store.getSummary(email);
      // Never suppressed, or (when the delivery came last) a streak request withdrawn before SES was asked.
      expect([null, 'cancelled'], label).toContain(stored?.summary.suppression?.state ?? null);
      // One summary write per recorded event: the version counts them.
      expect(stored?.version, label).toBe(4);
    }
    // The day of the second bounce got exactly one bounce per round, whatever ran twice.
    const after = await counters();
    expect(after.map((n, i) => n - (before[i] ?? 0))).toEqual([ROUNDS, 0, ROUNDS]);
    // 25 rounds of concurrent transactions against the embedded store: ~10 s on an idle 2-core machine, 30 s+ when
    // the machine is shared; a timeout here says nothing about correctness.
  }, 120_000);
});
