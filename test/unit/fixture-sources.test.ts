// Fixtures and samples name where their material came from (`source`). Shared material is named by its path
// relative to the repository (../shared/...), never by an absolute path that exists on one machine only.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const FOLDERS = ['test/fixtures', 'samples'];
/** A path from a filesystem root: /work/..., /home/..., C:\... */
const ABSOLUTE = /(?:^|[\s("'`])(?:\/(?:work|home|root|Users|tmp|mnt|var|opt|srv)\/|[A-Za-z]:\\)/;

function jsonFiles(): string[] {
  return FOLDERS.flatMap((folder) =>
    readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
      .map((entry) => join(entry.parentPath, entry.name)),
  );
}

/** Every string in `value` at any depth, with the key it is the value of. */
function strings(value: unknown, key = ''): { text: string; isSource: boolean; key: string }[] {
  if (typeof value === 'string') return [{ text: value, isSource: key === 'source', key }];
  if (Array.isArray(value)) return value.flatMap((item) => strings(item));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([name, item]) => strings(item, name));
  return [];
}

const everything = jsonFiles().flatMap((file) =>
  strings(JSON.parse(readFileSync(file, 'utf8'))).map((found) => ({ ...found, file: relative(ROOT, file) })),
);

describe('fixture and sample sources', () => {
  it('hold no absolute path of any machine', () => {
    // A diagnostic is a remote server's own words, quoted: its mailbox paths ("/var/mail/...: Disc quota exceeded")
    // are that server's, not a path on the machine that wrote the fixture.
    const absolute = everything
      .filter(({ text, key }) => key !== 'diagnosticCode' && ABSOLUTE.test(text))
      .map((s) => `${s.file}: ${s.text}`);
    expect(everything.length).toBeGreaterThan(1000);
    expect(absolute).toEqual([]);
  });

  it('name shared material as ../shared/<path>, a path that exists wherever shared/ is beside the repository', () => {
    const named = everything.flatMap(({ text, isSource, file }) =>
      isSource ? [...text.matchAll(/\S*shared\/[^\s,;)]+/g)].map((match) => ({ file, path: match[0] })) : [],
    );
    const badlyNamed = named.filter(({ path }) => !path.startsWith('../shared/'));
    expect(named.length).toBeGreaterThan(10);
    expect(badlyNamed.map((s) => `${s.file}: ${s.path}`)).toEqual([]);
    // Only checkable where shared/ is laid beside the repository (developers' machines and CI).
    if (!existsSync(join(ROOT, '..', 'shared'))) return;
    const missing = named.filter(({ path }) => !existsSync(join(ROOT, path)));
    expect(missing.map((s) => `${s.file}: ${s.path}`)).toEqual([]);
  });

  it('tell an absolute path from text that merely contains a slash', () => {
    // The form a source takes when written on one machine: shared/ resolved to where it lies there. The
    // examples are made-up roots of the kinds the pattern knows, not this machine's (CI clones elsewhere).
    expect(ABSOLUTE.test('/home/dev/shared/samples/02 (Yahoo)')).toBe(true);
    expect(ABSOLUTE.test('copied from /work/shared/reference/x.md')).toBe(true);
    expect(ABSOLUTE.test('see C:\\Users\\me\\notes.md')).toBe(true);
    expect(ABSOLUTE.test('../shared/reference/ses-notifications.md §1.8')).toBe(false);
    expect(ABSOLUTE.test('sisimai/go-sisimai rhost/google.go')).toBe(false);
    expect(ABSOLUTE.test('550 5.1.1 mailbox unavailable')).toBe(false);
  });
});
