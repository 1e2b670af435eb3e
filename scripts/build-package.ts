// Builds what `npm pack` ships (package.json "files": dist/), run by `npm run build` and before every `npm pack`:
//   dist/lambdas/<name>/index.mjs(.map)  every function pre-bundled exactly as CDK bundles it from the sources
//                                        (BUNDLE_OPTIONS), so an app using the construct needs no esbuild;
//   dist/index.js                        the construct library (infra/index.ts) as one ES module, with aws-cdk-lib
//                                        and constructs left to the app (peer dependencies) and zod bundled;
//   dist/types/                          its declarations (tsc), with import paths rewritten to .js;
//   dist/cli.mjs                         the `ses-bounce` command line, bundled (bin/ses-bounce.mjs runs it where
//                                        the sources are not shipped).
//
//   npx tsx scripts/build-package.ts
import { execFileSync } from 'node:child_process';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS, ESBUILD_OPTIONS, LAMBDA_ENTRIES } from '../infra/constructs/bounce-function.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIST = join(ROOT, 'dist');
/** Packages the app provides (peerDependencies): one copy of aws-cdk-lib and constructs in the app. */
const PEERS = ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'];

await rm(DIST, { recursive: true, force: true });

const lambdas = Object.entries(LAMBDA_ENTRIES).map(([name, entry]) =>
  build({
    entryPoints: [join(ROOT, entry)],
    outfile: join(DIST, 'lambdas', name, 'index.mjs'),
    ...ESBUILD_OPTIONS,
    external: [...BUNDLE_OPTIONS.externalModules],
  }),
);
const library = build({
  entryPoints: [join(ROOT, 'infra/index.ts')],
  outfile: join(DIST, 'index.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: PEERS,
  logLevel: 'warning',
});
const cli = build({
  entryPoints: [join(ROOT, 'lambdas/cli/main.ts')],
  outfile: join(DIST, 'cli.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  banner: { js: BUNDLE_OPTIONS.banner },
  mainFields: [...BUNDLE_OPTIONS.mainFields],
  logLevel: 'warning',
});
await Promise.all([...lambdas, library, cli]);

execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: ROOT,
  stdio: 'inherit',
});
await rewriteDeclarationImports(join(DIST, 'types'));

/**
 * tsc keeps the sources' `./x.ts` specifiers in declarations; the package has `./x.d.ts` next to `./x.js`, which
 * an app's TypeScript finds under `./x.js`.
 */
async function rewriteDeclarationImports(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { recursive: true })) {
    const file = join(dir, entry);
    if (!file.endsWith('.d.ts') || !(await stat(file)).isFile()) continue;
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(/(from\s+['"]\.{1,2}\/[^'"]+)\.ts(['"])/g, '$1.js$2'));
  }
}
