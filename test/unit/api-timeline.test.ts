// The lazy k-way merge behind every event list: whatever the shard layout, page size, byte cap, query budget and
// filter, walking the pages yields each matching item exactly once, newest first.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type QueryRequest,
  type QueryResult,
  readTimeline,
  type StreamGroup,
  type TimelinePage,
  type TimelineQuery,
  type TimelineStart,
} from '../../lambdas/adapters/event-timeline.ts';

interface FakeItem {
  pk: string;
  sk: string;
  passes: boolean;
  bytes: number;
}

/** An in-memory stand-in for DynamoDB Query: key range, descending order, Limit before filter, LastEvaluatedKey. */
function fakeTable(items: readonly FakeItem[]) {
  let calls = 0;
  const run = async (request: QueryRequest): Promise<QueryResult> => {
    calls += 1;
    const start = request.exclusiveStartKey?.sk;
    const candidates = items
      .filter(
        (item) =>
          item.pk === request.stream.partitionKeyValue &&
          item.sk >= request.lowSortKey &&
          item.sk <= request.highSortKey &&
          (typeof start !== 'string' || item.sk < start),
      )
      .sort((a, b) => (a.sk < b.sk ? 1 : -1));
    const evaluated = candidates.slice(0, request.limit);
    const last = evaluated.at(-1);
    return {
      items: evaluated
        .filter((item) => request.filter === undefined || item.passes)
        .map((item) => ({ pk: item.pk, sk: item.sk, bytes: item.bytes })),
      lastEvaluatedKey:
        evaluated.length === request.limit && last !== undefined ? { pk: last.pk, sk: last.sk } : undefined,
    };
  };
  return { run, calls: () => calls };
}

function layout(groupCount: number, shards: number): StreamGroup[] {
  return Array.from({ length: groupCount }, (_unused, group) => ({
    label: `g${group}`,
    streams: Array.from({ length: shards }, (_shard, shard) => ({
      partitionKeyName: 'pk',
      partitionKeyValue: `g${group}#${shard}`,
      sortKeyName: 'sk',
      sortKeyPrefix: 'E#',
    })),
  }));
}

async function walkAll(
  run: (request: QueryRequest) => Promise<QueryResult>,
  query: TimelineQuery,
  options: { limit: number; maxBytes: number; maxQueries: number; readsAhead?: boolean },
): Promise<{ positions: string[]; pages: number }> {
  const positions: string[] = [];
  let start: TimelineStart | null = null;
  for (let pages = 1; pages < 10_000; pages += 1) {
    const page: TimelinePage<string> = await readTimeline(run, query, start, {
      ...options,
      present: (item) => ({ value: String(item.sk).slice(2), bytes: Number(item.bytes) }),
      // A projected index: the page's items are looked up afterwards (here: already whole), reading ahead.
      ...(options.readsAhead === true ? { hydrate: async (entries) => entries } : {}),
    });
    expect(page.items.length).toBeLessThanOrEqual(options.limit);
    positions.push(...page.items);
    if (page.next === null) return { positions, pages };
    // Every page makes progress: the cursor moves strictly below the previous one.
    if (start !== null)
      expect(`${page.next.group}|${page.next.position}` !== `${start.group}|${start.position}`).toBe(true);
    start = page.next;
  }
  throw new Error('did not terminate');
}

const datasetArbitrary = fc
  .record({
    groups: fc.integer({ min: 1, max: 4 }),
    shards: fc.integer({ min: 1, max: 6 }),
    entries: fc.array(
      fc.record({
        group: fc.nat(3),
        shard: fc.nat(5),
        time: fc.integer({ min: 0, max: 50 }),
        passes: fc.boolean(),
        bytes: fc.integer({ min: 1, max: 300 }),
      }),
      { maxLength: 150 },
    ),
    limit: fc.integer({ min: 1, max: 40 }),
    maxBytes: fc.integer({ min: 1, max: 2000 }),
    maxQueries: fc.integer({ min: 6, max: 40 }),
    filtered: fc.boolean(),
  })
  .map((input) => {
    // Positions sort by group (older groups lower), then time; ids keep them unique and break ties.
    const items = input.entries.map((entry, index) => {
      const group = entry.group % input.groups;
      const position = `${9 - group}-${String(entry.time).padStart(3, '0')}#${String(index).padStart(4, '0')}`;
      return {
        pk: `g${group}#${entry.shard % input.shards}`,
        sk: `E#${position}`,
        passes: entry.passes,
        bytes: entry.bytes,
      };
    });
    return { ...input, items };
  });

