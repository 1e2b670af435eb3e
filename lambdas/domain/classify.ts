// Classifies one bounced recipient: is the address dead, worth retrying, or is the problem the sender's?
// Pure and synchronous; never throws. The rules are tables in ./rules; this module only weighs the evidence.
//
// Evidence, most specific first:
//   1. SES did not send at all (OnAccountSuppressionList / Suppressed)            → ses-suppressed
//   2. specific wording in the diagnostic ("No such user" under 550 5.7.1)           → that wording's category
//   3. a specific enhanced code: `status`, or a more specific code found in the text
//      (status 5.0.0 with "550 5.1.1" inside, Gmail's "550-5.1.1" continuation lines)
//   4. loose wording ("does not exist", "spam", "try again later")
//   5. SES's bounceSubType (NoEmail, MailboxFull, MessageTooLarge, ContentRejected, AttachmentRejected)
//   6. a weak code (X.7.1, X.s.0, a detail we do not know) → its subject's category
//   7. nothing                                                                        → undetermined
//
// Verdict: hard only for a dead address or domain (unknown-recipient, unknown-domain, mailbox-moved,
// domain-rejects-mail, mailbox-disabled, ses-suppressed) reported as permanent: a class-4 code, `action: delayed`
// or wording that says "temporarily" keeps it soft, while a class-5 code makes it hard even when SES labelled the
// bounce Transient (SES reports "550 5.4.4 Invalid domain" as Transient). Everything else is soft, except that an
// undetermined bounce with no diagnostic at all takes SES's Permanent label as its verdict; it is never suppressed.
// SES labels are matched exactly as SES writes them (TitleCase), and case-insensitively as a fallback.
// Suppress: exactly the hard verdicts in a dead-address category; never for a sender-side category.
//
// Structure before words (rules/phase.ts, rules/context.ts):
//   - only the reply about this recipient is read: when a diagnostic chains several replies, the one whose enhanced
//     code is `status`, else the first; follow-on session replies ("503 Need RCPT", "421 too many errors") are not;
//   - the SMTP phase (`smtpCommand`, or the MTA's own wording: "after MAIL FROM", "in reply to end of DATA
//     command", ...): before RCPT TO a reply cannot be about the recipient, and "user unknown" at DATA is a filter
//     unless an X.1.1 code says the mailbox is bad;
//   - dead-address wording inside a list of possible causes ("may not exist"), or next to a full-mailbox reason,
//     is not a report that the address is dead; a generic refusal prefix with no reason says nothing.
import type { BounceInput, Category, Classification } from './classification.ts';
import {
  composeClauseState,
  namesDomainOnly,
  namesMailboxOnly,
  namesRecordOnly,
  offersAnotherCause,
} from './classify-composition.ts';
import { PhraseMatcher } from './classify-matcher.ts';
import { codeTitle } from './registry.ts';
import { QUALIFIED_NOUNS, SENDER_QUALIFIERS } from './rules/composition.ts';
import {
  CATEGORY_POLICY,
  CODE_RULES,
  HEDGE_RULES,
  LOCAL_SCOPE_RULES,
  PHASE_RULES,
  SENDER_SUBJECT_RULES,
  SES_SUBTYPE_RULES,
  SMTP_COMMANDS,
  TEXT_RULES,
} from './rules/index.ts';
import {
  DOMAIN_CATEGORIES,
  MAILBOX_CATEGORIES,
  PHASE_DEPENDENT_UNKNOWN_HOSTS,
  REPLY_SHAPE_PHASES,
  SMTP_PHASES,
  type SmtpPhase,
} from './rules/phase.ts';
import type { CodePattern, CodeRule, Phrase, SesRule, TextRule } from './rules/types.ts';
import { codesInText, isDigitAt, type StatusCode, statusFieldCode } from './status-code.ts';

/** Only the head of a diagnostic is read: the reason is always near the start, and 10 MB must not cost 10 MB. */
export const MAX_SCANNED_CHARS = 4096;
/** At most this many enhanced codes are collected from one diagnostic. */
const MAX_TEXT_CODES = 8;

// ---------------------------------------------------------------------------------------------------------------
// Enhanced status codes

/**
 * The reply-code prefix of a continuation line in a multi-line reply ("\n550-5.7.1 "). Removed before phrase
 * matching so wording that wraps across lines (Gmail wraps at ~70 characters) still reads as one sentence.
 */
const CONTINUATION = /[\r\n]+[ \t]*(?:[245]\d\d[ -](?:[245]\.\d{1,3}\.\d{1,3}[ \t]*)?)?/g;
/** The basic reply code at the start of a diagnostic ("smtp; 550 ...", "SMTP;550-...", "550 ..."). */
const REPLY = /^\s*(?:[a-z][\w-]*\s*;\s*)?([245])\d\d(?:[\s-]|$)/i;

/** 0: X.0.0 says only the class; 1: X.s.0 adds the subject; 2: a full code. */
function specificity(code: StatusCode): number {
  if (code.detail !== 0) return 2;
  return code.subject === 0 ? 0 : 1;
}

