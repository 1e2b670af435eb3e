// The delivery ledger's items (issue #13, low volume): a minute's item takes the minute's counted deliveries while
// that is cheap, is closed for good when it is not, and the minute's further deliveries go to their seconds' items;
// every copy of a delivery still finds its entry, also across an upgrade from the per-second items alone.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { ledgerItemOf, ledgerUpdate } from '../../lambdas/adapters/dynamo-items.ts';
import { keys, MINUTE_LEDGER_SK } from '../../lambdas/adapters/table-definition.ts';
import { classifyBounce } from '../../lambdas/domain/classify.ts';
import { buildRecipientEvents, type RecipientEvent } from '../../lambdas/domain/recipient-event.ts';
import { parseSesDocument } from '../../lambdas/domain/ses-notification.ts';
import {
  bounceVariant,
  deliveryFor,
  type ProcessorStack,
  snsEnvelope,
  sqsEvent,
  sqsRecord,
  startProcessorStack,
  TABLE,
} from '../support/processor-harness.ts';

let stack: ProcessorStack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

type Body = { body: string; sns: string };

async function start(opts: Parameters<typeof startProcessorStack>[0] = {}): Promise<ProcessorStack> {
  stack = await startProcessorStack(opts);
  return stack;
}

async function batch(s: ProcessorStack, bodies: readonly Body[], id: string) {
  const result = (await s.processor(
    sqsEvent(bodies.map(({ body, sns }, i) => sqsRecord(snsEnvelope(body, sns), `${id}-${i}`))),
  )) as SQSBatchResponse;
  expect(result.batchItemFailures).toEqual([]);
}

/** Deliveries to new addresses (two domains), the i-th at `at(i)`. */
async function deliveries(n: number, at: (i: number) => string, run: string): Promise<Body[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => ({
      body: await deliveryFor(`${run}${i}@${i % 2 ? 'gmail.com' : 'example.org'}`, at(i), `${run}-msg-${i}`),
      sns: `${run}-sns-${i}`,
    })),
  );
}

/** The recipient event of a delivery's SES document, as the processor builds it. */
function eventOf(body: string): RecipientEvent {
  const parsed = parseSesDocument(JSON.parse(body));
  if (parsed.kind !== 'notification') throw new Error('the delivery must parse');
  const [event] = buildRecipientEvents(parsed.notification, {
    recordedAt: '2024-10-15T09:10:00.000Z',
    snsMessageId: null,
    classify: classifyBounce,
  }).events;
  if (!event) throw new Error('the delivery has a recipient');
  return event;
}

/** The ledger items of a minute of event time, by sort key, and the event ids entered in them. */
async function ledgerOf(s: ProcessorStack, minute: string) {
  const items = await s.queryAll(keys.minuteDeliveryLedger(`${minute}:00.000Z`).pk);
  const ids = items.flatMap((item) => [...ledgerItemOf(item).entries].map((entry) => entry.slice(0, 32)));
  return {
    sortKeys: items.map((item) => String(item.sk)),
    minute: items.find((item) => item.sk === MINUTE_LEDGER_SK),
    ids,
  };
}

/** In several groupings, with a copy inside one batch, under other SNS ids: what SNS and SQS redelivery do. */
async function replay(s: ProcessorStack, bodies: readonly Body[], id: string) {
  const half = Math.ceil(bodies.length / 2);
  await batch(s, [...bodies.slice(half), ...bodies.slice(0, 1)], `${id}-a`);
  await batch(
    s,
    bodies.slice(0, half).map(({ body }, i) => ({ body, sns: `${id}-other-${i}` })),
    `${id}-b`,
  );
}

describe('the delivery ledger at a low rate', () => {
  it("enters a minute's deliveries in one item of that minute, each once", async () => {
    // Prepare: 24 deliveries 2.5 s apart (0.4 a second, ~1 M sent a month), one minute of event time
    const s = await start();
    const bodies = await deliveries(
      24,
      (i) => new Date(Date.parse('2024-10-15T09:00:00.000Z') + i * 2500).toISOString(),
      'low',
    );

    // Act: counted together (the records of a batch gathered by a 60 s window), then every copy through the processor
    const outcomes = await Promise.all(bodies.map(({ body }) => s.store.countDelivery(eventOf(body))));
    await replay(s, bodies, 'again');

    // Assess: one item for the minute, holding the 24 entries; counted 24 times
    const ledger = await ledgerOf(s, '2024-10-15T09:00');
    expect(outcomes).toEqual(bodies.map(() => 'recorded'));
    expect(ledger.sortKeys).toEqual([MINUTE_LEDGER_SK]);
    expect(ledger.minute?.closed).toBeUndefined();
    expect(new Set(ledger.ids).size).toBe(24);
    expect(ledger.ids).toHaveLength(24);
    expect(await s.dayCounter('2024-10-15', 'type:delivery')).toBe(24);
    expect(await s.dayCounter('2024-10-15', 'events')).toBe(24);
  });
});

