// The one Lambda function shape of this app: runtime, arm64, local esbuild bundling, log group and the Powertools
// environment are fixed here so every function gets them the same way.
import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV, environmentOf } from '../../lambdas/config.ts';
import type { BounceStore } from './store.ts';

/** Repository root, resolved from this file so synth works from any working directory. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

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

export interface PowertoolsSettings {
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly logLevel: string;
  readonly logRetentionDays: RetentionDays;
}

export interface BounceFunctionProps {
  /** Handler file relative to the repository root, e.g. `lambdas/handlers/processor.ts`. */
  readonly entry: string;
  readonly description: string;
  readonly powertools: PowertoolsSettings;
  readonly timeout: Duration;
  readonly memorySize?: number;
  readonly environment?: Readonly<Record<string, string>>;
  readonly reservedConcurrentExecutions?: number;
}

export class BounceFunction extends Construct {
  readonly function: NodejsFunction;
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
    this.function = new NodejsFunction(this, 'Function', {
      role,
      entry: `${PROJECT_ROOT}${props.entry}`,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
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
      },
    });
  }

  /** Sets settings' variables (names and format from lambdas/config.ts). */
  configure(environment: Readonly<Record<string, string>>): void {
    for (const [name, value] of Object.entries(environment)) this.function.addEnvironment(name, value);
  }

  /** Grants exactly these actions on the table and sets TABLE_NAME: the variable and its grant in one call. */
  bindTable(store: BounceStore, actions: readonly string[], options: { queryIndexes: boolean }): void {
    this.function.addEnvironment(ENV.tableName, store.table.tableName);
    store.grant(this.function, actions, options);
  }
}