/** The code that speaks for this bounce: `status`, unless the text carries a more specific one. */
function chooseCode(status: StatusCode | null, text: string): StatusCode | null {
  if (status !== null && specificity(status) === 2) return status;
  let best = status;
  for (const found of codesInText(text, MAX_TEXT_CODES)) {
    if (best === null || specificity(found) > specificity(best)) best = found;
    if (specificity(best) === 2) break;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------------------
// Compiled rule tables

interface CompiledPattern {
  readonly klass: number | null;
  readonly subject: number | null;
  readonly lo: number;
  readonly hi: number;
}

const PATTERN = /^([245X])(?:\.(\d{1,3})(?:\.(\d{1,3})(?:-(\d{1,3}))?)?)?$/;

export function compileCodePattern(pattern: CodePattern): CompiledPattern {
  const m = PATTERN.exec(pattern);
  if (m === null) throw new Error(`classifier: bad code pattern "${pattern}"`);
  const klass = m[1] === 'X' ? null : Number(m[1]);
  if (m[2] === undefined) return { klass, subject: null, lo: 0, hi: Number.POSITIVE_INFINITY };
  if (m[3] === undefined) return { klass, subject: Number(m[2]), lo: 0, hi: Number.POSITIVE_INFINITY };
  const lo = Number(m[3]);
  return { klass, subject: Number(m[2]), lo, hi: m[4] === undefined ? lo : Number(m[4]) };
}

function fits(code: StatusCode, p: CompiledPattern): boolean {
  return (
    (p.klass === null || p.klass === code.klass) &&
    (p.subject === null || p.subject === code.subject) &&
    code.detail >= p.lo &&
    code.detail <= p.hi
  );
}

function fitsAny(code: StatusCode | null, patterns: readonly CompiledPattern[]): boolean {
  if (code === null) return false;
  for (const p of patterns) if (fits(code, p)) return true;
  return false;
}

interface CompiledTextRule {
  readonly rule: TextRule;
  readonly order: number;
  /** The match (and the decision it makes) for each alternative, built once: the hot path allocates neither. */
  readonly matches: readonly TextMatch[];
  /** Each alternative: the phrase ids that must all be present. */
  readonly alternatives: readonly (readonly number[])[];
  readonly unless: readonly number[];
  readonly codes: readonly CompiledPattern[] | null;
  readonly notCodes: readonly CompiledPattern[];
}

const asList = (phrase: Phrase): readonly string[] => (typeof phrase === 'string' ? [phrase] : phrase);

function textMatch(rule: TextRule, order: number, phrase: Phrase): TextMatch {
  const evidence = `text rule ${rule.id} ("${asList(phrase).join('" + "')}")`;
  return {
    rule,
    order,
    evidence,
    opening: asList(phrase)[0] as string,
    decision: { category: rule.category, evidence, transientWording: rule.transient === true },
  };
}

/** Everything built from a text-rule table: the rules compiled, the phrase automaton and the per-phrase lookups. */
interface TextTables {
  readonly compiled: readonly CompiledTextRule[];
  /** phrase id → the (rule, alternative) pairs it can complete, as rule order * 256 + alternative index. */
  readonly rulesByPhrase: readonly (readonly number[])[];
  readonly matcher: PhraseMatcher;
  /** The dead-address categories text rules can decide (SES's own suppression aside). */
  readonly deadCategories: ReadonlySet<Category>;
  /** Per phrase id: the index in SMTP_PHASES of the phase it names, or -1. */
  readonly phaseOfPhrase: Int8Array;
  /**
   * Per phrase id: 1 when it hedges (a list of possible causes), 2 when it makes the sender the subject, 3 when it is a
   * command verb a reply may open with (REPLY_SHAPE_PHASES).
   */
  readonly hedgePhrase: Uint8Array;
  /**
   * Per dead-address phrase that opens with a noun (QUALIFIED_NOUNS): the ids of that phrase with a sending-side word
   * before it ("sender domain does not exist"), each with the category it makes.
   */
  readonly qualifiedOpenings: ReadonlyMap<string, readonly SendingSide[]>;
}

/** A phrase id that, found, gives the deciding phrase's noun to the sending side, and the category that makes. */
type SendingSide = readonly [number, 'sender-rejected' | 'sender-blocked'];

function compileTextTables(textRules: readonly TextRule[]): TextTables {
  const phraseIds = new Map<string, number>();
  const phrases: string[] = [];
  const phraseId = (phrase: string): number => {
    let id = phraseIds.get(phrase);
    if (id === undefined) {
      id = phrases.length;
      phraseIds.set(phrase, id);
      phrases.push(phrase);
    }
    return id;
  };
  const compiled: readonly CompiledTextRule[] = textRules.map((rule, order) => ({
    rule,
    order,
    matches: rule.match.map((phrase) => textMatch(rule, order, phrase)),
    alternatives: rule.match.map((phrase) => asList(phrase).map(phraseId)),
    unless: (rule.unless ?? []).map(phraseId),
    codes: rule.codes ? rule.codes.map(compileCodePattern) : null,
    notCodes: (rule.notCodes ?? []).map(compileCodePattern),
  }));
  // Phrases that are not rule wording: registered before the automaton is built, looked up per phrase found.
  const phaseIds = SMTP_PHASES.map((phase) =>
    PHASE_RULES.filter((r) => r.phase === phase).flatMap((r) => r.match.map(phraseId)),
  );
  const hedgeIds = HEDGE_RULES.flatMap((r) => r.match.map(phraseId));
  const senderSubjectIds = SENDER_SUBJECT_RULES.flatMap((r) => r.match.map(phraseId));
  const qualifiedOpenings = new Map<string, SendingSide[]>();
  for (const c of compiled) {
    if (!CATEGORY_POLICY[c.rule.category].deadAddress) continue;
    for (const phrase of c.rule.match) {
      const opening = asList(phrase)[0] as string;
      if (qualifiedOpenings.has(opening) || !QUALIFIED_NOUNS.includes(opening.split(' ')[0] as string))
        continue;
      qualifiedOpenings.set(opening, [
        ...SENDER_QUALIFIERS.rejected.map(
          (q): SendingSide => [phraseId(`${q} ${opening}`), 'sender-rejected'],
        ),
        ...SENDER_QUALIFIERS.blocked.map((q): SendingSide => [phraseId(`${q} ${opening}`), 'sender-blocked']),
      ]);
    }
  }
  const openingVerbIds = Object.keys(REPLY_SHAPE_PHASES.openingVerbs).map((verb) => phraseId(`${verb} `));
  const rulesByPhrase: number[][] = phrases.map(() => []);
  for (const c of compiled) {
    c.alternatives.forEach((ids, alt) => {
      for (const id of ids) (rulesByPhrase[id] as number[]).push(c.order * 256 + alt);
    });
  }
  const phaseOfPhrase = new Int8Array(phrases.length).fill(-1);
  phaseIds.forEach((ids, phase) => {
    for (const id of ids) phaseOfPhrase[id] = phase;
  });
  const hedgePhrase = new Uint8Array(phrases.length);
  for (const id of hedgeIds) hedgePhrase[id] = 1;
  for (const id of senderSubjectIds) hedgePhrase[id] = 2;
  for (const id of openingVerbIds) hedgePhrase[id] = 3;
  return {
    compiled,
    rulesByPhrase,
    matcher: new PhraseMatcher(phrases),
    deadCategories: new Set(
      textRules
        .map((r) => r.category)
        .filter((c) => CATEGORY_POLICY[c].deadAddress && c !== 'ses-suppressed'),
    ),
    phaseOfPhrase,
    hedgePhrase,
    qualifiedOpenings,
  };
}

// The tables in use, as module variables: the hot path reads them directly (no object, no closure).
// `classifierWithTextRules` swaps them for one call.
let COMPILED_TEXT_RULES: readonly CompiledTextRule[];
let RULES_BY_PHRASE: readonly (readonly number[])[];
let MATCHER: PhraseMatcher;
let DEAD_TEXT_CATEGORIES: ReadonlySet<Category>;
let PHASE_OF_PHRASE: Int8Array;
let HEDGE_PHRASE: Uint8Array;
let QUALIFIED_OPENINGS: ReadonlyMap<string, readonly SendingSide[]>;
function useTextTables(t: TextTables): void {
  COMPILED_TEXT_RULES = t.compiled;
  RULES_BY_PHRASE = t.rulesByPhrase;
  MATCHER = t.matcher;
  DEAD_TEXT_CATEGORIES = t.deadCategories;
  PHASE_OF_PHRASE = t.phaseOfPhrase;
  HEDGE_PHRASE = t.hedgePhrase;
  QUALIFIED_OPENINGS = t.qualifiedOpenings;
}
const DEFAULT_TEXT_TABLES = compileTextTables(TEXT_RULES);
useTextTables(DEFAULT_TEXT_TABLES);

interface CompiledCodeRule {
  readonly rule: CodeRule;
  readonly pattern: CompiledPattern;
  /** Appended to "code 5.1.1" in the evidence. */
  readonly evidence: string;
}

/** Code rules grouped by subject, table order kept. */
const CODE_RULES_BY_SUBJECT: ReadonlyMap<number, readonly CompiledCodeRule[]> = (() => {
  const bySubject = new Map<number, CompiledCodeRule[]>();
  for (const rule of CODE_RULES) {
    const pattern = compileCodePattern(rule.code);
    if (pattern.subject === null) throw new Error(`classifier: code rule "${rule.code}" needs a subject`);
    const list = bySubject.get(pattern.subject) ?? [];
    list.push({ rule, pattern, evidence: ` (rule ${rule.code}: ${rule.source})` });
    bySubject.set(pattern.subject, list);
  }
  return bySubject;
})();

const SES_BY_SUBTYPE: ReadonlyMap<string, SesRule> = new Map(
  SES_SUBTYPE_RULES.map((r) => [r.bounceSubType, r]),
);
const SES_BY_LOWER_SUBTYPE: ReadonlyMap<string, SesRule> = new Map(
  SES_SUBTYPE_RULES.map((r) => [r.bounceSubType.toLowerCase(), r]),
);

function sesSubtype(subType: string): SesRule | undefined {
  if (subType === '') return undefined;
  return SES_BY_SUBTYPE.get(subType) ?? SES_BY_LOWER_SUBTYPE.get(subType.trim().toLowerCase());
}

/** SES's bounceType as 'Permanent', 'Transient' or '' (Undetermined, missing, unknown). */
function bounceTypeOf(value: string): 'Permanent' | 'Transient' | '' {
  if (value === 'Permanent' || value === 'Transient') return value;
  const lower = value.trim().toLowerCase();
  return lower === 'permanent' ? 'Permanent' : lower === 'transient' ? 'Transient' : '';
}

// ---------------------------------------------------------------------------------------------------------------
// Matching

interface TextMatch {
  readonly rule: TextRule;
  readonly order: number;
  readonly evidence: string;
  /** The first phrase of the matched alternative: the words whose noun a qualifier before them may claim. */
  readonly opening: string;
  readonly decision: Decision;
}

/** Set by `matchText`: module state rather than a returned object, so the hot path allocates nothing. */
let strong: TextMatch | null = null;
let weak: TextMatch | null = null;
/** How many phrases the last scan found (0 when nothing was scanned: the matcher keeps an earlier scan's state). */
let foundCount = 0;

/** Finds the first strong and the first weak text rule (in table order) that fit the text and the code in use. */
function matchText(text: string, code: StatusCode | null): void {
  strong = null;
  weak = null;
  foundCount = 0;
  if (text.length === 0) return;
  const count = MATCHER.scan(text, MAX_SCANNED_CHARS);
  foundCount = count;
  for (let i = 0; i < count; i++) {
    const candidates = RULES_BY_PHRASE[MATCHER.found[i] as number] as readonly number[];
    for (const packed of candidates) {
      const order = packed >> 8;
      const alternative = packed & 0xff;
      const compiled = COMPILED_TEXT_RULES[order] as CompiledTextRule;
      const best = compiled.rule.weak ? weak : strong;
      if (best !== null && best.order <= order) continue;
      if (!applies(compiled, alternative, code)) continue;
      const match = compiled.matches[alternative] as TextMatch;
      if (compiled.rule.weak) weak = match;
      else strong = match;
    }
  }
}

function applies(compiled: CompiledTextRule, alternative: number, code: StatusCode | null): boolean {
  for (const id of compiled.alternatives[alternative] as readonly number[])
    if (!MATCHER.has(id)) return false;
  for (const id of compiled.unless) if (MATCHER.has(id)) return false;
  if (compiled.codes !== null && !fitsAny(code, compiled.codes)) return false;
  return !fitsAny(code, compiled.notCodes);
}

function matchCode(code: StatusCode | null): CompiledCodeRule | null {
  if (code === null) return null;
  const rules = CODE_RULES_BY_SUBJECT.get(code.subject);
  if (rules === undefined) return null;
  for (const compiled of rules) if (fits(code, compiled.pattern)) return compiled;
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Verdict

type Permanence = 'permanent' | 'transient' | 'unknown';

interface Decision {
  readonly category: Category;
  readonly evidence: string;
  /** The deciding wording itself says the condition is temporary. */
  readonly transientWording: boolean;
}

const TITLE_CACHE_LIMIT = 1024;
/** Titles by numeric code key: a hot lookup, bounded (cleared when full). */
const titles = new Map<number, string | null>();
function titleOf(code: StatusCode): string | null {
  const key = code.klass * 1_000_000 + code.subject * 1_000 + code.detail;
  let title = titles.get(key);
  if (title === undefined) {
    title = codeTitle(code.code);
    if (titles.size >= TITLE_CACHE_LIMIT) titles.clear();
    titles.set(key, title);
  }
  return title;
}

const asString = (value: unknown): string => (typeof value === 'string' ? value : '');

function fromCode(compiled: CompiledCodeRule, c: StatusCode): Decision {
  return {
    category: compiled.rule.category,
    evidence: `code ${c.code}${compiled.evidence}`,
    transientWording: false,
  };
}

/** Set by `decide` when the recipient's state was composed from a clause (classify-composition.ts). */
let composed: Decision | null = null;

// Module-level functions only on the hot path: closures created per call cost far more than the matching itself
// under bundlers that keep function names (tsx does).
function decide(code: StatusCode | null, ses: SesRule | undefined, wording: string): Decision {
  composed = null;
  if (strong !== null) {
    if (strong.rule.category === 'network-error' && code?.klass !== 4) {
      const domain = composeClauseState(wording, 'unknown-domain');
      if (domain !== null) {
        composed = {
          category: domain.category,
          evidence: `${domain.evidence}, the answer of the lookup`,
          transientWording: domain.transient,
        };
        return composed;
      }
    }
    return strong.decision;
  }
  const codeRule = matchCode(code); // only when no specific wording decided: it is not free
  if (codeRule !== null && code !== null && !codeRule.rule.weak) {
    if (!CATEGORY_POLICY[codeRule.rule.category].deadAddress) {
      // A transient code suppresses nothing, so the reply's own clause may name the recipient's state under it ("452
      // 4.2.1 mailbox temporarily disabled": Gmail's and Yandex's reuse of 4.2.1 for a receiving rate is not what this
      // server says). Under a permanent code the code decides: a clause read against it could suppress, and no tuning
      // reply composes a dead state under a permanent non-dead code (5.1.7 "No such domain" is the SENDER's domain).
      if (code.klass === 4) {
        const state = composeClauseState(wording);
        if (state !== null && CATEGORY_POLICY[state.category].deadAddress) {
          composed = {
            category: state.category,
            evidence: `${state.evidence}, over code ${code.code}`,
            transientWording: state.transient,
          };
          return composed;
        }
      }
      return fromCode(codeRule, code);
    }
    // A dead-address code whose own reply says the mailbox is full or the message too large ("552 5.1.1 Boite du
    // destinataire pleine"): the clause names the condition, the code only its rough subject.
    const capacity = composeClauseState(wording);
    if (capacity === null || CATEGORY_POLICY[capacity.category].deadAddress) {
      // ...and one whose reply's own loose words name a condition that is not a dead address ("552 5.1.1 recipient
      // rejected - extended quota violation": "quota"; "spam"; "blocked"): contradicted evidence suppresses nothing,
      // the words decide.
      if (
        weak !== null &&
        weak.rule.category !== 'undetermined' &&
        !CATEGORY_POLICY[weak.rule.category].deadAddress
      )
        return weak.decision;
      // ...and a code about the destination system (X.1.2) whose reply speaks only of the mailbox and says nothing of
      // its state ("550 5.1.2 User reject"): the code and its reply disagree on the subject, so neither decides.
      if (capacity === null && codeRule.rule.category === 'unknown-domain' && namesMailboxOnly(wording))
        return {
          category: 'undetermined',
          evidence: `code ${code.code}${codeRule.evidence}; but the reply speaks of the mailbox, not of the domain, and gives no state`,
          transientWording: false,
        };
      // ...and an X.1.2 code (the destination system) whose reply judges a DNS record and names no mailbox ("550 5.1.2
      // Illegal MX record for host x", Sendmail's check of the SENDER's domain): the reply speaks of how a domain is
      // published, not of whether the destination exists, and SES reached this server through the recipient domain's
      // own MX record. (Under X.4.4, "unable to route", records that point nowhere are the route failing: not this.)
      if (
        capacity === null &&
        code.subject === 1 &&
        code.detail === 2 &&
        namesRecordOnly(wording) &&
        !deadWordingFound()
      )
        return {
          category: 'undetermined',
          evidence: `code ${code.code}${codeRule.evidence}; but the reply judges a DNS record, not the destination's existence`,
          transientWording: false,
        };
      // ...and, the other way round, an addressing or mailbox code about the mailbox (X.1.1, X.1.3, X.1.6, X.2.1) whose
      // reply speaks only of the domain and says nothing of a state ("550 5.1.1 not accepting email for domain", mox: a
      // server refusing a domain it does not host): a code alone is one signal, and here the server's own words do not
      // agree with it, so it suppresses nothing. (X.7.18 "domain owner has changed" is about the domain: not this rule.)
      if (
        capacity === null &&
        code.subject <= 2 &&
        MAILBOX_CATEGORIES.has(codeRule.rule.category) &&
        (weak === null || !CATEGORY_POLICY[weak.rule.category].deadAddress) &&
        namesDomainOnly(wording) &&
        !deadWordingFound()
      )
        return {
          category: 'undetermined',
          evidence: `code ${code.code}${codeRule.evidence}; but the reply speaks of the domain, not of the mailbox, and gives no state`,
          transientWording: false,
        };
      return fromCode(codeRule, code);
    }
    composed = {
      category: capacity.category,
      evidence: `${capacity.evidence}, over code ${code.code}`,
      transientWording: capacity.transient,
    };
    return composed;
  }
  // No phrase and no specific code: a clause that puts the recipient's mailbox in a dead state decides before loose
  // wording does (rules/composition.ts).
  const state = composeClauseState(wording);
  if (state !== null) {
    composed = { category: state.category, evidence: state.evidence, transientWording: state.transient };
    return composed;
  }
  // A weak rule that itself leaves the bounce undetermined (a refusal prefix with no reason) is the last resort.
  const lastResort = weak !== null && weak.rule.category === 'undetermined';
  if (weak !== null && !lastResort) return weak.decision;
  if (ses !== undefined) return SES_DECISIONS.get(ses) as Decision;
  if (codeRule !== null && code !== null) return fromCode(codeRule, code);
  if (weak !== null) return weak.decision;
  return UNDETERMINED;
}

const UNDETERMINED: Decision = {
  category: 'undetermined',
  evidence: 'no wording, code or SES subtype says why',
  transientWording: false,
};

/** The decision of each SES subtype row, built once. */
const SES_DECISIONS: ReadonlyMap<SesRule, Decision> = new Map(
  SES_SUBTYPE_RULES.map((ses) => [
    ses,
    {
      category: ses.category,
      evidence: ses.authoritative
        ? `SES bounceSubType ${ses.bounceSubType}: SES did not send`
        : `SES bounceSubType ${ses.bounceSubType}`,
      transientWording: false,
    },
  ]),
);

// ---------------------------------------------------------------------------------------------------------------
// Structure: which reply, which phase, which clause

/**
 * Where the first reply starts: a basic reply code at the start, after a line break, ";" or ":" ("smtp; 550",
 * "said: 550", "]: 550"), ">" or a transcript's "<<< ". Not after "<" alone: SES nests the last attempt's reply as
 * "<421 ...>" inside its own, and that nested reason is part of the same reply.
 */
const FIRST_REPLY = /(?:^|[\n;:>]|<\s)\s*([245]\d\d)(?=[ -]|$)/;
/**
 * Where a further reply starts: on a new line, or after a transcript's "<<< ". A reply quoted inside another
 * ("... said: 450 4.1.1 ... lost connection") is the same reply's cause, not a new one.
 */
const NEXT_REPLY = /(?:\n|<\s)\s*([245]\d\d)(?=[ -]|$)/g;

/**
 * The text of the reply about this recipient, with whatever precedes the first reply (where MTAs write the phase).
 * Consecutive replies with the same basic code are one reply (multi-line replies, repeated transcript lines). With
 * several replies, the decisive one carries `status` as its enhanced code, else it is the first; the others are
 * session noise around it ("503 5.0.0 Need RCPT", "421 too many errors"). Returns `text` itself when it holds one
 * reply. Works on the raw text: a new reply is told by its line break.
 */
function decisiveReply(text: string, status: StatusCode | null): string {
  // A further reply needs a line break or a transcript's "< ": most diagnostics have neither (native scans, no regex).
  if (text.indexOf('\n') < 0 && text.indexOf('< ') < 0 && text.indexOf('<\t') < 0) return text;
  const first = FIRST_REPLY.exec(text);
  if (first === null) return text;
  const firstAt = first.index + first[0].length - 3;
  const starts: number[] = [first.index];
  let last = first[1] as string;
  NEXT_REPLY.lastIndex = firstAt + 3;
  for (let m = NEXT_REPLY.exec(text); m !== null; m = NEXT_REPLY.exec(text)) {
    if (m[1] !== last) {
      starts.push(m.index);
      last = m[1] as string;
    }
  }
  if (starts.length === 1) return text;
  let chosen = 0;
  if (status !== null && specificity(status) === 2) {
    for (let i = 0; i < starts.length; i++) {
      if (hasCode(text.slice(starts[i], starts[i + 1] ?? text.length), status.code)) {
        chosen = i;
        break;
      }
    }
  }
  const end = starts[chosen + 1] ?? text.length;
  if (chosen === 0) return text.slice(0, end);
  return `${text.slice(0, starts[0])} ${text.slice(starts[chosen], end)}`;
}

/**
 * The wording without the code's own registry title where the report writes it in brackets right after the code
 * ("Failed; 5.1.1 (bad destination mailbox address)": Domino and Exchange 2003 reports, ActiveCampaign's export
 * "failed,5.1.1 (bad destination mailbox address),smtp;553 Relaying disallowed"). The title restates the code; it is not
 * the server's words, so it must not count as wording that agrees with the code (the code itself still decides when
 * nothing else is said).
 */
function withoutCodeTitle(wording: string, code: StatusCode | null): string {
  if (code === null) return wording;
  const at = wording.indexOf(code.code);
  if (
    at < 0 ||
    wording.charCodeAt(at + code.code.length) !== 32 ||
    wording.charCodeAt(at + code.code.length + 1) !== 40
  )
    return wording;
  const title = titleOf(code);
  if (title === null) return wording;
  const start = at + code.code.length + 2;
  const end = start + title.length;
  if (wording.charAt(end) !== ')' || wording.slice(start, end).toLowerCase() !== title.toLowerCase())
    return wording;
  return `${wording.slice(0, start - 1)}${wording.slice(end + 1)}`;
}

function hasCode(reply: string, code: string): boolean {
  for (let at = reply.indexOf(code); at >= 0; at = reply.indexOf(code, at + 1)) {
    if (!isDigitAt(reply, at + code.length) && !isDigitAt(reply, at - 1)) return true;
  }
  return false;
}

/** The phase named by the last scan: the latest in SMTP order, since a session that reached RCPT passed MAIL. */
function phaseInText(): SmtpPhase | null {
  let phase = -1;
  for (let i = 0; i < foundCount; i++) {
    const p = PHASE_OF_PHRASE[MATCHER.found[i] as number] as number;
    if (p > phase) phase = p;
  }
  return phase < 0 ? null : (SMTP_PHASES[phase] as SmtpPhase);
}

/** The sending side the last scan found right before a dead-address phrase's noun ("sender domain ..."), or null. */
function sendingSideFound(opening: string): 'sender-rejected' | 'sender-blocked' | null {
  const sides = QUALIFIED_OPENINGS.get(opening);
  if (sides === undefined) return null;
  for (const [id, side] of sides) if (MATCHER.has(id)) return side;
  return null;
}

/** Whether the last scan found wording that lists possible causes (1) or makes the sender the subject (2). */
function contextFound(kind: 1 | 2 | 3): boolean {
  for (let i = 0; i < foundCount; i++) if (HEDGE_PHRASE[MATCHER.found[i] as number] === kind) return true;
  return false;
}

const SHAPE_CODES = Object.keys(REPLY_SHAPE_PHASES.replyCodes);

function hasShapeCode(reply: string): boolean {
  for (const code of SHAPE_CODES) if (reply.indexOf(code) >= 0) return true;
  return false;
}

/** The first reply's code and, after an enhanced code if any, its first word (4 letters, then a space). */
const REPLY_OPENING =
  /(?:^|[\n;:>]|<\s)\s*([245]\d\d)[ -](?:[245]\.\d{1,3}\.\d{1,3}\s+)?(?:([A-Za-z]{4})\s)?/;

/**
 * The phase the reply's own shape names when no wording does (rules/phase.ts REPLY_SHAPE_PHASES): a reply that opens
 * with the verb of the command it answers, or a basic code that an MTA gives to one phase only.
 */
function phaseOfReplyShape(reply: string): SmtpPhase | null {
  // Most replies have neither cue (a reply code from REPLY_SHAPE_PHASES, an opening verb found by the last scan):
  // checked before the opening is parsed.
  if (!contextFound(3) && !hasShapeCode(reply)) return null;
  const opening = REPLY_OPENING.exec(reply);
  if (opening === null) return null;
  const byCode = REPLY_SHAPE_PHASES.replyCodes[opening[1] as string];
  if (byCode !== undefined) return byCode;
  const verb = opening[2];
  return verb === undefined ? null : (REPLY_SHAPE_PHASES.openingVerbs[verb.toLowerCase()] ?? null);
}

function phaseOf(smtpCommand: unknown): SmtpPhase | null {
  if (typeof smtpCommand !== 'string') return null;
  const command = SMTP_COMMANDS[smtpCommand.trim().toUpperCase()];
  return command ?? null;
}

/** Whether the last scan found the full wording of a strong dead-address rule (its `unless` aside). */
function deadWordingFound(): boolean {
  for (let i = 0; i < foundCount; i++) {
    for (const packed of RULES_BY_PHRASE[MATCHER.found[i] as number] as readonly number[]) {
      const compiled = COMPILED_TEXT_RULES[packed >> 8] as CompiledTextRule;
      if (compiled.rule.weak || !DEAD_TEXT_CATEGORIES.has(compiled.rule.category)) continue;
      let all = true;
      for (const id of compiled.alternatives[packed & 0xff] as readonly number[]) all &&= MATCHER.has(id);
      if (all) return true;
    }
  }
  return false;
}

/**
 * Whether the deciding wording is hedged: dead-address wording in a list of possible causes, or a reply that names
 * both a full mailbox and a dead address ("Destinatario desconocido o mailbox lleno"; the full-mailbox rules come
 * first in table order, so that reply decides mailbox-full and the dead wording is what is left to find).
 */
function hedged(category: Category, wording: string): boolean {
  if (category === 'mailbox-full') return deadWordingFound();
  return contextFound(1) || offersAnotherCause(wording);
}

/** Whether the reply scopes what it says to the answering server ("No such domain at this location"). */
function scopedToThisServer(wording: string): boolean {
  const lower = wording.toLowerCase();
  for (const scope of LOCAL_SCOPE_RULES.match) if (lower.includes(scope)) return true;
  return false;
}

/** Whether the code in use is itself a specific dead-address code (X.1.1, X.1.2, ...): the server's own judgement. */
function codeSaysDead(code: StatusCode | null): boolean {
  const rule = matchCode(code);
  return rule !== null && !rule.rule.weak && CATEGORY_POLICY[rule.rule.category].deadAddress;
}

/** Whether an "unknown" reply comes from a carrier whose "unknown" depends on the phase, with no X.1.1 code. */
function phaseDependentUnknown(wording: string, code: StatusCode | null): boolean {
  if (code?.subject === 1 && code.detail === 1) return false;
  const lower = wording.toLowerCase();
  for (const host of PHASE_DEPENDENT_UNKNOWN_HOSTS.hosts) if (lower.includes(host)) return true;
  return false;
}

/** What the phase does to a decision (see rules/phase.ts). */
function withPhase(decision: Decision, phase: SmtpPhase, code: StatusCode | null): Decision {
  const { category } = decision;
  const beforeRcpt = phase === 'CONN' || phase === 'HELO' || phase === 'MAIL';
  if (
    beforeRcpt &&
    (MAILBOX_CATEGORIES.has(category) ||
      DOMAIN_CATEGORIES.has(category) ||
      category === 'undetermined' ||
      category === 'policy-violation' ||
      category === 'relay-denied')
  ) {
    const sender = phase === 'MAIL' ? 'sender-rejected' : 'sender-blocked';
    const about = phase === 'MAIL' ? "the sender's address or domain" : 'the sending host';
    return {
      category: sender,
      evidence: `${decision.evidence}; the reply came at ${phase}, before any recipient was named: it is about ${about}`,
      transientWording: false,
    };
  }
  if (phase === 'DATA' && category === 'unknown-recipient' && !(code?.subject === 1 && code.detail === 1)) {
    return {
      category: 'recipient-filtered',
      evidence: `${decision.evidence}; "unknown" at DATA, after the recipient was accepted at RCPT, and no X.1.1 code: a filter speaking`,
      transientWording: false,
    };
  }
  return decision;
}

function classifyUnsafe(input: BounceInput): Classification {
  const bounceType = bounceTypeOf(asString(input.bounceType));
  const action = asString(input.action);
  const delayed = action !== '' && action !== 'failed' && action.trim().toLowerCase() === 'delayed';
  const rawText = asString(input.diagnosticCode);
  const text = rawText.length > MAX_SCANNED_CHARS ? rawText.slice(0, MAX_SCANNED_CHARS) : rawText;
  const rawStatus = asString(input.status);
  const status = statusFieldCode(rawStatus);
  const reply = decisiveReply(text, status);
  const joined = reply.includes('\n') ? reply.replace(CONTINUATION, ' ') : reply;
  // Codes are read from the reply as written: removing continuation prefixes for the wording would also remove the
  // code of a reply that starts on its own line after a preamble (Sendmail's "----- Transcript of session follows
  // -----\n553 5.1.2 ...").
  const code = chooseCode(status, reply);
  const wording = withoutCodeTitle(joined, code);
  const ses = sesSubtype(asString(input.bounceSubType));
  const commandPhase = phaseOf(input.smtpCommand);

  let decision: Decision;
  let phase: SmtpPhase | null = null;
  if (ses?.authoritative) {
    decision = SES_DECISIONS.get(ses) as Decision;
  } else {
    matchText(wording, code);
    decision = decide(code, ses, wording);
    phase = commandPhase ?? phaseInText() ?? phaseOfReplyShape(reply);
    if (phase !== null) decision = withPhase(decision, phase, code);
    else if (decision.category === 'unknown-recipient' && phaseDependentUnknown(wording, code)) {
      decision = {
        category: 'undetermined',
        evidence: `${decision.evidence}; but this carrier says "unknown" for a blocked sender too, and no phase or X.1.1 code says which`,
        transientWording: false,
      };
    }
    // A dead-address phrase whose noun the word before it gives to the sending side ("Sender domain does not exist").
    const phrased = decision === strong?.decision ? strong : decision === weak?.decision ? weak : null;
    if (
      phrased !== null &&
      CATEGORY_POLICY[decision.category].deadAddress &&
      decision.category !== 'ses-suppressed'
    ) {
      const side = sendingSideFound(phrased.opening);
      if (side !== null)
        decision = {
          category: side,
          evidence: `${decision.evidence}; but the word before it makes its noun the sending side's`,
          transientWording: false,
        };
    }
    // SES's own suppression list is per sending account by design: "your account" there is no sign of the sender.
    if (
      CATEGORY_POLICY[decision.category].deadAddress &&
      decision.category !== 'ses-suppressed' &&
      contextFound(2)
    ) {
      decision = {
        category: 'sender-rejected',
        evidence: `${decision.evidence}; but the sentence's subject is the sender (its account, its login)`,
        transientWording: false,
      };
    }
    if (decision.category === 'unknown-domain' && scopedToThisServer(wording)) {
      decision = {
        category: 'relay-denied',
        evidence: `${decision.evidence}; but said of this server only: that MX does not host the domain`,
        transientWording: false,
      };
    }
    if (
      (decision === strong?.decision || decision === weak?.decision || decision === composed) &&
      (CATEGORY_POLICY[decision.category].deadAddress || decision.category === 'mailbox-full') &&
      !codeSaysDead(code) &&
      hedged(decision.category, wording)
    ) {
      decision = {
        category: 'undetermined',
        evidence: `${decision.evidence}; but the reply lists it among other possible causes`,
        transientWording: false,
      };
    }
  }

  // Without an enhanced code, the basic reply code says permanent or transient: at the start ("smtp; 550 ..."), or
  // where the reply starts after the MTA's own words (Postfix "host x said: 551 ...", Sendmail "<<< 550 ...").
  const basic = code === null ? (REPLY.exec(text) ?? FIRST_REPLY.exec(reply)) : null;
  const klass = code?.klass ?? (basic ? Number(basic[1]?.[0]) : 0);
  let permanence: Permanence = klass === 5 ? 'permanent' : klass === 4 ? 'transient' : 'unknown';
  if (permanence === 'unknown' && bounceType === 'Permanent') permanence = 'permanent';
  if (permanence === 'unknown' && bounceType === 'Transient') permanence = 'transient';

  const { category } = decision;
  const policy = CATEGORY_POLICY[category];
  let evidence = decision.evidence;
  let hard = false;
  if (category === 'ses-suppressed') {
    hard = true;
  } else if (policy.deadAddress) {
    if (delayed) evidence += '; action delayed: SES is still trying';
    else if (decision.transientWording) evidence += '; the wording says it is temporary';
    else if (permanence === 'transient') evidence += '; reported as transient';
    else if (permanence === 'unknown' && category === 'mailbox-disabled')
      evidence += '; not reported as permanent';
    else hard = true;
  } else if (
    decision === UNDETERMINED &&
    bounceType === 'Permanent' &&
    !delayed &&
    permanence !== 'transient' &&
    text.trim() === ''
  ) {
    // No diagnostic at all: SES's own label is the only evidence. Recorded as hard, never suppressed on it. A text we
    // cannot read is not that: it is no evidence of a dead address, so it stays soft.
    hard = true;
    evidence += '; no diagnostic, SES labelled it Permanent';
  }
  if (bounceType === 'Transient' && hard && category !== 'ses-suppressed')
    evidence += ' (SES said Transient)';
  if (phase !== null)
    evidence += `; SMTP phase ${phase} (${commandPhase !== null ? 'smtpCommand' : 'from the text'})`;
  else if (input.smtpCommand !== undefined && input.smtpCommand !== null && commandPhase === null)
    evidence += `; ignored smtpCommand ${JSON.stringify(String(input.smtpCommand).slice(0, 16))}`;

  if (status === null && rawStatus.trim() !== '')
    evidence += `; ignored status ${JSON.stringify(rawStatus.slice(0, 24))}`;

  const used = code?.code ?? null;
  return {
    verdict: hard ? 'hard' : 'soft',
    category,
    blame: policy.blame,
    suppress: hard && policy.deadAddress,
    code: used,
    codeTitle: code === null ? null : titleOf(code),
    evidence,
  };
}

/**
 * A classifier that reads another text-rule table in place of the rules' own (`TEXT_RULES`): every other table (codes,
 * SES subtypes, phases, composition) stays. For measuring, e.g. how the classifier does on a source's cases when the
 * phrases only that source backs are left out of the table (harness/held-out.ts).
 */
export function classifierWithTextRules(
  textRules: readonly TextRule[],
): (input: BounceInput) => Classification {
  const tables = compileTextTables(textRules);
  return (input) => {
    useTextTables(tables);
    try {
      return classifyBounce(input);
    } finally {
      useTextTables(DEFAULT_TEXT_TABLES);
    }
  };
}

/** Classifies one bounced recipient. Pure and synchronous; never throws, whatever it is given. */
export function classifyBounce(input: BounceInput): Classification {
  const safeInput: BounceInput = input !== null && typeof input === 'object' ? input : {};
  try {
    return classifyUnsafe(safeInput);
  } catch (error) {
    // Unreachable by design (the tests run every corpus string and malformed input); kept so one bad record can
    // never sink a batch.
    return {
      verdict: 'soft',
      category: 'undetermined',
      blame: 'unknown',
      suppress: false,
      code: null,
      codeTitle: null,
      evidence: `classifier error: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
