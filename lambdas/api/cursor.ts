// Opaque pagination cursors. A cursor is bound to the normalized query it came from (a hash of it travels inside),
// carries the DynamoDB key to continue after, and is sealed with an HMAC (or a plain digest when no secret is
// configured). Callers additionally check that the decoded key lies inside their own query, so even a forged
// cursor cannot read outside the query it is presented with.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { ValidationError } from './errors.ts';

export type CursorKey = Readonly<Record<string, string | number>>;

const MAX_CURSOR_LENGTH = 4096;

const payloadSchema = z.strictObject({
  v: z.literal(1),
  q: z.string(),
  k: z.record(z.string(), z.union([z.string(), z.number()])),
});

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** A short, stable hash of a normalized query (route name plus its filters; page size excluded). */
export function queryFingerprint(scope: string, query: Readonly<Record<string, unknown>>): string {
  return createHash('sha256')
    .update(scope)
    .update('\0')
    .update(canonical(query))
    .digest('base64url')
    .slice(0, 22);
}

export class CursorCodec {
  constructor(private readonly secret: string | null) {}

  private seal(payload: string): string {
    const digest = this.secret === null ? createHash('sha256') : createHmac('sha256', this.secret);
    return digest.update(payload).digest('base64url').slice(0, 22);
  }

  encode(fingerprint: string, key: CursorKey): string {
    const payload = Buffer.from(JSON.stringify({ v: 1, q: fingerprint, k: key })).toString('base64url');
    return `${payload}.${this.seal(payload)}`;
  }

  /**
   * Decodes a cursor for the query with this fingerprint. `belongs` checks the key lies inside that query
   * (partition and range); any failure is a 400 on the `cursor` field.
   */
  decode(cursor: string, fingerprint: string, belongs: (key: CursorKey) => boolean): CursorKey {
    const invalid = (why: string) =>
      new ValidationError('invalid-cursor', `Invalid cursor: ${why}`, 'cursor');
    if (cursor.length > MAX_CURSOR_LENGTH) throw invalid('too long');
    const [payload, mac, ...rest] = cursor.split('.');
    if (payload === undefined || mac === undefined || rest.length > 0) throw invalid('malformed');
    const expected = Buffer.from(this.seal(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      throw invalid('tampered or foreign');
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw invalid('malformed');
    }
    const parsed = payloadSchema.safeParse(json);
    if (!parsed.success) throw invalid('malformed');
    if (parsed.data.q !== fingerprint) throw invalid('it belongs to a different query');
    if (!belongs(parsed.data.k)) throw invalid('it points outside this query');
    return parsed.data.k;
  }
}
