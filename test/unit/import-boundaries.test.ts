// Which top-level folder may import which. The Lambda code stands alone; infra/ and local/ build on it; harness/
// (the load and fault harness, the diagnostics corpus and its scoring, API Gateway events) is shared by the tests and
// the benchmarks, so neither test/ nor bench/ imports the other.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

const MAY_IMPORT: Record<string, readonly string[]> = {
  lambdas: ['lambdas'],
  infra: ['infra', 'lambdas'],
  local: ['local', 'lambdas'],
  harness: ['harness', 'local', 'lambdas'],
  scripts: ['scripts', 'infra', 'lambdas'],
  test: ['test', 'harness', 'local', 'infra', 'lambdas', 'vitest.config.ts'],
  bench: ['bench', 'harness', 'local', 'infra', 'lambdas'],
};

/** Relative specifiers of static imports/exports and dynamic import() calls. */
function relativeImports(source: string): string[] {
  const pattern = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"`](\.{1,2}\/[^'"`]+)['"`]/g;
  return [...source.matchAll(pattern)].map((match) => match[1] as string);
}

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(?:ts|mts|mjs)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('import boundaries', () => {
  it('hold for every source file', () => {
    // Act
    const crossings = Object.entries(MAY_IMPORT).flatMap(([folder, allowed]) =>
      sourceFiles(folder).flatMap((file) =>
        relativeImports(readFileSync(file, 'utf8')).flatMap((specifier) => {
          const target = relative(ROOT, resolve(dirname(file), specifier)).split(sep)[0] ?? '';
          return allowed.includes(target) ? [] : [`${relative(ROOT, file)} imports ${specifier}`];
        }),
      ),
    );

    // Assess
    expect(crossings).toEqual([]);
  });

  it('see static, type-only and dynamic imports', () => {
    const found = relativeImports(
      "import { a } from '../x.ts';\nimport type { B } from '../../lambdas/y.ts';\nconst m = await import('./z.ts');\nexport { c } from '../w.ts';",
    );
    expect(found).toEqual(['../x.ts', '../../lambdas/y.ts', './z.ts', '../w.ts']);
  });
});
