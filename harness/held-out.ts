// Leave-one-source-out on the tuning split: an estimate of how the classifier does on sources it was not tuned on,
// from the tuning cases alone. For each source, the phrases (text-rule alternatives) that decide tuning cases rightly
// only for that source are left out of the rule table, and that source's cases are classified again; every other
// rule (codes, SES subtypes, phases, composition) and every phrase another source backs too stays. The tuning
// figures say how well the rules fit the text they were written from; this says how well they would have done on a
// source before its own phrases were added.

import type { BounceInput, Classification } from '../lambdas/domain/classification.ts';
import type { Phrase, TextRule } from '../lambdas/domain/rules/types.ts';
import { type CorpusEntry, inputOf } from './diagnostics-corpus.ts';

/** Builds a classifier that reads the given text-rule table (lambdas/domain/classify.ts classifierWithTextRules). */
export type ClassifierFactory = (textRules: readonly TextRule[]) => (input: BounceInput) => Classification;

/**
 * Which source a case comes from, for holding sources out: a GitHub repository (owner/name; every sisimai repository is
 * one source), else a web host, else the first words of the source field.
 */
export function sourceKey(source: string): string {
  let s = source.trim().replace(/^https?:\/\/(www\.)?/, '');
  if (s.startsWith('github.com/')) s = s.slice('github.com/'.length);
  if (s.startsWith('sisimai/')) return 'sisimai';
  const repo = /^([\w.-]+\/[\w.-]+)[\s/]/.exec(s)?.[1];
  const owner = repo?.split('/')[0] ?? '';
  if (
    repo !== undefined &&
    !/\.(com|net|org|de|ru|jp|cn|fr|it|io|info|ch|cz|pl|br|nl|tr|kr|uk|edu|vip)\b/.test(owner)
  )
    return repo.toLowerCase();
  const host = /^([\w.-]+\.[a-z]{2,})/i.exec(s)?.[1];
  if (host !== undefined) return host.toLowerCase();
  return s.split(/[ ,(]/).slice(0, 2).join(' ').toLowerCase();
}

/** The evidence a text-rule alternative writes (as lambdas/domain/classify.ts does): how a decision is traced back. */
const evidenceOf = (rule: TextRule, phrase: Phrase): string =>
  `text rule ${rule.id} ("${(typeof phrase === 'string' ? [phrase] : phrase).join('" + "')}")`;

/** A text-rule alternative: the rule's index in the table and the phrase's index in its `match`. */
interface Alternative {
  readonly rule: number;
  readonly phrase: number;
}

/** The table without the given alternatives (rows whose every phrase is left out are left out too). */
export function withoutAlternatives(
  textRules: readonly TextRule[],
  left: ReadonlySet<string>,
): readonly TextRule[] {
  return textRules.flatMap((rule, r) => {
    const match = rule.match.filter((_p, p) => !left.has(`${r}:${p}`));
    if (match.length === rule.match.length) return [rule];
    return match.length === 0 ? [] : [{ ...rule, match }];
  });
}

/** What the held-out run answered, per entry, and how many sources lost phrases. */
export interface HeldOut {
  /** The answer for each entry (in order), its source's own phrases left out. */
  readonly answers: readonly Classification[];
  /** Sources that had phrases of their own to hold out. */
  readonly folds: number;
  /** Alternatives that decide a case rightly, and of those, the ones only one source backs. */
  readonly alternativesUsed: number;
  readonly singleSourceAlternatives: number;
}

/** Classifies `entries`, leaving each source's own phrases out of `textRules` while its cases are classified. */
export function heldOutAnswers(
  entries: readonly CorpusEntry[],
  textRules: readonly TextRule[],
  classifierFor: ClassifierFactory,
): HeldOut {
  const byEvidence = new Map<string, Alternative>();
  textRules.forEach((rule, r) => {
    rule.match.forEach((phrase, p) => {
      byEvidence.set(evidenceOf(rule, phrase), { rule: r, phrase: p });
    });
  });
  const full = classifierFor(textRules);
  const keys = entries.map((e) => sourceKey(e.source));
  const answers = entries.map((e) => full(inputOf(e)));
  // The sources each alternative decides rightly (category as expected).
  const backers = new Map<string, Set<string>>();
  answers.forEach((c, i) => {
    const entry = entries[i] as CorpusEntry;
    const decided = /^text rule \S+ \(".*?"\)/.exec(c.evidence)?.[0];
    const alternative = decided === undefined ? undefined : byEvidence.get(decided);
    if (alternative === undefined || c.category !== entry.expected.category) return;
    const id = `${alternative.rule}:${alternative.phrase}`;
    const sources = backers.get(id) ?? new Set<string>();
    sources.add(keys[i] as string);
    backers.set(id, sources);
  });
  const ownBy = new Map<string, Set<string>>();
  for (const [id, sources] of backers) {
    if (sources.size !== 1) continue;
    const [source] = sources as Set<string>;
    const own = ownBy.get(source as string) ?? new Set<string>();
    own.add(id);
    ownBy.set(source as string, own);
  }
  for (const [source, own] of ownBy) {
    const heldOut = classifierFor(withoutAlternatives(textRules, own));
    keys.forEach((key, i) => {
      if (key === source) answers[i] = heldOut(inputOf(entries[i] as CorpusEntry));
    });
  }
  return {
    answers,
    folds: ownBy.size,
    alternativesUsed: backers.size,
    singleSourceAlternatives: [...backers.values()].filter((s) => s.size === 1).length,
  };
}
