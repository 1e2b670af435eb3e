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
  options: { limit: number; maxBytes: number; maxQueries: number },
): Promise<{ positions: string[]; pages: number }> {
  const positions: string[] = [];
  let start: TimelineStart | null = null;
  for (let pages = 1; pages < 10_000; pages += 1) {
    const page: TimelinePage<string> = await readTimeline(run, query, start, {
      ...options,
      present: (item) => ({ value: String(item.sk).slice(2), bytes: Number(item.bytes) }),
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
});
