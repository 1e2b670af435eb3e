// How right the classifier is on the corpus of real diagnostics, per split: the scoring shared by the corpus test
// (test/unit/classify-corpus.test.ts) and `npm run bench:accuracy`.

import type { Category, Classification } from '../lambdas/domain/classification.ts';
import { classifierWithTextRules, classifyBounce } from '../lambdas/domain/classify.ts';
import { CATEGORY_POLICY, TEXT_RULES } from '../lambdas/domain/rules/index.ts';
import { SMTP_PHASES, type SmtpPhase } from '../lambdas/domain/rules/phase.ts';
import { type CorpusEntry, groupOf, inputOf, loadDiagnosticsCorpus } from './diagnostics-corpus.ts';
import { heldOutAnswers } from './held-out.ts';

/**
 * The columns of the report: every tuning case; every tuning case again with its source's own phrases held out
 * (harness/held-out.ts: an estimate of the classifier on sources it was not tuned on); the validation cases of the first two groups (v1, v2); the validation
 * half of the third group (v3), kept apart because it was split off after the rules of the first two were written; the
 * validation half of the fourth group (v4), split off after the v3 rules were written; the validation half of the
 * fifth group (v5), split off after the v4 rules were written; the validation half of the sixth group (v6), split off
 * after the round-10 rules were written; the validation half of the seventh group (v7), split off after the round-11
 * rules were written; the validation half of the eighth group (v8), split off after the round-12 work; the validation
 * half of the ninth group (v9), split off after the round-13 rules were written.
 */
export const COLUMNS = [
  'tuning',
  'tuningHeldOut',
  'validation',
  'validationV3',
  'validationV4',
  'validationV5',
  'validationV6',
  'validationV7',
  'validationV8',
  'validationV9',
] as const;
type Column = (typeof COLUMNS)[number];

/** What the classifier answered, in the confusion table: a hard verdict, a soft one with a reason, or no reason. */
export const ANSWERS = ['hard', 'soft', 'undetermined'] as const;
export type Answer = (typeof ANSWERS)[number];

/** The SMTP phase the classifier found (text or `smtpCommand`), or none. */
export type PhaseFound = SmtpPhase | 'none';
export const PHASES_FOUND: readonly PhaseFound[] = [...SMTP_PHASES, 'none'];

/** The answer's column in the confusion table. */
export function answerOf(c: Pick<Classification, 'verdict' | 'category'>): Answer {
  if (c.verdict === 'hard') return 'hard';
  return c.category === 'undetermined' ? 'undetermined' : 'soft';
}

const PHASE_IN_EVIDENCE = /; SMTP phase ([A-Z]+) \(/;

/** The phase the classifier reports in its evidence ("; SMTP phase RCPT (from the text)"), or none. */
export function phaseFound(evidence: string): PhaseFound {
  const m = PHASE_IN_EVIDENCE.exec(evidence);
  const phase = m?.[1];
  return SMTP_PHASES.find((p) => p === phase) ?? 'none';
}

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
  /** Expected verdict x the classifier's answer (counts only). */
  confusion: Record<'hard' | 'soft', Record<Answer, number>>;
  /** Cases wrong on hard/soft or on suppression, by their expected category (counts only). */
  wrongByCategory: Partial<Record<Category, number>>;
  /** Cases wrong on hard/soft or on suppression, by the SMTP phase the classifier found (counts only). */
  wrongByPhase: Record<PhaseFound, number>;
  /** The cases judged wrong on hard/soft or suppression, for the report. */
  misses: { diagnosticCode: string; expected: string; got: string; source: string }[];
}

/** A score of no cases. */
export function emptyScore(): SplitScore {
  return {
    cases: 0,
    hardSoftRight: 0,
    categoryRight: 0,
    suppressed: 0,
    suppressedRightly: 0,
    shouldSuppress: 0,
    falseSenderSuppressions: 0,
    undetermined: 0,
    confusion: { hard: zeroAnswers(), soft: zeroAnswers() },
    wrongByCategory: {},
    wrongByPhase: { CONN: 0, HELO: 0, MAIL: 0, RCPT: 0, DATA: 0, QUIT: 0, none: 0 },
    misses: [],
  };
}

export function score(entries: readonly CorpusEntry[]): SplitScore {
  const s = emptyScore();
  for (const entry of entries) tally(s, entry, classifyBounce(inputOf(entry)));
  return s;
}

const zeroAnswers = (): Record<Answer, number> => ({ hard: 0, soft: 0, undetermined: 0 });

