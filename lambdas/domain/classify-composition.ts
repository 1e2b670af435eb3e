// Finds "the recipient's mailbox is in a dead state" by composition: a subject word naming the recipient and a state
// in the same clause (rules/composition.ts). Pure; consulted by classify.ts only when no phrase rule decided, so its
// cost (a folded copy of the reply, cut into words) is paid by the texts the phrase tables do not know.
import type { Category } from './classification.ts';
import { foldPhrase } from './classify-matcher.ts';
import {
  DNS_RECORD_SUBJECT,
  DOMAIN_SUBJECT_WORDS,
  NOT_A_STATE_BEFORE,
  RECIPIENT_SUBJECT,
  SENDER_CLAUSE_MARKERS,
  STATE_RULES,
  STATE_WINDOW,
  type StateRule,
  TRANSIENT_CLAUSE_WORDS,
} from './rules/composition.ts';

export interface ComposedState {
  readonly category: Category;
  readonly evidence: string;
  /** The clause itself says the state is temporary. */
  readonly transient: boolean;
}

interface CompiledState {
  readonly rule: StateRule;
  readonly words: readonly string[];
  readonly text: string;
  /** Must come right before the subject. */
  readonly onlyBefore: boolean;
}

const WILDCARD = '*';

const COMPILED_STATES: readonly CompiledState[] = STATE_RULES.flatMap((rule) => [
  ...rule.states.map((state) => ({
    rule,
    words: foldPhrase(state).split(' '),
    text: state,
    onlyBefore: false,
  })),
  ...(rule.before ?? []).map((state) => ({
    rule,
    words: foldPhrase(state).split(' '),
    text: state,
    onlyBefore: true,
  })),
]);

/** States by their first word (a wildcard never starts a state), so a clause is scanned once. */
const STATES_BY_FIRST_WORD: ReadonlyMap<string, readonly CompiledState[]> = (() => {
  const map = new Map<string, CompiledState[]>();
  for (const state of COMPILED_STATES) {
    const first = state.words[0] as string;
    const list = map.get(first) ?? [];
    list.push(state);
    map.set(first, list);
  }
  return map;
})();

interface CompiledSubject {
  readonly words: ReadonlySet<string>;
  readonly notAfter: ReadonlySet<string>;
  readonly notBefore: ReadonlySet<string>;
}

function subjectOf(subject: StateRule['subject']): CompiledSubject {
  return {
    words: new Set(subject.words),
    notAfter: new Set(subject.notAfter),
    notBefore: new Set(subject.notBefore),
  };
}

/** Each rule's subject as sets, built once per distinct subject. */
const SUBJECT_OF: ReadonlyMap<StateRule, CompiledSubject> = (() => {
  const bySubject = new Map<StateRule['subject'], CompiledSubject>();
  const map = new Map<StateRule, CompiledSubject>();
  for (const rule of STATE_RULES) {
    let compiled = bySubject.get(rule.subject);
    if (compiled === undefined) {
      compiled = subjectOf(rule.subject);
      bySubject.set(rule.subject, compiled);
    }
    map.set(rule, compiled);
  }
  return map;
})();
const SENDER_MARKERS: ReadonlySet<string> = new Set(SENDER_CLAUSE_MARKERS.words);
/**
 * The hyphenated words the tables themselves use ("non-existent", "e-mail", "return-path"): kept whole. Any other
 * hyphenated word is read as its parts, so a compound of a state and a noun ("Invalid-Recipient") is a clause like
 * "invalid recipient".
 */
const HYPHENATED_WORDS: ReadonlySet<string> = new Set(
  [
    ...COMPILED_STATES.flatMap((s) => s.words),
    ...STATE_RULES.flatMap((r) => [...r.subject.words, ...r.subject.notAfter, ...r.subject.notBefore]),
    ...SENDER_CLAUSE_MARKERS.words,
    ...NOT_A_STATE_BEFORE,
    ...TRANSIENT_CLAUSE_WORDS,
  ].filter((w) => w.includes('-')),
);
const NOT_STATE_BEFORE: ReadonlySet<string> = new Set(NOT_A_STATE_BEFORE);
const TRANSIENT: ReadonlySet<string> = new Set(TRANSIENT_CLAUSE_WORDS);

