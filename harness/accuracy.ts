// How right the classifier is on the corpus of real diagnostics, per split: the scoring shared by the corpus test
// (test/unit/classify-corpus.test.ts) and `npm run bench:accuracy`.

import type { Category, Classification } from '../lambdas/domain/classification.ts';
import { classifierWithTextRules, classifyBounce } from '../lambdas/domain/classify.ts';
import { CATEGORY_POLICY, TEXT_RULES } from '../lambdas/domain/rules/index.ts';
import { SMTP_PHASES, type SmtpPhase } from '../lambdas/domain/rules/phase.ts';
import {
  type CorpusEntry,
  groupOf,
  inputOf,
  loadDiagnosticsCorpus,
  type SplitGroupName,
} from './diagnostics-corpus.ts';
import { heldOutAnswers } from './held-out.ts';

/**
 * The validation columns, one per batch: its key, its heading, and the fixture groups (harness/diagnostics-corpus.ts)
 * whose validation halves it scores. The first two groups (v1, v2) share a column; every later group was split off
 * after the rules before it were written (v3 after the v1/v2 rules, v4 after the v3 rules, v5 after the v4 rules, v6
 * after round 10, v7 after round 11, v8 after round 12, v9 after round 13, v10 after round 14, v11 after round 15, v12
 * after round 16, v13 after round 17) and is reported on its own.
 */
const VALIDATION_BATCHES = [
  { column: 'validation', heading: 'validation split (v1, v2)', groups: ['first', 'unseen'] },
  { column: 'validationV3', heading: 'validation split v3', groups: ['unseenV3'] },
  { column: 'validationV4', heading: 'validation split v4', groups: ['unseenV4'] },
  { column: 'validationV5', heading: 'validation split v5', groups: ['unseenV5'] },
  { column: 'validationV6', heading: 'validation split v6', groups: ['unseenV6'] },
  { column: 'validationV7', heading: 'validation split v7', groups: ['unseenV7'] },
  { column: 'validationV8', heading: 'validation split v8', groups: ['unseenV8'] },
  { column: 'validationV9', heading: 'validation split v9', groups: ['unseenV9'] },
  { column: 'validationV10', heading: 'validation split v10', groups: ['unseenV10'] },
  { column: 'validationV11', heading: 'validation split v11', groups: ['unseenV11'] },
  { column: 'validationV12', heading: 'validation split v12', groups: ['unseenV12'] },
  { column: 'validationV13', heading: 'validation split v13', groups: ['unseenV13'] },
] as const satisfies readonly { column: string; heading: string; groups: readonly SplitGroupName[] }[];
type ValidationColumn = (typeof VALIDATION_BATCHES)[number]['column'];
type Column = 'tuning' | 'tuningHeldOut' | ValidationColumn;

/**
 * The columns of the report: every tuning case; every tuning case again with its source's own phrases held out
 * (harness/held-out.ts: an estimate of the classifier on sources it was not tuned on); then the validation batches.
 */
export const COLUMNS: readonly Column[] = [
  'tuning',
  'tuningHeldOut',
  ...VALIDATION_BATCHES.map((batch) => batch.column),
];

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
  /** Cases by their expected category (counts only). */
  casesByCategory: Partial<Record<Category, number>>;
  /** Cases wrong on hard/soft or on suppression, by their expected category (counts only). */
  wrongByCategory: Partial<Record<Category, number>>;
  /** Cases by the SMTP phase the classifier found (counts only). */
  casesByPhase: Record<PhaseFound, number>;
  /** Cases wrong on hard/soft or on suppression, by the SMTP phase the classifier found (counts only). */
  wrongByPhase: Record<PhaseFound, number>;
  /** Cases wrong on hard/soft or on suppression. */
  wrong: number;
  /** Whether `misses` keeps the wrong cases' texts: only for splits whose cases may be read (tuning). */
  readonly keepsTexts: boolean;
  /** The cases judged wrong on hard/soft or suppression, for the report; always empty unless `keepsTexts`. */
  misses: { diagnosticCode: string; expected: string; got: string; source: string }[];
}

