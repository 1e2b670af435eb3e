// The permission contract: the real handlers (processor, suppression worker, query API, events publisher, counter
// rollup, identity-notification custom resource) run against loopback DynamoDB (with its emulated stream), SQS, SESv2,
// EventBridge and SES; every SDK command they send is recorded
// (test/support/aws-call-recorder.ts) and mapped to the IAM actions it needs. For every documented setting
// combination the synthesized role of each function must grant exactly those actions on exactly those resources,
// every alarm must watch a metric the code (or AWS, for AWS/* namespaces) really emits, every granted action must be
// named on the resource type the Service Authorization Reference gives it (test/infra/iam-reference.ts), every
// topic an AWS service publishes to must let it, and cdk-nag must report nothing unacknowledged. Each combination is
// synthesized once and shared by all of its checks.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type EventIndexStage, eventIndexPlan } from '../../lambdas/adapters/table-definition.ts';
import { loadLambdaHandlers } from '../../local/lambdas.ts';
import { loadSnsPosts } from '../../local/notification-files.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { asCaller, type RecordedCall } from '../support/aws-call-recorder.ts';
import { captureOutput } from '../support/captured-output.ts';
import { type SesIdentityEmulator, startSesIdentityEmulator } from '../support/ses-identity-emulator.ts';
import { logicalId, synthesize } from '../support/synth.ts';
import { evaluateAlarmSources } from './alarm-sources.ts';
import { IAM_REFERENCE } from './iam-reference.ts';
import { statementsAgainstReference } from './iam-resource-levels.ts';
import { nagAcknowledgements, nagFindings } from './nag-findings.ts';
import { type FunctionUnderContract, grantedPairs, requiredPairs } from './permission-contract.ts';
import { servicePublisherProblems } from './service-publishers.ts';
import { coveringSettingCombinations, NOTIFICATION_IDENTITY } from './setting-combinations.ts';

const recorded = vi.hoisted(() => ({ calls: [] as RecordedCall[] }));
/** The calls of the run at the default stage of the event indexes. */
const defaultCalls: RecordedCall[] = [];
/**
 * Stages of the event indexes' migration recorded in a local-stack run of their own: `v2-readers` sends the most
 * the default stage does not (tombstones checked with ConditionCheckItem, pointers written, the byId fallback,
 * lists on byTime2/byDomain2 read whole with BatchGetItem); `v1` reads the old indexes (byTime, byDomain, byId).
 */
const TRANSITIONAL_STAGES = ['v2-readers', 'v1'] as const satisfies readonly EventIndexStage[];
type TransitionalStage = (typeof TRANSITIONAL_STAGES)[number];
/** Each stage run's calls, and the environment its handlers ran with. */
const stageRuns = Object.fromEntries(
  TRANSITIONAL_STAGES.map((stage) => [
    stage,
    { calls: [] as RecordedCall[], environment: {} as Record<string, string | undefined> },
  ]),
) as Record<TransitionalStage, { calls: RecordedCall[]; environment: Record<string, string | undefined> }>;

