// The suppression policy, table-tested: which event asks SES for what, the soft-bounce streak, complaints,
// SES mislabels, the allowlist and dry run. Pure: no I/O.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Category, Classification } from '../../lambdas/domain/classification.ts';
import { classifyBounce } from '../../lambdas/domain/classify.ts';
import type { RecipientEvent } from '../../lambdas/domain/recipient-event.ts';
import {
  applyEvent,
  type PolicySettings,
  type RecipientSummary,
  type SuppressionStatus,
  streakMemorySize,
} from '../../lambdas/domain/suppression-policy.ts';

const SETTINGS: PolicySettings = {
  softBounceThreshold: 3,
  softBounceWindowDays: 14,
  suppressOnComplaint: true,
  repairSesFalseSuppressions: false,
  dryRun: false,
};

let counter = 0;

function classification(
  verdict: 'hard' | 'soft',
  category: Category,
  blame: Classification['blame'],
): Classification {
  return {
    verdict,
    category,
    blame,
    suppress: verdict === 'hard' && blame === 'recipient',
    code: null,
    codeTitle: null,
    evidence: 'test',
  };
}

function event(
  type: RecipientEvent['type'],
  occurredAt: string,
  extra: Partial<RecipientEvent> = {},
): RecipientEvent {
  counter += 1;
  return {
    id: counter.toString(16).padStart(32, '0'),
    type,
    email: 'r@example.com',
    emailDisplay: 'R <r@example.com>',
    domain: 'example.com',
    occurredAt,
    recordedAt: '2026-11-26T00:00:00.000Z',
    sesMessageId: 'm',
    feedbackId: type === 'delivery' ? null : `f${counter}`,
    snsMessageId: null,
    format: 'notification',
    source: null,
    sourceArn: null,
    configurationSet: null,
    sendingAccountId: null,
    subject: null,
    bounce: null,
    classification: null,
    complaint: null,
    delivery: null,
    ...extra,
  };
}

const bounce = (
  at: string,
  c: Classification,
  bounceType = c.verdict === 'hard' ? 'Permanent' : 'Transient',
  bounceSubType = 'General',
) =>
  event('bounce', at, {
    classification: c,
    bounce: {
      bounceType,
      bounceSubType,
      action: 'failed',
      status: null,
      diagnosticCode: null,
      reportingMta: null,
      remoteMtaIp: null,
    },
  });
const soft = (at: string, category: Category = 'mailbox-full') =>
  bounce(at, classification('soft', category, category === 'mailbox-full' ? 'recipient' : 'sender'));
const hard = (at: string) => bounce(at, classification('hard', 'unknown-recipient', 'recipient'));
const complaint = (at: string, subType: string | null = null) =>
  event('complaint', at, {
    complaint: { complaintSubType: subType, feedbackType: 'abuse', userAgent: null, arrivalDate: null },
  });
const delivery = (at: string) =>
  event('delivery', at, {
    delivery: { smtpResponse: '250 ok', processingTimeMillis: 1, reportingMta: null, remoteMtaIp: null },
  });

/** Applies events in order; returns every step's result. */
function run(events: RecipientEvent[], settings: PolicySettings = SETTINGS, allowlisted = false) {
  let summary: RecipientSummary | null = null;
  return events.map((e) => {
    const result = applyEvent(summary, e, settings, allowlisted);
    summary = result.summary;
    return result;
  });
}

/** Our soft-bounce streak suppression is in force or on its way (not withdrawn). */
function streakSuppressed(summary: RecipientSummary | undefined): boolean {
  const s = summary?.suppression;
  return (
    s?.cause === 'soft-bounce-streak' && s.action === 'put' && ['pending', 'confirmed'].includes(s.state)
  );
}

