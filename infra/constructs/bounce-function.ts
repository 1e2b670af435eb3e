// The one Lambda function shape of this app: runtime, arm64, local esbuild bundling, log group and the Powertools
// environment are fixed here so every function gets them the same way.
import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Repository root, resolved from this file so synth works from any working directory. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runtime of every function: the newest Node.js runtime (cdk-nag AwsSolutions-L1 checks for it). */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

/**
 * esbuild options shared by CDK bundling and bench/lambda-bundles.ts, so the benchmark measures what deploys.
 * The AWS SDK v3 is provided by the Node.js runtime and left external; everything else is bundled.
 */
export const BUNDLE_OPTIONS = {
  target: 'node24',
  format: 'esm',
  minify: true,
  sourceMap: true,
  externalModules: ['@aws-sdk/*'],
  // ESM bundles may contain CommonJS dependencies that call require(): give them one.
  banner: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
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
        POWERTOOLS_SERVICE_NAME: props.powertools.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: props.powertools.metricsNamespace,
        POWERTOOLS_LOG_LEVEL: props.powertools.logLevel,
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

  /** Sets an environment variable (the env contract lives next to the grant that goes with it). */
  addEnvironment(name: string, value: string): void {
    this.function.addEnvironment(name, value);
  }
}
