// Scenario 3 of the load harness, small: the SESv2 suppression endpoint throttles (429) and fails (500) a share
// of calls, and SQS refuses SendMessage for 2 s mid-run (events committed, their suppression-queue messages not
// sent); every suppression the policy asks for still ends on the list, once, and is confirmed in the summary.
import { expect, it } from 'vitest';
import { runScenario } from '../../harness/load/scenarios.ts';

it('suppresses every address once despite throttling and failures of SES', async () => {
  // Act
  const result = await runScenario({
    scenario: 'ses-faults',
    notifications: 200,
    seed: 23,
    base: new Date('2026-11-20T00:00:00.000Z'),
    timeLimitMs: 100_000,
    // Lower shares than the bench's (20% / 10%) keep this test short; each kind of fault still happens.
    sesFaults: { throttleRate: 0.06, errorRate: 0.06 },
  });

  // Assess
  expect(result.sesFaultCalls?.throttled).toBeGreaterThan(0);
  expect(result.sesFaultCalls?.failed).toBeGreaterThan(0);
  expect(result.sqsRefused).toBeGreaterThan(0);
  expect(result.check.problems).toEqual([]);
  expect(result.check.suppressionsActual).toBe(result.check.suppressionsExpected);
  expect(result.check.duplicateSuppressions).toBe(0);
  expect(result.check.lost).toBe(0);
  expect(result.check.duplicates).toBe(0);
  expect(result.verdict).toBe('PASS');
}, 120_000);