/** Adds one case and the classifier's answer to a split's score. */
export function tally(s: SplitScore, entry: CorpusEntry, c: Classification): void {
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
  s.confusion[expected.verdict][answerOf(c)]++;
  if (c.verdict !== expected.verdict || c.suppress !== expected.suppress) {
    s.wrongByCategory[expected.category] = (s.wrongByCategory[expected.category] ?? 0) + 1;
    s.wrongByPhase[phaseFound(c.evidence)]++;
    s.misses.push({
      diagnosticCode: entry.diagnosticCode.slice(0, 140),
      expected: `${expected.verdict}/${expected.category}/${expected.suppress}`,
      got: `${c.verdict}/${c.category}/${c.suppress} (${c.evidence})`,
      source: entry.source,
    });
  }
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

const HEADINGS = [
  'tuning split',
  'tuning, own phrases held out per source',
  'validation split (v1, v2)',
  'validation split v3',
  'validation split v4',
  'validation split v5',
  'validation split v6',
  'validation split v7',
  'validation split v8',
  'validation split v9',
].join(' | ');
const ALIGN = `|---|${COLUMNS.map(() => '---:').join('|')}|`;

function table(scores: Readonly<Record<Column, SplitScore>>): string {
  const row = (name: string, f: (s: SplitScore) => string) =>
    `| ${name} | ${COLUMNS.map((column) => f(scores[column])).join(' | ')} |`;
  return [
    `| measure | ${HEADINGS} |`,
    ALIGN,
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

/**
 * Where the answers go, per split, as counts only (no texts, so reading it cannot turn validation cases into rule
 * material): expected hard/soft x answered hard / soft with a reason / undetermined, and the wrong answers (hard/soft
 * or suppression) by expected category and by the SMTP phase the classifier found.
 */
export function breakdown(scores: Readonly<Record<Column, SplitScore>>): string {
  const all = COLUMNS.map((column) => scores[column]);
  const row = (name: string, f: (s: SplitScore) => number) => `| ${name} | ${all.map(f).join(' | ')} |`;
  const categories = [...new Set(all.flatMap((s) => Object.keys(s.wrongByCategory) as Category[]))].sort();
  const phases = PHASES_FOUND.filter((p) => all.some((s) => s.wrongByPhase[p] > 0));
  return [
    `| expected -> answered (counts) | ${HEADINGS} |`,
    ALIGN,
    ...(['hard', 'soft'] as const).flatMap((truth) =>
      ANSWERS.map((answer) => row(`${truth} -> ${answer}`, (s) => s.confusion[truth][answer])),
    ),
    row('wrong answers (hard/soft or suppression)', (s) => s.misses.length),
    ...categories.map((category) =>
      row(`wrong, expected ${category}`, (s) => s.wrongByCategory[category] ?? 0),
    ),
    ...phases.map((phase) =>
      row(
        phase === 'none' ? 'wrong, no SMTP phase found' : `wrong, phase ${phase} found`,
        (s) => s.wrongByPhase[phase],
      ),
    ),
  ].join('\n');
}

/** What `npm run bench:accuracy` prints and README.md/BENCHMARKS.md carry: the figures, then the breakdown. */
export function report(scores: Readonly<Record<Column, SplitScore>>): string {
  return `${table(scores)}\n\n${breakdown(scores)}`;
}

export function scoreCorpus(): Record<Column, SplitScore> {
  const corpus = loadDiagnosticsCorpus();
  const validation = corpus.filter((e) => e.split === 'validation');
  const inGroup = (...groups: ReturnType<typeof groupOf>[]) =>
    validation.filter((e) => groups.includes(groupOf(e.file)));
  const tuning = corpus.filter((e) => (e.split ?? 'tuning') === 'tuning');
  const heldOut = emptyScore();
  const { answers } = heldOutAnswers(tuning, TEXT_RULES, classifierWithTextRules);
  tuning.forEach((entry, i) => {
    tally(heldOut, entry, answers[i] as Classification);
  });
  return {
    tuning: score(tuning),
    tuningHeldOut: heldOut,
    validation: score(inGroup('first', 'unseen')),
    validationV3: score(inGroup('unseenV3')),
    validationV4: score(inGroup('unseenV4')),
    validationV5: score(inGroup('unseenV5')),
    validationV6: score(inGroup('unseenV6')),
    validationV7: score(inGroup('unseenV7')),
    validationV8: score(inGroup('unseenV8')),
    validationV9: score(inGroup('unseenV9')),
  };
}
