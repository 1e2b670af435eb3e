// Real esbuild bundling at synth (as `cdk synth` does, no Docker): each function's asset is one minified ESM file
// with a separate source map and the AWS SDK left to the runtime.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BounceFunction } from '../../infra/constructs/bounce-function.ts';
import { resolveSettings } from '../../infra/props.ts';
import { SesBounceProcessorStack } from '../../infra/stack.ts';
import { logicalId } from './synth.ts';

let outdir: string;
let assets: Record<string, string>;

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'cdk-bundling-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new SesBounceProcessorStack(app, 'Bundled', { settings: resolveSettings({}) });
  const template = Template.fromStack(stack);
  app.synth();
  const pathOf = (fn: BounceFunction) =>
    join(
      outdir,
      template.findResources('AWS::Lambda::Function')[logicalId(stack, fn.function)]?.Metadata[
        'aws:asset:path'
      ],
    );
  assets = {
    processor: pathOf(stack.processor.function),
    worker: pathOf(stack.suppression.function),
    query: pathOf(stack.queryApi.function),
  };
}, 60_000);

afterAll(async () => {
  await rm(outdir, { recursive: true, force: true });
});

describe('function bundles', () => {
  it.each(['processor', 'worker', 'query'])(
    '%s is one minified ESM file with a separate source map',
    async (name) => {
      const dir = assets[name] as string;
      const code = await readFile(join(dir, 'index.mjs'), 'utf8');
      const map = JSON.parse(await readFile(join(dir, 'index.mjs.map'), 'utf8'));
      expect(code.startsWith("import{createRequire as __cr}from'node:module';")).toBe(true);
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
      // Minified: only newlines inside string literals remain.
      expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
      expect(map.sources.some((source: string) => source.includes('lambdas/handlers/'))).toBe(true);
      expect(map.sourcesContent ?? []).toEqual([]); // sources are not shipped
      // The SDK is the runtime's: imported, not bundled.
      expect(code).toMatch(/from"@aws-sdk\/client-dynamodb"/);
      expect(code).not.toContain('DynamoDB_20120810'); // the DynamoDB client's wire protocol target prefix
      // zod tree-shaken (lambdas/ import it as a namespace): its English messages stay, the other locales go.
      expect(code).toContain('Invalid input: expected');
      expect(code).not.toContain('Eingabe: erwartet'); // zod's German locale
    },
  );
});