describe('hard bounces and complaints', () => {
  it('a recipient-side hard bounce asks for BOUNCE, once', () => {
    const [first, second] = run([hard('2024-10-01T00:00:00.000Z'), hard('2024-10-02T00:00:00.000Z')]);

    expect(first?.request).toMatchObject({ action: 'put', reason: 'BOUNCE', cause: 'hard-bounce', v: 1 });
    expect(first?.summary).toMatchObject({ hard: 1, suppression: { state: 'pending', action: 'put' } });
    expect(second?.request).toBeNull();
    expect(second?.decision.reason).toContain('already suppressed');
    expect(second?.summary.hard).toBe(2);
  });

  it('OnAccountSuppressionList: nothing requested, SES list belief recorded', () => {
    const [result] = run([
      bounce(
        '2024-10-01T00:00:00.000Z',
        classification('hard', 'ses-suppressed', 'recipient'),
        'Permanent',
        'OnAccountSuppressionList',
      ),
    ]);

    expect(result?.request).toBeNull();
    expect(result?.decision.reason).toContain('already on the account suppression list');
    expect(result?.summary.sesSuppression).toMatchObject({ likely: true, reason: 'BOUNCE' });
  });

  it.each([
    [true, { action: 'put', reason: 'COMPLAINT', cause: 'complaint' }],
    [false, null],
  ])('complaint with SUPPRESS_ON_COMPLAINT=%s', (suppressOnComplaint, expected) => {
    const [result] = run([complaint('2024-10-01T00:00:00.000Z')], { ...SETTINGS, suppressOnComplaint });

    if (expected) expect(result?.request).toMatchObject(expected);
    else expect(result?.request).toBeNull();
    expect(result?.summary.complaints).toBe(1);
  });

  it('a complaint already on the account list asks for nothing', () => {
    const [result] = run([complaint('2024-10-01T00:00:00.000Z', 'OnAccountSuppressionList')]);
    expect(result?.request).toBeNull();
    expect(result?.summary.sesSuppression).toMatchObject({
      reason: 'COMPLAINT',
      reportedAt: '2024-10-01T00:00:00.000Z',
    });
  });

  it.each([
    ['an older SES-sent bounce arriving late keeps the report', '2024-09-30T00:00:00.000Z', true],
    [
      'a newer SES-sent bounce ends it (SES sent, so the address had left the list)',
      '2024-10-02T00:00:00.000Z',
      false,
    ],
  ])('OnAccountSuppressionList report: %s', (_name, hardBounceAt, kept) => {
    const results = run([
      complaint('2024-10-01T00:00:00.000Z', 'OnAccountSuppressionList'),
      bounce(hardBounceAt, classification('hard', 'unknown-recipient', 'recipient'), 'Permanent', 'General'),
    ]);
    expect(results.at(-1)?.summary.sesSuppression?.reportedAt).toBe(
      kept ? '2024-10-01T00:00:00.000Z' : undefined,
    );
  });
});

