// Explains SMTP enhanced status codes (RFC 3463 "class.subject.detail") from the IANA registry, known provider
// codes and, for anything else well formed, from the class and subject. Pure; never throws.

import {
  CLASS_INFO,
  GUIDE_CORRECTIONS,
  REGISTRY_ENTRIES,
  type RegistryEntry,
  SUBJECT_INFO,
  type UsableAs,
} from './registry-data.ts';
import { PROVIDER_CODES, type ProviderCode } from './registry-providers.ts';
import {
  codesInText,
  MAX_CODE_TEXT,
  parseEnhancedStatusCode,
  type StatusClass,
  type StatusCode,
} from './status-code.ts';

export type { RegistryEntry } from './registry-data.ts';
export { USABLE_AS } from './registry-data.ts';

interface ProviderMeaning {
  provider: string;
  title: string;
  meaning: string;
  source: string;
}

/** Where an explanation comes from. */
type ExplanationSource = 'registry' | 'provider' | 'subject' | 'class' | 'malformed';

export interface CodeExplanation {
  /** The normalised code ("5.1.1"); null when the input is not a well-formed code. */
  code: string | null;
  /** A printable, shortened copy of what was asked. */
  input: string;
  title: string;
  meaning: string;
  class: StatusClass | null;
  subject: number | null;
  detail: number | null;
  classTitle: string | null;
  classMeaning: string | null;
  subjectTitle: string | null;
  /** The registry row used ("X.1.1"), when the code is in the registry. */
  registryCode: string | null;
  /** Defining document(s) of the registry row. */
  rfc: string | null;
  /** IANA "associated basic status code" (SMTP reply codes), when in the registry. */
  basicReply: string | null;
  /** What the defining RFC allows this detail to report; null when unknown. */
  usableAs: UsableAs | null;
  /** True when the code is in the IANA registry. */
  known: boolean;
  source: ExplanationSource;
  /** Set when the class contradicts what the registry allows for the detail (e.g. 5.2.2 or 4.1.1). */
  classNote: string | null;
  typicalCauses: string[];
  whatToDo: string;
  /** Set when the popular bounce-code guide contradicts the registry for this exact code. */
  guideCorrection: string | null;
  /** A provider's own meaning for a code outside the registry. */
  provider: ProviderMeaning | null;
  notes: string[];
}

const REGISTRY_BY_KEY = new Map<string, RegistryEntry>(
  REGISTRY_ENTRIES.map((entry) => [`${entry.subject}.${entry.detail}`, entry]),
);

/** Every registry code, in registry order ("X.0.0", "X.1.0", ..., "X.7.30"). */
export const REGISTRY_CODES: readonly string[] = REGISTRY_ENTRIES.map(
  (entry) => `X.${entry.subject}.${entry.detail}`,
);

export const REGISTRY: readonly RegistryEntry[] = REGISTRY_ENTRIES;

// Narrowest range first, so that a specific code (4.7.650) wins over the range it sits in (4.7.500-699).
const PROVIDERS_BY_SPECIFICITY: readonly ProviderCode[] = [...PROVIDER_CODES].sort(
  (a, b) => a.detailTo - a.detailFrom - (b.detailTo - b.detailFrom),
);

const SHOWN_INPUT = 60;

function findProvider(parsed: StatusCode): ProviderCode | undefined {
  return PROVIDERS_BY_SPECIFICITY.find(
    (p) =>
      (p.klass === null || p.klass === parsed.klass) &&
      p.subject === parsed.subject &&
      parsed.detail >= p.detailFrom &&
      parsed.detail <= p.detailTo,
  );
}

function subjectTitleOf(subject: number): string | null {
  return SUBJECT_INFO[subject]?.title ?? null;
}

function fallbackTitle(parsed: StatusCode): string {
  const subjectTitle = subjectTitleOf(parsed.subject);
  const classTitle = CLASS_INFO[parsed.klass].title.toLowerCase();
  return subjectTitle === null
    ? `Unregistered code (${classTitle})`
    : `Unregistered ${subjectTitle.toLowerCase()} code (${classTitle})`;
}

function titleOf(parsed: StatusCode): string {
  const entry = REGISTRY_BY_KEY.get(`${parsed.subject}.${parsed.detail}`);
  if (entry !== undefined) return entry.title;
  return findProvider(parsed)?.title ?? fallbackTitle(parsed);
}

