// Integration level (packs and installs the package; about a minute): `npm pack` (which runs `npm run build`) makes
// a tarball a fresh CDK app installs offline and synthesizes with SesBounceProcessor. The app has aws-cdk-lib,
// constructs and cdk-nag of its own (linked from this repository's node_modules: no registry is reached, npm's
// registry points at a closed loopback port); the package brings no copy of them and no esbuild. The functions'
// code is the package's pre-bundled code, the template is the one the sources synthesize (but for the code
// assets), cdk-nag finds nothing unacknowledged, and README's "Add to an existing CDK app" example compiles
// against the package's declarations and synthesizes.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SesBounceProcessor } from '../../infra/construct.ts';
import { LAMBDA_ENTRIES } from '../../infra/constructs/bounce-function.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const ENV = { account: '123456789012', region: 'eu-west-1' } as const;
/** Every pre-bundled function in use: identity notifications need an identity. */
const PROPS = { notificationIdentities: ['example.com'], softBounceThreshold: 2 };
/** The app's own packages, as its package.json would have them. */
const APP_PACKAGES = ['aws-cdk-lib', 'constructs', 'cdk-nag'];
/** npm without a registry: everything it installs comes from the tarball. */
const NPM_ENV = {
  ...process.env,
  npm_config_offline: 'true',
  npm_config_registry: 'http://127.0.0.1:9/',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
};

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}
interface Synthesized {
  requireGivesSameClass: boolean;
  violations: { rule: string; resources: string[] }[];
  functions: Record<string, { logicalId: string; path: string }>;
}
type CfnTemplate = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

let work: string;
let app: string;
let pack: PackResult;
let synthesized: Synthesized;
let synthStderr: string;