// Every client the handlers construct records what it sends (mocked at the SDK boundary only).
vi.mock('@aws-sdk/client-dynamodb', async (importOriginal) => {
  const sdk = await importOriginal<typeof import('@aws-sdk/client-dynamodb')>();
  const { recordCalls } = await import('../support/aws-call-recorder.ts');
  class DynamoDBClient extends sdk.DynamoDBClient {
    constructor(...args: ConstructorParameters<typeof sdk.DynamoDBClient>) {
      super(...args);
      recordCalls(this, 'dynamodb', recorded.calls);
    }
  }
  return { ...sdk, DynamoDBClient };
});
vi.mock('@aws-sdk/client-sqs', async (importOriginal) => {
  const sdk = await importOriginal<typeof import('@aws-sdk/client-sqs')>();
  const { recordCalls } = await import('../support/aws-call-recorder.ts');
  class SQSClient extends sdk.SQSClient {
    constructor(...args: ConstructorParameters<typeof sdk.SQSClient>) {
      super(...args);
      recordCalls(this, 'sqs', recorded.calls);
    }
  }
  return { ...sdk, SQSClient };
});
vi.mock('@aws-sdk/client-sesv2', async (importOriginal) => {
  const sdk = await importOriginal<typeof import('@aws-sdk/client-sesv2')>();
  const { recordCalls } = await import('../support/aws-call-recorder.ts');
  class SESv2Client extends sdk.SESv2Client {
    constructor(...args: ConstructorParameters<typeof sdk.SESv2Client>) {
      super(...args);
      recordCalls(this, 'sesv2', recorded.calls);
    }
  }
  return { ...sdk, SESv2Client };
});
vi.mock('@aws-sdk/client-eventbridge', async (importOriginal) => {
  const sdk = await importOriginal<typeof import('@aws-sdk/client-eventbridge')>();
  const { recordCalls } = await import('../support/aws-call-recorder.ts');
  class EventBridgeClient extends sdk.EventBridgeClient {
    constructor(...args: ConstructorParameters<typeof sdk.EventBridgeClient>) {
      super(...args);
      recordCalls(this, 'events', recorded.calls);
    }
  }
  return { ...sdk, EventBridgeClient };
});
vi.mock('@aws-sdk/client-ses', async (importOriginal) => {
  const sdk = await importOriginal<typeof import('@aws-sdk/client-ses')>();
  const { recordCalls } = await import('../support/aws-call-recorder.ts');
  class SESClient extends sdk.SESClient {
    constructor(...args: ConstructorParameters<typeof sdk.SESClient>) {
      super(...args);
      recordCalls(this, 'ses', recorded.calls);
    }
  }
  return { ...sdk, SESClient };
});

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:stack-feedback';

let stack: LocalStack;
let sesV1: SesIdentityEmulator;
/** Everything the handlers wrote to stdout and stderr: Powertools log lines and EMF metric documents. */
const output: string[] = [];
/** The environment the handlers ran with (TABLE_NAME, queue URLs), to name recorded resources by variable. */
let handlerEnvironment: Record<string, string | undefined> = {};
const savedEnvironment = { ...process.env };
const defaults = synthesize();
const processorEnvironment = defaults.template.findResources('AWS::Lambda::Function')[
  logicalId(defaults.stack, defaults.stack.parts.processor.function.function)
]?.Properties.Environment.Variables as Record<string, string>;

async function call(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${stack.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status >= 500) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text;
}

function customResourceEvent(
  requestType: 'Create' | 'Delete',
  physicalResourceId: string,
): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
    ResponseURL: 'http://127.0.0.1/unused',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Test/1',
    RequestId: 'contract',
    LogicalResourceId: 'Identity0Bounce',
    ResourceType: 'Custom::SesIdentityNotification',
    ResourceProperties: {
      ServiceToken: 'token',
      Identity: NOTIFICATION_IDENTITY,
      NotificationType: 'Bounce',
      TopicArn: TOPIC,
    },
  };
  return requestType === 'Create'
    ? { ...base, RequestType: 'Create' }
    : { ...base, RequestType: 'Delete', PhysicalResourceId: physicalResourceId };
}

/**
 * Starts the local stack with the handlers freshly loaded (they read their settings at module load), each
 * invocation's SDK calls attributed to its function.
 */
function startContractStack(environment: Record<string, string>): Promise<LocalStack> {
  return startLocalStack({
    port: 0,
    retryDelayMs: 50,
    environment: {
      SUPPRESSION_RATE_PER_SECOND: '100',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      REPAIR_SES_FALSE_SUPPRESSIONS: 'true',
      ...environment,
    },
    loadHandlers: async () => {
      const handlers = await loadLambdaHandlers();
      return {
        processor: (event, context) => asCaller('processor', () => handlers.processor(event, context)),
        suppressionWorker: (event, context) =>
          asCaller('worker', () => handlers.suppressionWorker(event, context)),
        queryApi: (event, context) => asCaller('query', () => handlers.queryApi(event, context)),
        eventsPublisher: (event, context) =>
          asCaller('events', () =>
            (handlers.eventsPublisher as NonNullable<typeof handlers.eventsPublisher>)(event, context),
          ),
        counterRollup: (event, context) =>
          asCaller('rollup', () =>
            (handlers.counterRollup as NonNullable<typeof handlers.counterRollup>)(event, context),
          ),
      };
    },
  });
}

