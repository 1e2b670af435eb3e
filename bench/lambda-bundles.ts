// Bundle size and cold-start import time of each Lambda: bundles every function the stack deploys (LAMBDA_ENTRIES,
// so a new one is measured without a change here) with the esbuild options the CDK stack uses
// (infra/constructs/bounce-function.ts), then imports each bundle in fresh node processes and times
// the import (module init included: config parsing, client construction). Also measures the alternatives (AWS SDK
// left to the runtime, SDK bundled whole) and single pieces (SDK clients, credential chain, Powertools, zod, the
// classifier) bundled the same way, to show where the import time goes. Writes "Lambda bundles" in BENCHMARKS.md.
//
//   npx tsx bench/lambda-bundles.ts [--runs N] [--no-write]

import { spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { BUNDLE_OPTIONS, ESBUILD_OPTIONS, LAMBDA_ENTRIES } from '../infra/constructs/bounce-function.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = join(ROOT, 'bench/results/lambda-bundles');
const SIZE_GOAL_KB = 300;
const IMPORT_GOAL_MS = 100;

/** What the stack sets (values are placeholders: nothing is called at import). */
const LAMBDA_ENV = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  TABLE_NAME: 'bench-table',
  SUPPRESSION_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/bench-suppressions',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/bench-dlq',
  EVENT_RETENTION_DAYS: '400',
  SOFT_BOUNCE_THRESHOLD: '3',
  SOFT_BOUNCE_WINDOW_DAYS: '14',
  SUPPRESS_ON_COMPLAINT: 'true',
  REPAIR_SES_FALSE_SUPPRESSIONS: 'false',
  DRY_RUN: 'false',
  SUPPRESSION_RATE_PER_SECOND: '1',
  POWERTOOLS_SERVICE_NAME: 'ses-bounce-processor',
  POWERTOOLS_METRICS_NAMESPACE: 'SesBounceProcessor',
  POWERTOOLS_LOG_LEVEL: 'WARN',
};

interface BundleResult {
  bytes: number;
  gzipBytes: number;
  /** Bytes of the output that come from the AWS SDK (@aws-sdk/*, @smithy/* and their dependencies). */
  sdkBytes: number;
  file: string;
  largestInputs: string;
  /** External packages the bundle imports (the SDK packages left to the runtime, if any). */
  externals: string[];
}

/** Packages that are the AWS SDK or only there because of it. */
const SDK_PACKAGE =
  /^(@aws-sdk|@smithy|@aws-crypto|@aws\/lambda-invoke-store$|mnemonist|obliterator|tslib|fast-xml-parser|strnum|bowser|uuid)/;

async function bundle(
  name: string,
  entry: string,
  variant: string,
  external: readonly string[] = BUNDLE_OPTIONS.externalModules,
): Promise<BundleResult> {
  const dir = join(OUT, variant, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'index.mjs');
  const result = await build({
    entryPoints: [entry.startsWith('/') ? entry : join(ROOT, entry)],
    outfile: file,
    ...ESBUILD_OPTIONS,
    external: [...external],
    nodePaths: [join(ROOT, 'node_modules')],
    metafile: true,
  });
  const code = await readFile(file);
  const packages = bytesByPackage(result.metafile);
  return {
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    sdkBytes: [...packages]
      .filter(([key]) => SDK_PACKAGE.test(key))
      .reduce((sum, [, bytes]) => sum + bytes, 0),
    file,
    largestInputs: [...packages]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([key, bytes]) => `${key} ${kb(bytes)}`)
      .join(', '),
    externals: [
      ...new Set(
        Object.values(result.metafile.outputs).flatMap((output) =>
          output.imports.filter((imported) => imported.external).map((imported) => imported.path),
        ),
      ),
    ]
      .filter((path) => !path.startsWith('node:'))
      .sort(),
  };
}

/** A module that only imports the bundle's external SDK packages: the part of the import time that is the SDK's. */
async function sdkBaseline(name: string, externals: readonly string[]): Promise<string> {
  const file = join(OUT, 'sdk-baseline', `${name}.mjs`);
  await mkdir(join(OUT, 'sdk-baseline'), { recursive: true });
  await writeFile(file, externals.map((path) => `import ${JSON.stringify(path)};`).join('\n'));
  return file;
}

