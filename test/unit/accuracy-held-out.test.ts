// Leave-one-source-out (harness/held-out.ts), on a hand-made corpus and a hand-made text-rule table read by the real
// classifier: a phrase only one source backs is left out while that source's cases are classified; a phrase two
// sources back stays.
import { describe, expect, it } from 'vitest';
import type { CorpusEntry } from '../../harness/diagnostics-corpus.ts';
import { heldOutAnswers, sourceKey, withoutAlternatives } from '../../harness/held-out.ts';
import type { Category } from '../../lambdas/domain/classification.ts';
import { classifierWithTextRules } from '../../lambdas/domain/classify.ts';
import type { TextRule } from '../../lambdas/domain/rules/types.ts';

const RULES: readonly TextRule[] = [
  { id: 't-gone', category: 'unknown-recipient', match: ['zzgone', 'zzvanished'], source: 'test' },
  { id: 't-stuffed', category: 'mailbox-full', match: ['zzstuffed'], source: 'test' },
];

function entry(diagnosticCode: string, source: string, category: Category): CorpusEntry {
  const hard = category === 'unknown-recipient';
  return { diagnosticCode, source, expected: { verdict: hard ? 'hard' : 'soft', category, suppress: hard } };
}

describe('leave-one-source-out', () => {
  it('groups sources by repository (sisimai as one), else by host', () => {
    expect(sourceKey('https://github.com/sisimai/rb-sisimai/blob/master/set-of-emails/x.eml')).toBe(
      'sisimai',
    );
    expect(sourceKey('github.com/Owner/Repo test/fixtures/a.txt')).toBe('owner/repo');
    expect(sourceKey('https://www.example.com/help/bounces')).toBe('example.com');
  });

  it('leaves out the given alternatives, and a row with none left', () => {
    const left = withoutAlternatives(RULES, new Set(['0:1', '1:0']));
    expect(left).toEqual([{ ...RULES[0], match: ['zzgone'] }]);
  });

  it("reclassifies a source's cases without the phrases only it backs", () => {
    // Arrange
    const corpus = [
      entry('550 zzgone', 'https://a.example/page', 'unknown-recipient'),
      entry('550 mailbox zzgone here', 'https://b.example/page', 'unknown-recipient'),
      entry('550 zzvanished', 'github.com/owner/repo fixtures/c.txt', 'unknown-recipient'),
      entry('452 zzstuffed', 'https://d.example/page', 'mailbox-full'),
    ];
    // Act
    const run = heldOutAnswers(corpus, RULES, classifierWithTextRules);
    // Assess
    expect(run.alternativesUsed).toBe(3);
    expect(run.singleSourceAlternatives).toBe(2);
    expect(run.folds).toBe(2);
    expect(run.answers.map((c) => [c.verdict, c.category])).toEqual([
      ['hard', 'unknown-recipient'],
      ['hard', 'unknown-recipient'],
      ['soft', 'undetermined'],
      ['soft', 'undetermined'],
    ]);
  });
});