// codeTitle sits on the classifier's hot path: precompute the titles of every registry and provider code.
const TITLE_CACHE = new Map<string, string>();
for (const klass of [2, 4, 5] as const) {
  for (const entry of REGISTRY_ENTRIES) {
    TITLE_CACHE.set(`${klass}.${entry.subject}.${entry.detail}`, entry.title);
  }
}
for (const provider of PROVIDER_CODES) {
  for (const klass of provider.klass === null ? ([4, 5] as const) : [provider.klass]) {
    for (let detail = provider.detailFrom; detail <= provider.detailTo; detail++) {
      const code = `${klass}.${provider.subject}.${detail}`;
      if (!TITLE_CACHE.has(code)) {
        TITLE_CACHE.set(code, titleOf({ klass, subject: provider.subject, detail, code }));
      }
    }
  }
}

/** The registry or provider title of a code; null when the text is not a well-formed code. Never throws. */
export function codeTitle(code: string): string | null {
  if (typeof code !== 'string') return null;
  const cached = TITLE_CACHE.get(code);
  if (cached !== undefined) return cached;
  const parsed = parseEnhancedStatusCode(code);
  return parsed === null ? null : titleOf(parsed);
}

function printable(input: string): string {
  const head = input.length > SHOWN_INPUT ? `${input.slice(0, SHOWN_INPUT)}…` : input;
  // Control characters would garble a terminal; show them as escapes.
  let shown = '';
  for (const char of head) {
    const point = char.codePointAt(0) ?? 0;
    shown +=
      point < 0x20 || (point >= 0x7f && point <= 0x9f) ? `\\u${point.toString(16).padStart(4, '0')}` : char;
  }
  return shown;
}

function malformedReason(input: unknown): { shown: string; reason: string } {
  if (input === null || input === undefined) {
    return { shown: String(input), reason: 'No code was given.' };
  }
  if (typeof input !== 'string') {
    return { shown: `(${typeof input})`, reason: `Expected the code as text, got a ${typeof input}.` };
  }
  const shown = printable(input);
  const text = input.trim();
  if (text.length === 0) return { shown, reason: 'The code is empty.' };
  if (text.length > MAX_CODE_TEXT) {
    const [inside] = codesInText(text.slice(0, 4096), 1);
    const hint = inside === undefined ? '' : ` It contains ${inside.written}; explain that instead.`;
    return {
      shown,
      reason: `This is a text of ${input.length} characters, not a code like 5.1.1.${hint}`,
    };
  }
  const [inside] = codesInText(text, 1);
  if (inside !== undefined) {
    return {
      shown,
      reason: `Expected only the code; the text contains ${inside.written}: explain that instead.`,
    };
  }
  const parts = text.split('.');
  if (parts.length !== 3) {
    return {
      shown,
      reason: `An enhanced status code has three numbers separated by dots (class.subject.detail, e.g. 5.1.1); this has ${parts.length}.`,
    };
  }
  const [klass = '', subject = '', detail = ''] = parts;
  if (/^[xX]$/.test(klass) && /^[0-9]{1,3}$/.test(subject) && /^[0-9]{1,3}$/.test(detail)) {
    return {
      shown,
      reason: `X stands for the class in the registry's notation: ask for 4.${Number(subject)}.${Number(detail)} (temporary) or 5.${Number(subject)}.${Number(detail)} (permanent).`,
    };
  }
  for (const [name, part] of [
    ['class', klass],
    ['subject', subject],
    ['detail', detail],
  ] as const) {
    if (!/^[0-9]+$/.test(part)) return { shown, reason: `The ${name} "${printable(part)}" is not a number.` };
  }
  if (!/^[245]$/.test(klass)) {
    return {
      shown,
      reason: `The class must be 2 (success), 4 (temporary failure) or 5 (permanent failure), not ${klass}.`,
    };
  }
  return { shown, reason: 'Subject and detail have at most three digits each (RFC 3463).' };
}

function malformed(input: unknown): CodeExplanation {
  const { shown, reason } = malformedReason(input);
  return {
    code: null,
    input: shown,
    title: 'Not an enhanced status code',
    meaning: `${reason} Enhanced status codes look like 5.1.1: class (2, 4 or 5), subject and detail (RFC 3463).`,
    class: null,
    subject: null,
    detail: null,
    classTitle: null,
    classMeaning: null,
    subjectTitle: null,
    registryCode: null,
    rfc: null,
    basicReply: null,
    usableAs: null,
    known: false,
    source: 'malformed',
    classNote: null,
    typicalCauses: [],
    whatToDo: 'Pass just the code, for example 5.1.1, 4.2.2 or 5.7.26.',
    guideCorrection: null,
    provider: null,
    notes: [],
  };
}

