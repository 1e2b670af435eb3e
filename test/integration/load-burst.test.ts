// Scenario 1 of the load harness, small: a shuffled burst with 10% duplicates through SNS envelope → queue →
// the real processor → store → suppression queue → worker → SESv2 emulator; nothing lost, nothing counted twice.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../harness/load/scenarios.ts';
import { generateWorkload } from '../../harness/load/workload.ts';

const base = new Date('2026-11-20T00:00:00.000Z');

describe('load harness: burst', () => {
  it('generates the same workload from the same seed, in the documented mix', () => {
    // Act
    const a = generateWorkload({ notifications: 400, seed: 11, base });
    const b = generateWorkload({ notifications: 400, seed: 11, base });
    const c = generateWorkload({ notifications: 400, seed: 12, base });

    // Assess
    expect(a.deliveries).toEqual(b.deliveries);
    expect(a.notifications.map((n) => n.message)).toEqual(b.notifications.map((n) => n.message));
    expect(c.deliveries).not.toEqual(a.deliveries);
    expect(a.deliveries).toHaveLength(440);
    // Half the duplicates are SNS redeliveries, half the same SES events in the event-publishing format.
    expect(new Set(a.deliveries).size).toBe(420);
    expect(a.notifications.filter((n) => n.message.startsWith('{"eventType"'))).toHaveLength(20);
    const kinds = a.notifications.slice(0, 400).map((n) => {
      const doc = JSON.parse(n.message) as { notificationType: string; bounce?: { bounceType: string } };
      return doc.bounce ? doc.bounce.bounceType : doc.notificationType;
    });
    const share = (kind: string) => kinds.filter((k) => k === kind).length / kinds.length;
    expect([share('Permanent'), share('Transient'), share('Complaint'), share('Delivery')]).toEqual([
      0.7, 0.2, 0.05, 0.05,
    ]);
    // Every suppression cause of the policy is present: hard bounces, complaints and soft-bounce streaks.
    expect(a.expected.suppressions.size).toBeGreaterThan(200);
    expect([...a.expected.suppressions.values()]).toContain('COMPLAINT');
  });

  it('records every distinct recipient event once and suppresses exactly what the policy says', async () => {
    // Act
    const result = await runScenario({
      scenario: 'burst',
      notifications: 250,
      seed: 21,
      base,
      timeLimitMs: 100_000,
    });

    // Assess
    expect(result.check.problems).toEqual([]);
    expect(result.check.recorded).toBe(result.distinctEvents);
    expect(result.check.lost).toBe(0);
    expect(result.check.duplicates).toBe(0);
    expect(result.check.unexpected).toBe(0);
    expect(result.check.duplicateSuppressions).toBe(0);
    expect(result.check.suppressionsActual).toBe(result.check.suppressionsExpected);
    expect(result.messagesIn).toBe(275);
    expect(result.verdict).toBe('PASS');
  }, 120_000);
});