function bytesByPackage(metafile: Metafile): Map<string, number> {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const inModules = path.split('node_modules/').at(-1);
      const key =
        inModules !== undefined && inModules !== path
          ? inModules
              .split('/')
              .slice(0, inModules.startsWith('@') ? 2 : 1)
              .join('/')
          : path.split('/').slice(0, 2).join('/');
      byPackage.set(key, (byPackage.get(key) ?? 0) + input.bytesInOutput);
    }
  }
  return byPackage;
}

interface ImportSample {
  /** Wall-clock ms of `await import()`. */
  wall: number;
  /** CPU ms (user + system) the process spent in it: far less disturbed by other load on the machine. */
  cpu: number;
}

/** Import time of a bundle in a fresh node process (node start-up excluded). */
function importOnce(file: string, nodeOptions: string): ImportSample {
  const script =
    'const c=process.cpuUsage();const t=performance.now();' +
    `await import(${JSON.stringify(pathToFileURL(file).href)});` +
    'const u=process.cpuUsage(c);process.stdout.write(JSON.stringify({wall:performance.now()-t,cpu:(u.user+u.system)/1000}));';
  // The bundle lies under bench/results, so an external `@aws-sdk/*` (the runtime's, on Lambda) resolves from
  // the repository's node_modules as it would from the runtime's.
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV, NODE_OPTIONS: nodeOptions },
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`importing ${file} failed:\n${child.stderr}`);
  return JSON.parse(child.stdout) as ImportSample;
}

interface Timings {
  wallMedian: number;
  wallP90: number;
  cpuMedian: number;
}

