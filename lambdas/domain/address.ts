// Recipient address normalization: one lower-cased key per mailbox (for DynamoDB and SES calls), the original
// kept for display. SES hands us display names, odd whitespace, mixed case and RFC 2047 encoded words; people type
// Unicode in NFC or NFD and internationalized domains as U-labels or A-labels.
import { domainToASCII } from 'node:url';

interface NormalizedAddress {
  /**
   * addr-spec, trimmed, Unicode NFC, lower-cased, the domain as IDNA A-labels (`xn--…`, as SES itself writes it: SES
   * takes only 7-bit ASCII addresses with Punycode domains): the key for storage and SESv2 calls.
   */
  email: string;
  /** What SES sent, with RFC 2047 encoded words decoded and whitespace collapsed. */
  display: string;
  domain: string;
}

export type AddressResult = { ok: true; address: NormalizedAddress } | { ok: false; reason: string };

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

function decodeWord(charset: string, encoding: string, text: string): string {
  const bytes =
    encoding.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64')
      : Buffer.from(
          text
            .replace(/_/g, ' ')
            .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
          'latin1',
        );
  // RFC 2231 allows a language suffix (utf-8*en); unknown charsets fall back to UTF-8 rather than failing.
  const label = charset.split('*')[0] ?? 'utf-8';
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** Decodes RFC 2047 encoded words; whitespace between adjacent encoded words is dropped, as the RFC says. */
function decodeEncodedWords(text: string): string {
  const joined = text.replace(/(\?=)\s+(=\?)/g, '$1$2');
  return joined.replace(ENCODED_WORD, (_, charset: string, encoding: string, payload: string) =>
    decodeWord(charset, encoding, payload),
  );
}

/**
 * The canonical form of a domain: lower-case, no trailing dot, IDNA A-labels (UTS #46 mapping of a Unicode domain
 * in any normalization form, `bücher.example` → `xn--bcher-kva.example`). An ASCII domain is only lower-cased, so
 * every key written before stays as it was. Null when a Unicode domain is no valid IDN.
 */
export function canonicalDomain(domain: string): string | null {
  const lower = domain.trim().replace(/\.$/, '').toLowerCase();
  if ([...lower].every((character) => character.charCodeAt(0) < 0x80)) return lower;
  const ascii = domainToASCII(lower.normalize('NFC'));
  return ascii === '' ? null : ascii;
}

export function normalizeAddress(raw: string): AddressResult {
  const trimmed = raw.replace(/\s+/g, ' ').trim();
  if (trimmed === '') return { ok: false, reason: 'empty address' };
  const open = trimmed.lastIndexOf('<');
  const close = trimmed.lastIndexOf('>');
  let spec = trimmed;
  if (open !== -1 || close !== -1) {
    if (open === -1 || close < open) return { ok: false, reason: 'unbalanced angle brackets' };
    spec = trimmed.slice(open + 1, close);
  }
  spec = spec.trim().replace(/^mailto:/i, '');
  const at = spec.lastIndexOf('@');
  if (at <= 0 || at === spec.length - 1) return { ok: false, reason: 'no local part and domain around "@"' };
  const local = spec.slice(0, at).normalize('NFC');
  const domain = canonicalDomain(spec.slice(at + 1));
  if (domain === null) return { ok: false, reason: 'malformed internationalized domain' };
  if (/\s/.test(spec) && !/^".*"$/.test(local)) return { ok: false, reason: 'whitespace inside the address' };
  if (!/^[^\s@<>()[\],;:]+(\.[^\s@<>()[\],;:]+)*$/.test(domain) || !domain.includes('.')) {
    if (!/^\[[0-9a-f.:]+\]$/i.test(domain)) return { ok: false, reason: 'malformed domain' };
  }
  if (spec.length > 320) return { ok: false, reason: 'longer than 320 characters' };
  return {
    ok: true,
    address: { email: `${local.toLowerCase()}@${domain}`, display: decodeEncodedWords(trimmed), domain },
  };
}

/** What an address quoted in free text becomes when it is not the event's own recipient's. */
const REDACTED_ADDRESS = '[address]';

// An address as it appears in a subject or an SMTP reply: no whitespace, brackets, quotes or separators around "@".
// Bounded parts (a local part has at most 64 characters, a domain 255) keep the scan linear in the text's length.
const ADDRESS_IN_TEXT = /[^\s@<>()[\]{}"',;:]{1,64}@[^\s@<>()[\]{}"',;:]{0,254}[^\s@<>()[\]{}"',;:.]/gu;

/**
 * Free text with every address but `own` (compared without case) replaced by `[address]`: what is stored of a
 * message's subject and of an SMTP reply names no other person than the event's recipient, so erasing that
 * recipient's partition removes every copy of the address.
 */
export function redactOtherAddresses(text: string, own: string): string {
  return text.replace(ADDRESS_IN_TEXT, (found) => (found.toLowerCase() === own ? found : REDACTED_ADDRESS));
}
