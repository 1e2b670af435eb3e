// Reads every Allow statement of the template's identity policies (role policies and customer managed policies) and
// checks each action against the Service Authorization Reference table (test/infra/iam-reference.ts): a known action,
// granted on "*" exactly when the reference leaves no resource type to name, and otherwise on resources of the type
// the reference lists. Returns one line per problem.

import type { synthesize } from '../support/synth.ts';
import { IAM_REFERENCE, type ResourceKind } from './iam-reference.ts';

type Synthesized = ReturnType<typeof synthesize>;
type Json = Record<string, unknown>;

/**
 * AWS managed policies a role of the stack may carry, each with why: they are AWS's statements, not ours to scope.
 */
const AWS_MANAGED_POLICIES: Readonly<Record<string, string>> = {
  'service-role/AmazonAPIGatewayPushToCloudWatchLogs':
    "API Gateway's account-level CloudWatch role (RestApi cloudWatchRole) writes the access and execution logs",
};

const ARN_KINDS: Readonly<Record<string, ResourceKind>> = {
  'AWS::DynamoDB::Table': 'dynamodb:table',
  'AWS::SQS::Queue': 'sqs:queue',
  'AWS::Logs::LogGroup': 'logs:log-group',
  'AWS::Lambda::Function': 'lambda:function',
};

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null;

/** The kind of resource a statement's Resource entry names, or a description of what it is when unknown. */
function resourceKindOf(resource: unknown, resources: Readonly<Record<string, Json>>): string {
  if (resource === '*') return '*';
  if (
    typeof resource === 'string' &&
    /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[\w.\-/]+$/.test(resource)
  ) {
    return 'events:event-bus';
  }
  const streamOf = isRecord(resource) ? resource['Fn::GetAtt'] : undefined;
  if (Array.isArray(streamOf) && streamOf[1] === 'StreamArn') {
    return resources[String(streamOf[0])]?.Type === 'AWS::DynamoDB::Table'
      ? 'dynamodb:stream'
      : 'unrecognised stream';
  }
  const typeOf = (value: unknown): string | undefined => {
    const getAtt = isRecord(value) ? value['Fn::GetAtt'] : undefined;
    if (!Array.isArray(getAtt) || getAtt[1] !== 'Arn') return undefined;
    const type = resources[String(getAtt[0])]?.Type;
    return typeof type === 'string' ? type : undefined;
  };
  const direct = typeOf(resource);
  if (direct !== undefined) return ARN_KINDS[direct] ?? `ARN of a ${direct}`;
  const join = isRecord(resource) ? resource['Fn::Join'] : undefined;
  if (Array.isArray(join) && join[0] === '' && Array.isArray(join[1])) {
    const parts: unknown[] = join[1];
    const [head, suffix] = parts;
    if (parts.length === 2 && typeof suffix === 'string') {
      const type = typeOf(head);
      if (type === 'AWS::DynamoDB::Table' && /^\/index\/[\w.-]+$/.test(suffix)) return 'dynamodb:index';
      if (type === 'AWS::Lambda::Function' && suffix === ':*') return 'lambda:function-qualifiers';
    }
    const text = parts.filter((part): part is string => typeof part === 'string').join('');
    // An event bus ARN, its partition, region or account possibly tokens.
    const shape = parts.map((part) => (typeof part === 'string' ? part : '<token>')).join('');
    if (/^arn:(aws[a-z-]*|<token>):events:[^:]+:[^:]+:event-bus\/[\w.-]+$/.test(shape))
      return 'events:event-bus';
    if (text.includes(':execute-api:') && parts.some((part) => isRecord(part) && 'Ref' in part)) {
      return 'execute-api:execute-api-general';
    }
  }
  return `unrecognised ${JSON.stringify(resource)}`;
}

export function statementsAgainstReference({ template }: Synthesized): string[] {
  const resources = template.toJSON().Resources as Record<string, Json>;
  const problems: string[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    const properties = (resource.Properties ?? {}) as Json;
    if (resource.Type === 'AWS::IAM::Role') {
      for (const arn of asArray(properties.ManagedPolicyArns ?? [])) {
        const name = JSON.stringify(arn).match(/:iam::aws:policy\/([\w/-]+)/)?.[1];
        if (name === undefined || AWS_MANAGED_POLICIES[name] === undefined) {
          problems.push(`${id}: managed policy ${JSON.stringify(arn)} has no written reason`);
        }
      }
      if (properties.Policies !== undefined) problems.push(`${id}: inline role policies are not checked`);
    }
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const statements = asArray((properties.PolicyDocument as Json).Statement) as Json[];
    for (const statement of statements.filter((s) => s.Effect === 'Allow')) {
      for (const action of asArray(statement.Action).map(String)) {
        const entry = IAM_REFERENCE[action];
        if (entry === undefined) {
          problems.push(`${id}: ${action} is not in the reference table`);
          continue;
        }
        for (const named of asArray(statement.Resource)) {
          const kind = resourceKindOf(named, resources);
          if (!(entry.grantOn as readonly string[]).includes(kind)) {
            problems.push(
              `${id}: ${action} (reference: ${entry.reference}) is granted on ${kind}, expected ${entry.grantOn.join(' or ')}`,
            );
          }
        }
      }
    }
  }
  return problems;
}