/**
 * Every sample through the processor (batches of up to 10, so summaries are read in batches), the worker draining
 * the suppressions, then every route of the query API: lists with filters, an event by id and an id no event has
 * (the byId fallback while byId exists), erasure.
 */
async function driveTraffic(): Promise<void> {
  const files = (await readdir(SAMPLES))
    .filter((name) => name.endsWith('.json'))
    .map((name) => join(SAMPLES, name));
  const posts = await loadSnsPosts(files, { shiftToNow: new Date() });
  await Promise.all(
    posts.map((post) =>
      stack.enqueueTrusted(post.body, post.headers['x-amz-sns-message-type']).catch(() => null),
    ),
  );
  await stack.idle();

  // One notification no retry can fix: the processor parks it in the dead-letter queue with its reason.
  await stack.enqueueTrusted(
    JSON.stringify({
      Type: 'Notification',
      MessageId: '00000000-0000-4000-8000-000000000001',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-feedback',
      Message: JSON.stringify({ notificationType: 'Bounce', mail: {} }),
      Timestamp: new Date().toISOString(),
    }),
    'Notification',
  );
  await stack.idle();

  const bounces = (await call('GET', '/bounces?limit=5')) as { items: { id: string }[] };
  const first = bounces.items[0];
  const suppressed = stack.sesv2.entries()[0]?.emailAddress;
  if (first === undefined || suppressed === undefined) throw new Error('the workload suppressed no bounce');
  const email = encodeURIComponent(suppressed);
  await call('GET', `/bounces/${encodeURIComponent(first.id)}`);
  await call('GET', `/bounces/${'f'.repeat(32)}`);
  await call('GET', '/bounces?domain=gmail.com');
  await call('GET', '/bounces?domain=gmail.com&verdict=hard');
  await call('GET', '/bounces?type=complaint');
  await call('GET', `/recipients/${email}`);
  await call('GET', `/recipients/${email}/events`);
  await call('GET', '/stats');
  await call('GET', '/codes/5.1.1');
  await call('POST', '/classify', { status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' });
  await call('GET', '/openapi.json');
  await call('PUT', '/allowlist/example.org', { note: 'contract' });
  await call('GET', '/allowlist');
  await call('GET', '/allowlist/example.org');
  await call('DELETE', '/allowlist/example.org');
  await call('DELETE', `/recipients/${email}/suppression?force=true`);
  await stack.idle();
  await call('DELETE', `/recipients/${email}`);
  await stack.idle();
}

async function runWorkload(): Promise<void> {
  // Prepare: the deployed functions' Powertools settings, metrics on, INFO logs (the hard-bounce filter reads them).
  sesV1 = await startSesIdentityEmulator();
  sesV1.verify(NOTIFICATION_IDENTITY, { topics: { Bounce: 'arn:aws:sns:eu-west-1:123456789012:owner' } });
  Object.assign(process.env, {
    POWERTOOLS_SERVICE_NAME: processorEnvironment.POWERTOOLS_SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: processorEnvironment.POWERTOOLS_METRICS_NAMESPACE,
    POWERTOOLS_METRICS_DISABLED: 'false',
    AWS_ENDPOINT_URL_SES: sesV1.url,
  });
  stack = await startContractStack({});
  handlerEnvironment = { ...process.env };

  await driveTraffic();

  // The custom resource's create and delete.
  const { handler } = await import('../../infra/handlers/identity-notifications.ts');
  const created = await asCaller('identityNotifications', () => handler(customResourceEvent('Create', '')));
  await asCaller('identityNotifications', () =>
    handler(customResourceEvent('Delete', created.PhysicalResourceId)),
  );
}

/**
 * A run at a stage of {@link TRANSITIONAL_STAGES}: a fresh local stack (its table has that stage's indexes) with the
 * handlers loaded anew (module state reset, so they read EVENT_INDEXES), driven with the same traffic.
 */
async function runStageWorkload(stage: TransitionalStage): Promise<void> {
  await stack.close();
  vi.resetModules();
  stack = await startContractStack({ EVENT_INDEXES: stage });
  stageRuns[stage].environment = { ...process.env };
  await driveTraffic();
}

beforeAll(async () => {
  output.push(...(await captureOutput(runWorkload)).output);
  defaultCalls.push(...recorded.calls.splice(0));
  for (const stage of TRANSITIONAL_STAGES) {
    await captureOutput(() => runStageWorkload(stage));
    stageRuns[stage].calls.push(...recorded.calls.splice(0));
  }
}, 180_000);

afterAll(async () => {
  await stack?.close();
  await sesV1?.close();
  for (const key of Object.keys(process.env)) if (!(key in savedEnvironment)) delete process.env[key];
  Object.assign(process.env, savedEnvironment);
});

const FUNCTIONS: readonly FunctionUnderContract[] = [
  'processor',
  'worker',
  'query',
  'identityNotifications',
  'events',
  'rollup',
];
/** Every combination, synthesized once: all checks of a combination share its template. */
const combinations = coveringSettingCombinations().map(
  (combination) => [combination.name, synthesize(combination.settings)] as const,
);

/** Default settings but the event indexes, at each stage run's stage. */
const transitional = TRANSITIONAL_STAGES.map(
  (stage) => [stage, synthesize({ eventIndexes: stage })] as const,
);

function grantedActions({ template }: ReturnType<typeof synthesize>): string[] {
  return [
    ...Object.values(template.findResources('AWS::IAM::Policy')),
    ...Object.values(template.findResources('AWS::IAM::ManagedPolicy')),
  ].flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as { Effect: string; Action: string | string[] }[])
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) => statement.Action),
  );
}

