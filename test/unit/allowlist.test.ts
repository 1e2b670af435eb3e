// Allowlist coverage: the one rule the processor applies (skip suppression) and the query API reports.
import { describe, expect, it } from 'vitest';
import { allowlistCoverage, coveringDomains } from '../../lambdas/domain/allowlist.ts';
import type { AllowlistKind } from '../../lambdas/domain/records.ts';

function entries(...keys: string[]) {
  return async (kind: AllowlistKind, value: string) => keys.includes(`${kind}:${value}`);
}

describe('allowlist coverage', () => {
  it('names the domain and every parent of it', () => {
    expect(coveringDomains('mail.eu.example.com')).toEqual([
      'mail.eu.example.com',
      'eu.example.com',
      'example.com',
      'com',
    ]);
  });

  it.each([
    [['address:jane@mail.example.com'], 'address'],
    [['domain:example.com'], 'domain'],
    [['domain:mail.example.com', 'address:jane@mail.example.com'], 'address'],
    [['domain:other.example.com'], null],
    [[], null],
  ])('entries %j cover jane@mail.example.com as %s', async (keys, expected) => {
    expect(await allowlistCoverage(entries(...keys), 'jane@mail.example.com', 'mail.example.com')).toBe(
      expected,
    );
  });
});
