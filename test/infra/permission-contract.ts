// Maps recorded SDK calls (test/support/aws-call-recorder.ts) to (IAM action, resource) pairs in the terms of a
// synthesized template, and reads the pairs a function's role grants, for the permission contract.
import { ArnFormat } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { ENV } from '../../lambdas/config.ts';
import type { NamedResource, RecordedCall } from '../support/aws-call-recorder.ts';
import { logicalId, roleStatements, type synthesize } from '../support/synth.ts';
import { grantedOnEverything } from './iam-reference.ts';

export type FunctionUnderContract =
  | 'processor'
  | 'worker'
  | 'query'
  | 'identityNotifications'
  | 'events'
  | 'rollup';
type Synthesized = ReturnType<typeof synthesize>;

/** `action resource-as-JSON`: one grant or one need. */
type Pair = string;
const pair = (action: string, resource: unknown): Pair => `${action} ${JSON.stringify(resource)}`;

/**
 * Grants no handler call needs, each with why it is there: the Lambda runtime (not the handler) writes the
 * function's logs to its own log group, and the SQS event source mapping polls the function's queue with the
 * function's role.
 */
const RUNTIME_ACTIONS: Readonly<Record<string, string>> = {
  'logs:CreateLogStream': 'the Lambda runtime creates the log stream of each execution environment',
  'logs:PutLogEvents': 'the Lambda runtime writes the handler output to the function log group',
};
const EVENT_SOURCE_ACTIONS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    [
      'sqs:ReceiveMessage',
      'sqs:ChangeMessageVisibility',
      'sqs:GetQueueUrl',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
    ].map((action) => [
      action,
      'the SQS event source mapping receives and deletes the batches with the role',
    ]),
  ),
  ...Object.fromEntries(
    ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'].map((action) => [
      action,
      "the DynamoDB stream event source mapping reads the table's stream with the role",
    ]),
  ),
};
/** dynamodb:ListStreams defines no resource type: the stream event source mapping needs it on "*". */
const LIST_STREAMS_REASON =
  'the DynamoDB stream event source mapping lists the streams (no resource type: "*")';
const FAILURE_DESTINATION_ACTIONS: Readonly<Record<string, string>> = Object.fromEntries(
  ['sqs:SendMessage', 'sqs:GetQueueUrl', 'sqs:GetQueueAttributes'].map((action) => [
    action,
    "the stream event source mapping sends a failed batch's position to its on-failure queue with the role",
  ]),
);

function functionConstruct({ stack }: Synthesized, name: FunctionUnderContract): IConstruct {
  const constructs: Record<FunctionUnderContract, IConstruct | undefined> = {
    processor: stack.parts.processor.function.function,
    worker: stack.parts.suppression.function.function,
    query: stack.parts.queryApi.function.function,
    identityNotifications: stack.parts.sesWiring.identityNotificationFunction?.function,
    events: stack.bounceProcessor.eventsPublisherFunction,
    rollup: stack.bounceProcessor.counterRollupFunction,
  };
  const construct = constructs[name];
  if (construct === undefined) throw new Error(`${name} is not in this stack`);
  return construct;
}