function functionInStack({ stack }: ReturnType<typeof synthesize>, name: FunctionUnderContract): boolean {
  if (name === 'identityNotifications')
    return stack.parts.sesWiring.identityNotificationFunction !== undefined;
  if (name === 'events') return stack.bounceProcessor.eventsPublisherFunction !== undefined;
  return true;
}

/** The role of `name` grants exactly what its recorded calls need, on exactly what they name. */
function expectExactGrants(
  synthesized: ReturnType<typeof synthesize>,
  name: FunctionUnderContract,
  calls: readonly RecordedCall[],
  environment: Readonly<Record<string, string | undefined>>,
): void {
  const required = requiredPairs(
    synthesized,
    name,
    calls.filter((c) => c.caller === name),
    environment,
  );
  const granted = grantedPairs(synthesized, name);
  expect(required.unresolved, 'resources the function names but its template does not').toEqual([]);
  expect([...required.pairs].filter((pair) => !granted.has(pair)).sort(), 'sent but not granted').toEqual([]);
  expect(
    [...granted.keys()].filter((pair) => !required.pairs.has(pair) && granted.get(pair) === undefined).sort(),
    'granted but never sent, without a written reason',
  ).toEqual([]);
}

describe('recorded calls', () => {
  it('come from every function under contract, including batched summary reads', () => {
    const callers = new Set(defaultCalls.map((c) => c.caller));
    for (const name of FUNCTIONS) expect(callers, name).toContain(name);
    expect(
      defaultCalls.some((c) => c.caller === 'processor' && c.operation === 'BatchGetItem'),
      'the processor read summaries with BatchGetItem',
    ).toBe(true);
    // At v2 an event's pointer is a PutItem of its own, before the event's transaction.
    expect(
      defaultCalls.some((c) => c.caller === 'processor' && c.operation === 'PutItem'),
      'the processor wrote pointers with PutItem',
    ).toBe(true);
  });

  it('name a resource in every call', () => {
    const unnamed = defaultCalls
      .filter((c) => c.caller !== '(unlabelled)')
      .flatMap((c) => c.needs.filter((need) => Object.values(need.resource).some((v) => v === '')));
    expect(unnamed).toEqual([]);
  });
});

