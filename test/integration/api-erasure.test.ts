// Erasure (DELETE /recipients/{email}) against the real processor and query API: an erased recipient stays erased
// when SNS/SQS delivers the same notification again, the counters never count it twice, and nothing of the address
// stays behind in other recipients' events; a domain counter it alone made up is shown nowhere and expires soon.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventIndexStage, eventIndexPlan } from '../../lambdas/adapters/table-definition.ts';
import {
  type ApiStack,
  bounceNotification,
  deliveryNotification,
  startApiStack,
} from '../support/api-harness.ts';

const NOW = new Date('2024-11-01T12:00:00Z');
const DAY = '2024-10-28';

let stack: ApiStack;

interface StatsBody {
  totals: Record<string, number | null>;
  items: Array<{ key: string; count: number }>;
}

async function stats(groupBy: 'day' | 'domain'): Promise<StatsBody> {
  const result = await stack.call('GET', '/stats', { query: { from: DAY, to: DAY, groupBy } });
  expect(result.status, result.body).toBe(200);
  return result.json as StatsBody;
}

/** Every stored item (a test may Scan): what is left of an address is searched for in all of them. */
async function allItems(): Promise<Record<string, unknown>[]> {
  await stack.settle();
  const out = await stack.documents.send(new ScanCommand({ TableName: stack.tableName }));
  return (out.Items ?? []) as Record<string, unknown>[];
}