describe('readTimeline', () => {
  it('yields every matching item exactly once, newest first, for any layout and limits', async () => {
    await fc.assert(
      fc.asyncProperty(datasetArbitrary, async (input) => {
        // Prepare
        const table = fakeTable(input.items);
        const query: TimelineQuery = {
          groups: layout(input.groups, input.shards),
          lowPosition: '0',
          highPosition: '~',
          ...(input.filtered ? { filter: { expression: 'passes', names: {}, values: {} } } : {}),
        };
        // Act
        const { positions } = await walkAll(table.run, query, input);
        // Assess
        const expected = input.items
          .filter((item) => !input.filtered || item.passes)
          .map((item) => item.sk.slice(2))
          .sort()
          .reverse();
        expect(positions).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('stays exact when the query budget runs out mid-merge (long streams, tight budget, selective filter)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          shards: fc.integer({ min: 2, max: 6 }),
          perShard: fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 6, maxLength: 6 }),
          passRate: fc.integer({ min: 1, max: 10 }),
          limit: fc.integer({ min: 1, max: 60 }),
          extraBudget: fc.integer({ min: 0, max: 12 }),
          seed: fc.integer(),
          readsAhead: fc.boolean(),
        }),
        async (input) => {
          // Prepare: one group, shards of very different lengths, ~1 in passRate items passing the filter.
          let state = input.seed;
          const next = () => {
            state = (Math.imul(state, 1103515245) + 12345) | 0;
            return (state >>> 8) / 16777216;
          };
          const items: FakeItem[] = [];
          for (let shard = 0; shard < input.shards; shard += 1) {
            for (let index = 0; index < (input.perShard[shard] ?? 0); index += 1) {
              const time = Math.floor(next() * 100_000);
              items.push({
                pk: `g0#${shard}`,
                sk: `E#9-${String(time).padStart(6, '0')}#${shard}-${index}`,
                passes: next() * input.passRate < 1,
                bytes: 10,
              });
            }
          }
          const table = fakeTable(items);
          const query: TimelineQuery = {
            groups: layout(1, input.shards),
            lowPosition: '0',
            highPosition: '~',
            filter: { expression: 'passes', names: {}, values: {} },
          };
          // Act
          const { positions } = await walkAll(table.run, query, {
            limit: input.limit,
            maxBytes: 1_000_000,
            maxQueries: input.shards + input.extraBudget,
            readsAhead: input.readsAhead,
          });
          // Assess
          const expected = items
            .filter((item) => item.passes)
            .map((item) => item.sk.slice(2))
            .sort()
            .reverse();
          expect(positions).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps a page under the byte cap unless a single item is larger', async () => {
    // Prepare
    const items = Array.from({ length: 30 }, (_unused, index) => ({
      pk: 'g0#0',
      sk: `E#9-${String(index).padStart(3, '0')}`,
      passes: true,
      bytes: 100,
    }));
    const table = fakeTable(items);
    // Act
    const page = await readTimeline(
      table.run,
      { groups: layout(1, 1), lowPosition: '0', highPosition: '~' },
      null,
      { limit: 30, maxBytes: 450, maxQueries: 10, present: (item) => ({ value: item.sk, bytes: 100 }) },
    );
    // Assess
    expect(page.items).toHaveLength(4);
    expect(page.next).toEqual({ group: 'g0', position: '9-026' });
  });

  it('stops at the query budget with a cursor that makes progress when a filter matches almost nothing', async () => {
    // Prepare: 5,000 items, only the oldest passes.
    const items = Array.from({ length: 5000 }, (_unused, index) => ({
      pk: 'g0#0',
      sk: `E#9-${String(index).padStart(4, '0')}`,
      passes: index === 0,
      bytes: 10,
    }));
    const table = fakeTable(items);
    const query: TimelineQuery = {
      groups: layout(1, 1),
      lowPosition: '0',
      highPosition: '~',
      filter: { expression: 'passes', names: {}, values: {} },
    };
    // Act
    const { positions, pages } = await walkAll(table.run, query, {
      limit: 1,
      maxBytes: 1000,
      maxQueries: 10,
    });
    // Assess
    expect(positions).toEqual(['9-0000']);
    expect(pages).toBeGreaterThan(1);
  });

  it('reads about limit items plus a chunk per shard for an unfiltered page', async () => {
    // Prepare: 8 shards, 100 items each.
    const items = Array.from({ length: 800 }, (_unused, index) => ({
      pk: `g0#${index % 8}`,
      sk: `E#9-${String(index).padStart(4, '0')}`,
      passes: true,
      bytes: 10,
    }));
    const table = fakeTable(items);
    // Act
    const page = await readTimeline(
      table.run,
      { groups: layout(1, 8), lowPosition: '0', highPosition: '~' },
      null,
      { limit: 50, maxBytes: 1_000_000, maxQueries: 100, present: (item) => ({ value: item.sk, bytes: 10 }) },
    );
    // Assess
    expect(page.items).toHaveLength(50);
    expect(table.calls()).toBeLessThanOrEqual(16);
  });

  it("reads the whole items of a projected index once per page, only the page's, with the same pages and cursors", async () => {
    await fc.assert(
      fc.asyncProperty(datasetArbitrary, async (input) => {
        // Prepare: the "index" holds keys only; the whole items (with their size) are looked up by hydrate.
        const table = fakeTable(input.items);
        const whole = new Map(
          input.items.map((item) => [item.sk, { pk: item.pk, sk: item.sk, bytes: item.bytes }]),
        );
        const keysOnly = async (request: QueryRequest) => {
          const result = await table.run(request);
          return { ...result, items: result.items.map(({ pk, sk }) => ({ pk, sk })) };
        };
        const hydrated: number[] = [];
        const query: TimelineQuery = {
          groups: layout(input.groups, input.shards),
          lowPosition: '0',
          highPosition: '~',
          ...(input.filtered ? { filter: { expression: 'passes', names: {}, values: {} } } : {}),
        };
        const options = {
          limit: input.limit,
          maxBytes: input.maxBytes,
          // No budget stop: the pages depend only on the data, the limit and the byte cap.
          maxQueries: 100_000,
          present: (item: Record<string, unknown>) => ({
            value: String(item.sk).slice(2),
            bytes: Number(item.bytes),
          }),
        };
        // Act: walk every page both ways.
        let start: TimelineStart | null = null;
        for (let pages = 0; pages < 1000; pages += 1) {
          const plain: TimelinePage<string> = await readTimeline(table.run, query, start, options);
          const projected: TimelinePage<string> = await readTimeline(keysOnly, query, start, {
            ...options,
            async hydrate(entries) {
              hydrated.push(entries.length);
              return entries.map((entry) => whole.get(String(entry.sk)) ?? null);
            },
          });
          // Assess: the same page and the same cursor (reading ahead may see that a page ending exactly at the last
          // item is the last: no cursor where the plain read answers one more, empty page); one lookup of at most a
          // page of entries.
          expect(projected.items).toEqual(plain.items);
          expect(hydrated.at(-1)).toBeLessThanOrEqual(input.limit);
          expect(hydrated).toHaveLength(pages + 1);
          if (projected.next === null && plain.next !== null) {
            const after = await readTimeline(table.run, query, plain.next, options);
            expect(after).toMatchObject({ items: [], next: null });
            return;
          }
          expect(projected.next).toEqual(plain.next);
          if (plain.next === null) return;
          start = plain.next;
        }
        throw new Error('did not terminate');
      }),
      { numRuns: 200 },
    );
  });

  it('leaves out an item gone before its lookup and continues after it', async () => {
    // Prepare: one shard of 10; the third newest is erased between the index read and the lookup.
    const items = Array.from({ length: 10 }, (_unused, index) => ({
      pk: 'g0#0',
      sk: `E#9-${String(index).padStart(3, '0')}`,
      passes: true,
      bytes: 10,
    }));
    const table = fakeTable(items);
    const options = {
      limit: 4,
      maxBytes: 1_000_000,
      maxQueries: 10,
      present: (item: Record<string, unknown>) => ({ value: String(item.sk), bytes: 10 }),
      hydrate: async (entries: readonly Record<string, unknown>[]) =>
        entries.map((entry) => (entry.sk === 'E#9-007' ? null : entry)),
    };
    const query: TimelineQuery = { groups: layout(1, 1), lowPosition: '0', highPosition: '~' };
    // Act
    const first = await readTimeline(table.run, query, null, options);
    const second = await readTimeline(table.run, query, first.next, options);
    // Assess
    expect(first.items).toEqual(['E#9-009', 'E#9-008', 'E#9-006']);
    expect(first.next).toEqual({ group: 'g0', position: '9-006' });
    expect(second.items).toEqual(['E#9-005', 'E#9-004', 'E#9-003', 'E#9-002']);
  });

  it('fills a page from skewed shards of a projected index in one round of Queries', async () => {
    // Prepare: 24 streams (3 types x 8 shards), the newest 200 items all in the first type's 8 shards (a bounce
    // campaign): without reading ahead each of those shards runs dry mid-page and is refilled on its own.
    const items = Array.from({ length: 200 }, (_unused, index) => ({
      pk: `g0#${index % 8}`,
      sk: `E#9-${String(index).padStart(4, '0')}`,
      passes: true,
      bytes: 10,
    }));
    const query: TimelineQuery = { groups: layout(1, 24), lowPosition: '0', highPosition: '~' };
    const options = {
      limit: 50,
      maxBytes: 1_000_000,
      maxQueries: 240,
      present: (item: Record<string, unknown>) => ({ value: String(item.sk), bytes: 10 }),
    };
    const plainTable = fakeTable(items);
    const projectedTable = fakeTable(items);
    // Act
    const plain = await readTimeline(plainTable.run, query, null, options);
    const projected = await readTimeline(projectedTable.run, query, null, {
      ...options,
      hydrate: async (entries) => entries,
    });
    // Assess: the same page; 24 Queries (one per stream) instead of 24 plus a refill per dry shard.
    expect(projected.items).toEqual(plain.items);
    expect(projected.next).toEqual(plain.next);
    expect(projectedTable.calls()).toBe(24);
    expect(plainTable.calls()).toBeGreaterThan(24);
  });
});