function timings(file: string, runs: number, nodeOptions: string): Timings {
  importOnce(file, nodeOptions); // warm the file system cache: Lambda's cold start reads from a warm local disk
  const samples = Array.from({ length: runs }, () => importOnce(file, nodeOptions));
  const quantile = (values: number[], q: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  };
  const wall = samples.map((sample) => sample.wall);
  return {
    wallMedian: quantile(wall, 0.5),
    wallP90: quantile(wall, 0.9),
    cpuMedian: quantile(
      samples.map((sample) => sample.cpu),
      0.5,
    ),
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;

/** Single pieces, each bundled alone the way the functions are and imported alone: where the import time goes. */
const PROBES: Record<string, string> = {
  'node, empty module': 'export {};',
  'DynamoDB client + document client': `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
DynamoDBDocumentClient.from(new DynamoDBClient({}));`,
  '… + SQS client (processor)': `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
DynamoDBDocumentClient.from(new DynamoDBClient({}));
new SQSClient({});`,
  '… + SESv2 client (worker, query)': `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
DynamoDBDocumentClient.from(new DynamoDBClient({}));
new SESv2Client({});`,
  '… + EventBridge client (events publisher)': `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
DynamoDBDocumentClient.from(new DynamoDBClient({}));
new EventBridgeClient({});`,
  'SDK default credential chain alone': `import { defaultProvider } from '@aws-sdk/credential-provider-node';
export const provider = defaultProvider;`,
  'Powertools Logger + Metrics': `import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
new Logger({ serviceName: 'bench' });
new Metrics({ namespace: 'bench', serviceName: 'bench' });`,
  'zod (one small schema)': `import * as z from 'zod';
z.object({ a: z.string().min(1) }).parse({ a: 'x' });`,
  'classifier (lambdas/domain/classify.ts)': `export { classifyBounce } from '${ROOT}lambdas/domain/classify.ts';`,
  'code registry (lambdas/domain/registry.ts)': `export { explainCode } from '${ROOT}lambdas/domain/registry.ts';`,
  'SES notification parsing (zod schemas)': `export * from '${ROOT}lambdas/domain/ses-notification.ts';`,
};

/** Earlier runs kept in the history table (bundle, import CPU with source maps), by function. */
const PAST_RUNS: readonly { state: string; values: Readonly<Record<string, string>> }[] = [
  {
    state: "SDK left to the runtime, `import { z } from 'zod'` (2026-11-26, load 3.4)",
    values: {
      processor: '610.6 KB, 218.7 ms',
      'suppression-worker': '492.8 KB, 164.1 ms',
      'query-api': '632.4 KB, 226.5 ms',
    },
  },
  {
    state: 'SDK bundled, classifier building its whole automaton at load (2026-11-26 14:43, load 2.5)',
    values: {
      processor: '495.9 KB, 117.0 ms',
      'suppression-worker': '433.7 KB, 52.7 ms',
      'query-api': '576.6 KB, 120.3 ms',
    },
  },
  {
    state:
      'SDK bundled but the credential sources Lambda never reaches (deployed, 2026-11-26 15:06, load 2.0)',
    values: {
      processor: '497.3 KB, 71.5 ms',
      'suppression-worker': '433.7 KB, 58.7 ms',
      'query-api': '578.0 KB, 75.5 ms',
    },
  },
];

async function probe(label: string, source: string, runs: number): Promise<{ row: string; cpu: number }> {
  const dir = join(OUT, 'probes');
  await mkdir(dir, { recursive: true });
  const slug = label.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  const entry = join(dir, `${slug}.ts`);
  await writeFile(entry, `${source}\n`);
  const bundled = await bundle(slug, entry, 'probes-bundled');
  const time = timings(bundled.file, runs, '');
  return { row: `| ${label} | ${kb(bundled.bytes)} | ${ms(time.cpuMedian)} |`, cpu: time.cpuMedian };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '15' }, 'no-write': { type: 'boolean', default: false } },
  });
  const runs = Number(values.runs);
  const rows: string[] = [];
  const alternatives: string[] = [];
  const probes: string[] = [];
  const history = { external: {} as Record<string, string>, deployed: {} as Record<string, string> };
  // Differences across the functions, for the prose: [min, max].
  const span = () => ({ min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY });
  const spans = {
    sdkExternalCost: span(),
    bundledSaving: span(),
    credentialSaving: span(),
    credentialBytes: span(),
    mapsCost: span(),
    sdkBytes: span(),
  };
  /** Functions over the size goal: the whole bundle, and its own code (everything but the SDK). */
  const oversized = { bundle: [] as string[], own: [] as string[] };
  const widen = (range: { min: number; max: number }, value: number) => {
    range.min = Math.min(range.min, value);
    range.max = Math.max(range.max, value);
  };
  for (const [name, entry] of Object.entries(LAMBDA_ENTRIES)) {
    const deployed = await bundle(name, entry, 'deployed');
    const plain = timings(deployed.file, runs, '');
    const withMaps = timings(deployed.file, runs, '--enable-source-maps');
    const own = deployed.bytes - deployed.sdkBytes;
    const sizeOk = `${deployed.bytes / 1024 < SIZE_GOAL_KB ? 'yes' : 'NO'} (${own / 1024 < SIZE_GOAL_KB ? 'yes' : 'NO'})`;
    const importOk = withMaps.cpuMedian < IMPORT_GOAL_MS ? 'yes' : 'NO';
    rows.push(
      `| ${name} | ${kb(deployed.bytes)} | ${kb(deployed.gzipBytes)} | ${kb(deployed.sdkBytes)} / ${kb(own)} | ` +
        `${ms(withMaps.cpuMedian)} | ${ms(withMaps.wallMedian)} / ${ms(withMaps.wallP90)} | ${ms(plain.cpuMedian)} | ` +
        `${sizeOk} / ${importOk} | ${deployed.largestInputs} |`,
    );
    // The previous deployment: the SDK left to the runtime (loaded here from node_modules, as the runtime would).
    const external = await bundle(name, entry, 'sdk-external', ['@aws-sdk/*']);
    const externalTimes = timings(external.file, runs, '--enable-source-maps');
    const sdkAlone = timings(await sdkBaseline(name, external.externals), runs, '');
    // The whole SDK bundled, the credential sources Lambda never reaches included.
    const whole = await bundle(name, entry, 'sdk-whole', []);
    const wholeTimes = timings(whole.file, runs, '--enable-source-maps');
    alternatives.push(
      `| ${name} | ${kb(external.bytes)} | ${ms(externalTimes.cpuMedian)} | ${ms(sdkAlone.cpuMedian)} | ` +
        `${kb(whole.bytes)} | ${ms(wholeTimes.cpuMedian)} | ${kb(deployed.bytes)} | ${ms(withMaps.cpuMedian)} |`,
    );
    history.external[name] = `${kb(external.bytes)}, ${ms(externalTimes.cpuMedian)}`;
    history.deployed[name] = `${kb(deployed.bytes)}, ${ms(withMaps.cpuMedian)}`;
    widen(spans.sdkExternalCost, sdkAlone.cpuMedian);
    widen(spans.bundledSaving, externalTimes.cpuMedian - withMaps.cpuMedian);
    widen(spans.credentialSaving, wholeTimes.cpuMedian - withMaps.cpuMedian);
    widen(spans.credentialBytes, whole.bytes - deployed.bytes);
    widen(spans.mapsCost, withMaps.cpuMedian - plain.cpuMedian);
    widen(spans.sdkBytes, deployed.sdkBytes);
    if (deployed.bytes / 1024 >= SIZE_GOAL_KB) oversized.bundle.push(name);
    if (own / 1024 >= SIZE_GOAL_KB) oversized.own.push(`${name} (${kb(own)})`);
    console.log(`${name}: ${kb(deployed.bytes)}, ${ms(withMaps.cpuMedian)} CPU`);
  }
  // Import CPU of each piece above the floor (the empty module, the first probe).
  const aboveFloor = new Map<string, number>();
  let floor = 0;
  for (const [label, source] of Object.entries(PROBES)) {
    const measured = await probe(label, source, runs);
    probes.push(measured.row);
    if (probes.length === 1) floor = measured.cpu;
    aboveFloor.set(label, measured.cpu - floor);
  }
  const sdkClients = span();
  for (const [label, cost] of aboveFloor) if (/client/.test(label)) widen(sdkClients, cost);
  const powertoolsCost = aboveFloor.get('Powertools Logger + Metrics') ?? Number.NaN;

  const range = ({ min, max }: { min: number; max: number }, unit: (value: number) => string) =>
    `${unit(min).split(' ')[0]}–${unit(max)}`;
  const msInt = (value: number) => `${value.toFixed(0)} ms`;
  const kbInt = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const names = Object.keys(LAMBDA_ENTRIES);
  const historyRow = (state: string, values: Readonly<Record<string, string>>) =>
    `| ${state} | ${names.map((name) => values[name] ?? '–').join(' | ')} |`;
  const load = loadavg()[0]?.toFixed(1) ?? '?';
  const section = `## Lambda bundles

\`npm run bench:bundles\` (bench/lambda-bundles.ts): every function the stack deploys (\`LAMBDA_ENTRIES\` in
infra/constructs/bounce-function.ts, so a new one is measured without a change here) bundled with the stack's esbuild options
(${BUNDLE_OPTIONS.format}, minified, target ${BUNDLE_OPTIONS.target}, the pinned AWS SDK bundled except the credential
sources Lambda never reaches, source map in a separate file), then imported in ${runs} fresh \`node\` processes each.
Import = \`await import(bundle)\` including module init (config parsing, SDK client construction), node start-up
excluded; CPU = user + system time of that import, which other load on the machine disturbs far less than wall
time. Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on Node ${process.versions.node},
${cpus().length} × ${cpu}, 1-minute load average ${load} at the end of the run (the Lambdas run Node 24 on arm64;
absolute times there differ). Goals: bundle < ${SIZE_GOAL_KB} KB, import < ${IMPORT_GOAL_MS} ms (judged on CPU).

| function | bundle | gzip | SDK / own code | import CPU (as deployed, \`--enable-source-maps\`) | wall median / p90 | CPU without source maps | goals: size (own code) / import | largest inputs |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Alternatives, import CPU with source maps: the AWS SDK left to the runtime (\`@aws-sdk/*\` external, loaded from
node_modules as the runtime would load its copy; "SDK alone" imports just those packages), and the whole SDK bundled
(credential sources Lambda never reaches included):

| function | SDK external: bundle | import CPU | of which SDK alone | whole SDK bundled: bundle | import CPU | as deployed: bundle | import CPU |
|---|---|---|---|---|---|---|---|
${alternatives.join('\n')}

Where the import time goes: single pieces, each bundled the same way and imported alone (no source maps; the first
row is the floor every import pays):

| piece | bundle | import CPU |
|---|---|---|
${probes.join('\n')}

**Why the SDK is bundled** (infra/constructs/bounce-function.ts, \`BUNDLE_OPTIONS\`):

- Import time. Loading the SDK clients from node_modules, as the runtime loads its copy (CommonJS, file by file),
  costs ${range(spans.sdkExternalCost, msInt)} of CPU on its own here, more than the whole goal; the same clients
  bundled, tree-shaken (ES module builds via \`mainFields: module, main\`) and minified cost ${range(sdkClients, msInt)} above the
  floor (pieces table). In this run each function imports ${range(spans.bundledSaving, msInt)} faster than with the
  SDK left to the runtime.
- Reproducibility. The runtime's SDK changes under a deployed function whenever Lambda updates it; AWS's Lambda
  Operator Guide ("Managing AWS SDKs in Lambda functions") recommends locking the SDK version in what you deploy,
  and the SDK team ("Reduce Lambda cold start times: migrate to AWS SDK for JavaScript v3", AWS Developer Tools
  Blog) recommends bundling JS SDK v3 into the function when cold starts matter. The bundles carry the versions
  package-lock.json pins.
- What stays external: the credential sources of the default chain that Lambda never reaches (SSO, shared config
  files, \`credential_process\`, web-identity token files, container and instance metadata). On Lambda the chain's
  first link reads the execution role's credentials from the environment; the others are loaded only by a dynamic
  \`import()\` after that failed. Leaving them out saves ${range(spans.credentialBytes, kbInt)} (with the STS/SSO
  clients they pull in) and ${range(spans.credentialSaving, msInt)} of import; the externals a CDK issue thread
  gives for bundling SDK v3 into ESM functions are essentially the same list (aws/aws-cdk#29310). test/infra/bundling.test.ts checks that nothing else is
  external and that the processor and query bundles record and serve an event against dynalite from a directory
  where nothing resolves from node_modules.
- Size. The bundles carry ${range(spans.sdkBytes, kbInt)} of SDK, and with it ${oversized.bundle.length} of
  ${names.length} exceed ${SIZE_GOAL_KB} KB; each function's own code (everything but the SDK) stays under
  ${SIZE_GOAL_KB} KB${oversized.own.length === 0 ? '' : `, except ${oversized.own.join(', ')}`}. That is the
  trade: bigger code packages (the gzip column is roughly what Lambda downloads) for the import time saved above,
  which every cold start pays.

**What else was measured and left as is**:

- Lazy-loading the SQS and SESv2 clients: on top of the DynamoDB clients they add only a few ms (pieces table), and
  in a one-file bundle a dynamic import is still read and parsed with the rest. Not worth the indirection (the query
  function already creates its clients on the first request).
- Powertools Logger + Metrics: ${msInt(powertoolsCost)} above the floor. Source maps (\`--enable-source-maps\`, parsed at load):
  ${range(spans.mapsCost, msInt)}, kept for readable stack traces.
- zod: \`import * as z from 'zod'\` (instead of \`import { z }\`) let esbuild drop zod's locales and JSON-schema code:
  350 KB less per bundle. Classic zod still costs ~90 KB per bundle; \`zod/mini\` would shrink that but means
  rewriting every schema in its functional style.
- The classifier: lambdas/domain/classify.ts builds its phrase automaton (\`PhraseMatcher\`) at module load. It
  used to cost ~60 ms of CPU above the floor (a dense table of every transition, and all 65,536 UTF-16 units
  case/accent-folded up front), over half of the processor's and query function's import. It now builds only the
  trie and its failure links, fills the dense table lazily as scans need it, and folds a character the first time a
  scan meets it (ASCII up front), with the same matches: the classifier row of the pieces table (66.2 ms at
  2026-11-26 14:43, before the change).

History (bundle, import CPU with source maps; same machine; the first row from the previous version of this bench;
– where a function was not measured then):

| state | ${names.join(' | ')} |
|---|${names.map(() => '---|').join('')}
${PAST_RUNS.map((run) => historyRow(run.state, run.values)).join('\n')}
${historyRow("SDK left to the runtime, `import * as z from 'zod'` (this run)", history.external)}
${historyRow('SDK bundled but the credential sources Lambda never reaches (deployed, this run)', history.deployed)}
`;
  console.log(`\n${section}`);
  if (!values['no-write']) await writeSection(section);
}

/** The section as Biome formats Markdown (CI runs `biome ci .`), or unchanged if Biome is not available. */
function formatMarkdown(section: string): string {
  const biome = join(ROOT, 'node_modules/@biomejs/biome/bin/biome');
  const result = spawnSync(process.execPath, [biome, 'format', '--stdin-file-path=lambda-bundles.md'], {
    cwd: ROOT,
    input: section,
    encoding: 'utf8',
  });
  return result.status === 0 && result.stdout.length > 0 ? result.stdout : section;
}

/** Replaces (or appends) the "Lambda bundles" section of BENCHMARKS.md, keeping every other section. */
async function writeSection(raw: string): Promise<void> {
  const section = formatMarkdown(raw);
  const path = join(ROOT, 'BENCHMARKS.md');
  const current = await readFile(path, 'utf8').catch(() => '# Benchmarks\n');
  const start = current.indexOf('## Lambda bundles');
  if (start === -1) {
    await writeFile(path, `${current.trimEnd()}\n\n${section}`);
    return;
  }
  const next = current.indexOf('\n## ', start + 1);
  const rest = next === -1 ? '' : current.slice(next + 1);
  await writeFile(path, `${current.slice(0, start)}${section}${rest ? `\n${rest}` : ''}`);
}

await main();