describe('the delivery ledger at a high rate', () => {
  it("closes the minute's item and enters the rest in their seconds' items; copies from either are duplicates", async () => {
    // Prepare: 40 deliveries within one second, in batches of 4 (records the handler takes at once)
    const s = await start();
    const bodies = await deliveries(
      40,
      (i) => `2024-10-15T09:00:00.${String(100 + i * 10).padStart(3, '0')}Z`,
      'busy',
    );

    // Act
    for (let from = 0; from < bodies.length; from += 4)
      await batch(s, bodies.slice(from, from + 4), `first-${from}`);
    await replay(s, bodies, 'again');

    // Assess: the minute's item took some and is closed; the second's item the rest; each delivery once
    const ledger = await ledgerOf(s, '2024-10-15T09:00');
    expect(ledger.sortKeys.sort()).toEqual(['00', MINUTE_LEDGER_SK]);
    expect(ledger.minute?.closed).toBe(true);
    expect(ledger.minute?.entries).toBeInstanceOf(Set);
    expect(new Set(ledger.ids).size).toBe(40);
    expect(ledger.ids).toHaveLength(40);
    expect(await s.dayCounter('2024-10-15', 'type:delivery')).toBe(40);
  });

  it("a copy of a delivery in a closed minute's item, arriving once the address has a summary, is a duplicate", async () => {
    // Prepare: the deliveries of one second fill and close the minute; the first of them was entered in the minute's
    // item; then the address's first (earlier) soft bounce arrives and learns that delivery from the ledger
    const s = await start({ now: () => new Date('2024-10-15T09:10:00.000Z') });
    const bodies = await deliveries(
      40,
      (i) => `2024-10-15T09:00:00.${String(100 + i * 10).padStart(3, '0')}Z`,
      'hist',
    );
    for (let from = 0; from < bodies.length; from += 4)
      await batch(s, bodies.slice(from, from + 4), `first-${from}`);
    const soft = await bounceVariant({
      feedbackId: 'soft-hist0',
      timestamp: '2024-10-15T08:59:00.000Z',
      email: 'hist0@example.org',
      bounceType: 'Transient',
      bounceSubType: 'MailboxFull',
      status: '4.2.2',
      diagnosticCode: 'smtp; 452 4.2.2 Mailbox full',
    });
    await batch(s, [{ body: soft, sns: 'soft' }], 'soft');
    const before = await s.summary('hist0@example.org');

    // Act: the first delivery again (applied to summaries now: its ledger entry goes in the summary's transaction)
    await batch(s, [{ body: (bodies[0] as Body).body, sns: 'copy' }], 'copy');

    // Assess: nothing applied twice, nothing counted twice
    expect((await ledgerOf(s, '2024-10-15T09:00')).minute?.closed).toBe(true);
    expect(before).toMatchObject({ deliveries: 1, soft: 1 });
    expect(await s.summary('hist0@example.org')).toEqual(before);
    expect(await s.dayCounter('2024-10-15', 'type:delivery')).toBe(40);
  });
});

describe('the delivery ledger across the upgrade from per-second items alone', () => {
  it("a minute with a second's item of the version before is closed at once, so that item keeps guarding its deliveries", async () => {
    // Prepare: the version before counted a delivery in its second's item (the same codec, unchanged)
    const s = await start();
    const [old, ...later] = await deliveries(
      3,
      (i) => `2024-10-15T09:00:${String(10 + i).padStart(2, '0')}.500Z`,
      'upgrade',
    );
    const event = eventOf((old as Body).body);
    await s.doc.send(new UpdateCommand({ TableName: TABLE, ...ledgerUpdate(event.occurredAt, [event]) }));

    // Act: its copy and two new deliveries of the same minute reach this version
    await batch(s, [old as Body, ...later], 'after-upgrade');
    await replay(s, later, 'again');

    // Assess: the copy is a duplicate; the minute is closed, the new ones are in their seconds' items, each once
    const ledger = await ledgerOf(s, '2024-10-15T09:00');
    expect(ledger.sortKeys.sort()).toEqual(['10', '11', '12', MINUTE_LEDGER_SK]);
    expect(ledger.minute).toMatchObject({ closed: true });
    expect(ledger.minute?.entries).toBeUndefined();
    expect(ledger.ids).toHaveLength(3);
    expect(new Set(ledger.ids).size).toBe(3);
    expect(await s.dayCounter('2024-10-15', 'type:delivery')).toBe(3);
  });
});
