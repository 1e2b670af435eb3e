// Every relative link in the repository's Markdown resolves to a file or folder inside the repository: a clone is
// all a user has, so a link into the team's own folders (samples/README.md once pointed at ../shared/…) is dead for
// them. Links are Markdown's `[text](path)` and paths in code spans that climb out of their folder (`../x`).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SKIPPED = new Set(['node_modules', 'cdk.out', '.git', 'dist', 'coverage']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

/** The relative targets a Markdown text links to: `](target)` and code spans such as `../x/y.md`. */
function relativeTargets(text: string): string[] {
  const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '');
  const climbing = [...text.matchAll(/`(\.\.\/[^`\s]+)`/g)].map((m) => m[1] ?? '');
  return [...links, ...climbing]
    .filter((target) => !/^(?:[a-z][a-z+.-]*:|#)/i.test(target))
    .map((target) => decodeURI(target.replace(/#.*$/, '')))
    .filter((target) => target !== '');
}

describe('relative links in Markdown', () => {
  it('finds Markdown links and climbing code-span paths, not URLs or anchors', () => {
    expect(
      relativeTargets('[a](docs/api.md#erasure) [b](https://x.example/) [c](#top) `../shared/r.md` `npm ci`'),
    ).toEqual(['docs/api.md', '../shared/r.md']);
  });

  const files = markdownFiles(ROOT);
  it('reads the repository Markdown', () => {
    expect(files.map((f) => relative(ROOT, f))).toContain('README.md');
  });

  it.each(files.map((file) => [relative(ROOT, file), file]))(
    '%s links only to files inside the repository',
    (_name, file) => {
      const broken = relativeTargets(readFileSync(file, 'utf8')).filter((target) => {
        const path = resolve(dirname(file), target);
        return relative(ROOT, path).startsWith('..') || !existsSync(path);
      });
      expect(broken).toEqual([]);
    },
  );
});