describe('soft-bounce streak', () => {
  const day = (d: number) => `2024-10-${String(d).padStart(2, '0')}T10:00:00.000Z`;

  it.each([
    ['three within the window', [soft(day(1)), soft(day(5)), soft(day(10))], 3, true],
    ['two are not enough', [soft(day(1)), soft(day(5))], 2, false],
    ['spread wider than 14 days', [soft(day(1)), soft(day(10)), soft(day(20))], 2, false],
    ['a delivery in between resets', [soft(day(1)), soft(day(2)), delivery(day(3)), soft(day(4))], 1, false],
    [
      'message-too-large never counts',
      [soft(day(1)), soft(day(2), 'message-too-large'), soft(day(3))],
      2,
      false,
    ],
    [
      'sender-side categories never count',
      [soft(day(1), 'sender-blocked'), soft(day(2), 'sender-authentication'), soft(day(3), 'rate-limited')],
      0,
      false,
    ],
    [
      'a late older delivery inside the run withdraws the suppression it had caused',
      [soft(day(1)), soft(day(2)), soft(day(4)), delivery(day(3))],
      1,
      false,
    ],
    [
      'older bounces arriving after a newer delivery still form a run before it',
      [delivery(day(5)), soft(day(1)), soft(day(2)), soft(day(3))],
      0,
      true,
    ],
    ['a late older bounce completes a run', [soft(day(10)), soft(day(12)), soft(day(1))], 3, true],
    [
      'a newer bounce far outside the window does not undo a run',
      [soft(day(1)), soft(day(2)), soft(day(3)), soft(day(30))],
      1,
      true,
    ],
    [
      'two distinct bounces at the same instant count twice',
      [soft(day(1)), soft(day(1)), soft(day(2))],
      3,
      true,
    ],
  ])('%s', (_, events, streak, suppressed) => {
    const results = run(events);
    const last = results.at(-1);

    expect(last?.summary.softStreak).toBe(streak);
    expect(streakSuppressed(last?.summary)).toBe(suppressed);
  });

  it('a pending streak suppression withdrawn by a late delivery: the worker will find nothing to do', () => {
    const results = run([soft(day(1)), soft(day(2)), soft(day(4)), delivery(day(3))]);

    expect(results[2]?.request).toMatchObject({ action: 'put', cause: 'soft-bounce-streak' });
    expect(results[3]?.request).toBeNull();
    expect(results[3]?.decision).toMatchObject({ action: 'lift-suppression' });
    expect(results[3]?.summary.suppression).toMatchObject({
      state: 'cancelled',
      requestId: results[2]?.request?.requestId,
    });
  });

  it('a confirmed streak suppression is lifted by a late delivery inside the run (delete request)', () => {
    const [first, second, third] = run([soft(day(1)), soft(day(2)), soft(day(4))]);
    const confirmed = {
      ...(third?.summary as RecipientSummary),
      suppression: { ...(third?.summary.suppression as SuppressionStatus), state: 'confirmed' as const },
    };

    const result = applyEvent(confirmed, delivery(day(3)), SETTINGS, false);

    expect([first?.request, second?.request]).toEqual([null, null]);
    expect(result.request).toMatchObject({ action: 'delete', cause: 'soft-bounce-streak-revoked' });
    expect(result.request).not.toHaveProperty('reason');
    expect(result.decision.action).toBe('lift-suppression');
    expect(result.summary.suppression).toMatchObject({ state: 'pending', action: 'delete' });
  });

  it('a delivery after the run does not lift the suppression', () => {
    const results = run([soft(day(1)), soft(day(2)), soft(day(4)), delivery(day(5))]);

    expect(results.at(-1)?.request).toBeNull();
    expect(streakSuppressed(results.at(-1)?.summary)).toBe(true);
    expect(results.at(-1)?.summary.softStreak).toBe(0);
  });

  it('a soft bounce after the run reached the threshold says so, not "4 of 3"', () => {
    const results = run([soft(day(1)), soft(day(2)), soft(day(3)), soft(day(4))]);

    expect(results.map((r) => r.decision.reason)).toEqual([
      'soft bounce 1 of 3',
      'soft bounce 2 of 3',
      expect.any(String),
      'soft bounce 4 in a row (the run reached 3 before)',
    ]);
    expect(results.at(-1)?.request).toBeNull();
  });

  it('threshold 0: soft bounces are counted in a row and never suppress', () => {
    const settings = { ...SETTINGS, softBounceThreshold: 0 };
    const results = run([soft(day(1)), soft(day(2)), soft(day(3)), soft(day(4))], settings);

    expect(results.map((r) => r.request)).toEqual([null, null, null, null]);
    expect(results.map((r) => r.summary.softStreak)).toEqual([1, 2, 3, 4]);
    expect(results.at(-1)?.decision).toMatchObject({
      action: 'none',
      reason: 'soft bounce 4 in a row (soft-bounce suppression off)',
    });
  });

  it('the threshold and window are configurable', () => {
    const settings = { ...SETTINGS, softBounceThreshold: 2, softBounceWindowDays: 1 };
    const results = run([soft(day(1)), soft(day(3)), soft(day(3).replace('10:00', '11:00'))], settings);

    expect(results.map((r) => r.request?.cause ?? null)).toEqual([null, null, 'soft-bounce-streak']);
  });
});

describe("relay denied by the recipient domain's own MX", () => {
  const day = (d: number) => `2024-10-${String(d).padStart(2, '0')}T10:00:00.000Z`;
  // A real Postfix DSN (initLab/initLab#87): SES delivers to the domain's own MX, so this MX no longer handles it.
  const relayDenied = () =>
    classifyBounce({
      status: '5.7.1',
      bounceType: 'Permanent',
      diagnosticCode:
        'host marla.ludost.net[79.98.105.18] said: 554 5.7.1 <bordjukov@<cutout>>: Relay access denied (in reply to RCPT TO command)',
    });

  it('is soft, blamed on the recipient side, and never suppresses on one event', () => {
    expect(relayDenied()).toMatchObject({
      category: 'relay-denied',
      verdict: 'soft',
      blame: 'recipient',
      suppress: false,
    });
  });

  it('counts toward the soft-bounce streak, so a dead destination is suppressed after three', () => {
    // Prepare
    const events = [1, 3, 5].map((d) => bounce(day(d), relayDenied(), 'Permanent'));
    // Act
    const results = run(events);
    // Assess
    expect(results.map((r) => r.decision.countsTowardStreak)).toEqual([true, true, true]);
    expect(results.at(-1)?.summary.softStreak).toBe(3);
    expect(results.at(-1)?.request).toMatchObject({ action: 'put', cause: 'soft-bounce-streak' });
  });
});

