// README's "Project layout" tables tell a reader which file defines each shape and parses each setting: every
// path they name must exist, and every DynamoDB item codec and settings parser they name must be where they say.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', ROOT), 'utf8');
const section = readme.split(/^## Project layout$/m)[1]?.split(/^## /m)[0] ?? '';

/** The first cell of every table row in the section: `path` in backticks. */
const paths = [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1] ?? '');
const linked = [...section.matchAll(/\]\(([^)#]+)\)/g)].map((match) => match[1] ?? '');

describe('README project layout', () => {
  it('has its tables', () => {
    expect(paths.length).toBeGreaterThan(20);
  });

  it.each([...new Set([...paths, ...linked])])('%s exists', (path) => {
    expect(existsSync(new URL(path, ROOT))).toBe(true);
  });

  it('names, for the item codecs and the settings parsers, what the files really export', () => {
    const source = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
    const row = (path: string) => section.match(new RegExp(`^\\| \`${path}\` \\|(.*)$`, 'm'))?.[1] ?? '';
    for (const path of ['lambdas/adapters/dynamo-items.ts', 'lambdas/config.ts']) {
      const named = [...row(path).matchAll(/`([A-Za-z]+)`/g)].map((match) => match[1] ?? '');
      const exported = named.filter((name) =>
        new RegExp(`^export (?:const|function|type) ${name}\\b`, 'm').test(source(path)),
      );
      expect(exported, path).toEqual(named);
    }
  });
});
