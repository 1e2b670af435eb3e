import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { again, contentionPause, done, retry } from '../../lambdas/domain/retry.ts';

describe('retry', () => {
  it('pauses only between attempts that ask for a pause, by the policy, and stops at the first value', async () => {
    const pauses: number[] = [];
    const answers = [again(true), again(false), again(true), done('ok')];
    const value = await retry(
      { attempts: 5, pauseMs: (attempt) => attempt * 100, sleep: async (ms) => void pauses.push(ms) },
      async (attempt) => answers[attempt - 1] ?? done('late'),
      () => 'exhausted',
    );
    expect(value).toBe('ok');
    expect(pauses).toEqual([100, 300]);
  });

  it('answers what `exhausted` says after the last attempt, without a pause after it', async () => {
    const pauses: number[] = [];
    const value = await retry(
      { attempts: 3, pauseMs: () => 1, sleep: async (ms) => void pauses.push(ms) },
      async () => again(true),
      () => 'exhausted',
    );
    expect(value).toBe('exhausted');
    expect(pauses).toHaveLength(2);
  });

  it('jitters the contention pause within a range that grows with the attempt', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), (attempt) => {
        const pause = contentionPause(attempt);
        expect(Number.isInteger(pause)).toBe(true);
        expect(pause).toBeGreaterThanOrEqual(10 * attempt);
        expect(pause).toBeLessThan(30 * attempt);
      }),
    );
  });
});
