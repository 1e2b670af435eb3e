// The per-split breakdown of `npm run bench:accuracy` (harness/accuracy.ts): where the classifier's answers go,
// counted from hand-made answers so the counting itself is checked, not the classifier; and that a validation column
// never shows a count taken over fewer than MIN_VALIDATION_GROUP cases, nor any case's text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  answerOf,
  breakdown,
  breakdownRows,
  COLUMNS,
  emptyScore,
  MIN_VALIDATION_GROUP,
  type PhaseFound,
  phaseFound,
  report,
  type SplitScore,
  score,
  scoreCorpus,
  tally,
  tuningMisses,
  validationTotal,
  visibleGroups,
} from '../../harness/accuracy.ts';
import { type CorpusEntry, loadDiagnosticsCorpus } from '../../harness/diagnostics-corpus.ts';
import type { Category, Classification, Verdict } from '../../lambdas/domain/classification.ts';

type Column = (typeof COLUMNS)[number];
const TUNING_COLUMNS: readonly Column[] = ['tuning', 'tuningHeldOut'];

function entry(
  verdict: Verdict,
  category: Category,
  suppress: boolean,
  text = '550 5.1.1 user unknown',
): CorpusEntry {
  return {
    diagnosticCode: text,
    expected: { verdict, category, suppress },
    source: 'test',
  };
}

function answer(verdict: Verdict, category: Category, suppress: boolean, evidence: string): Classification {
  return { verdict, category, suppress, blame: 'unknown', code: null, codeTitle: null, evidence };
}

