// Schemas of the query API's path and query parameters. Every value arrives as a string; each schema says exactly
// what it accepts, so a bad email, date, enum or limit is a 400 naming the parameter.
import * as z from 'zod';
import { canonicalDomain, normalizeAddress } from '../domain/address.ts';
import { CATEGORIES, VERDICTS } from '../domain/classification.ts';

const EVENT_TYPES = ['bounce', 'complaint', 'delivery'] as const;

const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 50;

const DOMAIN_PATTERN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)*$/;

// An address as a parameter: one "@", no whitespace, brackets, quotes, separators or display name, and a domain of
// dot-separated labels (or an address literal). A string it matches (up to 320 characters) is accepted when its
// domain is a valid internationalized domain name.
const EMAIL_PATTERN =
  /^[^\s@<>()[\]\\,;:"]+@(?:[^\s@<>()[\]\\,;:".]+(?:\.[^\s@<>()[\]\\,;:".]+)+|\[[0-9A-Fa-f.:]+\])$/;

/**
 * An email address, normalized exactly as the processor keys recipients (trimmed, NFC, lower-cased, the domain as
 * IDNA A-labels): every spelling of one mailbox finds it.
 */
export const emailParam = z
  .string()
  .max(320, 'must be at most 320 characters')
  .regex(EMAIL_PATTERN, 'must be an email address like name@example.com')
  .transform((value, ctx) => {
    const normalized = normalizeAddress(value);
    if (!normalized.ok) {
      ctx.addIssue({
        code: 'custom',
        message: `must be an email address like name@example.com (${normalized.reason})`,
      });
      return z.NEVER;
    }
    return normalized.address.email;
  })
  .meta({
    description:
      'Email address, a bare addr-spec (case-insensitive, any Unicode normalization, the domain as U-labels or ' +
      'A-labels; stored lower-cased with an A-label domain, e.g. user@xn--bcher-kva.example)',
    examples: ['jane@example.com'],
  });

export const domainParam = z
  .string()
  .max(253)
  .transform((value) => canonicalDomain(value) ?? '')
  .refine((value) => DOMAIN_PATTERN.test(value), 'must be a domain name like example.com')
  .meta({
    description:
      'Recipient domain, U-labels or A-labels (bücher.example = xn--bcher-kva.example); lower-cased, stored as A-labels',
    examples: ['example.com'],
  });

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** An ISO 8601 date or date-time (with Z or an offset), normalized to an ISO 8601 UTC string. */
export const instantParam = z
  .string()
  .transform((value, ctx) => {
    const trimmed = value.trim();
    const valid = ISO_DATE.test(trimmed) || ISO_DATETIME.test(trimmed);
    const time = valid ? Date.parse(ISO_DATE.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed) : Number.NaN;
    if (
      Number.isNaN(time) ||
      (ISO_DATE.test(trimmed) && new Date(time).toISOString().slice(0, 10) !== trimmed)
    ) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be an ISO 8601 date (2024-05-01) or date-time with Z or offset',
      });
      return z.NEVER;
    }
    return new Date(time).toISOString();
  })
  .meta({ description: 'ISO 8601 date or date-time (UTC if a date)', examples: ['2024-05-01T00:00:00Z'] });

/** A calendar day YYYY-MM-DD (a full date-time is accepted and truncated to its UTC day). */
export const dayParam = instantParam
  .transform((iso) => iso.slice(0, 10))
  .meta({ description: 'UTC day, YYYY-MM-DD', examples: ['2024-05-01'] });

export const limitParam = z
  .string()
  .regex(/^\d{1,7}$/, `must be an integer from 1 to ${MAX_LIMIT}`)
  .transform(Number)
  .pipe(
    z
      .number()
      .int()
      .min(1, `must be from 1 to ${MAX_LIMIT}`)
      .max(MAX_LIMIT, `must be from 1 to ${MAX_LIMIT}`),
  )
  .meta({
    description: `Page size, 1–${MAX_LIMIT} (default ${DEFAULT_LIMIT})`,
    type: 'integer',
    minimum: 1,
    maximum: MAX_LIMIT,
  });

export const cursorParam = z
  .string()
  .min(1)
  .max(4096)
  .meta({ description: "Opaque cursor from the previous page's nextCursor (only valid for the same query)" });

export const verdictParam = z.enum(VERDICTS).meta({ description: 'Classifier verdict' });
export const categoryParam = z.enum(CATEGORIES).meta({ description: 'Classifier reason category' });
export const typeParam = z.enum(EVENT_TYPES).meta({ description: 'Event type' });

/** An enhanced status code or a prefix of one: `5`, `5.1` or `5.1.1`. */
export const codeFilterParam = z
  .string()
  .trim()
  .regex(/^[245](?:\.\d{1,3}){0,2}$/, 'must be an enhanced status code or a prefix of one (5, 5.1, 5.1.1)')
  .meta({ description: 'Enhanced status code, exact (5.1.1) or prefix (5.1)', examples: ['5.1'] });

export const booleanParam = z
  .enum(['true', 'false'], { message: "must be 'true' or 'false'" })
  .transform((value) => value === 'true');
