// Scenario 2 of the load harness, small: DynamoDB answers throttling and 500s for a share of requests (some 500s
// after applying the write) and is restarted mid-run on its data directory; what failed lands in the DLQ, the
// redrive empties it, and the end state is exactly what the workload asks for.
import { expect, it } from 'vitest';
import { runScenario } from '../../harness/load/scenarios.ts';

it('loses and double-counts nothing through injected faults, a store restart and a redrive', async () => {
  // Act
  const result = await runScenario({
    scenario: 'dynamo-faults',
    notifications: 200,
    seed: 22,
    base: new Date('2026-11-20T00:00:00.000Z'),
    timeLimitMs: 100_000,
    // Lower shares than the bench's (3% each, 1% lost responses) keep this test short; each kind still happens.
    dynamoFaults: { throughputExceeded: 0.02, throttling: 0.02, internalError: 0.02, lostResponse: 0.01 },
    restartDownMs: 2500,
  });

  // Assess: the faults happened ...
  const faults = result.dynamoFaults;
  expect(faults?.throughputExceeded).toBeGreaterThan(0);
  expect(faults?.throttling).toBeGreaterThan(0);
  expect(faults?.internalError).toBeGreaterThan(0);
  expect(faults?.lostResponse).toBeGreaterThan(0);
  expect(faults?.unavailable).toBeGreaterThan(0);
  expect(result.redriven).toBeGreaterThan(0);
  // ... and changed nothing.
  expect(result.check.problems).toEqual([]);
  expect(result.check.recorded).toBe(result.distinctEvents);
  expect(result.check.lost).toBe(0);
  expect(result.check.duplicates).toBe(0);
  expect(result.check.duplicateSuppressions).toBe(0);
  expect(result.check.suppressionsActual).toBe(result.check.suppressionsExpected);
  expect(result.verdict).toBe('PASS');
}, 120_000);
