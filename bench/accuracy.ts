// How right the classifier is on the corpus of real diagnostics, for the split the rules were tuned on and for the
// validation splits no rule was written from, and for the tuning split with each source's own phrases held out (an
// estimate on unseen sources, harness/held-out.ts). Run: `npm run bench:accuracy` (add `-- --write` to put the table into
// README.md and BENCHMARKS.md between their `accuracy` markers). Only the tuning misses are listed (the validation
// scores keep no texts): the validation splits are reported as figures and, for every split, as counts of where the
// answers go (expected hard/soft x answered hard/soft/undetermined, wrong answers by expected category and by the SMTP
// phase found), where a validation column counts no group of fewer than MIN_VALIDATION_GROUP cases on its own
// (harness/accuracy.ts), so that reading the report cannot turn validation cases into rule material.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { report, scoreCorpus, tuningMisses } from '../harness/accuracy.ts';

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
  const body = report(scores);
  console.log(body);
  console.log(tuningMisses(scores));
  if (values.write) {
    const root = join(import.meta.dirname, '..');
    writeInto(join(root, 'README.md'), body);
    writeInto(join(root, 'BENCHMARKS.md'), body);
  }
}
