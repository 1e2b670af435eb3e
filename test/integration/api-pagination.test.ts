// Pagination of the query API over 1,050 events written by the real processor use case: every page walk returns
// each matching event exactly once, newest first, for unfiltered and combined-filter queries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecipientEvent } from '../../lambdas/domain/recipient-event.ts';
import {
  type ApiStack,
  bounceNotification,
  complaintNotification,
  deliveryNotification,
  startApiStack,
} from '../support/api-harness.ts';

const NOW = new Date('2024-12-01T00:00:00Z');
const EVENT_COUNT = 1050;
const HEAVY = 'heavy.user@d0.example.com';

const bounceKinds = [
  { bounceType: 'Permanent', bounceSubType: 'General', status: '5.1.1' },
  {
    bounceType: 'Transient',
    bounceSubType: 'MailboxFull',
    status: '4.2.2',
    diagnosticCode: 'smtp; 452 4.2.2 Mailbox full',
  },
  {
    bounceType: 'Permanent',
    bounceSubType: 'General',
    status: '5.7.1',
    diagnosticCode: 'smtp; 550 5.7.1 Message rejected as spam by Content Filtering',
  },
  {
    bounceType: 'Transient',
    bounceSubType: 'General',
    status: '4.4.7',
    diagnosticCode: 'smtp; 4.4.7 Message expired',
  },
] as const;

function notificationFor(index: number) {
  // Two events share every timestamp, so ties are ordered by id.
  const timestamp = new Date(Date.UTC(2024, 7, 1) + Math.floor(index / 2) * 5 * 3600_000).toISOString();
  const recipient = index % 20 === 0 ? HEAVY : `r${index % 150}@d${index % 5}.example.com`;
  const options = {
    source: index % 3 === 0 ? 'news@mail.example.com' : 'billing@mail.example.com',
    ...(index % 6 === 2 ? { configurationSet: 'campaigns' } : {}),
  };
  const kind = index % 10;
  if (kind === 9) return complaintNotification([recipient], timestamp, options);
  if (kind >= 7) return deliveryNotification([recipient], timestamp, options);
  return bounceNotification([recipient], timestamp, { ...options, ...bounceKinds[index % 4] });
}

let stack: ApiStack;
const events: RecipientEvent[] = [];

beforeAll(async () => {
  stack = await startApiStack(NOW);
  // One worker per group of recipients: no two writers contend for the same summary.
  const workers = 8;
  const buckets: number[][] = Array.from({ length: workers }, () => []);
  for (let index = 0; index < EVENT_COUNT; index += 1) {
    const recipient = index % 20 === 0 ? HEAVY : `r${index % 150}`;
    const bucket = [...recipient].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) % workers, 0);
    buckets[bucket]?.push(index);
  }
  const results = await Promise.allSettled(
    buckets.map(async (indexes) => {
      for (const index of indexes) {
        const outcome = await stack.process(notificationFor(index));
        if (outcome.kind !== 'processed') throw new Error(`not processed: ${JSON.stringify(outcome)}`);
        for (const recipient of outcome.recipients) events.push(recipient.event);
      }
    }),
  );
  const failure = results.find((result) => result.status === 'rejected');
  if (failure?.status === 'rejected') throw failure.reason;
}, 120_000);
afterAll(async () => stack.close());

const newestFirst = (a: RecipientEvent, b: RecipientEvent) => {
  const left = `${a.occurredAt}#${a.id}`;
  const right = `${b.occurredAt}#${b.id}`;
  return left < right ? 1 : left > right ? -1 : 0;
};

interface EventPage {
  items: Array<{ id: string }>;
  nextCursor: string | null;
}

async function walk(path: string, query: Record<string, string>, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 500; page += 1) {
    const result = await stack.call('GET', path, {
      query: { ...query, limit: String(limit), ...(cursor === null ? {} : { cursor }) },
    });
    expect(result.status, result.body).toBe(200);
    const body = result.json as EventPage;
    expect(body.items.length).toBeLessThanOrEqual(limit);
    ids.push(...body.items.map((item) => item.id));
    cursor = body.nextCursor;
    if (cursor === null) return ids;
  }
  throw new Error('more than 500 pages');
}

function expectedIds(predicate: (event: RecipientEvent) => boolean): string[] {
  return events
    .filter(predicate)
    .sort(newestFirst)
    .map((event) => event.id);
}

