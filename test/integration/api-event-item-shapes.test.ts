// Slim and short event items (docs/data-model.md, "Slim event items", "Short attribute names", "Packed event items")
// read exactly as full ones: the same notifications (every sample in samples/) processed into a store that writes
// full items, as every release before issue #13 did, into one that writes slim items and into one that writes short
// ones (packed when over 1 KB) give byte-identical answers on every route that reads events: the lists and their
// filters, their CSV export, GET /bounces/{id}, a recipient and its history, the counters the rollup sums from the
// stream, and an erasure with what it leaves.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemSize } from '../../lambdas/adapters/dynamo-item-size.ts';
import type { EventItemShape, Item } from '../../lambdas/adapters/dynamo-items.ts';
import { INDEX_FILTER_ATTRIBUTES } from '../../lambdas/adapters/table-definition.ts';
import { type ApiStack, startApiStack } from '../support/api-harness.ts';

const NOW = new Date('2026-11-01T12:00:00Z');
const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');
const SHAPES: readonly EventItemShape[] = ['full', 'slim', 'short'];

const stacks = new Map<EventItemShape, ApiStack>();
/** Every event the full store lists (set before each stage's tests). */
let everything: Page['items'] = [];

interface Page {
  items: Array<{ id: string; email: string }>;
  nextCursor: string | null;
}

/** The same call on every store: the full store's answer, which every other store must give byte for byte. */
async function both(
  method: string,
  path: string,
  query: Record<string, string> = {},
  headers: Record<string, string> = {},
) {
  const answers = await Promise.all(
    SHAPES.map(async (shape) => {
      const stack = stacks.get(shape);
      if (!stack) throw new Error(`no ${shape} stack`);
      const result = await stack.call(method, path, { query, headers });
      return { status: result.status, headers: result.headers, body: result.body, json: result.json };
    }),
  );
  const [full, ...others] = answers;
  if (!full || others.length !== SHAPES.length - 1) throw new Error('an answer per shape');
  expect(full.status, full.body).toBeLessThan(300);
  for (const other of others) expect(other.body).toBe(full.body);
  return full;
}

