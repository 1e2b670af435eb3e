// The corpus of real diagnostics (test/fixtures/diagnostics/*.json) with its two splits, shared by the corpus test
// and `npm run bench:accuracy`. Every case of a source added after the validation split was introduced carries
// `split`, fixed once by a seeded hash of its text (about a third go to "validation": no rule may be written from
// those); the older cases, which the rules were written from, are all "tuning".
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BounceInput, Category, Verdict } from '../lambdas/domain/classification.ts';

export type Split = 'tuning' | 'validation';

export interface CorpusEntry extends BounceInput {
  diagnosticCode: string;
  expected: { verdict: Verdict; category: Category; suppress: boolean };
  /** A URL, or a repository path, or shared material as ../shared/... */
  source: string;
  /** Absent on the cases the rules were first written from (tuning). */
  split?: Split;
}

export const SPLIT_SEED = 'ses-bounce-validation-v1';

/** The split a new case falls into: the first 4 bytes of sha256(seed + "\n" + text), modulo 3; 0 is validation. */
export function splitOf(diagnosticCode: string): Split {
  const digest = createHash('sha256').update(`${SPLIT_SEED}\n${diagnosticCode}`).digest();
  return digest.readUInt32BE(0) % 3 === 0 ? 'validation' : 'tuning';
}

export const CORPUS_DIR = join(import.meta.dirname, '..', 'test', 'fixtures', 'diagnostics');

export function loadDiagnosticsCorpus(): (CorpusEntry & { file: string })[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((file) =>
      (JSON.parse(readFileSync(join(CORPUS_DIR, file), 'utf8')) as CorpusEntry[]).map((entry) => ({
        ...entry,
        file,
      })),
    );
}

/** The fields a caller of classifyBounce passes (the fixture's own keys left out). */
export function inputOf(entry: CorpusEntry): BounceInput {
  const { status, diagnosticCode, bounceType, bounceSubType, action, smtpCommand } = entry;
  return { status, diagnosticCode, bounceType, bounceSubType, action, smtpCommand };
}
