// The per-split breakdown of `npm run bench:accuracy` (harness/accuracy.ts): where the classifier's answers go,
// counted from hand-made answers so the counting itself is checked, not the classifier.
import { describe, expect, it } from 'vitest';
import { answerOf, breakdown, COLUMNS, emptyScore, phaseFound, tally } from '../../harness/accuracy.ts';
import type { CorpusEntry } from '../../harness/diagnostics-corpus.ts';
import type { Category, Classification, Verdict } from '../../lambdas/domain/classification.ts';

function entry(verdict: Verdict, category: Category, suppress: boolean): CorpusEntry {
  return {
    diagnosticCode: '550 5.1.1 user unknown',
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
    expect(s.wrongByCategory).toEqual({ 'unknown-recipient': 1, 'sender-rejected': 1 });
    expect(s.wrongByPhase).toEqual({ CONN: 0, HELO: 0, MAIL: 0, RCPT: 1, DATA: 0, QUIT: 0, none: 1 });
    expect(s.misses).toHaveLength(2);
  });

  it('prints one column per split, and only the categories and phases that have a wrong answer', () => {
    // Arrange
    const scores = Object.fromEntries(COLUMNS.map((c) => [c, emptyScore()])) as Record<
      (typeof COLUMNS)[number],
      ReturnType<typeof emptyScore>
    >;
    tally(
      scores.validationV4,
      entry('hard', 'mailbox-disabled', true),
      answer('soft', 'undetermined', false, 'x'),
    );
    // Act
    const lines = breakdown(scores).split('\n');
    // Assess
    expect(lines).toContain('| hard -> undetermined | 0 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 |');
    expect(lines).toContain('| wrong, expected mailbox-disabled | 0 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 |');
    expect(lines).toContain('| wrong, no SMTP phase found | 0 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 |');
    expect(lines.filter((l) => l.startsWith('| wrong,'))).toHaveLength(2);
  });
});
