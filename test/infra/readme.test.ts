// infra/README.md's settings table is the documentation of the defaults: it must list every setting with the
// default the code uses, so the two cannot drift. Its permissions table must say what the reference table the
// permission contract checks the templates against says (test/infra/iam-reference.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SETTING_KEYS } from '../../infra/props.ts';
import { IAM_REFERENCE } from './iam-reference.ts';

const readme = readFileSync(new URL('../../infra/README.md', import.meta.url), 'utf8');
const rows = new Map<string, string>(
  [...readme.matchAll(/^\| `([A-Za-z]+)`\s*\| ([^|]+?)\s*\|/gm)].map((match) => [
    match[1] ?? '',
    (match[2] ?? '').trim(),
  ]),
);

function documentedDefault(key: string): string {
  if (key === 'apiAuthorization') return `\`${DEFAULT_SETTINGS.apiAuthorization.type}\``;
  const value = (DEFAULT_SETTINGS as unknown as Record<string, unknown>)[key];
  if (value === undefined || (Array.isArray(value) && value.length === 0)) {
    if (key === 'tableName') return 'generated';
    if (key === 'recipientRetentionDays') return '`eventRetentionDays`, at least `softBounceWindowDays`';
    return key === 'configurationSetName' ? 'stack name' : 'none';
  }
  return `\`${String(value)}\``;
}

describe('infra/README.md settings table', () => {
  it.each(SETTING_KEYS.map((key) => [key]))('documents %s with its default', (key) => {
    expect(rows.get(key)).toBe(documentedDefault(key));
  });

  it('documents no setting the code does not have', () => {
    expect([...rows.keys()].filter((key) => !SETTING_KEYS.includes(key))).toEqual([]);
  });
});

describe('infra/README.md permissions table', () => {
  const permissionRows = [
    ...readme.matchAll(/^\| `([a-z-]+:[A-Za-z]+)` \| `([^`]+)` \|.*\]\((https:[^)]+)\) \|$/gm),
  ].map((match) => ({ action: match[1] ?? '', reference: match[2] ?? '', source: match[3] ?? '' }));

  it('lists every granted action once, with the resource types and source of the reference table', () => {
    expect(permissionRows).toEqual(
      Object.entries(IAM_REFERENCE).map(([action, entry]) => ({
        action,
        reference: entry.reference,
        source: entry.source,
      })),
    );
  });
});