function functionResource(synthesized: Synthesized, name: FunctionUnderContract) {
  const id = logicalId(synthesized.stack, functionConstruct(synthesized, name));
  const resource = synthesized.template.findResources('AWS::Lambda::Function')[id];
  if (resource === undefined) throw new Error(`no function ${id}`);
  return resource;
}

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** Every (action, resource) the function's role allows, with a written reason for the runtime's own ones. */
export function grantedPairs(
  synthesized: Synthesized,
  name: FunctionUnderContract,
): Map<Pair, string | undefined> {
  const fnId = logicalId(synthesized.stack, functionConstruct(synthesized, name));
  const mappings = Object.values(
    synthesized.template.findResources('AWS::Lambda::EventSourceMapping'),
  ).filter((mapping) => mapping.Properties.FunctionName?.Ref === fnId);
  const sourceQueues = mappings.map((mapping) => JSON.stringify(mapping.Properties.EventSourceArn));
  const failureDestinations = mappings.map((mapping) =>
    JSON.stringify(mapping.Properties.DestinationConfig?.OnFailure?.Destination ?? null),
  );
  const streamSource = mappings.some((mapping) =>
    JSON.stringify(mapping.Properties.EventSourceArn).includes('StreamArn'),
  );
  const reasonFor = (action: string, resource: unknown): string | undefined =>
    RUNTIME_ACTIONS[action] ??
    (sourceQueues.includes(JSON.stringify(resource)) ? EVENT_SOURCE_ACTIONS[action] : undefined) ??
    (failureDestinations.includes(JSON.stringify(resource))
      ? FAILURE_DESTINATION_ACTIONS[action]
      : undefined) ??
    (streamSource && action === 'dynamodb:ListStreams' && resource === '*' ? LIST_STREAMS_REASON : undefined);
  const granted = new Map<Pair, string | undefined>();
  for (const statement of roleStatements(synthesized.template, fnId)) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of asArray(statement.Action)) {
      for (const resource of asArray(statement.Resource)) {
        granted.set(pair(String(action), resource), reasonFor(String(action), resource));
      }
    }
  }
  return granted;
}

/**
 * The (action, resource) pairs the recorded calls need, with each resource named the way the template names it:
 * a table or queue through the environment variable that gave the handler its name or URL; "*" for an action the
 * Service Authorization Reference gives no resource type to name (test/infra/iam-reference.ts).
 */
export function requiredPairs(
  synthesized: Synthesized,
  name: FunctionUnderContract,
  calls: readonly RecordedCall[],
  handlerEnvironment: Readonly<Record<string, string | undefined>>,
): { pairs: Set<Pair>; unresolved: string[] } {
  const variables: Record<string, unknown> =
    functionResource(synthesized, name).Properties.Environment?.Variables ?? {};
  const fromVariable = (value: string): string | undefined => {
    const key = Object.keys(variables).find((variable) => handlerEnvironment[variable] === value);
    const ref = key === undefined ? undefined : (variables[key] as { Ref?: unknown }).Ref;
    return typeof ref === 'string' ? ref : undefined;
  };
  const resolve = (resource: NamedResource): unknown => {
    switch (resource.kind) {
      case 'table': {
        const id = fromVariable(resource.table);
        if (id === undefined) return undefined;
        const arn = { 'Fn::GetAtt': [id, 'Arn'] };
        return resource.index === undefined ? arn : { 'Fn::Join': ['', [arn, `/index/${resource.index}`]] };
      }
      case 'queue': {
        const id = fromVariable(resource.url);
        return id === undefined ? undefined : { 'Fn::GetAtt': [id, 'Arn'] };
      }
      // The deployed function names the bus its EVENT_BUS variable names: `default` is the account's default bus.
      case 'event-bus': {
        if (resource.bus !== (handlerEnvironment[ENV.eventBus] ?? 'default')) return undefined;
        const deployed = variables[ENV.eventBus];
        if (typeof deployed !== 'string') return undefined;
        return deployed === 'default'
          ? synthesized.stack.resolve(
              synthesized.stack.formatArn({
                service: 'events',
                resource: 'event-bus',
                resourceName: 'default',
                arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
              }),
            )
          : deployed;
      }
      // Both are named by "*" (grantedOnEverything): an account suppression list and an SES v1 identity are not
      // resources IAM can match for these actions.
      case 'suppressed-address':
      case 'ses-identity':
        return undefined;
    }
  };
  const pairs = new Set<Pair>();
  const unresolved: string[] = [];
  for (const recordedCall of calls) {
    for (const need of recordedCall.needs) {
      const resource = grantedOnEverything(need.action) ? '*' : resolve(need.resource);
      if (resource === undefined)
        unresolved.push(`${recordedCall.operation} ${JSON.stringify(need.resource)}`);
      else pairs.add(pair(need.action, resource));
    }
  }
  return { pairs, unresolved: [...new Set(unresolved)] };
}
