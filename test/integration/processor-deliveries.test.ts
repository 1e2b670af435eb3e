// Deliveries without an item of their own (issue #13): counted exactly once per batch through the delivery
// ledger, applied to a summary only where one exists, and still part of the soft-bounce streak.
import type { SQSBatchResponse } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { keys } from '../../lambdas/adapters/table-definition.ts';
import type { DeliveryHistory } from '../../lambdas/domain/delivery-history.ts';
import { processMessageBody } from '../../lambdas/domain/process-notification.ts';
import {
  bounceVariant,
  deliveryFor,
  type ProcessorStack,
  snsEnvelope,
  sqsEvent,
  sqsRecord,
  startProcessorStack,
} from '../support/processor-harness.ts';

let stack: ProcessorStack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const FULL = 'full@example.com';
const NEW = 'new.reader@example.net';

const softBounce = (n: number, timestamp: string) =>
  bounceVariant({
    feedbackId: `soft-${n}`,
    timestamp,
    email: FULL,
    bounceType: 'Transient',
    bounceSubType: 'MailboxFull',
    status: '4.2.2',
    diagnosticCode: 'smtp; 452 4.2.2 The email account that you tried to reach is over quota',
  });

async function start(
  opts: { deliveryHistory?: DeliveryHistory; now?: string } = {},
): Promise<ProcessorStack> {
  stack = await startProcessorStack({
    ...(opts.deliveryHistory ? { deliveryHistory: opts.deliveryHistory } : {}),
    ...(opts.now ? { now: () => new Date(opts.now as string) } : {}),
  });
  return stack;
}

async function batch(s: ProcessorStack, bodies: { body: string; sns: string }[], id: string) {
  const result = (await s.processor(
    sqsEvent(bodies.map(({ body, sns }, i) => sqsRecord(snsEnvelope(body, sns), `${id}-${i}`))),
  )) as SQSBatchResponse;
  expect(result.batchItemFailures).toEqual([]);
}

/** Every item of the table that is not a ledger entry or a counter (the per-address items). */
async function addressItems(s: ProcessorStack, email: string) {
  return s.queryAll(keys.recipientPk(email));
}

describe('deliveries to addresses without history', () => {
  it('are counted once per delivery, however often and however grouped they arrive, with no item per address', async () => {
    // Prepare: 12 deliveries to 12 new addresses on one day
    const s = await start();
    const bodies = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => ({
        body: await deliveryFor(
          `reader${i}@${i % 2 ? 'gmail.com' : 'example.org'}`,
          `2024-10-15T09:00:0${i % 10}.${100 + i}Z`,
          `msg-${i}`,
        ),
        sns: `sns-${i}`,
      })),
    );

    // Act: one batch with a copy of the first, then all of them again in other groupings (SQS and SNS redelivery)
    await batch(s, [...bodies.slice(0, 10), bodies[0] as { body: string; sns: string }], 'a');
    await batch(s, bodies.slice(5), 'b');
    await batch(
      s,
      bodies.slice(0, 6).map(({ body }, i) => ({ body, sns: `other-sns-${i}` })),
      'c',
    );

    // Assess
    expect(await s.dayCounter('2024-10-15', 'type:delivery')).toBe(12);
    expect(await s.dayCounter('2024-10-15', 'events')).toBe(12);
    for (let i = 0; i < 12; i += 1) {
      const email = `reader${i}@${i % 2 ? 'gmail.com' : 'example.org'}`;
      expect(await addressItems(s, email)).toEqual([]);
    }
  });
});

