// The shape of the classifier's rule tables. Rules are data: adding wording means adding a row, not a branch.
import type { Category } from '../classification.ts';

/**
 * A phrase to look for in a diagnostic: one string, or a list whose every string must appear (in any order).
 * Matching ignores case, Latin accents and runs of whitespace; a leading or trailing space marks a word edge.
 */
export type Phrase = string | readonly string[];

/**
 * A code pattern: an exact code (`5.4.1`), any class (`X.4.1`), a subject with any detail (`5.7` or `X.7`),
 * a detail range (`X.7.606-649`), or a class alone (`4`, `5`).
 */
export type CodePattern = string;

export interface TextRule {
  /** Stable id, shown in `evidence`. */
  readonly id: string;
  readonly category: Category;
  /** The rule fires when any of these phrases appears. */
  readonly match: readonly Phrase[];
  /** ...unless one of these appears too. */
  readonly unless?: readonly string[];
  /** ...and, when given, only if the enhanced code in use fits one of these. */
  readonly codes?: readonly CodePattern[];
  /** ...and, when given, not if the enhanced code in use fits one of these. */
  readonly notCodes?: readonly CodePattern[];
  /**
   * Loose wording (a standard reply text, a bare "spam"): consulted only after a specific enhanced code
   * has had its say, while specific wording overrides any code.
   */
  readonly weak?: boolean;
  /** The wording itself says the condition is temporary ("temporarily suspended"): never a hard verdict. */
  readonly transient?: boolean;
  /** Who uses this wording and where it was seen. */
  readonly source: string;
}

export interface CodeRule {
  /** Which codes this row covers (see CodePattern). */
  readonly code: CodePattern;
  readonly category: Category;
  /**
   * A weak code says little on its own (X.7.1, X.s.0, an unknown detail): SES's subtype or loose wording
   * decides before it does.
   */
  readonly weak?: boolean;
  readonly source: string;
}

export interface SesRule {
  readonly bounceSubType: string;
  readonly category: Category;
  /** Authoritative rows (SES did not even try to deliver) win over everything else. */
  readonly authoritative?: boolean;
  readonly source: string;
}