const HARNESS = `
import { createRequire } from 'node:module';
import { App, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SesBounceProcessor } from 'ses-bounce-processor';

const app = new App({ outdir: 'cdk.out', context: { 'aws:cdk:enable-asset-metadata': true } });
const stack = new Stack(app, 'Consumer', { env: ${JSON.stringify(ENV)} });
const bounces = new SesBounceProcessor(stack, 'Bounces', ${JSON.stringify(PROPS)});
const violations = new AwsSolutionsChecks().validateScope(stack).violations.map((violation) => ({
  rule: violation.ruleName,
  resources: violation.violatingResources.map((resource) => resource.constructPath),
}));
app.synth();
const functions = {
  processor: bounces.processorFunction,
  'suppression-worker': bounces.suppressionWorkerFunction,
  'query-api': bounces.queryFunction,
  'identity-notifications': bounces.parts.sesWiring.identityNotificationFunction.function,
};
process.stdout.write(JSON.stringify({
  // A CommonJS app gets the same module (Node's require of an ES module).
  requireGivesSameClass: createRequire(import.meta.url)('ses-bounce-processor').SesBounceProcessor === SesBounceProcessor,
  violations,
  functions: Object.fromEntries(
    Object.entries(functions).map(([name, fn]) => [name, { logicalId: stack.getLogicalId(fn.node.defaultChild), path: fn.node.path }]),
  ),
}));
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: true,
    types: [],
    outDir: 'build',
  },
  include: ['readme-app.ts'],
};

function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Add to an existing CDK app');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (code === undefined) throw new Error('README: no ts block in "Add to an existing CDK app"');
  return code;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'packed-construct-'));
  app = join(work, 'app');
  await mkdir(join(app, 'node_modules'), { recursive: true });
  const packed = await run('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: ROOT,
    env: NPM_ENV,
    maxBuffer: 16 * 1024 * 1024,
  });
  pack = (JSON.parse(packed.stdout) as PackResult[])[0] as PackResult;

  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  // The app provides the peers itself (linked below; npm would prune links its package.json does not name).
  await run('npm', ['install', '--legacy-peer-deps', '--ignore-scripts', join(work, pack.filename)], {
    cwd: app,
    env: NPM_ENV,
  });

  for (const name of APP_PACKAGES) {
    await symlink(join(ROOT, 'node_modules', name), join(app, 'node_modules', name));
  }
  // The harness and README's example synthesize side by side (each loads aws-cdk-lib: seconds).
  const [synth] = await Promise.all([synthesizeHarness(), synthesizeReadmeExample()]);
  synthesized = JSON.parse(synth.stdout) as Synthesized;
  synthStderr = synth.stderr;
}, 300_000);

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

const packagePath = (...parts: string[]) => join(app, 'node_modules', 'ses-bounce-processor', ...parts);
const appTemplate = async () =>
  JSON.parse(await readFile(join(app, 'cdk.out', 'Consumer.template.json'), 'utf8')) as CfnTemplate;

describe('npm pack', () => {
  it('ships the construct, its declarations, the pre-bundled functions and the CLI, and no sources', () => {
    const paths = pack.files.map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'dist/index.js',
        'dist/types/infra/index.d.ts',
        'dist/cli.mjs',
        'bin/ses-bounce.mjs',
        ...Object.keys(LAMBDA_ENTRIES).flatMap((name) => [
          `dist/lambdas/${name}/index.mjs`,
          `dist/lambdas/${name}/index.mjs.map`,
        ]),
      ]),
    );
    expect(paths.filter((path) => /\.ts$/.test(path) && !path.endsWith('.d.ts'))).toEqual([]);
    expect(paths.filter((path) => /^(test|local|bench|lambdas|infra)\//.test(path))).toEqual([]);
  });
});

describe('the package in a fresh CDK app', () => {
  it('brings no aws-cdk-lib, constructs or esbuild of its own: one copy, the app’s', async () => {
    const manifest = JSON.parse(await readFile(packagePath('package.json'), 'utf8'));
    expect(manifest.dependencies).toBeUndefined();
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'constructs']);
    expect(await readdir(join(app, 'node_modules'))).toEqual(
      expect.not.arrayContaining(['esbuild', '@esbuild']),
    );
    await expect(readdir(packagePath('node_modules'))).rejects.toThrow(/ENOENT/);
    const fromPackage = createRequire(packagePath('dist', 'index.js')).resolve('aws-cdk-lib');
    const fromApp = createRequire(join(app, 'synth.mjs')).resolve('aws-cdk-lib');
    expect(await realpath(fromPackage)).toBe(await realpath(fromApp));
  });

  it('synthesizes the table, topic, queues, functions and API', async () => {
    const types = Object.values((await appTemplate()).Resources).map((resource) => resource.Type);
    for (const type of [
      'AWS::DynamoDB::Table',
      'AWS::SNS::Topic',
      'AWS::SQS::Queue',
      'AWS::ApiGateway::RestApi',
      'AWS::SES::ConfigurationSet',
      'AWS::CloudWatch::Alarm',
    ]) {
      expect(types).toContain(type);
    }
  });

  it("uses the package's pre-bundled function code: no bundling at synth", async () => {
    expect(synthStderr).not.toContain('Bundling asset');
    const resources = (await appTemplate()).Resources as Record<
      string,
      { Metadata?: Record<string, string> }
    >;
    const tree = JSON.parse(await readFile(join(app, 'cdk.out', 'tree.json'), 'utf8'));
    for (const [name, { logicalId, path }] of Object.entries(synthesized.functions)) {
      const asset = resources[logicalId]?.Metadata?.['aws:asset:path'];
      expect(asset, name).toBeDefined();
      for (const file of ['index.mjs', 'index.mjs.map']) {
        const shipped = await readFile(packagePath('dist', 'lambdas', name, file));
        expect((await readFile(join(app, 'cdk.out', asset as string, file))).equals(shipped), file).toBe(
          true,
        );
      }
      const node = path.split('/').reduce((at, id) => at.children?.[id], tree.tree);
      expect(node.constructInfo.fqn, name).toBe('aws-cdk-lib.aws_lambda.Function');
    }
  });

  it('synthesizes the template the sources do, but for the code assets', async () => {
    const source = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(source, 'Consumer', { env: ENV });
    new SesBounceProcessor(stack, 'Bounces', PROPS);
    expect(withoutCode(await appTemplate())).toEqual(
      withoutCode(Template.fromStack(stack).toJSON() as CfnTemplate),
    );
  });

  it('can be required from CommonJS as well', () => {
    expect(synthesized.requireGivesSameClass).toBe(true);
  });

  it('passes cdk-nag AwsSolutions with nothing unacknowledged', () => {
    expect(synthesized.violations).toEqual([]);
  });

  it('runs the ses-bounce command line from its bundle', async () => {
    const { stdout } = await run(join(app, 'node_modules', '.bin', 'ses-bounce'), ['explain', '5.1.1'], {
      cwd: app,
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(stdout).toContain('5.1.1  Bad destination mailbox address');
  });
});

describe("README's “Add to an existing CDK app” example", () => {
  it('compiles against the package declarations and synthesizes with its alarm and grants', async () => {
    const template = Template.fromJSON(
      JSON.parse(await readFile(join(work, 'readme.out', 'Mailing.template.json'), 'utf8')),
    );
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 300,
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: expectLogicalId(template, 'AWS::IAM::Role', 'CrmSync') }],
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [
        { Ref: expectLogicalId(template, 'AWS::IAM::ManagedPolicy', 'BouncesQueryApiReadCallerPolicy') },
      ],
    });
  });
});

/** The harness above, with no esbuild on PATH (nor Docker): bundling at synth would fail. */
async function synthesizeHarness() {
  await writeFile(join(app, 'synth.mjs'), HARNESS);
  return run(process.execPath, ['synth.mjs'], {
    cwd: app,
    env: { PATH: '/nonexistent', HOME: work },
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** README's example as the app's TypeScript: compiled with tsc against the installed package, run with node. */
async function synthesizeReadmeExample(): Promise<void> {
  await writeFile(join(app, 'readme-app.ts'), readmeExample());
  await writeFile(join(app, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
    cwd: app,
  });
  await run(process.execPath, [join('build', 'readme-app.js')], {
    cwd: app,
    env: { PATH: '/nonexistent', HOME: work, CDK_OUTDIR: join(work, 'readme.out') },
  });
}

/** The one resource of the type whose logical id starts with the prefix (IDs carry a hash suffix). */
function expectLogicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids, `${type} ${prefix}*`).toHaveLength(1);
  return ids[0] as string;
}

/** The template with the functions' code locations and asset metadata left out (they name bundles and hashes). */
function withoutCode(template: CfnTemplate): unknown {
  const resources = Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type !== 'AWS::CDK::Metadata')
      .map(([id, resource]) => {
        const { Code: _code, ...properties } = resource.Properties ?? {};
        const { Metadata: _metadata, ...rest } = resource as { Metadata?: unknown };
        return [id, { ...rest, Properties: properties }];
      }),
  );
  return { ...template, Resources: resources };
}