describe('accuracy breakdown', () => {
  it('puts a soft answer without a reason in the undetermined column, any hard verdict in the hard one', () => {
    expect(answerOf({ verdict: 'soft', category: 'undetermined' })).toBe('undetermined');
    expect(answerOf({ verdict: 'soft', category: 'mailbox-full' })).toBe('soft');
    expect(answerOf({ verdict: 'hard', category: 'undetermined' })).toBe('hard');
  });

  it('reads the phase the evidence reports, and none when it reports none', () => {
    expect(phaseFound('text rule x ("y"); SMTP phase MAIL (from the text)')).toBe('MAIL');
    expect(phaseFound('code 5.1.1; SMTP phase RCPT (smtpCommand)')).toBe('RCPT');
    expect(phaseFound('no wording, code or SES subtype says why')).toBe('none');
  });

  it('counts expected x answered, and the wrong answers by expected category and by phase', () => {
    // Arrange
    const s = emptyScore();
    // Act
    tally(
      s,
      entry('hard', 'unknown-recipient', true),
      answer('hard', 'unknown-recipient', true, 'code 5.1.1'),
    );
    tally(s, entry('hard', 'unknown-recipient', true), answer('soft', 'undetermined', false, 'nothing'));
    tally(
      s,
      entry('soft', 'sender-rejected', false),
      answer(
        'hard',
        'unknown-domain',
        true,
        'text rule d ("no such domain"); SMTP phase RCPT (from the text)',
      ),
    );
    tally(s, entry('soft', 'mailbox-full', false), answer('soft', 'mailbox-full', false, 'text rule f'));
    // Assess
    expect(s.confusion).toEqual({
      hard: { hard: 1, soft: 0, undetermined: 1 },
      soft: { hard: 1, soft: 1, undetermined: 0 },
    });
    expect(s.casesByCategory).toEqual({ 'unknown-recipient': 2, 'sender-rejected': 1, 'mailbox-full': 1 });
    expect(s.wrongByCategory).toEqual({ 'unknown-recipient': 1, 'sender-rejected': 1 });
    expect(s.casesByPhase).toEqual({ CONN: 0, HELO: 0, MAIL: 0, RCPT: 1, DATA: 0, QUIT: 0, none: 3 });
    expect(s.wrongByPhase).toEqual({ CONN: 0, HELO: 0, MAIL: 0, RCPT: 1, DATA: 0, QUIT: 0, none: 1 });
    expect(s.wrong).toBe(2);
    expect(s.misses).toHaveLength(2);
  });

  it('counts the misses of a score that keeps no texts, and keeps none of their texts', () => {
    // Arrange
    const s = emptyScore({ keep: false });
    // Act
    tally(
      s,
      entry('hard', 'unknown-recipient', true, 'secret text'),
      answer('soft', 'undetermined', false, 'x'),
    );
    // Assess
    expect(s.wrong).toBe(1);
    expect(s.wrongByCategory).toEqual({ 'unknown-recipient': 1 });
    expect(s.misses).toEqual([]);
  });

  it('shows groups of at least the minimum, and pools the rest with the smallest shown until the pool is large enough', () => {
    expect(MIN_VALIDATION_GROUP).toBe(5);
    expect(
      visibleGroups(
        new Map([
          ['a', 9],
          ['b', 6],
          ['c', 5],
        ]),
      ),
    ).toEqual({ shown: new Set(['a', 'b', 'c']), pooled: 0 });
    expect(
      visibleGroups(
        new Map([
          ['a', 9],
          ['b', 6],
          ['c', 2],
          ['d', 0],
        ]),
      ),
    ).toEqual({ shown: new Set(['a']), pooled: 8 });
    expect(
      visibleGroups(
        new Map([
          ['a', 9],
          ['b', 3],
          ['c', 2],
        ]),
      ),
    ).toEqual({ shown: new Set(['a']), pooled: 5 });
    expect(
      visibleGroups(
        new Map([
          ['a', 7],
          ['b', 1],
        ]),
      ),
    ).toEqual({ shown: new Set(), pooled: 8 });
    expect(
      visibleGroups(
        new Map([
          ['a', 3],
          ['b', 1],
        ]),
      ),
    ).toEqual({ shown: new Set(), pooled: 4 });
  });

  it('prints one column per split, and only the categories and phases that have a wrong answer it shows', () => {
    // Arrange
    const scores = noScores();
    tally(scores.tuning, entry('hard', 'mailbox-disabled', true), answer('soft', 'undetermined', false, 'x'));
    tally(
      scores.validationV4,
      entry('hard', 'unknown-domain', true),
      answer('soft', 'undetermined', false, 'x'),
    );
    // Act
    const lines = breakdown(scores).split('\n');
    // Assess
    expect(lines).toContain(
      '| hard -> undetermined | 1 | 0 | – | – | – | – | – | – | – | – | – | – | – | – |',
    );
    expect(lines).toContain(
      '| wrong, expected mailbox-disabled | 1 | 0 | – | – | – | – | – | – | – | – | – | – | – | – |',
    );
    expect(lines).toContain(
      '| wrong, no SMTP phase found | 1 | 0 | – | – | – | – | – | – | – | – | – | – | – | – |',
    );
    expect(lines.filter((l) => l.startsWith('| wrong,'))).toHaveLength(2);
    expect(breakdown(scores)).not.toContain('unknown-domain');
  });

  it('counts a validation category of fewer than five cases only in the pooled row', () => {
    // Arrange: v9 holds six unknown-recipient cases (one wrong) and one unknown-domain case (wrong)
    const scores = noScores();
    for (let i = 0; i < 6; i++) {
      const got =
        i === 0 ? answer('soft', 'undetermined', false, 'x') : answer('hard', 'unknown-recipient', true, 'x');
      tally(scores.validationV9, entry('hard', 'unknown-recipient', true), got);
    }
    tally(
      scores.validationV9,
      entry('hard', 'unknown-domain', true),
      answer('soft', 'undetermined', false, 'x'),
    );
    // Act
    const lines = breakdown(scores).split('\n');
    // Assess: unknown-domain (1 case) joins the pool with unknown-recipient (6), the smallest shown group
    expect(lines).toContain(
      '| wrong answers (hard/soft or suppression) | 0 | 0 | – | – | – | – | – | – | – | 2 | – | – | – | – |',
    );
    expect(lines).toContain(
      '| wrong, expected a pooled category | – | – | – | – | – | – | – | – | – | 2 | – | – | – | – |',
    );
    expect(lines.filter((l) => l.includes('unknown-domain') || l.includes('unknown-recipient'))).toEqual([]);
  });

  it('takes no count of a validation column over fewer than five cases, on any synthetic corpus', () => {
    const arbitraryCase = fc.record({
      verdict: fc.constantFrom<Verdict>('hard', 'soft'),
      category: fc.constantFrom<Category>(
        'unknown-recipient',
        'unknown-domain',
        'mailbox-full',
        'content-rejected',
      ),
      suppress: fc.boolean(),
      got: fc.record({
        verdict: fc.constantFrom<Verdict>('hard', 'soft'),
        category: fc.constantFrom<Category>('unknown-recipient', 'undetermined', 'mailbox-full'),
        suppress: fc.boolean(),
        phase: fc.constantFrom<PhaseFound>('RCPT', 'DATA', 'MAIL', 'none'),
      }),
    });
    type Case = typeof arbitraryCase extends fc.Arbitrary<infer T> ? T : never;
    const columnCases = fc.array(arbitraryCase, { maxLength: 30 });
    fc.assert(
      fc.property(fc.tuple(...COLUMNS.map(() => columnCases)), (perColumn) => {
        // Arrange
        const scores = noScores();
        COLUMNS.forEach((column, i) => {
          for (const c of perColumn[i] ?? []) {
            const evidence = c.got.phase === 'none' ? 'x' : `x; SMTP phase ${c.got.phase} (from the text)`;
            tally(
              scores[column],
              entry(c.verdict, c.category, c.suppress),
              answer(c.got.verdict, c.got.category, c.got.suppress, evidence),
            );
          }
        });
        // Act
        const rows = breakdownRows(scores);
        // Assess: recount every shown validation count, and the cases it is taken over, from the cases themselves
        COLUMNS.forEach((column, i) => {
          if (TUNING_COLUMNS.includes(column)) return;
          const cases = perColumn[i] ?? [];
          const shown = (name: string) => rows.find((r) => r.name === name)?.cells[i] !== undefined;
          const wrong = (c: Case) => c.got.verdict !== c.verdict || c.got.suppress !== c.suppress;
          const phaseRow = (c: Case) =>
            c.got.phase === 'none' ? 'wrong, no SMTP phase found' : `wrong, phase ${c.got.phase} found`;
          const answered = (c: Case) => answerOf({ verdict: c.got.verdict, category: c.got.category });
          for (const row of rows) {
            const cell = row.cells[i];
            if (cell === undefined) continue;
            const pooledAnswer = /^pooled verdicts -> (\w+)$/.exec(row.name)?.[1];
            const [over, counted]: [Case[], (c: Case) => boolean] =
              pooledAnswer !== undefined
                ? [
                    cases.filter((c) => !shown(`${c.verdict} -> ${pooledAnswer}`)),
                    (c) => answered(c) === pooledAnswer,
                  ]
                : / -> /.test(row.name)
                  ? [
                      cases.filter((c) => row.name.startsWith(`${c.verdict} -> `)),
                      (c) => row.name === `${c.verdict} -> ${answered(c)}`,
                    ]
                  : row.name === 'wrong answers (hard/soft or suppression)'
                    ? [cases, wrong]
                    : row.name === 'wrong, expected a pooled category'
                      ? [cases.filter((c) => !shown(`wrong, expected ${c.category}`)), wrong]
                      : row.name === 'wrong, a pooled phase found'
                        ? [cases.filter((c) => !shown(phaseRow(c))), wrong]
                        : [
                            cases.filter(
                              (c) => row.name === `wrong, expected ${c.category}` || row.name === phaseRow(c),
                            ),
                            wrong,
                          ];
            expect(over.length, `${column}: ${row.name}`).toBeGreaterThanOrEqual(MIN_VALIDATION_GROUP);
            expect(cell.over, `${column}: ${row.name}`).toBeGreaterThanOrEqual(MIN_VALIDATION_GROUP);
            expect(cell.count, `${column}: ${row.name}`).toBe(over.filter(counted).length);
          }
          // No small group is left out of both its own row and the pool (the total less the shown rows would count it)
          if (cases.length < MIN_VALIDATION_GROUP) return;
          const partitions: [string, (c: Case) => string, (c: Case) => string][] = [
            ['pooled verdicts -> hard', (c) => c.verdict, (c) => `${c.verdict} -> hard`],
            ['wrong, expected a pooled category', (c) => c.category, (c) => `wrong, expected ${c.category}`],
            ['wrong, a pooled phase found', (c) => c.got.phase, phaseRow],
          ];
          for (const [pool, groupOf, rowOf] of partitions) {
            if (shown(pool)) continue;
            const size = (c: Case) => cases.filter((d) => groupOf(d) === groupOf(c)).length;
            const unaccounted = cases.filter((c) => !shown(rowOf(c)) && size(c) < MIN_VALIDATION_GROUP);
            expect(unaccounted, `${column}: ${pool}`).toEqual([]);
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('gives the validation split as a whole (every batch at once) in the first table only, on the real corpus', () => {
    // Arrange
    const scores = scoreCorpus();
    const whole = score(
      loadDiagnosticsCorpus().filter((e) => e.split === 'validation'),
      { keep: false },
    );
    const figures = (s: SplitScore) => [
      s.cases,
      s.hardSoftRight,
      s.categoryRight,
      s.suppressed,
      s.suppressedRightly,
      s.shouldSuppress,
      s.falseSenderSuppressions,
      s.undetermined,
      s.wrong,
    ];
    // Act
    const total = validationTotal(scores);
    const [first, second] = report(scores).split('\n\n');
    // Assess
    expect(figures(total)).toEqual(figures(whole));
    expect(first).toContain(
      `| cases | ${scores.tuning.cases} | ${scores.tuningHeldOut.cases} | ${whole.cases} |`,
    );
    expect(first?.split('\n')[0]).toContain('| validation, all batches |');
    expect(second).not.toContain('all batches');
  });

  it('lists only tuning misses, and keeps no validation case text to print, on the real corpus', () => {
    // Arrange
    const scores = scoreCorpus();
    const validationTexts = loadDiagnosticsCorpus()
      .filter((e) => e.split === 'validation')
      .map((e) => e.diagnosticCode.slice(0, 140));
    // Act
    const printed = `${report(scores)}\n${tuningMisses(scores)}`;
    // Assess
    for (const column of COLUMNS.filter((c) => !TUNING_COLUMNS.includes(c))) {
      expect(scores[column].misses, column).toEqual([]);
      expect(scores[column].wrong, column).toBeGreaterThanOrEqual(0);
    }
    expect(
      tuningMisses(scores)
        .split('\n')
        .filter((l) => l.startsWith('[')),
    ).toEqual(scores.tuning.misses.map(() => expect.stringMatching(/^\[tuning\] /)));
    expect(validationTexts.filter((t) => printed.includes(t))).toEqual([]);
    for (const row of breakdownRows(scores)) {
      COLUMNS.forEach((column, i) => {
        const cell = row.cells[i];
        if (TUNING_COLUMNS.includes(column) || cell === undefined) return;
        expect(cell.over, `${column}: ${row.name}`).toBeGreaterThanOrEqual(MIN_VALIDATION_GROUP);
      });
    }
  });
});

function noScores(): Record<Column, SplitScore> {
  return Object.fromEntries(
    COLUMNS.map((c) => [c, emptyScore({ keep: TUNING_COLUMNS.includes(c) })]),
  ) as Record<Column, SplitScore>;
}
