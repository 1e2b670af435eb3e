// SMTP enhanced status codes (RFC 3463, "class.subject.detail"): the one parser the classifier and the code
// registry share. Pure. Hand-parsed: the classifier reads a status for every bounce.

export type StatusClass = 2 | 4 | 5;

export interface StatusCode {
  readonly klass: StatusClass;
  readonly subject: number;
  readonly detail: number;
  /** Normalised form, e.g. "5.1.1" (leading zeros dropped). */
  readonly code: string;
}

const DOT = 0x2e;
const ZERO = 0x30;
const HASH = 0x23;

/** Whether the character at `at` is an ASCII digit (false outside the text). */
export function isDigitAt(text: string, at: number): boolean {
  const d = text.charCodeAt(at) - ZERO;
  return d >= 0 && d <= 9;
}

/** Up to three decimal digits at `at`: [value, digits read]. */
function readNumber(text: string, at: number): [number, number] {
  let value = 0;
  let digits = 0;
  while (digits < 3 && isDigitAt(text, at + digits)) {
    value = value * 10 + text.charCodeAt(at + digits) - ZERO;
    digits++;
  }
  return [value, digits];
}

/**
 * The code written exactly at `at` (class 2, 4 or 5; one to three digits for subject and detail), not followed by
 * another digit, and the index just after it; null when there is none.
 */
function readStatusCode(text: string, at = 0): { code: StatusCode; end: number } | null {
  const klass = text.charCodeAt(at) - ZERO;
  if ((klass !== 2 && klass !== 4 && klass !== 5) || text.charCodeAt(at + 1) !== DOT) return null;
  const [subject, subjectDigits] = readNumber(text, at + 2);
  const secondDot = at + 2 + subjectDigits;
  if (subjectDigits === 0 || text.charCodeAt(secondDot) !== DOT) return null;
  const [detail, detailDigits] = readNumber(text, secondDot + 1);
  const end = secondDot + 1 + detailDigits;
  if (detailDigits === 0 || isDigitAt(text, end)) return null;
  // A code written in its normalised form is returned as given (no new string on the hot path).
  const normalised =
    at === 0 &&
    end === text.length &&
    (subjectDigits === 1 || text.charCodeAt(at + 2) !== ZERO) &&
    (detailDigits === 1 || text.charCodeAt(secondDot + 1) !== ZERO);
  return { code: { klass, subject, detail, code: normalised ? text : `${klass}.${subject}.${detail}` }, end };
}

/**
 * A DSN `status` field as a code: blanks (any control character or space) and one "#" before it are skipped,
 * whatever follows it is ignored ("5.1.1 (bad mailbox)"). Null when it does not start with a code.
 */
export function statusFieldCode(status: string): StatusCode | null {
  let at = 0;
  while (at < status.length && status.charCodeAt(at) <= 0x20) at++;
  if (status.charCodeAt(at) === HASH) at++;
  return readStatusCode(status, at)?.code ?? null;
}

/** Longest text taken for a code: "5.999.999" with plenty of surrounding whitespace. */
export const MAX_CODE_TEXT = 64;

/**
 * Strictly parses an enhanced status code ("5.1.1", surrounding whitespace allowed; leading zeros are normalised
 * away). Returns null for anything else, including text that merely contains a code.
 */
export function parseEnhancedStatusCode(text: unknown): StatusCode | null {
  if (typeof text !== 'string' || text.length > MAX_CODE_TEXT) return null;
  const trimmed = text.trim();
  const read = readStatusCode(trimmed);
  return read !== null && read.end === trimmed.length ? read.code : null;
}

const CODE_IN_TEXT = /(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?!\d|\.\d)/g;

/** A code found inside a text, with the characters it was written as. */
export interface StatusCodeInText extends StatusCode {
  readonly written: string;
}

/** The codes written inside a text (not touching other digits or dots), first first, at most `max`. */
export function codesInText(text: string, max: number): StatusCodeInText[] {
  const found: StatusCodeInText[] = [];
  CODE_IN_TEXT.lastIndex = 0;
  while (found.length < max) {
    const m = CODE_IN_TEXT.exec(text);
    if (m === null) break;
    const klass = Number(m[1]) as StatusClass;
    const subject = Number(m[2]);
    const detail = Number(m[3]);
    found.push({ klass, subject, detail, code: `${klass}.${subject}.${detail}`, written: m[0] });
  }
  return found;
}