const zeroPhases = (): Record<PhaseFound, number> => ({
  CONN: 0,
  HELO: 0,
  MAIL: 0,
  RCPT: 0,
  DATA: 0,
  QUIT: 0,
  none: 0,
});

/**
 * A score of no cases. `texts: false` for a validation split: its misses are counted but their texts are not kept,
 * so no report can print them.
 */
export function emptyScore(texts: { keep: boolean } = { keep: true }): SplitScore {
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
    casesByCategory: {},
    wrongByCategory: {},
    casesByPhase: zeroPhases(),
    wrongByPhase: zeroPhases(),
    wrong: 0,
    keepsTexts: texts.keep,
    misses: [],
  };
}

export function score(
  entries: readonly CorpusEntry[],
  texts: { keep: boolean } = { keep: true },
): SplitScore {
  const s = emptyScore(texts);
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
  s.casesByCategory[expected.category] = (s.casesByCategory[expected.category] ?? 0) + 1;
  const phase = phaseFound(c.evidence);
  s.casesByPhase[phase]++;
  if (c.verdict !== expected.verdict || c.suppress !== expected.suppress) {
    s.wrong++;
    s.wrongByCategory[expected.category] = (s.wrongByCategory[expected.category] ?? 0) + 1;
    s.wrongByPhase[phase]++;
    if (!s.keepsTexts) return;
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

/** Each column's heading in the tables. */
const HEADING: Readonly<Record<Column, string>> = {
  tuning: 'tuning split',
  tuningHeldOut: 'tuning, own phrases held out per source',
  ...Object.fromEntries(VALIDATION_BATCHES.map((batch) => [batch.column, batch.heading])),
} as Record<Column, string>;
const HEADINGS = COLUMNS.map((column) => HEADING[column]).join(' | ');
const ALIGN = `|---|${COLUMNS.map(() => '---:').join('|')}|`;

/** The validation batches' columns: every column but the two tuning ones. */
const validationColumns = (): Column[] => VALIDATION_BATCHES.map((batch) => batch.column);

/**
 * The figures of the first table's "validation, all batches" column: every validation batch's cases as one split,
 * which is what issue #11's target is about. Only the first table has it: its figures are sums of the batch columns
 * beside it, while in the breakdown a total beside pooled batch groups would give a pooled group's count away by
 * subtraction.
 */
export function validationTotal(scores: Readonly<Record<Column, SplitScore>>): SplitScore {
  const total = emptyScore({ keep: false });
  for (const s of validationColumns().map((column) => scores[column])) {
    total.cases += s.cases;
    total.hardSoftRight += s.hardSoftRight;
    total.categoryRight += s.categoryRight;
    total.suppressed += s.suppressed;
    total.suppressedRightly += s.suppressedRightly;
    total.shouldSuppress += s.shouldSuppress;
    total.falseSenderSuppressions += s.falseSenderSuppressions;
    total.undetermined += s.undetermined;
    total.wrong += s.wrong;
  }
  return total;
}

function table(scores: Readonly<Record<Column, SplitScore>>): string {
  const batches = validationColumns();
  const columns = [
    scores.tuning,
    scores.tuningHeldOut,
    validationTotal(scores),
    ...batches.map((c) => scores[c]),
  ];
  const headings = [
    HEADING.tuning,
    HEADING.tuningHeldOut,
    'validation, all batches',
    ...batches.map((c) => HEADING[c]),
  ];
  const row = (name: string, f: (s: SplitScore) => string) => `| ${name} | ${columns.map(f).join(' | ')} |`;
  return [
    `| measure | ${headings.join(' | ')} |`,
    `|---|${columns.map(() => '---:').join('|')}|`,
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
 * The fewest cases any count of a validation column in the breakdown is taken over: 5. Whoever writes rules collected
 * and labelled the validation cases, so knows each one's expected verdict and category; a count over a smaller group
 * ("wrong, expected unknown-domain: 1" where the batch holds one such case) says which case was answered wrongly, and
 * that is rule material. Over a group of 5 or more, a wrong answer is one of at least five cases the reader cannot tell
 * apart from the counts (the small-cell threshold published statistics commonly suppress below), while every
 * validation column measured so far (the smallest, v7, holds 8 cases) keeps its totals; 10 would blank v7 altogether.
 */
export const MIN_VALIDATION_GROUP = 5;

/** The tuning columns' cases may be read, so they show every group; the validation columns pool the small ones. */
const pooling = (column: Column): boolean => column !== 'tuning' && column !== 'tuningHeldOut';

/**
 * Which groups of a validation column's cases (its cases by expected verdict, by expected category or by the phase
 * found) the breakdown shows one by one, and how many cases the rest pool: a group of at least MIN_VALIDATION_GROUP
 * cases is shown, the others are pooled, and while the pool holds cases but fewer than MIN_VALIDATION_GROUP the
 * smallest shown group joins it (a small pool would be found by subtracting the shown groups from the total). A pool
 * still below MIN_VALIDATION_GROUP (a column of fewer cases than that) is not shown either.
 */
export function visibleGroups<G extends string>(
  sizes: ReadonlyMap<G, number>,
): { shown: Set<G>; pooled: number } {
  const shown = [...sizes].filter(([, n]) => n >= MIN_VALIDATION_GROUP).sort((a, b) => a[1] - b[1]);
  let pooled = [...sizes.values()].reduce((sum, n) => sum + n, 0) - shown.reduce((sum, [, n]) => sum + n, 0);
  while (pooled > 0 && pooled < MIN_VALIDATION_GROUP && shown.length > 0) pooled += shown.shift()?.[1] ?? 0;
  return { shown: new Set(shown.map(([g]) => g)), pooled };
}

/** A count of the breakdown and the number of cases it is taken over; undefined where the column does not show it. */
export type BreakdownCell = { count: number; over: number } | undefined;
export interface BreakdownRow {
  name: string;
  /** One per column, in COLUMNS order. */
  cells: BreakdownCell[];
}

/** Rows of one partition of the cases: one per group and measure, then one per measure for the pool. */
function partition<G extends string>(
  scores: Readonly<Record<Column, SplitScore>>,
  groups: readonly G[],
  sizeOf: (s: SplitScore, g: G) => number,
  measures: readonly { name: (g: G | 'pool') => string; count: (s: SplitScore, g: G) => number }[],
  listed: 'every group' | 'groups with a count',
): BreakdownRow[] {
  const views = COLUMNS.map((column) => {
    const s = scores[column];
    if (!pooling(column)) return { s, shown: new Set(groups), pooled: 0 };
    return { s, ...visibleGroups(new Map(groups.map((g) => [g, sizeOf(s, g)]))) };
  });
  const named = groups.flatMap((g) =>
    measures.map((m) => ({
      name: m.name(g),
      cells: views.map(
        ({ s, shown }): BreakdownCell =>
          shown.has(g) ? { count: m.count(s, g), over: sizeOf(s, g) } : undefined,
      ),
    })),
  );
  const pools = measures.map((m) => ({
    name: m.name('pool'),
    cells: views.map(({ s, shown, pooled }): BreakdownCell => {
      if (pooled < MIN_VALIDATION_GROUP) return undefined;
      const count = groups.filter((g) => !shown.has(g)).reduce((sum, g) => sum + m.count(s, g), 0);
      return { count, over: pooled };
    }),
  }));
  return [
    ...named.filter((r) => listed === 'every group' || r.cells.some((c) => (c?.count ?? 0) > 0)),
    ...pools.filter((r) => r.cells.some((c) => c !== undefined)),
  ];
}

/**
 * Where the answers go, per split, as counts only (no texts, so reading it cannot turn validation cases into rule
 * material): expected hard/soft x answered hard / soft with a reason / undetermined, and the wrong answers (hard/soft
 * or suppression) in all, by expected category and by the SMTP phase the classifier found. In a validation column no
 * count is taken over fewer than MIN_VALIDATION_GROUP cases (visibleGroups): small groups are counted in a pooled row
 * and their own rows show no count there, and a row is listed only for a count some column shows.
 */
export function breakdownRows(scores: Readonly<Record<Column, SplitScore>>): BreakdownRow[] {
  const all = COLUMNS.map((column) => scores[column]);
  const categories = [...new Set(all.flatMap((s) => Object.keys(s.casesByCategory) as Category[]))].sort();
  const verdicts = ['hard', 'soft'] as const;
  return [
    ...partition(
      scores,
      verdicts,
      (s, v) => ANSWERS.reduce((sum, a) => sum + s.confusion[v][a], 0),
      ANSWERS.map((answer) => ({
        name: (v: (typeof verdicts)[number] | 'pool') =>
          `${v === 'pool' ? 'pooled verdicts' : v} -> ${answer}`,
        count: (s: SplitScore, v: (typeof verdicts)[number]) => s.confusion[v][answer],
      })),
      'every group',
    ),
    ...partition(
      scores,
      ['all'],
      (s) => s.cases,
      [{ name: () => 'wrong answers (hard/soft or suppression)', count: (s) => s.wrong }],
      'every group',
    ),
    ...partition(
      scores,
      categories,
      (s, category) => s.casesByCategory[category] ?? 0,
      [
        {
          name: (category) =>
            category === 'pool' ? 'wrong, expected a pooled category' : `wrong, expected ${category}`,
          count: (s, category) => s.wrongByCategory[category] ?? 0,
        },
      ],
      'groups with a count',
    ),
    ...partition(
      scores,
      PHASES_FOUND,
      (s, phase) => s.casesByPhase[phase],
      [
        {
          name: (phase) => {
            if (phase === 'pool') return 'wrong, a pooled phase found';
            return phase === 'none' ? 'wrong, no SMTP phase found' : `wrong, phase ${phase} found`;
          },
          count: (s, phase) => s.wrongByPhase[phase],
        },
      ],
      'groups with a count',
    ),
  ];
}

/** The breakdown as a table: "–" where a validation column shows no count of its own (it is in the pooled row). */
export function breakdown(scores: Readonly<Record<Column, SplitScore>>): string {
  return [
    `| expected -> answered (counts) | ${HEADINGS} |`,
    ALIGN,
    ...breakdownRows(scores).map(
      (r) => `| ${r.name} | ${r.cells.map((c) => (c === undefined ? '–' : String(c.count))).join(' | ')} |`,
    ),
  ].join('\n');
}

/** What `npm run bench:accuracy` prints and README.md/BENCHMARKS.md carry: the figures, then the breakdown. */
export function report(scores: Readonly<Record<Column, SplitScore>>): string {
  return `${table(scores)}\n\n${breakdown(scores)}`;
}

/**
 * The misses `npm run bench:accuracy` lists under the report: the tuning split's only. The validation scores keep no
 * texts (emptyScore), so none of their cases can be listed here or anywhere else.
 */
export function tuningMisses(scores: Readonly<Record<Column, SplitScore>>): string {
  return scores.tuning.misses
    .map(
      (miss) =>
        `\n[tuning] ${miss.diagnosticCode}\n  expected ${miss.expected}\n  got      ${miss.got}\n  source   ${miss.source}`,
    )
    .join('\n');
}

export function scoreCorpus(): Record<Column, SplitScore> {
  const corpus = loadDiagnosticsCorpus();
  const validation = corpus.filter((e) => e.split === 'validation');
  const inGroup = (...groups: readonly SplitGroupName[]) =>
    validation.filter((e) => groups.includes(groupOf(e.file)));
  const tuning = corpus.filter((e) => (e.split ?? 'tuning') === 'tuning');
  const blind = (entries: readonly CorpusEntry[]) => score(entries, { keep: false });
  const heldOut = emptyScore();
  const { answers } = heldOutAnswers(tuning, TEXT_RULES, classifierWithTextRules);
  tuning.forEach((entry, i) => {
    tally(heldOut, entry, answers[i] as Classification);
  });
  const scores: Partial<Record<Column, SplitScore>> = { tuning: score(tuning), tuningHeldOut: heldOut };
  for (const batch of VALIDATION_BATCHES) scores[batch.column] = blind(inGroup(...batch.groups));
  return scores as Record<Column, SplitScore>;
}