/** Every page of a list, compared page by page. */
async function allPages(path: string, query: Record<string, string>): Promise<Page['items']> {
  const items: Page['items'] = [];
  let cursor: string | null = null;
  do {
    const page = (await both('GET', path, { ...query, limit: '7', ...(cursor ? { cursor } : {}) }))
      .json as Page;
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return items;
}

const samples = readdirSync(SAMPLES)
  .filter((name) => /^\d+-.*\.json$/.test(name))
  .sort()
  .map((name) => JSON.parse(readFileSync(join(SAMPLES, name), 'utf8')) as object);

// v1: the first model's indexes (byTime, byDomain, byId; slim and short items keep their keys there, as after a
// rollback to v1); v2: byTime2, byDomain2 and pointers, items without the first model's index keys.
describe.each(['v1', 'v2'] as const)('full, slim and short event items at stage %s', (stage) => {
  beforeAll(async () => {
    for (const shape of SHAPES) {
      const stack = await startApiStack(NOW, 'all', { eventItemShape: shape, eventIndexes: stage });
      stacks.set(shape, stack);
      for (const sample of samples) await stack.process(sample);
    }
    // What the full store lists: the events and addresses the tests below read alike from every store.
    everything = [];
    let cursor: string | null = null;
    do {
      const page = (
        await stacks
          .get('full')
          ?.call('GET', '/bounces', { query: { limit: '100', ...(cursor ? { cursor } : {}) } })
      )?.json as Page;
      everything.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
  }, 90_000);

  afterAll(async () => {
    for (const stack of stacks.values()) await stack.close();
    stacks.clear();
  });

  it('are stored full, slim and short', async () => {
    // Act
    const scans = await Promise.all(
      SHAPES.map(async (shape) => {
        const stack = stacks.get(shape);
        const out = await stack?.documents.send(new ScanCommand({ TableName: stack.tableName }));
        return (out?.Items ?? []).filter((item) => item.entity === 'event' && item.type !== 'audit');
      }),
    );
    // Assess
    const [full = [], slim = [], short = []] = scans;
    expect(slim).toHaveLength(full.length);
    expect(short).toHaveLength(full.length);
    expect(full.every((item) => typeof item.email === 'string')).toBe(true);
    expect(slim.some((item) => 'email' in item || 'codeTitle' in item)).toBe(false);
    expect(slim.filter((item) => 'format' in item).map((item) => item.format)).not.toContain('notification');
    // Short: id and occurredAt only in sk, the decision as `dn` (packed into `z` when the item is over 1 KB), the
    // filter attributes under their own names.
    expect(short.some((item) => ['email', 'id', 'occurredAt', 'decision'].some((name) => name in item))).toBe(
      false,
    );
    const packed = short.filter((item) => 'z' in item);
    expect(short.every((item) => 'dn' in item !== 'z' in item)).toBe(true);
    expect(short.map((item) => item.verdict)).toEqual(full.map((item) => item.verdict));
    // Packed: the bounces with long diagnostics, each outside its pack with what filters and projections read.
    expect(packed.length).toBeGreaterThan(0);
    const fullBySk = new Map(full.map((item) => [item.sk, item]));
    for (const item of packed) {
      expect(item.type).toBe('bounce');
      expect(
        Object.keys(item).filter((name) => name.length <= 2 && !['pk', 'sk', 'z'].includes(name)),
      ).toEqual([]);
      const filtered = (of: Item | undefined) => INDEX_FILTER_ATTRIBUTES.map((name) => of?.[name]);
      expect(filtered(item)).toEqual(filtered(fullBySk.get(item.sk)));
    }
    // At v2 every short item fits one KB (one write unit; two in the transaction).
    const sizes = short.map((item) => itemSize(marshall(item as Item)));
    if (stage === 'v2') expect(Math.max(...sizes)).toBeLessThanOrEqual(1024);
  });

  it('list every event alike', async () => {
    const listed = await allPages('/bounces', {});
    expect(listed).toEqual(everything);
    expect(listed.length).toBeGreaterThan(100);
  });

  it.each<Record<string, string>>([
    { type: 'complaint' },
    { type: 'delivery' },
    { verdict: 'hard' },
    { category: 'mailbox-full' },
    { code: '5.1' },
    { source: 'billing@mail.example.com' },
    { domain: 'gmail.com' },
  ])('filter alike: %j', async (query) => {
    expect((await allPages('/bounces', query)).length).toBeGreaterThan(0);
  });

  it.each<Record<string, string>>([{}, { domain: 'gmail.com' }, { verdict: 'soft' }])(
    'export CSV alike: %j',
    async (query) => {
      const csv = await both('GET', '/bounces', { ...query, limit: '100' }, { accept: 'text/csv' });
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    },
  );

  it('find every event by its id alike', async () => {
    for (const { id } of everything) await both('GET', `/bounces/${id}`);
  });

  it("filter one recipient's events by domain alike", async () => {
    // Its own domain lists all its events, another none (slim and short items store no domain: it is the address's).
    const own = await allPages('/bounces', { email: 'full.inbox@gmail.com', domain: 'gmail.com' });
    const other = await allPages('/bounces', { email: 'full.inbox@gmail.com', domain: 'yahoo.com' });
    expect(own.length).toBeGreaterThan(0);
    expect(own).toEqual(await allPages('/bounces', { email: 'full.inbox@gmail.com' }));
    expect(other).toEqual([]);
  });

  it('read every recipient alike', async () => {
    const emails = new Set(everything.map((item) => item.email));
    for (const email of emails) await both('GET', `/recipients/${email}`);
    expect(emails.size).toBeGreaterThan(20);
  });

  it("read every recipient's history alike", async () => {
    const emails = new Set(everything.map((item) => item.email));
    for (const email of emails) await allPages(`/recipients/${email}/events`, {});
  });

  it('count alike (the counter rollup reads the stream images)', async () => {
    for (const groupBy of ['day', 'domain'])
      await both('GET', '/stats', { from: '2026-10-01', to: '2026-10-31', groupBy });
  });

  it('erase alike', async () => {
    // Act
    await both('DELETE', '/recipients/no.such.user.8841@gmail.com');
    // Assess
    await both('GET', '/stats', { from: '2026-10-01', to: '2026-10-31', groupBy: 'domain' });
    await allPages('/bounces', { domain: 'gmail.com' });
  });
});
