// Erasure and the delivery path of issue #13, under every deliveryHistory setting: the SES notifications of an
// erased recipient (a delivery only counted before its first bounce, bounces, a delivery applied to its summary)
// redelivered after the erasure are all duplicates; they count nothing and recreate nothing (the whole table is
// the same item for item), and another recipient's redelivered delivery is still recognised as a duplicate.
import { readFileSync } from 'node:fs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_HISTORY_MODES } from '../../lambdas/domain/delivery-history.ts';
import { type ApiStack, startApiStack } from '../support/api-harness.ts';

const NOW = new Date('2026-10-19T12:00:00Z');
const ERASED = 'sometimes.full@hotmail.com';
const KEPT = 'happy.customer@gmail.com';

interface Notification {
  mail: { timestamp: string; messageId: string };
  delivery?: { timestamp: string };
}

function sample(name: string): Notification {
  return JSON.parse(readFileSync(new URL(`../../samples/${name}`, import.meta.url), 'utf8')) as Notification;
}

/** Sample 28 (a delivery to the erased recipient) sent again two days before its first bounce: its own message. */
function deliveryBeforeFirstBounce(): Notification {
  const delivery = sample('28-delivery-resets-streak.json');
  delivery.mail.timestamp = '2026-10-09T09:30:00.118Z';
  delivery.mail.messageId = '010001927d2c5b10-2b3c4d5e-6f70-4819-a2b3-c4d5e6f70899-000000';
  if (delivery.delivery) delivery.delivery.timestamp = '2026-10-09T09:30:02.004Z';
  return delivery;
}

const ERASED_NOTIFICATIONS = [
  deliveryBeforeFirstBounce(),
  sample('27-bounce-transient-mailboxfull-interrupted-1.json'),
  sample('28-delivery-resets-streak.json'),
  sample('29-bounce-transient-mailboxfull-interrupted-2.json'),
];
const KEPT_DELIVERY = sample('11-delivery.json');

describe.each(DELIVERY_HISTORY_MODES)('deliveryHistory=%s: erasure and redelivered deliveries', (mode) => {
  let stack: ApiStack;

  /** The whole table, item for item, in a stable order. */
  async function table(): Promise<string[]> {
    const out = await stack.documents.send(new ScanCommand({ TableName: stack.tableName }));
    return (out.Items ?? [])
      .map((item) => JSON.stringify(item, (_, value) => (value instanceof Set ? [...value].sort() : value)))
      .sort();
  }

  beforeAll(async () => {
    stack = await startApiStack(NOW, mode);
    for (const notification of [...ERASED_NOTIFICATIONS, KEPT_DELIVERY]) await stack.process(notification);
  });

  afterAll(async () => {
    await stack.close();
  });

  it('an erased recipient: every redelivered notification is a duplicate, nothing is counted or recreated', async () => {
    // Prepare
    const before = await stack.call('GET', `/recipients/${ERASED}`, { query: { ses: 'false' } });
    const erased = await stack.call('DELETE', `/recipients/${ERASED}`);
    const afterErasure = await table();
    // Act
    const outcomes = [];
    for (let copy = 0; copy < 2; copy += 1) {
      for (const notification of ERASED_NOTIFICATIONS) outcomes.push(await stack.process(notification));
    }
    // Assess
    expect(before.json).toMatchObject({ counts: { soft: 2, deliveries: mode === 'all' ? 2 : 1 } });
    expect(erased.status, erased.body).toBe(200);
    expect(
      outcomes.flatMap((o) => (o.kind === 'processed' ? o.recipients.map((r) => r.status) : [o.kind])),
    ).toEqual(Array(8).fill('duplicate'));
    expect(await table()).toEqual(afterErasure);
    expect((await stack.call('GET', `/recipients/${ERASED}`)).status).toBe(404);
    expect(afterErasure.filter((item) => item.includes(ERASED))).toEqual([]);
  });

  it("another recipient's redelivered delivery is still a duplicate", async () => {
    // Prepare
    const before = await table();
    // Act
    const outcome = await stack.process(KEPT_DELIVERY);
    // Assess
    expect(outcome).toMatchObject({ kind: 'processed', recipients: [{ status: 'duplicate' }] });
    expect(await table()).toEqual(before);
    expect((await stack.call('GET', `/recipients/${KEPT}`, { query: { ses: 'false' } })).status).toBe(
      mode === 'all' ? 200 : 404,
    );
  });
});