function classNoteFor(klass: StatusClass, usableAs: UsableAs, registryCode: string): string | null {
  if (klass === 2 && usableAs !== 'success' && usableAs !== 'any' && usableAs !== 'unspecified') {
    return `Class 2 reports success, but ${registryCode} describes a failure; the server is using the code loosely.`;
  }
  if (klass === 4 && usableAs === 'permanent') {
    return `The registry defines ${registryCode} for permanent failures only. With class 4 the server signals a temporary problem (for example a lookup that failed), so treat it as transient.`;
  }
  if (klass === 5 && usableAs === 'transient') {
    return `The registry defines ${registryCode} as a persistent transient failure, even when a server sends it with class 5. Treat it as temporary (a soft bounce).`;
  }
  if (klass !== 2 && usableAs === 'success') {
    return `${registryCode} is a success detail; a failure class with it is contradictory, so the diagnostic text decides.`;
  }
  return null;
}

function classAdvice(klass: StatusClass): string {
  if (klass === 2) return 'Class 2 is a success report: nothing failed.';
  if (klass === 4) return 'Class 4 is temporary: the sender retries automatically.';
  return 'Class 5 means this message will not be delivered as sent.';
}

/**
 * Explains any input as an enhanced status code. Never throws: malformed input (not a string, empty, "5.1",
 * "9.9.9", long text, control characters) gets an explanation that says what is wrong.
 */
export function explainCode(code: unknown): CodeExplanation {
  const parsed = parseEnhancedStatusCode(code);
  if (parsed === null) return malformed(code);

  const { klass, subject, detail } = parsed;
  const classInfo = CLASS_INFO[klass];
  const subjectInfo = SUBJECT_INFO[subject];
  const entry = REGISTRY_BY_KEY.get(`${subject}.${detail}`);
  const guideCorrection = GUIDE_CORRECTIONS[parsed.code] ?? null;
  const base = {
    code: parsed.code,
    input: printable(String(code)),
    class: klass,
    subject,
    detail,
    classTitle: classInfo.title,
    classMeaning: classInfo.meaning,
    subjectTitle: subjectInfo?.title ?? null,
    guideCorrection,
  };

  if (entry !== undefined) {
    const registryCode = `X.${subject}.${detail}`;
    return {
      ...base,
      title: entry.title,
      meaning: entry.meaning,
      registryCode,
      rfc: entry.rfc,
      basicReply: entry.basicReply,
      usableAs: entry.usableAs,
      known: true,
      source: 'registry',
      classNote: classNoteFor(klass, entry.usableAs, registryCode),
      typicalCauses: [...entry.typicalCauses],
      whatToDo:
        entry.usableAs === 'success' && klass !== 2
          ? `The class says delivery failed, but ${registryCode} is a success detail: read the diagnostic text for the real reason. ${classAdvice(klass)}`
          : `${entry.whatToDo} ${classAdvice(klass)}`,
      provider: null,
      notes: [...(entry.notes ?? [])],
    };
  }

  const provider = findProvider(parsed);
  const unregistered =
    subjectInfo === undefined
      ? `Subject ${subject} is not defined by RFC 3463 or the IANA registry, so only the class is meaningful.`
      : `${subjectInfo.title} code ${parsed.code} is not in the IANA registry${detail >= 100 ? '; three-digit details are vendor-specific (Microsoft Exchange uses many)' : ''}.`;
  if (provider !== undefined) {
    return {
      ...base,
      title: provider.title,
      meaning: `${provider.meaning} (${provider.provider}.)`,
      registryCode: null,
      rfc: null,
      basicReply: null,
      usableAs: null,
      known: false,
      source: 'provider',
      classNote: null,
      typicalCauses: [...provider.typicalCauses],
      whatToDo: `${provider.whatToDo} ${classAdvice(klass)}`,
      provider: {
        provider: provider.provider,
        title: provider.title,
        meaning: provider.meaning,
        source: provider.source,
      },
      notes: [unregistered],
    };
  }

  const areaMeaning =
    subjectInfo === undefined
      ? ''
      : ` Subject ${subject} (${subjectInfo.title.toLowerCase()}): ${subjectInfo.meaning}`;
  return {
    ...base,
    title: fallbackTitle(parsed),
    meaning: `${unregistered} ${classInfo.title}: ${classInfo.meaning}${areaMeaning}`,
    registryCode: null,
    rfc: null,
    basicReply: null,
    usableAs: null,
    known: false,
    source: subjectInfo === undefined ? 'class' : 'subject',
    classNote: null,
    typicalCauses:
      subjectInfo === undefined
        ? ['A provider-specific or non-standard code']
        : [...subjectInfo.typicalCauses],
    whatToDo: `${subjectInfo?.whatToDo ?? 'Read the diagnostic text for the actual reason.'} ${classAdvice(klass)}`,
    provider: null,
    notes: [],
  };
}
