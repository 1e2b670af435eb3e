// Allowlist coverage: the one rule the processor applies (skip suppression) and the query API reports.
import { describe, expect, it } from 'vitest';
import { allowlistCoverage } from '../../lambdas/domain/allowlist.ts';
import type { AllowlistKind } from '../../lambdas/domain/records.ts';

function entries(...keys: string[]) {
  return async (kind: AllowlistKind, value: string) => keys.includes(`${kind}:${value}`);
}

describe('allowlist coverage', () => {
  it('looks up the address, its domain and every parent of the domain', async () => {
    const asked: string[] = [];
    const record = async (kind: AllowlistKind, value: string) => {
      asked.push(`${kind}:${value}`);
      return false;
    };
    await allowlistCoverage(record, 'jane@mail.eu.example.com', 'mail.eu.example.com');
    expect(asked).toEqual([
      'address:jane@mail.eu.example.com',
      'domain:mail.eu.example.com',
      'domain:eu.example.com',
      'domain:example.com',
      'domain:com',
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