// v1: tombstones only; v2-readers: tombstone and erased pointer (the migration's stages between); v2: pointers only.
describe.each<EventIndexStage>(['v1', 'v2-readers', 'v2'])('erasure survives redelivery (%s)', (stage) => {
  const plan = eventIndexPlan(stage);
  beforeAll(async () => {
    stack = await startApiStack(NOW, 'all', { eventIndexes: stage });
  });

  afterAll(async () => {
    await stack.close();
  });

  it('a redelivered bounce brings back neither the recipient nor its event, and counts once', async () => {
    // Prepare
    const bounce = bounceNotification(
      ['gone@erase-one.example', 'kept@erase-two.example'],
      `${DAY}T09:00:00.000Z`,
    );
    await stack.process(bounce);
    const [goneEvent] = (
      (await stack.call('GET', '/bounces', { query: { email: 'gone@erase-one.example' } })).json as {
        items: Array<{ id: string }>;
      }
    ).items;
    const before = await stats('day');
    // Act
    const erased = await stack.call('DELETE', '/recipients/gone@erase-one.example');
    const redelivered = await stack.process(bounce);
    const again = await stack.process(bounce);
    // Assess
    expect(erased.status, erased.body).toBe(200);
    expect(redelivered).toMatchObject({ kind: 'processed' });
    expect(again).toMatchObject({ kind: 'processed' });
    expect((await stack.call('GET', '/recipients/gone@erase-one.example')).status).toBe(404);
    expect((await stack.call('GET', `/bounces/${goneEvent?.id}`)).status).toBe(404);
    expect((await stack.call('GET', '/recipients/gone@erase-one.example/events')).json).toEqual({
      items: [],
      nextCursor: null,
    });
    expect(
      (await stack.call('GET', '/bounces', { query: { email: 'gone@erase-one.example' } })).json,
    ).toEqual({
      items: [],
      nextCursor: null,
    });
    expect((await stats('day')).totals).toEqual(before.totals);
    expect((await stack.call('DELETE', '/recipients/gone@erase-one.example')).status).toBe(404);
    // The event's own expiry (recorded at NOW, after it happened: NOW + 400 days), later than erasure + 30 days.
    const expiresAt = NOW.getTime() / 1000 + 400 * 86_400;
    const items = await allItems();
    const tombstones = items.filter((item) => item.pk === `ERASED#${goneEvent?.id}`);
    expect(tombstones).toEqual(
      plan.tombstones
        ? [{ pk: `ERASED#${goneEvent?.id}`, sk: 'ERASED', entity: 'tombstone', expiresAt }]
        : [],
    );
    // The erased pointer names no address: only that the id was erased, until it expires.
    const pointers = items.filter((item) => item.pk === `ID#${goneEvent?.id}`);
    expect(pointers).toEqual(
      plan.pointers
        ? [{ pk: `ID#${goneEvent?.id}`, sk: 'ID', entity: 'pointer', erased: true, expiresAt }]
        : [],
    );
    expect(JSON.stringify(items)).not.toContain('gone@erase-one.example');
  });

  it('a new event after the erasure is recorded: only the erased events are refused', async () => {
    // Prepare
    await stack.process(bounceNotification(['back@erase-three.example'], `${DAY}T10:00:00.000Z`));
    await stack.call('DELETE', '/recipients/back@erase-three.example');
    // Act
    await stack.process(deliveryNotification(['back@erase-three.example'], `${DAY}T11:00:00.000Z`));
    // Assess
    const recipient = await stack.call('GET', '/recipients/back@erase-three.example', {
      query: { ses: 'false' },
    });
    expect(recipient.status, recipient.body).toBe(200);
    expect(recipient.json).toMatchObject({ counts: { hard: 0, soft: 0, complaints: 0, deliveries: 1 } });
  });

  describe('what erasure leaves of an address', () => {
    it('no stored item names the address: not in the subjects of the same message, not in a domain counter', async () => {
      // Prepare: the subject names one recipient; another recipient's bounce quotes it too; the first recipient is
      // the only one of its domain.
      const bounce = bounceNotification(
        ['solo@erase-four.example', 'colleague@erase-five.example'],
        `${DAY}T12:00:00.000Z`,
        { diagnosticCode: 'smtp; 550 5.1.1 mail for Solo@Erase-Four.example was forwarded and refused' },
      );
      bounce.mail.commonHeaders.subject = 'Your invoice, solo@erase-four.example';
      await stack.process(bounce);
      await stack.process(deliveryNotification(['colleague@erase-five.example'], `${DAY}T13:00:00.000Z`));
      const domainsBefore = (await stats('domain')).items.map((item) => item.key);
      // Act
      const erased = await stack.call('DELETE', '/recipients/solo@erase-four.example');
      await stack.process(bounce);
      // Assess
      expect(erased.status, erased.body).toBe(200);
      expect(domainsBefore).toContain('erase-four.example');
      const domainsAfter = await stats('domain');
      expect(domainsAfter.items.map((item) => item.key)).not.toContain('erase-four.example');
      expect(domainsAfter.items.find((item) => item.key === 'erase-five.example')?.count).toBe(2);
      const leftovers = (await allItems()).filter((item) =>
        /solo@erase-four|erase-four\.example/i.test(JSON.stringify(item)),
      );
      // Only the domain's emptied counter: shown by no reader, kept (with the rollup's guards) until 25 hours after
      // the erasure, when DynamoDB's TTL deletes it (docs/api.md, "Erasure"). The address is nowhere.
      expect(
        leftovers.map(({ sk, domain, events, emptied, expiresAt }) => ({
          sk,
          domain,
          events,
          emptied,
          expiresAt,
        })),
      ).toEqual([
        {
          sk: `${DAY}#erase-four.example`,
          domain: 'erase-four.example',
          events: 0,
          emptied: true,
          expiresAt: NOW.getTime() / 1000 + 25 * 3600,
        },
      ]);
      expect(JSON.stringify(leftovers)).not.toMatch(/solo@erase-four/i);
      const colleague = (
        await stack.call('GET', '/bounces', {
          query: { email: 'colleague@erase-five.example', type: 'bounce' },
        })
      ).json as {
        items: Array<{ subject: string | null; id: string }>;
      };
      expect(colleague.items.map((item) => item.subject)).toEqual(['Your invoice, [address]']);
    });
  });

  describe('counters that name a domain', () => {
    it('expire with the events they count (the day after the day, plus retention); the day totals stay', async () => {
      // Prepare
      await stack.process(bounceNotification(['old@erase-six.example'], '2024-10-29T23:59:59.000Z'));
      // Act
      const counters = (await allItems()).filter(
        (item) => String(item.pk).startsWith('STAT') && String(item.sk).startsWith('2024-10-29'),
      );
      const totals = (await allItems()).filter((item) => item.sk === 'D#2024-10-29');
      // Assess
      expect(counters.map((item) => item.expiresAt)).toEqual([
        Date.parse('2024-10-30T00:00:00Z') / 1000 + 400 * 86_400,
      ]);
      expect(totals.map((item) => item.expiresAt)).toEqual([undefined]);
      const stats = await stack.call('GET', '/stats', {
        query: { from: '2024-10-29', to: '2024-10-29', groupBy: 'domain' },
      });
      expect((stats.json as StatsBody).items.map((item) => item.key)).toEqual(['erase-six.example']);
      expect((stats.json as StatsBody).totals).toMatchObject({ events: 1 });
    });
  });
});
