import { describe, expect, it } from 'vitest';
import { CursorCodec, queryFingerprint } from '../../lambdas/api/cursor.ts';
import { ValidationError } from '../../lambdas/api/errors.ts';

const key = { pk: 'R#jane@example.com', sk: 'E#2024-05-01T00:00:00.000Z#abc' };
const inQuery = (k: Readonly<Record<string, string | number>>) => k.pk === 'R#jane@example.com';

function decodeError(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('query fingerprints', () => {
  it('ignore key order and undefined values but not values', () => {
    // Act
    const a = queryFingerprint('bounces', { email: 'a@b.c', verdict: 'hard', code: undefined });
    const b = queryFingerprint('bounces', { verdict: 'hard', email: 'a@b.c' });
    const c = queryFingerprint('bounces', { verdict: 'soft', email: 'a@b.c' });
    const d = queryFingerprint('recipient-events', { verdict: 'hard', email: 'a@b.c' });
    // Assess
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(d).not.toBe(a);
  });
});

describe.each([
  ['with a signing secret', 'x'.repeat(32)],
  ['with a plain digest', null],
])('cursors %s', (_name, secret) => {
  const codec = new CursorCodec(secret);
  const fingerprint = queryFingerprint('recipient-events', { email: 'jane@example.com' });

  it('round-trip the key for the same query', () => {
    // Act
    const cursor = codec.encode(fingerprint, key);
    // Assess
    expect(codec.decode(cursor, fingerprint, inQuery)).toEqual(key);
  });

  it('are refused for another query', () => {
    // Prepare
    const cursor = codec.encode(fingerprint, key);
    const other = queryFingerprint('recipient-events', { email: 'john@example.com' });
    // Act
    const error = decodeError(() => codec.decode(cursor, other, inQuery));
    // Assess
    expect(error.code).toBe('invalid-cursor');
    expect(error.field).toBe('cursor');
    expect(error.message).toMatch(/different query/);
  });

  it('are refused when the key lies outside the query', () => {
    // Prepare
    const cursor = codec.encode(fingerprint, { ...key, pk: 'R#john@example.com' });
    // Act
    const error = decodeError(() => codec.decode(cursor, fingerprint, inQuery));
    // Assess
    expect(error.message).toMatch(/outside this query/);
  });

  it('are refused when any character of the payload is changed', () => {
    // Prepare
    const cursor = codec.encode(fingerprint, key);
    const flipped = `${cursor.slice(0, 5)}${cursor[5] === 'A' ? 'B' : 'A'}${cursor.slice(6)}`;
    // Act
    const error = decodeError(() => codec.decode(flipped, fingerprint, inQuery));
    // Assess
    expect(error.message).toMatch(/tampered/);
  });

  it.each(['', 'garbage', 'a.b.c', 'x'.repeat(5000), '%%%.%%%'])(
    'are refused when malformed: %j',
    (cursor) => {
      // Act
      const error = decodeError(() => codec.decode(cursor, fingerprint, inQuery));
      // Assess
      expect(error.code).toBe('invalid-cursor');
    },
  );
});

it('cursors sealed with one secret are refused under another', () => {
  // Prepare
  const fingerprint = queryFingerprint('bounces', {});
  const cursor = new CursorCodec('a'.repeat(32)).encode(fingerprint, key);
  // Act
  const error = decodeError(() => new CursorCodec('b'.repeat(32)).decode(cursor, fingerprint, () => true));
  // Assess
  expect(error.message).toMatch(/tampered or foreign/);
});
