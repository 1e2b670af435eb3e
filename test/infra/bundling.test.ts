// Real esbuild bundling at synth (as `cdk synth` does, no Docker): each function's asset is one minified ESM file
// with a separate source map and the pinned AWS SDK bundled in. The bundles then run as Lambda would load them,
// against embedded DynamoDB on loopback: the bundled SDK resolves credentials from the environment, signs and speaks
// DynamoDB's wire protocol.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BounceFunction,
  UNREACHABLE_CREDENTIAL_PROVIDERS,
} from '../../infra/constructs/bounce-function.ts';
import { resolveSettings } from '../../infra/props.ts';
import { SesBounceProcessorStack } from '../../infra/stack.ts';
import { createTable, type RunningDynalite, startDynalite } from '../../local/dynamo.ts';
import { captureOutput } from '../support/captured-output.ts';
import { logicalId } from '../support/synth.ts';

let outdir: string;
let assets: Record<string, string>;

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'cdk-bundling-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  // Each function bundles as it is constructed; CDK writes "Bundling asset <path>..." to stderr for each, which is
  // kept out of the test output.
  const { value: stack } = await captureOutput(
    () => new SesBounceProcessorStack(app, 'Bundled', { settings: resolveSettings({}) }),
  );
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
    processor: pathOf(stack.parts.processor.function),
    worker: pathOf(stack.parts.suppression.function),
    query: pathOf(stack.parts.queryApi.function),
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
      // The SDK is bundled at the pinned version: no static import of it is left for the runtime to answer.
      expect(code).toContain('DynamoDB_20120810'); // the DynamoDB client's wire protocol target prefix
      expect(code).not.toMatch(/from"@(aws-sdk|smithy)\//);
      expect(
        map.sources.some((source: string) => source.includes('node_modules/@aws-sdk/client-dynamodb/')),
      ).toBe(true);
      // Only the credential sources Lambda never reaches stay external, and only behind a dynamic import().
      const dynamicSdkImports = [...code.matchAll(/import\("(@(?:aws-sdk|smithy)\/[^"]+)"\)/g)].map(
        (m) => m[1],
      );
      expect(new Set(dynamicSdkImports)).toEqual(new Set(UNREACHABLE_CREDENTIAL_PROVIDERS));
      // zod tree-shaken (lambdas/ import it as a namespace): its English messages stay, the other locales go.
      expect(code).toContain('Invalid input: expected');
      expect(code).not.toContain('Eingabe: erwartet'); // zod's German locale
    },
  );
});

describe('function bundles at run time', () => {
  const TABLE = 'bundle-test';
  let dynamo: RunningDynalite;

  beforeAll(async () => {
    dynamo = await startDynalite();
    await createTable(
      new DynamoDBClient({
        endpoint: dynamo.endpoint,
        region: 'eu-west-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      }),
      TABLE,
    );
  }, 30_000);

  afterAll(async () => {
    await dynamo?.close();
  });

  /** Imports a bundle in a fresh node process with a Lambda-like environment and calls its handler once. */
  async function invoke(name: string, event: unknown): Promise<unknown> {
    const file = pathToFileURL(join(assets[name] as string, 'index.mjs')).href;
    const script = `const { handler } = await import(${JSON.stringify(file)});
      process.stdout.write(JSON.stringify((await handler(JSON.parse(process.env.EVENT))) ?? null));`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--enable-source-maps', '--input-type=module', '-e', script],
      {
        // Outside the repository: nothing can be resolved from node_modules, as on Lambda.
        cwd: tmpdir(),
        env: {
          PATH: process.env.PATH ?? '',
          EVENT: JSON.stringify(event),
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_SESSION_TOKEN: 'test',
          AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
          TABLE_NAME: TABLE,
          // Every delivery kept, so the query bundle can serve the delivery the processor bundle recorded.
          DELIVERY_HISTORY: 'all',
          SUPPRESSION_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/unused',
          POWERTOOLS_LOG_LEVEL: 'ERROR',
          POWERTOOLS_METRICS_DISABLED: 'true',
        },
      },
    );
    return JSON.parse(stdout);
  }

  it('records a delivery with the processor bundle and serves it with the query bundle', async () => {
    const delivery = await readFile(new URL('../fixtures/ses/11-delivery.json', import.meta.url), 'utf8');
    // As deployed: an SQS batch whose body is SNS's envelope around the SES notification.
    const body = JSON.stringify({ Type: 'Notification', MessageId: 'bundle-sns', Message: delivery });

    expect(
      await invoke('processor', { Records: [{ messageId: 'bundle-sqs', body, eventSource: 'aws:sqs' }] }),
    ).toEqual({ batchItemFailures: [] });
    const response = (await invoke('query', {
      httpMethod: 'GET',
      path: '/recipients/happy.customer%40gmail.com',
      resource: '/{proxy+}',
      pathParameters: { proxy: 'recipients/happy.customer%40gmail.com' },
      queryStringParameters: { ses: 'false' },
      multiValueQueryStringParameters: { ses: ['false'] },
      headers: {},
      multiValueHeaders: {},
      body: null,
      isBase64Encoded: false,
      requestContext: { requestId: 'bundle-test' },
    })) as { statusCode: number; body: string };

    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('happy.customer@gmail.com');
    expect(response.body).toContain('delivery');
  }, 30_000);

  it('starts the suppression worker bundle (SESv2 and DynamoDB clients built at load) and answers an empty batch', async () => {
    expect(await invoke('worker', { Records: [] })).toEqual({ batchItemFailures: [] });
  }, 30_000);
});