describe('deliveries to addresses with history', () => {
  for (const mode of ['none', 'recipients-with-history'] as const) {
    it(`${mode}: applied to the summary once; an event item only with recipients-with-history`, async () => {
      // Prepare: the address has a summary (a soft bounce)
      const s = await start({ deliveryHistory: mode });
      await batch(s, [{ body: await softBounce(1, '2024-10-01T10:00:00.000Z'), sns: 's1' }], 's1');
      const delivery = await deliveryFor(FULL, '2024-10-02T10:00:00.000Z', 'msg-d1');

      // Act: the delivery, then a copy of it
      await batch(s, [{ body: delivery, sns: 'd1' }], 'd1');
      await batch(s, [{ body: delivery, sns: 'd1-again' }], 'd1-again');

      // Assess
      expect(await s.summary(FULL)).toMatchObject({
        deliveries: 1,
        lastDeliveryAt: '2024-10-02T10:00:00.000Z',
        softStreak: 0,
      });
      expect(await s.dayCounter('2024-10-02', 'type:delivery')).toBe(1);
      const kept = (await s.events(FULL)).filter((e) => e.type === 'delivery');
      expect(kept).toHaveLength(mode === 'none' ? 0 : 1);
    });
  }

  it('a delivery counted before the address had a summary is not applied a second time when a copy arrives later', async () => {
    // Prepare: the delivery is counted (no summary yet), then a soft bounce of a minute earlier arrives
    const s = await start({ now: '2024-10-01T10:05:00.000Z' });
    const delivery = await deliveryFor(FULL, '2024-10-01T10:01:00.000Z', 'msg-d1');
    await batch(s, [{ body: delivery, sns: 'd1' }], 'd1');
    await batch(s, [{ body: await softBounce(1, '2024-10-01T10:00:00.000Z'), sns: 's1' }], 's1');

    // Act: a copy of the delivery, now that the address has a summary
    await batch(s, [{ body: delivery, sns: 'd1-copy' }], 'd1-copy');

    // Assess: the first summary learnt the counted delivery from the ledger; the copy changed nothing
    expect(await s.summary(FULL)).toMatchObject({
      soft: 1,
      deliveries: 1,
      lastDeliveryAt: '2024-10-01T10:01:00.000Z',
      softStreak: 0,
    });
    expect(await s.dayCounter('2024-10-01', 'type:delivery')).toBe(1);
  });
});

describe('the soft-bounce streak with counted deliveries', () => {
  it('a delivery counted before the first bounce arrived still breaks the run (event time, not arrival order)', async () => {
    // Prepare: the first soft bounce reaches the processor 5 minutes late; a delivery a minute after it was
    // counted meanwhile (the address had no summary)
    const s = await start({ now: '2024-10-01T10:05:00.000Z' });
    await batch(
      s,
      [{ body: await deliveryFor(FULL, '2024-10-01T10:01:00.000Z', 'msg-d1'), sns: 'd1' }],
      'd1',
    );

    // Act: three soft bounces within 14 days, the delivery between the first and the second
    await batch(s, [{ body: await softBounce(1, '2024-10-01T10:00:00.000Z'), sns: 's1' }], 's1');
    await batch(s, [{ body: await softBounce(2, '2024-10-02T10:00:00.000Z'), sns: 's2' }], 's2');
    await batch(s, [{ body: await softBounce(3, '2024-10-03T10:00:00.000Z'), sns: 's3' }], 's3');

    // Assess: no run of three without a delivery, no suppression
    expect(await s.summary(FULL)).toMatchObject({ soft: 3, deliveries: 1, softStreak: 2, suppression: null });
    expect(s.queue.sent).toEqual([]);
  });

  it('a delivery in the same batch as the first bounce still breaks the run (deliveries of a batch go first)', async () => {
    // Prepare: the first soft bounce and a delivery a minute after it arrive in one batch, the bounce first
    const s = await start({ now: '2024-10-01T10:05:00.000Z' });

    // Act
    await batch(
      s,
      [
        { body: await softBounce(1, '2024-10-01T10:00:00.000Z'), sns: 's1' },
        { body: await deliveryFor(FULL, '2024-10-01T10:01:00.000Z', 'msg-d1'), sns: 'd1' },
      ],
      'mixed',
    );
    await batch(s, [{ body: await softBounce(2, '2024-10-02T10:00:00.000Z'), sns: 's2' }], 's2');
    await batch(s, [{ body: await softBounce(3, '2024-10-03T10:00:00.000Z'), sns: 's3' }], 's3');

    // Assess: the delivery is in the summary and breaks the run
    expect(await s.summary(FULL)).toMatchObject({ soft: 3, deliveries: 1, softStreak: 2, suppression: null });
    expect(s.queue.sent).toEqual([]);
  });

  it('without the delivery the same bounces suppress', async () => {
    const s = await start({ now: '2024-10-01T10:05:00.000Z' });
    await batch(s, [{ body: await softBounce(1, '2024-10-01T10:00:00.000Z'), sns: 's1' }], 's1');
    await batch(s, [{ body: await softBounce(2, '2024-10-02T10:00:00.000Z'), sns: 's2' }], 's2');
    await batch(s, [{ body: await softBounce(3, '2024-10-03T10:00:00.000Z'), sns: 's3' }], 's3');

    expect(s.queue.sent).toMatchObject([{ action: 'put', cause: 'soft-bounce-streak', email: FULL }]);
  });

  it('a late delivery still lifts a streak suppression', async () => {
    // Prepare: three soft bounces suppressed the address
    const s = await start();
    await batch(s, [{ body: await softBounce(1, '2024-10-01T10:00:00.000Z'), sns: 's1' }], 's1');
    await batch(s, [{ body: await softBounce(2, '2024-10-02T10:00:00.000Z'), sns: 's2' }], 's2');
    await batch(s, [{ body: await softBounce(3, '2024-10-03T10:00:00.000Z'), sns: 's3' }], 's3');
    await s.drainSuppressionQueue();

    // Act: a delivery of the 2nd arrives late
    await batch(
      s,
      [{ body: await deliveryFor(FULL, '2024-10-02T12:00:00.000Z', 'msg-late'), sns: 'late' }],
      'late',
    );

    // Assess
    expect(s.queue.sent).toMatchObject([
      { action: 'delete', cause: 'soft-bounce-streak-revoked', email: FULL },
    ]);
  });
});

