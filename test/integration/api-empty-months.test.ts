// GET /bounces over a long window on a young table: the months before the first event are skipped for a few
// one-item counter Queries instead of paging through them (each month costs 8 index partitions per type).
import type { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiStack, bounceNotification, startApiStack } from '../support/api-harness.ts';

const NOW = new Date('2024-11-01T12:00:00Z');

let stack: ApiStack;
const queries: Array<{ IndexName?: string }> = [];

interface Page {
  items: Array<{ id: string }>;
  nextCursor: string | null;
}

/** Every page of a listing, and the DynamoDB Queries it took. */
async function allPages(
  query: Record<string, string>,
): Promise<{ pages: Page[]; index: number; all: number }> {
  queries.length = 0;
  const pages: Page[] = [];
  let cursor: string | null = null;
  do {
    const result = await stack.call('GET', '/bounces', { query: cursor ? { ...query, cursor } : query });
    expect(result.status, result.body).toBe(200);
    const page = result.json as Page;
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== null && pages.length < 20);
  return { pages, index: queries.filter((q) => q.IndexName !== undefined).length, all: queries.length };
}

beforeAll(async () => {
  stack = await startApiStack(NOW);
  await stack.process(bounceNotification(['first@young.example'], '2024-10-28T09:00:00.000Z'));
  stack.documents.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'QueryCommand') queries.push(args.input as QueryCommand['input']);
      return next(args);
    },
    { step: 'initialize', name: 'countQueries' },
  );
});

afterAll(async () => {
  await stack.close();
});

describe('GET /bounces from the year 1', () => {
  it('reads only the months since the first event: one page, not hundreds of empty partitions', async () => {
    // Act
    const { pages, index, all } = await allPages({ from: '0001-01-01' });
    // Assess
    expect(pages.map((page) => page.items.length)).toEqual([1]);
    // Two months (Oct, Nov) × 3 types × 8 shards, plus one-item counter Queries: 16 shards × 2 years.
    expect(index).toBe(48);
    expect(all).toBe(48 + 32);
  });

  it('reads no index at all when no event is counted in the window', async () => {
    // Act
    const { pages, index, all } = await allPages({ from: '0001-01-01', to: '2024-06-01' });
    // Assess
    expect(pages).toEqual([{ items: [], nextCursor: null }]);
    expect(index).toBe(0);
    expect(all).toBe(32);
  });
});

describe('GET /bounces while the counter rollup lags', () => {
  it('lists an event recorded a moment ago in a long window, though no counter counts its day yet', async () => {
    // Prepare: a stack whose counters never follow (the rollup's window not yet over)
    const lagging = await startApiStack(NOW, 'all', { counterRollup: false });
    try {
      await lagging.process(bounceNotification(['fresh@young.example'], '2024-11-01T11:59:00.000Z'));
      // Act
      const listed = await lagging.call('GET', '/bounces', { query: { from: '0001-01-01' } });
      const stats = await lagging.call('GET', '/stats', { query: { from: '2024-11-01', to: '2024-11-01' } });
      // Assess
      expect(listed.status, listed.body).toBe(200);
      expect((listed.json as Page).items).toHaveLength(1);
      expect((stats.json as { totals: { events: number } }).totals.events).toBe(0);
    } finally {
      await lagging.close();
    }
  });
});
