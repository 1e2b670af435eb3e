// How right the classifier is on the corpus of real diagnostics, for the split the rules were tuned on and for the
// validation split no rule was written from. Run: `npm run bench:accuracy` (add `-- --write` to put the table into
// README.md and BENCHMARKS.md between their `accuracy` markers).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { classifyBounce } from '../lambdas/domain/classify.ts';
import { CATEGORY_POLICY } from '../lambdas/domain/rules/index.ts';
import {
  type CorpusEntry,
  inputOf,
  loadDiagnosticsCorpus,
  type Split,
} from '../test/support/diagnostics-corpus.ts';

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

export function table(scores: Readonly<Record<Split, SplitScore>>): string {
  const row = (name: string, f: (s: SplitScore) => string) =>
    `| ${name} | ${f(scores.tuning)} | ${f(scores.validation)} |`;
  return [
    '| measure | tuning split | validation split |',
    '|---|---:|---:|',
    row('cases', (s) => String(s.cases)),
    row('hard/soft accuracy', (s) => `${pct(s.hardSoftRight, s.cases)} (${s.hardSoftRight})`),
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

export function scoreCorpus(): Record<Split, SplitScore> {
  const corpus = loadDiagnosticsCorpus();
  return {
    tuning: score(corpus.filter((e) => (e.split ?? 'tuning') === 'tuning')),
    validation: score(corpus.filter((e) => e.split === 'validation')),
  };
}

const START = '<!-- accuracy:start -->';
const END = '<!-- accuracy:end -->';

function writeInto(path: string, body: string): void {
  const text = readFileSync(path, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${path}: no ${START} ... ${END} markers`);
  writeFileSync(path, `${text.slice(0, from + START.length)}\n${body}\n${text.slice(to)}`);
}

if (process.argv[1]?.endsWith('accuracy.ts')) {
  const { values } = parseArgs({ options: { write: { type: 'boolean', default: false } } });
  const scores = scoreCorpus();
  const body = table(scores);
  console.log(body);
  for (const split of ['tuning', 'validation'] as const) {
    for (const miss of scores[split].misses) {
      console.log(
        `\n[${split}] ${miss.diagnosticCode}\n  expected ${miss.expected}\n  got      ${miss.got}\n  source   ${miss.source}`,
      );
    }
  }
  if (values.write) {
    const root = join(import.meta.dirname, '..');
    writeInto(join(root, 'README.md'), body);
    writeInto(join(root, 'BENCHMARKS.md'), body);
  }
}
