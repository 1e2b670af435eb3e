import { describe, expect, it } from 'vitest';
import { type SendStatusInput, sendStatusOf } from '../../lambdas/domain/send-status.ts';

const clean: SendStatusInput = {
  suppressed: false,
  onSesSuppressionList: false,
  softBounceStreak: 0,
  hardBounces: 0,
  complaints: 0,
  lastHardBounceAt: null,
  lastDeliveryAt: '2024-05-01T00:00:00.000Z',
};

describe('sendStatusOf', () => {
  it.each<[string, Partial<SendStatusInput>, string]>([
    ['only deliveries', {}, 'ok'],
    ['SES state unknown and a clean history', { onSesSuppressionList: null }, 'ok'],
    ['suppressed by us', { suppressed: true }, 'suppressed'],
    ['on the SES list although our summary is clean', { onSesSuppressionList: true }, 'suppressed'],
    ['an open soft-bounce streak', { softBounceStreak: 1 }, 'risky'],
    ['a complaint that was not suppressed by policy', { complaints: 1 }, 'risky'],
    [
      'a hard bounce after the last delivery',
      { hardBounces: 1, lastHardBounceAt: '2024-05-02T00:00:00.000Z' },
      'risky',
    ],
    [
      'a hard bounce followed by a delivery',
      { hardBounces: 1, lastHardBounceAt: '2024-04-02T00:00:00.000Z' },
      'ok',
    ],
    [
      'a hard bounce and never a delivery',
      { hardBounces: 1, lastHardBounceAt: '2024-04-02T00:00:00.000Z', lastDeliveryAt: null },
      'risky',
    ],
    ['suppressed wins over risky', { suppressed: true, softBounceStreak: 2, complaints: 1 }, 'suppressed'],
  ])('%s → %s', (_name, change, expected) => {
    // Act
    const status = sendStatusOf({ ...clean, ...change });
    // Assess
    expect(status).toBe(expected);
  });
});
