import { describe, expect, it } from 'vitest';
import { counterFromItem } from '../../lambdas/adapters/dynamo-items.ts';
import { computeStats, daysBetween } from '../../lambdas/api/stats.ts';

// Counter items as the processor writes them, read back through their codec.
const day = (date: string, counts: Record<string, number>) =>
  counterFromItem({ pk: 'STAT#2024#0', sk: `D#${date}`, ...counts });
const domainDay = (date: string, domain: string, counts: Record<string, number>) =>
  counterFromItem({ pk: 'STATDOM#2024#0', sk: `${date}#${domain}`, domain, day: date, ...counts });

describe('computeStats', () => {
  it('lists every day of the range, zero days included, and sums shards of the same day', () => {
    // Act
    const stats = computeStats(
      { from: '2024-10-01', to: '2024-10-03' },
      'day',
      null,
      [
        day('2024-10-01', { events: 2, 'type:bounce': 2 }),
        day('2024-10-01', { events: 1, 'type:delivery': 1 }),
      ],
      [],
    );
    // Assess
    expect(stats.items.map((item) => [item.key, item.count])).toEqual([
      ['2024-10-01', 3],
      ['2024-10-02', 0],
      ['2024-10-03', 0],
    ]);
    expect(stats.items[0]?.breakdown).toMatchObject({ bounces: 2, deliveries: 1, bounceRate: 0.666667 });
    expect(stats.items[1]?.breakdown).toMatchObject({ bounceRate: null, complaintRate: null });
  });

  it('groups a dimension by its counter prefix, largest first, and keeps the top N', () => {
    // Act
    const stats = computeStats(
      { from: '2024-10-01', to: '2024-10-02' },
      'code',
      2,
      [
        day('2024-10-01', { 'code:5.1.1': 3, 'code:4.2.2': 1, 'category:mailbox-full': 1 }),
        day('2024-10-02', { 'code:5.7.1': 2, 'code:none': 4, 'code:4.2.2': 1 }),
      ],
      [],
    );
    // Assess
    expect(stats.items).toEqual([
      { key: 'none', count: 4, breakdown: null },
      { key: '5.1.1', count: 3, breakdown: null },
    ]);
  });

  it('ranks domains by bounces across days and shards', () => {
    // Act
    const stats = computeStats(
      { from: '2024-10-01', to: '2024-10-02' },
      'domain',
      10,
      [],
      [
        domainDay('2024-10-01', 'a.example', { events: 9, 'type:delivery': 9 }),
        domainDay('2024-10-01', 'b.example', { events: 2, 'type:bounce': 1, 'type:delivery': 1 }),
        domainDay('2024-10-02', 'b.example', { events: 1, 'type:bounce': 1 }),
      ],
    );
    // Assess
    expect(stats.items.map((item) => [item.key, item.breakdown?.bounces])).toEqual([
      ['b.example', 2],
      ['a.example', 0],
    ]);
    expect(stats.items[0]?.breakdown?.bounceRate).toBeCloseTo(2 / 3, 5);
  });

  it('names no domain for counters an erasure left at zero events or below, and shows no negative count', () => {
    // Act: per shard, what erasures ahead of the rollup leave (docs/data-model.md, "Erasure within the rollup's
    // window"): an emptied counter, one below zero beside another shard's counter of the same domain and day, and
    // one whose bounce an erasure took out before the rollup added it
    const stats = computeStats(
      { from: '2024-10-01', to: '2024-10-01' },
      'domain',
      10,
      [],
      [
        domainDay('2024-10-01', 'gone.example', { events: 0, 'type:bounce': 0, 'verdict:hard': 0 }),
        domainDay('2024-10-01', 'ahead.example', { events: -1, 'type:bounce': -1, 'verdict:hard': -1 }),
        domainDay('2024-10-01', 'shared.example', { events: 2, 'type:delivery': 2 }),
        domainDay('2024-10-01', 'shared.example', { events: -1, 'type:bounce': -1, 'verdict:hard': -1 }),
        domainDay('2024-10-01', 'mixed.example', {
          events: 1,
          'type:delivery': 2,
          'type:bounce': -1,
          'verdict:hard': -1,
        }),
      ],
    );
    // Assess
    expect(
      stats.items.map(({ key, count, breakdown }) => [
        key,
        count,
        breakdown?.deliveries,
        breakdown?.bounces,
        breakdown?.hardBounces,
      ]),
    ).toEqual([
      ['shared.example', 2, 2, 0, 0],
      ['mixed.example', 1, 2, 0, 0],
    ]);
  });
});

describe('daysBetween', () => {
  it('crosses month and leap-day boundaries', () => {
    // Act
    const days = daysBetween('2024-02-28', '2024-03-01');
    // Assess
    expect(days).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
  });
});
