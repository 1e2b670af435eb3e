// The soft-bounce streak against dynalite when SNS/SQS deliver a recipient's notifications out of order, one by
// one or all in one concurrently processed batch: the outcome must follow event time, never arrival order.
import type { SQSBatchResponse } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import {
  fixture,
  type ProcessorStack,
  snsEnvelope,
  sqsEvent,
  sqsRecord,
  startProcessorStack,
} from '../support/processor-harness.ts';

// samples 27-30: soft (10-11), delivery (10-12), soft (10-16), soft (10-23) for sometimes.full@hotmail.com
const INTERRUPTED = [
  'ordering/27-bounce-transient-mailboxfull-interrupted-1.json',
  'ordering/28-delivery-resets-streak.json',
  'ordering/29-bounce-transient-mailboxfull-interrupted-2.json',
  'ordering/30-bounce-transient-mailboxfull-interrupted-3.json',
];
// samples 24-26: three soft bounces within nine days for always.full@yahoo.com
const STREAK = [
  'ordering/24-bounce-transient-mailboxfull-streak-1-of-3.json',
  'ordering/25-bounce-transient-mailboxfull-streak-2-of-3.json',
  'ordering/26-bounce-transient-mailboxfull-streak-3-of-3.json',
];

/** Every ordering of n indexes, in a fixed order. */
function orders(n: number): number[][] {
  const all = (items: number[]): number[][] =>
    items.length <= 1
      ? [items]
      : items.flatMap((x, i) => all([...items.slice(0, i), ...items.slice(i + 1)]).map((r) => [x, ...r]));
  return all([...Array(n).keys()]);
}

/** The fixtures with the recipient renamed, so each ordering has its own summary in one table. */
async function documents(files: string[], from: string, to: string): Promise<string[]> {
  return Promise.all(files.map(async (f) => (await fixture(f)).replaceAll(from, to)));
}

let stack: ProcessorStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function sendOne(body: string, id: string): Promise<void> {
  const result = (await stack?.processor(
    sqsEvent([sqsRecord(snsEnvelope(body, id), id)]),
  )) as SQSBatchResponse;
  expect(result.batchItemFailures).toEqual([]);
}

async function sendBatch(bodies: string[], prefix: string): Promise<void> {
  const records = bodies.map((b, i) => sqsRecord(snsEnvelope(b, `${prefix}-${i}`), `${prefix}-${i}`));
  const result = (await stack?.processor(sqsEvent(records))) as SQSBatchResponse;
  expect(result.batchItemFailures).toEqual([]);
}

const ourSuppression = async (email: string) => {
  const s = (await stack?.summary(email))?.suppression;
  return s && s.action === 'put' && (s.state === 'pending' || s.state === 'confirmed') ? s.cause : null;
};

describe('soft-bounce streak regardless of arrival order (dynalite)', () => {
  // Every delivery kept (deliveryHistory all): here a bounce may reach the processor days after a later delivery.
  // With deliveries only counted, a first summary reads back the deliveries of the 15 minutes before it was
  // processed (lambdas/domain/delivery-history.ts; test/integration/processor-deliveries.test.ts).
  it('soft, delivery, soft, soft: never suppressed, streak 2, in all 24 orders one by one', async () => {
    // Prepare
    stack = await startProcessorStack({ deliveryHistory: 'all' });

    for (const [n, order] of orders(4).entries()) {
      const email = `sometimes.full+o${n}@hotmail.com`;
      const bodies = await documents(INTERRUPTED, 'sometimes.full@hotmail.com', email);

      // Act: one message at a time in this order; the worker runs after each, as the real queue may
      for (const i of order) {
        await sendOne(bodies[i] as string, `o${n}-${i}`);
        await stack.drainSuppressionQueue();
      }

      // Assess
      expect(await stack.summary(email), `order ${order}`).toMatchObject({
        soft: 3,
        deliveries: 1,
        softStreak: 2,
        lastDeliveryAt: '2026-10-12T20:00:29.128Z',
      });
      expect(await ourSuppression(email), `order ${order}`).toBeNull();
      expect(stack.ses.get(email), `order ${order}`).toBeUndefined();
    }
  });

  it('soft, delivery, soft, soft posted all at once: never suppressed, in all 24 orders', async () => {
    // Prepare (every delivery kept, as above)
    stack = await startProcessorStack({ deliveryHistory: 'all' });

    for (const [n, order] of orders(4)
      .filter((_, i) => i % 5 === 0)
      .entries()) {
      const email = `sometimes.full+b${n}@hotmail.com`;
      const bodies = await documents(INTERRUPTED, 'sometimes.full@hotmail.com', email);

      // Act: one batch, records processed concurrently
      await sendBatch(
        order.map((i) => bodies[i] as string),
        `b${n}`,
      );
      await stack.drainSuppressionQueue();

      // Assess
      expect(await stack.summary(email), `order ${order}`).toMatchObject({
        soft: 3,
        deliveries: 1,
        softStreak: 2,
      });
      expect(await ourSuppression(email), `order ${order}`).toBeNull();
      expect(stack.ses.get(email), `order ${order}`).toBeUndefined();
    }
  });

  it('three soft bounces: suppressed once with streak 3, in all 6 orders and all at once', async () => {
    // Prepare
    stack = await startProcessorStack();

    for (const [n, order] of orders(3).entries()) {
      const email = `always.full+o${n}@yahoo.com`;
      const batchEmail = `always.full+b${n}@yahoo.com`;
      const bodies = await documents(STREAK, 'always.full@yahoo.com', email);
      const batchBodies = await documents(STREAK, 'always.full@yahoo.com', batchEmail);

      // Act
      for (const i of order) await sendOne(bodies[i] as string, `s${n}-${i}`);
      await sendBatch(
        order.map((i) => batchBodies[i] as string),
        `sb${n}`,
      );
      const requests = stack.queue.sent.length;
      await stack.drainSuppressionQueue();

      // Assess
      expect(requests).toBe(2);
      for (const address of [email, batchEmail]) {
        expect(await stack.summary(address), `order ${order}`).toMatchObject({ soft: 3, softStreak: 3 });
        expect(await ourSuppression(address), `order ${order}`).toBe('soft-bounce-streak');
        expect(stack.ses.get(address)?.reason).toBe('BOUNCE');
      }
    }
  });

  it('a delivery arriving after SES confirmed the streak suppression lifts it, with an audit event', async () => {
    // Prepare: the three bounces first; the worker puts the address on the list
    stack = await startProcessorStack();
    const email = 'sometimes.full@hotmail.com';
    const [s1, delivery, s2, s3] = await documents(INTERRUPTED, email, email);
    for (const [i, body] of [s1, s2, s3].entries()) await sendOne(body as string, `late-${i}`);
    await stack.drainSuppressionQueue();
    const suppressedFirst = stack.ses.get(email)?.reason;

    // Act: the older delivery arrives
    await sendOne(delivery as string, 'late-delivery');
    await stack.drainSuppressionQueue();

    // Assess
    expect(suppressedFirst).toBe('BOUNCE');
    expect(stack.ses.get(email)).toBeUndefined();
    expect(await stack.summary(email)).toMatchObject({
      softStreak: 2,
      suppression: { action: 'delete', state: 'confirmed', cause: 'soft-bounce-streak-revoked' },
    });
    const audits = (await stack.events(email)).filter((e) => e.type === 'audit');
    expect(audits).toEqual([expect.objectContaining({ action: 'ses-suppression-removed' })]);
  });
});
