// The Node versions agree (README "Node versions"): package.json engines and @types/node name the oldest Node the
// code is built, tested and run locally on; the Lambda runtime and esbuild's target name the Node the functions
// run on in AWS, which must be the same major as each other and not older than the types.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLE_OPTIONS, LAMBDA_RUNTIME } from '../../infra/constructs/bounce-function.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version: string }>;
};

const major = (version: string) => Number(/(\d+)/.exec(version)?.[1]);
/** The lowest version each `^x.y.z` or `>=x.y.z` alternative of an engines range allows, oldest first. */
const floors = (range: string) =>
  range
    .split('||')
    .map((part) => /(\d+)\.(\d+)\.(\d+)/.exec(part)?.slice(1).map(Number) ?? [])
    .sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));

function satisfies(version: string, range: string): boolean {
  const [vMajor = 0, vMinor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return range.split('||').some((part) => {
    const [major = 0, minor = 0] = /(\d+)\.(\d+)/.exec(part)?.slice(1).map(Number) ?? [];
    const atLeast = vMajor > major || (vMajor === major && vMinor >= minor);
    return part.trim().startsWith('^') ? vMajor === major && atLeast : atLeast;
  });
}

describe('Node versions', () => {
  const engineFloor = floors(pkg.engines.node)[0] ?? [];
  const typesMajor = major(pkg.devDependencies['@types/node'] ?? '');
  const lambdaMajor = major(/^nodejs(\d+)\.x$/.exec(LAMBDA_RUNTIME.name)?.[1] ?? '');

  it('this Node is one engines allows', () => {
    expect(satisfies(process.version, pkg.engines.node), `${process.version} vs ${pkg.engines.node}`).toBe(
      true,
    );
  });

  it('@types/node is pinned to the major of the engines floor, as installed', () => {
    expect(pkg.devDependencies['@types/node']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(typesMajor).toBe(engineFloor[0]);
    expect(lock.packages['node_modules/@types/node']?.version).toBe(pkg.devDependencies['@types/node']);
  });

  it('esbuild targets the Lambda runtime, which is no older than the types', () => {
    expect(LAMBDA_RUNTIME.name).toMatch(/^nodejs\d+\.x$/);
    expect(BUNDLE_OPTIONS.target).toBe(`node${lambdaMajor}`);
    expect(lambdaMajor).toBeGreaterThanOrEqual(typesMajor);
  });

  it('read ranges as npm does for the forms used here', () => {
    expect(satisfies('v20.20.2', '^20.19.0 || >=22.12.0')).toBe(true);
    expect(satisfies('v20.18.0', '^20.19.0 || >=22.12.0')).toBe(false);
    expect(satisfies('v22.11.0', '^20.19.0 || >=22.12.0')).toBe(false);
    expect(satisfies('v24.1.0', '^20.19.0 || >=22.12.0')).toBe(true);
    expect(floors('^20.19.0 || >=22.12.0')[0]).toEqual([20, 19, 0]);
  });
});