describe('soft-bounce streak: event time, not arrival order', () => {
  const at = (d: number, h = 10) =>
    `2024-10-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:00:00.000Z`;

  function permutations<T>(items: readonly T[]): T[][] {
    if (items.length <= 1) return [[...items]];
    return items.flatMap((item, i) =>
      permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
    );
  }

  /** What must not depend on arrival order: the streak memory and whether we suppress for a streak. */
  function outcome(events: RecipientEvent[]) {
    const summary = run(events).at(-1)?.summary;
    return {
      suppressed: streakSuppressed(summary),
      softStreak: summary?.softStreak,
      softBounceTimes: summary?.softBounceTimes,
      deliveryTimes: summary?.deliveryTimes,
      lastDeliveryAt: summary?.lastDeliveryAt,
    };
  }

  it.each([
    // The reported recipient (samples 27-30): soft, delivery, soft, soft by event time.
    [
      'soft, delivery, soft, soft',
      () => [soft(at(11)), delivery(at(12)), soft(at(16)), soft(at(23))],
      false,
      2,
    ],
    ['three soft bounces (samples 24-26)', () => [soft(at(10)), soft(at(14)), soft(at(19))], true, 3],
    [
      'a run, then a delivery and one more',
      () => [soft(at(1)), soft(at(2)), soft(at(3)), delivery(at(4)), soft(at(5))],
      true,
      1,
    ],
    [
      'a run before a delivery only counts up to it',
      () => [delivery(at(5)), soft(at(1)), soft(at(2)), soft(at(3))],
      true,
      0,
    ],
    ['wider than the window', () => [soft(at(1)), soft(at(10)), soft(at(20)), delivery(at(25))], false, 0],
    [
      'non-counting categories in between',
      () => [soft(at(1)), soft(at(2), 'message-too-large'), soft(at(3)), soft(at(4), 'sender-blocked')],
      false,
      2,
    ],
    ['same instant twice', () => [soft(at(1)), soft(at(1)), soft(at(2)), delivery(at(3))], true, 0],
    [
      'delivery at the instant of a bounce',
      () => [soft(at(1)), soft(at(2)), delivery(at(2)), soft(at(3))],
      false,
      1,
    ],
    [
      'two deliveries split six bounces',
      () => [
        soft(at(1)),
        soft(at(2)),
        delivery(at(3)),
        soft(at(4)),
        soft(at(5)),
        delivery(at(6)),
        soft(at(7)),
      ],
      false,
      1,
    ],
  ])('%s: every arrival order gives the same outcome', (_, events, suppressed, streak) => {
    // Prepare: the in-order (event time) outcome is the reference
    const reference = outcome(events());

    // Act
    const outcomes = permutations(events()).map(outcome);

    // Assess
    expect(reference).toMatchObject({ suppressed, softStreak: streak });
    for (const o of outcomes) expect(o).toEqual(reference);
  });

  it('the memory keeps the newest times of each kind and forgets everything at or before the newest dropped one', () => {
    // Prepare: seven deliveries (one more than the memory holds), then a run of bounces older than all but one
    const events = [
      ...[1, 2, 3, 4, 5, 6, 20].map((d) => delivery(at(d))),
      soft(at(7)),
      soft(at(8)),
      soft(at(9)),
    ];

    // Act
    const summary = run(events).at(-1)?.summary;
    const lateOld = run([...events, soft(at(1, 0))]).at(-1);

    // Assess
    expect(summary).toMatchObject({
      deliveryTimes: [2, 3, 4, 5, 6, 20].map((d) => at(d)),
      streakForgottenUntil: at(1),
      softBounceTimes: [at(7), at(8), at(9)],
    });
    expect(streakSuppressed(summary)).toBe(true);
    expect(lateOld?.decision.countsTowardStreak).toBe(false);
    expect(lateOld?.summary.softBounceTimes).toEqual([at(7), at(8), at(9)]);
  });

  const arbitraryEvent = fc.record({
    kind: fc.constantFrom('soft', 'soft', 'soft', 'delivery', 'delivery', 'too-large', 'sender-side'),
    day: fc.integer({ min: 1, max: 31 }),
    hour: fc.integer({ min: 0, max: 2 }),
  });
  const build = ({ kind, day, hour }: { kind: string; day: number; hour: number }) =>
    kind === 'soft'
      ? soft(at(day, hour))
      : kind === 'delivery'
        ? delivery(at(day, hour))
        : kind === 'sender-side'
          ? soft(at(day, hour), 'rate-limited')
          : soft(at(day, hour), 'message-too-large');

  it('property: any order of up to six bounces and six deliveries decides as event-time order does', () => {
    fc.assert(
      fc.property(
        fc
          .array(arbitraryEvent, { maxLength: 12 })
          .filter(
            (es) =>
              es.filter((e) => e.kind === 'soft').length <= 6 &&
              es.filter((e) => e.kind === 'delivery').length <= 6,
          ),
        fc.integer(),
        (specs, seed) => {
          const inOrder = [...specs].sort((a, b) => a.day - b.day || a.hour - b.hour);
          const shuffled =
            fc.sample(fc.shuffledSubarray(specs, { minLength: specs.length }), { seed, numRuns: 1 })[0] ?? [];
          expect(outcome(shuffled.map(build))).toEqual(outcome(inOrder.map(build)));
        },
      ),
      { seed: 20261126, numRuns: 400 },
    );
  });

  it('property: with more events than the summary remembers, the remembered state still ignores order', () => {
    fc.assert(
      fc.property(fc.array(arbitraryEvent, { minLength: 10, maxLength: 30 }), fc.integer(), (specs, seed) => {
        const shuffled =
          fc.sample(fc.shuffledSubarray(specs, { minLength: specs.length }), { seed, numRuns: 1 })[0] ?? [];
        const memory = (events: RecipientEvent[]) => {
          const summary = run(events).at(-1)?.summary;
          return [
            summary?.softBounceTimes,
            summary?.deliveryTimes,
            summary?.streakForgottenUntil,
            summary?.softStreak,
          ];
        };
        const remembered = memory(specs.map(build));
        expect(memory(shuffled.map(build))).toEqual(remembered);
        expect((remembered[0] as string[]).length).toBeLessThanOrEqual(streakMemorySize(SETTINGS));
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe('SES mislabels (Permanent bounce blamed on the sender)', () => {
  const mislabel = () =>
    bounce(
      '2024-10-01T00:00:00.000Z',
      classification('soft', 'sender-authentication', 'sender'),
      'Permanent',
    );

  it('records that SES likely suppressed a good address, and requests nothing by default', () => {
    const [result] = run([mislabel()]);

    expect(result?.decision).toMatchObject({ sesMislabel: true, action: 'none' });
    expect(result?.decision.reason).toContain('REPAIR_SES_FALSE_SUPPRESSIONS is off');
    expect(result?.summary.sesSuppression).toMatchObject({ likely: true, mislabel: true });
    expect(result?.request).toBeNull();
  });

  it('with REPAIR_SES_FALSE_SUPPRESSIONS asks for a delete', () => {
    const [result] = run([mislabel()], { ...SETTINGS, repairSesFalseSuppressions: true });

    expect(result?.decision.action).toBe('repair-ses-suppression');
    expect(result?.request).toMatchObject({ action: 'delete', cause: 'ses-mislabel-repair' });
    expect(result?.request).not.toHaveProperty('reason');
  });

  it('never repairs an address we suppressed ourselves for a real reason', () => {
    const results = run([hard('2024-09-01T00:00:00.000Z'), mislabel()], {
      ...SETTINGS,
      repairSesFalseSuppressions: true,
    });

    expect(results[1]?.request).toBeNull();
  });
});

describe('allowlist and dry run', () => {
  it('an allowlisted address is never suppressed; the decision says what would have happened', () => {
    const [result] = run([hard('2024-10-01T00:00:00.000Z')], SETTINGS, true);

    expect(result?.request).toBeNull();
    expect(result?.decision).toMatchObject({ allowlisted: true, action: 'none' });
    expect(result?.decision.reason).toMatch(/^allowlisted: would have suppressed \(BOUNCE/);
    expect(result?.summary.suppression).toBeNull();
  });

  it('the allowlist does not stop a repair (it only prevents suppression)', () => {
    const [result] = run(
      [bounce('2024-10-01T00:00:00.000Z', classification('soft', 'sender-blocked', 'sender'), 'Permanent')],
      { ...SETTINGS, repairSesFalseSuppressions: true },
      true,
    );
    expect(result?.request?.action).toBe('delete');
  });

  it('dry run records the decision and requests nothing', () => {
    const [result] = run([hard('2024-10-01T00:00:00.000Z')], { ...SETTINGS, dryRun: true });

    expect(result?.request).toBeNull();
    expect(result?.decision).toMatchObject({ dryRun: true, action: 'suppress' });
    expect(result?.summary.suppression).toMatchObject({ state: 'dry-run', action: 'put', reason: 'BOUNCE' });
  });
});

describe('summary bookkeeping', () => {
  it('counts by kind and keeps first/last event whatever the arrival order', () => {
    const results = run([
      delivery('2024-10-05T00:00:00.000Z'),
      soft('2024-10-01T00:00:00.000Z'),
      complaint('2024-10-09T00:00:00.000Z'),
    ]);
    const summary = results.at(-1)?.summary;

    expect(summary).toMatchObject({
      hard: 0,
      soft: 1,
      complaints: 1,
      deliveries: 1,
      firstEventAt: '2024-10-01T00:00:00.000Z',
      lastEventAt: '2024-10-09T00:00:00.000Z',
      lastEventType: 'complaint',
    });
  });
});
