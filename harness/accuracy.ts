// How right the classifier is on the corpus of real diagnostics, per split: the scoring shared by the corpus test
// (test/unit/classify-corpus.test.ts) and `npm run bench:accuracy`.
import { classifyBounce } from '../lambdas/domain/classify.ts';
import { CATEGORY_POLICY } from '../lambdas/domain/rules/index.ts';
import { type CorpusEntry, groupOf, inputOf, loadDiagnosticsCorpus } from './diagnostics-corpus.ts';

/**
 * The columns of the report: every tuning case; the validation cases of the first two groups (v1, v2); the validation
 * half of the third group (v3), kept apart because it was split off after the rules of the first two were written; the
 * validation half of the fourth group (v4), split off after the v3 rules were written; the validation half of the
 * fifth group (v5), split off after the v4 rules were written.
 */
export const COLUMNS = ['tuning', 'validation', 'validationV3', 'validationV4', 'validationV5'] as const;
type Column = (typeof COLUMNS)[number];

export interface SplitScore {
  cases: number;
  hardSoftRight: number;
  categoryRight: number;
  /** Suppressed by the classifier. */
  suppressed: number;
  /** ...of which the expectation suppresses too. */
  suppressedRightly: number;
  /** Cases the expectation suppresses. */
  shouldSuppress: number;
  /** Suppressed although the expected category is the sender's own problem. */
  falseSenderSuppressions: number;
  undetermined: number;
  /** The cases judged wrong on hard/soft or suppression, for the report. */
  misses: { diagnosticCode: string; expected: string; got: string; source: string }[];
}

export function score(entries: readonly CorpusEntry[]): SplitScore {
  const s: SplitScore = {
    cases: 0,
    hardSoftRight: 0,
    categoryRight: 0,
    suppressed: 0,
    suppressedRightly: 0,
    shouldSuppress: 0,
    falseSenderSuppressions: 0,
    undetermined: 0,
    misses: [],
  };
  for (const entry of entries) {
    const c = classifyBounce(inputOf(entry));
    const { expected } = entry;
    s.cases++;
    if (c.verdict === expected.verdict) s.hardSoftRight++;
    if (c.category === expected.category) s.categoryRight++;
    if (c.category === 'undetermined') s.undetermined++;
    if (expected.suppress) s.shouldSuppress++;
    if (c.suppress) {
      s.suppressed++;
      if (expected.suppress) s.suppressedRightly++;
      if (CATEGORY_POLICY[expected.category].blame === 'sender') s.falseSenderSuppressions++;
    }
    if (c.verdict !== expected.verdict || c.suppress !== expected.suppress) {
      s.misses.push({
        diagnosticCode: entry.diagnosticCode.slice(0, 140),
        expected: `${expected.verdict}/${expected.category}/${expected.suppress}`,
        got: `${c.verdict}/${c.category}/${c.suppress} (${c.evidence})`,
        source: entry.source,
      });
    }
  }
  return s;
}

const pct = (n: number, d: number): string => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`);

/** The lower end of the 95% Wilson score interval of `right` out of `cases`: what the accuracy is at least, given n. */
export function wilsonLowerBound(right: number, cases: number): number {
  if (cases === 0) return 0;
  const z = 1.96;
  const p = right / cases;
  const centre = p + (z * z) / (2 * cases);
  const spread = z * Math.sqrt((p * (1 - p)) / cases + (z * z) / (4 * cases * cases));
  return (centre - spread) / (1 + (z * z) / cases);
}

export function table(scores: Readonly<Record<Column, SplitScore>>): string {
  const row = (name: string, f: (s: SplitScore) => string) =>
    `| ${name} | ${f(scores.tuning)} | ${f(scores.validation)} | ${f(scores.validationV3)} | ${f(scores.validationV4)} | ${f(scores.validationV5)} |`;
  return [
    '| measure | tuning split | validation split (v1, v2) | validation split v3 | validation split v4 | validation split v5 |',
    '|---|---:|---:|---:|---:|---:|',
    row('cases', (s) => String(s.cases)),
    row('hard/soft accuracy', (s) => `${pct(s.hardSoftRight, s.cases)} (${s.hardSoftRight})`),
    row(
      'hard/soft accuracy, 95% lower bound (Wilson)',
      (s) => `${(100 * wilsonLowerBound(s.hardSoftRight, s.cases)).toFixed(1)}%`,
    ),
    row(
      'suppress precision',
      (s) => `${pct(s.suppressedRightly, s.suppressed)} (${s.suppressedRightly}/${s.suppressed})`,
    ),
    row(
      'suppress recall',
      (s) => `${pct(s.suppressedRightly, s.shouldSuppress)} (${s.suppressedRightly}/${s.shouldSuppress})`,
    ),
    row('false suppressions of sender-side cases', (s) => String(s.falseSenderSuppressions)),
    row('category accuracy', (s) => `${pct(s.categoryRight, s.cases)} (${s.categoryRight})`),
    row('undetermined share', (s) => `${pct(s.undetermined, s.cases)} (${s.undetermined})`),
  ].join('\n');
}

export function scoreCorpus(): Record<Column, SplitScore> {
  const corpus = loadDiagnosticsCorpus();
  const validation = corpus.filter((e) => e.split === 'validation');
  const inGroup = (...groups: ReturnType<typeof groupOf>[]) =>
    validation.filter((e) => groups.includes(groupOf(e.file)));
  return {
    tuning: score(corpus.filter((e) => (e.split ?? 'tuning') === 'tuning')),
    validation: score(inGroup('first', 'unseen')),
    validationV3: score(inGroup('unseenV3')),
    validationV4: score(inGroup('unseenV4')),
    validationV5: score(inGroup('unseenV5')),
  };
}