/** E-mail addresses and bracketed tokens: blanked before clauses are cut, so their dots are not sentence ends. */
const OPAQUE = /<[^<>]*>|\[[^[\]]*\]|\S+@\S+/g;
/**
 * Clause ends: a sentence end (a dot before a space or the end), colons, semicolons, line breaks. Captured, so that a
 * colon can carry a sender subject into the clause it introduces ("Sender address rejected: ..."). Brackets do not end
 * a clause ("Account(s) <x> does not have enough space").
 */
const CLAUSE_END = /(\.(?=\s|$)|[:;!?\n\r]|\s-\s)/;
/**
 * What separates words inside a clause: white space, punctuation and symbols, except the apostrophe and the hyphen,
 * which belong to words ("doesn't", "e-mail"). Control characters do not separate words, as for the phrase rules.
 */
const WORD_SEPARATORS = /(?:[^\P{P}'-]|[\s\p{S}])+/u;

function isSubjectAt(words: readonly string[], at: number, subject: CompiledSubject): boolean {
  const word = words[at] as string;
  if (!subject.words.has(word)) return false;
  if (at > 0 && subject.notAfter.has(words[at - 1] as string)) return false;
  return !(at + 1 < words.length && subject.notBefore.has(words[at + 1] as string));
}

/** Whether `state` occurs at `at` in `words`; returns the index after it, or -1. */
function stateEnd(words: readonly string[], at: number, state: CompiledState): number {
  for (let i = 0; i < state.words.length; i++) {
    const want = state.words[i] as string;
    const got = words[at + i];
    if (got === undefined || (want !== WILDCARD && want !== got)) return -1;
  }
  const end = at + state.words.length;
  if (end < words.length && NOT_STATE_BEFORE.has(words[end] as string)) return -1;
  return end;
}

function hasSubjectNear(words: readonly string[], start: number, end: number, state: CompiledState): boolean {
  const subject = SUBJECT_OF.get(state.rule) as CompiledSubject;
  // After the state: the first words following it.
  const afterLimit = Math.min(words.length - 1, end + (state.onlyBefore ? 1 : STATE_WINDOW));
  for (let i = end; i <= afterLimit; i++) if (isSubjectAt(words, i, subject)) return true;
  if (state.onlyBefore) return false;
  // Before the state: the last words preceding it.
  for (let i = start - 1; i >= Math.max(0, start - 1 - STATE_WINDOW); i--) {
    if (isSubjectAt(words, i, subject)) return true;
  }
  return false;
}

function namesSender(words: readonly string[]): boolean {
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (SENDER_MARKERS.has(word)) return true;
    // "from" alone is too common ("SMTP error from remote mail server"): only MAIL FROM names the sender.
    if (word === 'from' && i > 0 && words[i - 1] === 'mail') return true;
  }
  return false;
}

function composeClause(words: readonly string[], only?: Category): ComposedState | null {
  for (let at = 0; at < words.length; at++) {
    const candidates = STATES_BY_FIRST_WORD.get(words[at] as string);
    if (candidates === undefined) continue;
    for (const state of candidates) {
      if (only !== undefined && state.rule.category !== only) continue;
      const end = stateEnd(words, at, state);
      if (end < 0 || !hasSubjectNear(words, at, end, state)) continue;
      let transient = false;
      for (const word of words) transient ||= TRANSIENT.has(word);
      return {
        category: state.rule.category,
        evidence: `clause rule ${state.rule.id} (its noun and "${state.text}" in "${words.join(' ').slice(0, 80)}")`,
        transient,
      };
    }
  }
  return null;
}

/** The first clause of `text` that states the recipient mailbox's existence or capacity or the message's size, or null. */
export function composeClauseState(text: string, only?: Category): ComposedState | null {
  if (text.length === 0) return null;
  const parts = text.replace(OPAQUE, ' addr ').split(CLAUSE_END);
  // parts alternate: clause, separator, clause, ...
  let senderCarried = false;
  let recipientCarried = false;
  for (let i = 0; i < parts.length; i += 2) {
    const words = wordsOf(parts[i] as string);
    const sender: boolean = senderCarried || namesSender(words);
    const introduced = recipientCarried;
    // A clause naming the sender and ending in a colon introduces the reason about the sender; one naming the
    // recipient ("Recipient address rejected:") introduces the reason about the recipient, which then need not name it.
    senderCarried = sender && parts[i + 1] === ':';
    recipientCarried = !sender && parts[i + 1] === ':' && namesRecipient(words);
    if (sender) continue;
    const read = introduced ? [CARRIED_SUBJECT, ...words] : words;
    if (read.length < 2) continue;
    const found = composeClause(read, only);
    if (found !== null) return found;
  }
  return null;
}

/** A clause's folded words, hyphenated compounds the tables do not use read as their parts. */
function wordsOf(clause: string): readonly string[] {
  const words = foldPhrase(clause)
    .split(WORD_SEPARATORS)
    .filter((w) => w.length > 0);
  if (!clause.includes('-')) return words;
  return words.flatMap((w) =>
    w.includes('-') && !HYPHENATED_WORDS.has(w) ? w.split('-').filter((part) => part.length > 0) : [w],
  );
}

/** The subject word a clause introduced by a recipient clause ending in ":" is read with. */
const CARRIED_SUBJECT = 'recipient';
const RECIPIENT_WORDS: CompiledSubject = subjectOf(RECIPIENT_SUBJECT);

function namesRecipient(words: readonly string[]): boolean {
  for (let i = 0; i < words.length; i++) if (isSubjectAt(words, i, RECIPIENT_WORDS)) return true;
  return false;
}

/** Nouns of the domain or its host: a reply naming one of these speaks of the destination system. */
const DOMAIN_OR_HOST_WORDS: ReadonlySet<string> = new Set([
  ...DOMAIN_SUBJECT_WORDS,
  'host',
  'hostname',
  'system',
  'server',
  'mx',
]);

/**
 * Whether a reply names the recipient's mailbox (user, recipient, mailbox, ...) and never a domain or host: said under a
 * code about the destination system (RFC 3463 X.1.2), the reply and the code disagree on the subject.
 */
export function namesMailboxOnly(text: string): boolean {
  const words = wordsOf(text.replace(OPAQUE, ' addr '));
  for (const word of words) if (DOMAIN_OR_HOST_WORDS.has(word)) return false;
  return namesRecipient(words);
}

/**
 * Whether a reply names the recipient's domain (domain, domaine, dominio, ...) and never the recipient's mailbox: said
 * under a code about the mailbox (RFC 3463 X.1.1 "bad destination mailbox address"), the reply and the code disagree on
 * the subject. Only the domain nouns count here, not host or server: a report's "processed by the mail server" names the
 * reporting MTA, not the subject.
 */
export function namesDomainOnly(text: string): boolean {
  const words = wordsOf(text.replace(OPAQUE, ' addr '));
  let domain = false;
  for (const word of words) if (DOMAIN_SUBJECT_WORDS.includes(word)) domain = true;
  return domain && !namesRecipient(words);
}

const RECORD_TYPES: ReadonlySet<string> = new Set(DNS_RECORD_SUBJECT.types);
const RECORD_NOUNS: ReadonlySet<string> = new Set(DNS_RECORD_SUBJECT.nouns);

/**
 * Whether a reply names a DNS record ("MX record") and never the recipient's mailbox: said under a code about the
 * destination system (X.1.2), the reply judges how a domain is published, not whether the destination exists.
 */
export function namesRecordOnly(text: string): boolean {
  const words = wordsOf(text.replace(OPAQUE, ' addr '));
  let record = false;
  for (let i = 1; i < words.length; i++)
    if (RECORD_NOUNS.has(words[i] as string) && RECORD_TYPES.has(words[i - 1] as string)) record = true;
  return record && !namesRecipient(words);
}

/** "or" in the languages of the composition's nouns: a disjunction joins two possible states of one mailbox. */
const DISJUNCTION = /\s(?:or|o|oder|ou|lub|nebo|of)\s/i;

/**
 * RFC 5321's 551 reply ("User not local; please try <forward-path>") offered as the alternative: the server does not
 * say whether the mailbox is dead or merely not its to deliver ("mailbox unavailable or is not local").
 */
const OR_NOT_LOCAL = /\sor\s+(?:is\s+)?not\s+local\b/i;

/**
 * Whether a reply offers another cause as the alternative to a dead address: a full mailbox ("Destinatario desconocido
 * o mailbox lleno": unknown OR full) or a recipient that is not local (a relay refusal). A reply that cannot say which
 * names no dead address. Only read when a disjunction is present.
 */
export function offersAnotherCause(text: string): boolean {
  return (
    DISJUNCTION.test(text) && (OR_NOT_LOCAL.test(text) || composeClauseState(text, 'mailbox-full') !== null)
  );
}