describe('data written by the model before issue #13', () => {
  it('a summary of deliveries only is no history: later deliveries are counted, a first bounce builds on it', async () => {
    // Prepare: as the former model left it, a delivery event and a summary for the delivered address
    const s = await start({ now: '2024-10-15T09:10:00.000Z' });
    const old = await deliveryFor(NEW, '2024-10-01T09:00:00.000Z', 'msg-old');
    await processMessageBody(snsEnvelope(old, 'old'), { ...s.deps, deliveryHistory: 'all' });
    const before = await s.summary(NEW);

    // Act: a delivery under the default, then a soft bounce a minute before it that arrives after it
    await batch(
      s,
      [{ body: await deliveryFor(NEW, '2024-10-15T09:01:00.000Z', 'msg-new'), sns: 'new' }],
      'new',
    );
    const unchanged = await s.summary(NEW);
    await batch(
      s,
      [
        {
          body: await bounceVariant({
            feedbackId: 'soft-new',
            timestamp: '2024-10-15T09:00:00.000Z',
            email: NEW,
            bounceType: 'Transient',
            bounceSubType: 'MailboxFull',
            status: '4.2.2',
            diagnosticCode: 'smtp; 452 4.2.2 Mailbox full',
          }),
          sns: 'soft',
        },
      ],
      'soft',
    );

    // Assess: the old items are read as they are; the counted delivery reached the summary with the bounce
    expect(before).toMatchObject({ deliveries: 1, lastDeliveryAt: '2024-10-01T09:00:00.000Z' });
    expect(unchanged).toEqual(before);
    expect(await s.events(NEW)).toMatchObject([{ type: 'delivery' }, { type: 'bounce' }]);
    expect(await s.summary(NEW)).toMatchObject({
      soft: 1,
      deliveries: 2,
      lastDeliveryAt: '2024-10-15T09:01:00.000Z',
      softStreak: 0,
    });
    expect(await s.dayCounter('2024-10-15', 'type:delivery')).toBe(1);
  });
});

describe('deliveryHistory all (the model before issue #13)', () => {
  it('keeps every delivery as an event and gives every delivered address a summary', async () => {
    const s = await start({ deliveryHistory: 'all' });
    await batch(s, [{ body: await deliveryFor(NEW, '2024-10-15T09:00:00.000Z', 'msg-1'), sns: 'x' }], 'x');

    expect(await s.events(NEW)).toMatchObject([{ type: 'delivery' }]);
    expect(await s.summary(NEW)).toMatchObject({ deliveries: 1, lastDeliveryAt: '2024-10-15T09:00:00.000Z' });
    expect(await s.dayCounter('2024-10-15', 'type:delivery')).toBe(1);
  });
});
