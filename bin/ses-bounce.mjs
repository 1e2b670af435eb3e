#!/usr/bin/env node
// Entry point of `npx ses-bounce`. In this repository it loads the TypeScript CLI through tsx's loader, so no build
// step is needed; in the installed package, which ships no sources, it runs the bundle `npm run build` made.
import { existsSync } from 'node:fs';

const sources = new URL('../lambdas/cli/main.ts', import.meta.url);
let main;
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(sources.href));
} else {
  ({ main } = await import('../dist/cli.mjs'));
}
process.exitCode = await main(process.argv.slice(2));