describe('GET /bounces pagination over 1,050 processed events', () => {
  it('recorded one event per notification', () => {
    // Assess
    expect(events).toHaveLength(EVENT_COUNT);
    expect(new Set(events.map((event) => event.id)).size).toBe(EVENT_COUNT);
  });

  it('walks every event exactly once, newest first, across months, types and shards', async () => {
    // Act
    const ids = await walk('/bounces', { from: '2024-07-01', to: '2024-12-01' }, 97);
    // Assess
    expect(ids).toEqual(expectedIds(() => true));
  });

  it('walks the default window (retention) to the same result with a small page size', async () => {
    // Act
    const ids = await walk('/bounces', {}, 73);
    // Assess
    expect(ids).toEqual(expectedIds(() => true));
  });

  it('combines type, verdict, domain and a time window', async () => {
    // Prepare
    const from = '2024-09-01T00:00:00.000Z';
    const to = '2024-10-15T12:00:00.000Z';
    // Act
    const ids = await walk(
      '/bounces',
      { type: 'bounce', verdict: 'soft', domain: 'd2.example.com', from, to },
      13,
    );
    // Assess
    const expected = expectedIds(
      (event) =>
        event.type === 'bounce' &&
        event.classification?.verdict === 'soft' &&
        event.domain === 'd2.example.com' &&
        event.occurredAt >= from &&
        event.occurredAt < to,
    );
    expect(expected.length).toBeGreaterThan(5);
    expect(ids).toEqual(expected);
  });

  it('combines a code prefix with a source (identity or configuration set)', async () => {
    // Act
    const bySender = await walk('/bounces', { code: '5.7', source: 'news@mail.example.com' }, 60);
    const byConfigurationSet = await walk(
      '/bounces',
      { source: 'campaigns', category: 'unknown-recipient' },
      25,
    );
    // Assess
    const codeUnder = (code: string | null | undefined) => code === '5.7' || (code ?? '').startsWith('5.7.');
    const expectedBySender = expectedIds(
      (event) => codeUnder(event.classification?.code) && event.source === 'news@mail.example.com',
    );
    const expectedByConfigurationSet = expectedIds(
      (event) =>
        event.configurationSet === 'campaigns' && event.classification?.category === 'unknown-recipient',
    );
    expect(expectedBySender.length).toBeGreaterThan(5);
    expect(expectedByConfigurationSet.length).toBeGreaterThan(5);
    expect(bySender).toEqual(expectedBySender);
    expect(byConfigurationSet).toEqual(expectedByConfigurationSet);
  });

  it('reads one recipient with email and type, and one message by messageId', async () => {
    // Prepare
    const someEvent = events.find((event) => event.type === 'complaint');
    if (someEvent === undefined) throw new Error('no complaint generated');
    // Act
    const heavyBounces = await walk('/bounces', { email: 'Heavy.User@D0.example.com', type: 'bounce' }, 7);
    const byMessage = await walk('/bounces', { messageId: someEvent.sesMessageId }, 50);
    // Assess
    expect(heavyBounces).toEqual(expectedIds((event) => event.email === HEAVY && event.type === 'bounce'));
    expect(byMessage).toEqual([someEvent.id]);
  });

  it('serves the same rows as CSV, with the next cursor in a header that continues the same query', async () => {
    // Prepare
    const query = { type: 'bounce', limit: '50' };
    const json = (await stack.call('GET', '/bounces', { query })).json as EventPage;
    // Act
    const csv = await stack.call('GET', '/bounces', { query, headers: { Accept: 'text/csv' } });
    const cursor = csv.headers['x-next-cursor'] ?? '';
    const second = await stack.call('GET', '/bounces', { query: { ...query, cursor } });
    // Assess
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^id,type,occurredAt,email,domain,/);
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(json.items.map((item) => item.id));
    expect(cursor).toBe(json.nextCursor);
    expect(second.status).toBe(200);
    const bounces = expectedIds((event) => event.type === 'bounce');
    expect((second.json as EventPage).items.map((item) => item.id)).toEqual(bounces.slice(50, 100));
  });

  it('refuses a cursor presented with a different query', async () => {
    // Prepare
    const first = (await stack.call('GET', '/bounces', { query: { type: 'bounce', limit: '5' } }))
      .json as EventPage;
    // Act
    const result = await stack.call('GET', '/bounces', {
      query: { type: 'delivery', limit: '5', cursor: first.nextCursor ?? '' },
    });
    // Assess
    expect(result.status).toBe(400);
    expect(result.json).toMatchObject({ error: { code: 'invalid-cursor', field: 'cursor' } });
  });
});

describe('GET /recipients/{email}/events pagination', () => {
  it("walks one recipient's whole history exactly once, newest first", async () => {
    // Act
    const ids = await walk(`/recipients/${encodeURIComponent(HEAVY)}/events`, {}, 9);
    // Assess
    const expected = expectedIds((event) => event.email === HEAVY);
    expect(expected.length).toBeGreaterThan(50);
    expect(ids).toEqual(expected);
  });
});
