// The query API over what the processor stores with the default deliveryHistory (none, issue #13): deliveries
// have no items of their own, yet the statistics keep their delivery denominators per day and per domain, and a
// recipient that bounced says when it was last delivered to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY_HISTORY } from '../../lambdas/domain/delivery-history.ts';
import {
  type ApiStack,
  bounceNotification,
  deliveryNotification,
  startApiStack,
} from '../support/api-harness.ts';

const NOW = new Date('2024-11-01T12:00:00Z');
let stack: ApiStack;

interface StatsBody {
  totals: Record<string, number | null>;
  items: Array<{ key: string; breakdown: Record<string, number | null> | null }>;
}

beforeAll(async () => {
  stack = await startApiStack(NOW, DEFAULT_DELIVERY_HISTORY);
  // Three deliveries to addresses without history (two of example.org), a soft bounce, then a delivery to it.
  await stack.process(
    deliveryNotification(['ann@example.org', 'bob@example.org'], '2024-10-20T09:00:00.000Z'),
  );
  await stack.process(deliveryNotification(['cid@example.net'], '2024-10-20T09:00:01.000Z'));
  await stack.process(
    bounceNotification(['dee@example.org'], '2024-10-20T10:00:00.000Z', {
      bounceType: 'Transient',
      bounceSubType: 'MailboxFull',
      status: '4.2.2',
      diagnosticCode: 'smtp; 452 4.2.2 Mailbox full',
    }),
  );
  await stack.process(deliveryNotification(['dee@example.org'], '2024-10-21T10:00:00.000Z'));
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe(`deliveryHistory ${DEFAULT_DELIVERY_HISTORY}`, () => {
  it('keeps the delivery denominators per day and per domain', async () => {
    const byDay = (await stack.call('GET', '/stats', { query: { from: '2024-10-20', to: '2024-10-21' } }))
      .json as StatsBody;
    expect(byDay.totals).toMatchObject({ deliveries: 4, bounces: 1 });
    expect(byDay.totals.bounceRate).toBeCloseTo(1 / 5, 5);

    const byDomain = (
      await stack.call('GET', '/stats', {
        query: { from: '2024-10-20', to: '2024-10-21', groupBy: 'domain' },
      })
    ).json as StatsBody;
    const domains = Object.fromEntries(byDomain.items.map((i) => [i.key, i.breakdown?.deliveries]));
    expect(domains).toEqual({ 'example.org': 3, 'example.net': 1 });
  });

  it('says when an address that bounced was last delivered to', async () => {
    const result = await stack.call('GET', '/recipients/dee@example.org');
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({
      counts: { soft: 1, deliveries: 1 },
      lastDeliveryAt: '2024-10-21T10:00:00.000Z',
    });
  });

  it('stores nothing per address for deliveries only', async () => {
    expect((await stack.call('GET', '/recipients/ann@example.org')).status).toBe(404);
    const list = await stack.call('GET', '/bounces', {
      query: { type: 'delivery', from: '2024-10-01T00:00:00.000Z', to: '2024-11-01T00:00:00.000Z' },
    });
    expect(list.json).toMatchObject({ items: [] });
  });
});