describe.each(combinations)('setting combination %s', (_name, synthesized) => {
  const underContract = FUNCTIONS.filter((name) => functionInStack(synthesized, name));

  it.each(underContract.map((name) => [name]))(
    'grants %s exactly the actions it sends, on what it names',
    (name) => expectExactGrants(synthesized, name, defaultCalls, handlerEnvironment),
  );

  it('has an alarm only on metrics that are really emitted, under the same namespace, name and dimensions', () => {
    expect(evaluateAlarmSources(synthesized, output)).toEqual([]);
  });

  it('grants every action on the resource type the Service Authorization Reference gives it', () => {
    expect(statementsAgainstReference(synthesized)).toEqual([]);
  });

  it('lets every AWS service that publishes to a topic of the stack publish, and use its key', () => {
    expect(servicePublisherProblems(synthesized)).toEqual([]);
  });

  it('passes cdk-nag AwsSolutions: every finding acknowledged, each with a written reason', () => {
    expect(nagFindings(synthesized.stack)).toEqual([]);
    const acknowledged = nagAcknowledgements(synthesized.stack);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [rule, reason] of acknowledged) {
      expect(rule).toMatch(/AwsSolutions-/);
      expect(String(reason).length, `reason for ${rule}`).toBeGreaterThan(80);
    }
  });
});

describe.each(transitional)('event indexes at %s', (stage, synthesized) => {
  const plan = eventIndexPlan(stage);
  const stageFunctions = FUNCTIONS.filter(
    (name) => name !== 'identityNotifications' && functionInStack(synthesized, name),
  );

  it("recorded what the stage's plan makes the handlers send", () => {
    const { calls } = stageRuns[stage];
    const sent = (caller: string, operation: string, index?: string) =>
      calls.some(
        (c) =>
          c.caller === caller &&
          c.operation === operation &&
          (index === undefined ||
            c.needs.some((need) => 'index' in need.resource && need.resource.index === index)),
      );
    const callers = new Set(calls.map((c) => c.caller));
    for (const name of stageFunctions) expect(callers, name).toContain(name);
    expect(
      calls.some(
        (c) =>
          c.caller === 'processor' && c.needs.some((need) => need.action === 'dynamodb:ConditionCheckItem'),
      ),
      'the processor checked the erasure tombstone',
    ).toBe(plan.tombstones);
    expect(sent('processor', 'PutItem'), 'the processor wrote a pointer outside the transaction').toBe(
      plan.pointers && !plan.tombstones,
    );
    for (const index of plan.readIndexes)
      expect(sent('query', 'Query', index), `the query API queried ${index}`).toBe(true);
    expect(sent('query', 'BatchGetItem'), 'the query API read list entries whole').toBe(plan.listIndexesV2);
  });

  it.each(stageFunctions.map((name) => [name]))(
    'grants %s exactly the actions it sends at that stage, on what it names',
    (name) => expectExactGrants(synthesized, name, stageRuns[stage].calls, stageRuns[stage].environment),
  );

  it('grants every action on the resource type the Service Authorization Reference gives it', () => {
    expect(statementsAgainstReference(synthesized)).toEqual([]);
  });
});

describe('the Service Authorization Reference table', () => {
  it('has a row for every action some combination grants, and none for an action no combination grants', () => {
    const granted = new Set(
      [...combinations, ...transitional].map(([, synthesized]) => synthesized).flatMap(grantedActions),
    );
    expect([...granted].sort()).toEqual(Object.keys(IAM_REFERENCE).sort());
  });
});
