// Scenario 5 of the load harness, small: the query API answers every request while a burst is written. Latency
// is measured and reported by `npm run bench:load`, never asserted here (no timed assertions in tests).
import { expect, it } from 'vitest';
import { runScenario } from '../../harness/load/scenarios.ts';

it('keeps answering queries while the processor writes, and the burst still loses nothing', async () => {
  // Act: the budget is lifted, so only correctness decides here.
  const result = await runScenario({
    scenario: 'query-under-load',
    notifications: 200,
    seed: 25,
    base: new Date('2026-11-20T00:00:00.000Z'),
    timeLimitMs: 100_000,
    queryBudget: { p50Ms: Number.POSITIVE_INFINITY, p99Ms: Number.POSITIVE_INFINITY },
  });

  // Assess
  expect(result.query?.requests).toBeGreaterThan(0);
  expect(result.query?.failures).toBe(0);
  expect(Object.keys(result.query?.routes ?? {}).length).toBeGreaterThanOrEqual(1);
  expect(result.check.problems).toEqual([]);
  expect(result.check.lost).toBe(0);
  expect(result.check.duplicates).toBe(0);
  expect(result.verdict).toBe('PASS');
}, 120_000);
