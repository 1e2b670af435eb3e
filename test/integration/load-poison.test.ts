// Scenario 4 of the load harness, small: malformed, truncated, oversized and non-SES messages, and a bounce with
// one unusable recipient beside a good one, mixed into a burst: each parked once with its reason; every valid
// event (the good neighbour's included) is recorded.
import { expect, it } from 'vitest';
import { runScenario } from '../../harness/load/scenarios.ts';

it('parks every poison message with a reason after one receive and records every valid event', async () => {
  // Act
  const result = await runScenario({
    scenario: 'poison',
    notifications: 200,
    seed: 24,
    base: new Date('2026-11-20T00:00:00.000Z'),
    timeLimitMs: 100_000,
  });

  // Assess
  expect(result.poison?.sent).toBeGreaterThanOrEqual(7);
  expect(result.poison?.parked).toBe(result.poison?.sent);
  expect(result.poison?.parkedWithReason).toBe(result.poison?.sent);
  expect(result.poison?.maxReceives).toBe(1);
  expect(Object.keys(result.poison?.reasons ?? {}).sort()).toEqual([
    'invalid-recipient-address',
    'missing-or-invalid-fields',
    'not-json',
    'not-ses',
  ]);
  expect(result.check.problems).toEqual([]);
  expect(result.check.recorded).toBe(result.distinctEvents);
  expect(result.check.unexpected).toBe(0);
  expect(result.verdict).toBe('PASS');
}, 120_000);
