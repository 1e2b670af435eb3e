// Every SNS topic of the stack that an AWS service publishes to (SES through the configuration set's event destination
// or identity notifications, CloudWatch through alarm actions) must have a topic-policy statement allowing that
// service principal to publish, bounded by aws:SourceAccount or aws:SourceArn, and the KMS key of an encrypted topic
// must let that service generate data keys and decrypt. A topic the stack does not own (existingTopicArn) is the
// operator's to configure (infra/README.md). Returns one line per problem.
import type { synthesize } from '../support/synth.ts';

type Synthesized = ReturnType<typeof synthesize>;
type Json = Record<string, unknown>;

const SES = 'ses.amazonaws.com';
const CLOUDWATCH = 'cloudwatch.amazonaws.com';

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null;
const refOf = (value: unknown): string | undefined =>
  isRecord(value) && typeof value.Ref === 'string' ? value.Ref : undefined;

/** (topic logical id, publishing service principal) for every topic of this template a service publishes to. */
function publishedTopics(resources: Record<string, Json>): [string, string][] {
  const found: [string, unknown, string][] = [];
  for (const [id, resource] of Object.entries(resources)) {
    const properties = (resource.Properties ?? {}) as Json;
    if (resource.Type === 'AWS::SES::ConfigurationSetEventDestination') {
      const destination = properties.EventDestination as { SnsDestination?: { TopicARN?: unknown } };
      found.push([id, destination.SnsDestination?.TopicARN, SES]);
    }
    if (resource.Type === 'Custom::SesIdentityNotification') found.push([id, properties.TopicArn, SES]);
    if (resource.Type === 'AWS::CloudWatch::Alarm') {
      for (const key of ['AlarmActions', 'OKActions', 'InsufficientDataActions']) {
        for (const action of asArray(properties[key] ?? [])) found.push([id, action, CLOUDWATCH]);
      }
    }
  }
  const pairs = new Map<string, [string, string]>();
  for (const [, topic, principal] of found) {
    const topicId = refOf(topic);
    if (topicId !== undefined && resources[topicId]?.Type === 'AWS::SNS::Topic') {
      pairs.set(`${topicId} ${principal}`, [topicId, principal]);
    }
  }
  return [...pairs.values()];
}

const allows = (statement: Json, principal: string, actions: readonly string[]): boolean => {
  const service = isRecord(statement.Principal) ? statement.Principal.Service : undefined;
  const granted = asArray(statement.Action).map(String);
  return (
    statement.Effect === 'Allow' &&
    asArray(service).includes(principal) &&
    actions.every((action) => granted.includes(action))
  );
};

// Condition keys are case-insensitive (CDK writes AWS:SourceAccount for the event destination's statement).
const boundedToSource = (statement: Json): boolean =>
  Object.values(isRecord(statement.Condition) ? statement.Condition : {}).some(
    (operator) =>
      isRecord(operator) &&
      Object.keys(operator).some((key) => ['aws:sourceaccount', 'aws:sourcearn'].includes(key.toLowerCase())),
  );

export function servicePublisherProblems({ template }: Synthesized): string[] {
  const resources = template.toJSON().Resources as Record<string, Json>;
  const problems: string[] = [];
  const policies = Object.values(resources).filter((resource) => resource.Type === 'AWS::SNS::TopicPolicy');
  for (const [topicId, principal] of publishedTopics(resources)) {
    const statements = policies
      .filter((policy) => asArray((policy.Properties as Json).Topics).some((t) => refOf(t) === topicId))
      .flatMap((policy) => asArray(((policy.Properties as Json).PolicyDocument as Json).Statement) as Json[]);
    const publish = statements.filter(
      (statement) =>
        allows(statement, principal, ['sns:Publish']) &&
        asArray(statement.Resource).some((resource) => refOf(resource) === topicId),
    );
    if (publish.length === 0)
      problems.push(`${topicId}: no topic-policy statement lets ${principal} publish`);
    else if (!publish.every(boundedToSource)) {
      problems.push(
        `${topicId}: ${principal} may publish without an aws:SourceAccount/aws:SourceArn condition`,
      );
    }
    const key = (resources[topicId]?.Properties as Json | undefined)?.KmsMasterKeyId;
    if (key === undefined) continue;
    const keyGetAtt = isRecord(key) ? key['Fn::GetAtt'] : undefined;
    const keyResource = Array.isArray(keyGetAtt) ? resources[String(keyGetAtt[0])] : undefined;
    if (keyResource?.Type !== 'AWS::KMS::Key') {
      problems.push(
        `${topicId}: encrypted with ${JSON.stringify(key)}, a key ${principal} cannot be granted`,
      );
      continue;
    }
    const keyStatements = asArray(((keyResource.Properties as Json).KeyPolicy as Json).Statement) as Json[];
    if (
      !keyStatements.some((statement) =>
        allows(statement, principal, ['kms:GenerateDataKey*', 'kms:Decrypt']),
      )
    ) {
      problems.push(`${topicId}: its KMS key does not let ${principal} generate data keys and decrypt`);
    }
  }
  return problems;
}
