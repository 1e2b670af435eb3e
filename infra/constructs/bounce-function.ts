// The one Lambda function shape of this app: runtime, arm64, local esbuild bundling (or the bundles the package
// ships), log group and the Powertools environment are fixed here so every function gets them the same way.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  type FunctionOptions,
  Function as LambdaFunction,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV, environmentOf } from '../../lambdas/config.ts';
import type { BounceStore } from './store.ts';

/** Repository root, resolved from this file so synth works from any working directory. */
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every function of this app: its bundle's name and its handler file, relative to the repository root. */
export const LAMBDA_ENTRIES = {
  processor: 'lambdas/handlers/processor.ts',
  'suppression-worker': 'lambdas/handlers/suppression-worker.ts',
  'query-api': 'lambdas/handlers/query-api.ts',
  'events-publisher': 'lambdas/handlers/events-publisher.ts',
  'counter-rollup': 'lambdas/handlers/counter-rollup.ts',
  'identity-notifications': 'infra/handlers/identity-notifications.ts',
} as const;
type LambdaName = keyof typeof LAMBDA_ENTRIES;

/**
 * Where the package ships its pre-bundled functions (`npm run build`: dist/lambdas/<name>/index.mjs). In the
 * package this module is bundled into dist/index.js, so the directory is its sibling dist/lambdas/; run from the
 * sources (this repository's `cdk synth`, the tests) it names infra/constructs/lambdas/, which does not exist, and
 * the functions are bundled from their sources at synth.
 */
const PREBUNDLED_LAMBDAS_DIR = fileURLToPath(new URL('./lambdas/', import.meta.url));

/** The pre-bundled code directory of a function, when this module runs from the built package. */
function prebundledCode(name: LambdaName): string | undefined {
  const dir = join(PREBUNDLED_LAMBDAS_DIR, name);
  return existsSync(join(dir, 'index.mjs')) ? dir : undefined;
}

/** Runtime of every function: the newest Node.js runtime (cdk-nag AwsSolutions-L1 checks for it). */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

/**
 * Credential sources of the SDK's default chain that never run on Lambda (the runtime puts the execution role's
 * credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, which the chain's first link, fromEnv,
 * reads): SSO, shared config/credential files, credential_process, web-identity token files, container and EC2
 * metadata. @aws-sdk/credential-provider-node reaches each of them only through a dynamic `import()` after fromEnv
 * failed, so leaving them out of the bundle removes about 110 KB (with the STS/SSO clients they pull in) and ~8 ms
 * of import without changing what runs; should one ever be needed, the runtime's own copy answers the import.
 */
export const UNREACHABLE_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@smithy/credential-provider-imds',
] as const;

/**
 * esbuild options shared by CDK bundling and bench/lambda-bundles.ts, so the benchmark measures what deploys.
 * The AWS SDK v3 is bundled (tree-shaken ESM, minified) at the version package-lock.json pins instead of loaded
 * from the runtime: the runtime's copy changes under the function when Lambda updates it, and loading it from the
 * runtime's node_modules cost 110-130 ms of import here against 30-40 ms bundled (BENCHMARKS.md, "Lambda
 * bundles"). Only the credential sources above stay external.
 */
export const BUNDLE_OPTIONS = {
  target: 'node24',
  format: 'esm',
  minify: true,
  sourceMap: true,
  externalModules: [...UNREACHABLE_CREDENTIAL_PROVIDERS],
  // ESM bundles may contain CommonJS dependencies that call require(): give them one.
  banner: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
  // The SDK's and Powertools' ES module builds (dist-es), which esbuild can tree-shake.
  mainFields: ['module', 'main'],
} as const;

/**
 * BUNDLE_OPTIONS in esbuild's own terms, for the bundles built outside CDK: the package's pre-built functions
 * (scripts/build-package.ts) and the bundle benchmark (bench/lambda-bundles.ts). Callers add entry, outfile and
 * externals.
 */
export const ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node' as const,
  target: BUNDLE_OPTIONS.target,
  format: BUNDLE_OPTIONS.format,
  minify: BUNDLE_OPTIONS.minify,
  sourcemap: BUNDLE_OPTIONS.sourceMap,
  sourcesContent: false,
  banner: { js: BUNDLE_OPTIONS.banner },
  mainFields: [...BUNDLE_OPTIONS.mainFields],
  logLevel: 'warning' as const,
};

export interface PowertoolsSettings {
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly logLevel: string;
  readonly logRetentionDays: RetentionDays;
}

export interface BounceFunctionProps {
  /** Which function (its handler file is LAMBDA_ENTRIES[code]). */
  readonly code: LambdaName;
  readonly description: string;
  readonly powertools: PowertoolsSettings;
  readonly timeout: Duration;
  readonly memorySize?: number;
  readonly environment?: Readonly<Record<string, string>>;
  readonly reservedConcurrentExecutions?: number;
}

export class BounceFunction extends Construct {
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: BounceFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.powertools.logRetentionDays,
      // The table keeps the records; logs are operational and go with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An own role instead of AWSLambdaBasicExecutionRole: write access to this function's log group only.
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(role);
    const options: FunctionOptions & { runtime: Runtime } = {
      role,
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      logGroup: this.logGroup,
      environment: {
        ...environmentOf({
          serviceName: props.powertools.serviceName,
          metricsNamespace: props.powertools.metricsNamespace,
          logLevel: props.powertools.logLevel,
        }),
        // Minified bundles: map stack traces back to the TypeScript sources.
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    };
    const prebundled = prebundledCode(props.code);
    // From the package: the bundle built with BUNDLE_OPTIONS at pack time (no esbuild needed where it is used).
    this.function =
      prebundled !== undefined
        ? new LambdaFunction(this, 'Function', {
            ...options,
            code: Code.fromAsset(prebundled),
            handler: 'index.handler',
          })
        : new NodejsFunction(this, 'Function', {
            ...options,
            entry: `${PROJECT_ROOT}${LAMBDA_ENTRIES[props.code]}`,
            handler: 'handler',
            projectRoot: PROJECT_ROOT,
            depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
            bundling: {
              forceDockerBundling: false,
              target: BUNDLE_OPTIONS.target,
              format: OutputFormat.ESM,
              minify: BUNDLE_OPTIONS.minify,
              sourceMap: BUNDLE_OPTIONS.sourceMap,
              sourceMapMode: SourceMapMode.DEFAULT,
              sourcesContent: false,
              externalModules: [...BUNDLE_OPTIONS.externalModules],
              banner: BUNDLE_OPTIONS.banner,
              mainFields: [...BUNDLE_OPTIONS.mainFields],
              // esbuild's warnings and errors only, not its per-bundle "Done in" summary.
              logLevel: LogLevel.WARNING,
            },
          });
  }

  /** Sets settings' variables (names and format from lambdas/config.ts). */
  configure(environment: Readonly<Record<string, string>>): void {
    for (const [name, value] of Object.entries(environment)) this.function.addEnvironment(name, value);
  }

  /** Grants exactly these actions on the table and sets TABLE_NAME: the variable and its grant in one call. */
  bindTable(
    store: BounceStore,
    actions: readonly string[],
    options: { queryIndexes: readonly string[] },
  ): void {
    this.function.addEnvironment(ENV.tableName, store.table.tableName);
    store.grant(this.function, actions, options);
  }
}
