// Every IAM action the stack's identity policies grant, with the resource types the Service Authorization Reference
// lists for it. An action with no resource type must be granted on "*" (a statement naming a resource never matches
// it); an action with one must name that resource. Checked against the synthesized templates by
// test/infra/permission-contract.test.ts (statementsAgainstReference) and written out in infra/README.md.

/** A resource kind as the templates name it (a CloudFormation resource's ARN, or a join on it). */
export type ResourceKind =
  | 'dynamodb:table'
  | 'dynamodb:index'
  | 'dynamodb:stream'
  | 'events:event-bus'
  | 'sqs:queue'
  | 'logs:log-group'
  | 'lambda:function'
  | 'lambda:function-qualifiers'
  | 'execute-api:execute-api-general'
  | '*';

export interface ReferenceEntry {
  /** The resource types column of the reference ("*" marks a required one), verbatim. */
  readonly reference: string;
  /** What the grant must name: the kinds that match those types, or "*" when the action has no usable type. */
  readonly grantOn: readonly ResourceKind[];
  /** The reference page the row was read from. */
  readonly source: string;
  /** Why "*" although the reference lists an (optional) type, or why a kind stands for the type. */
  readonly note?: string;
}

const SAR = 'https://docs.aws.amazon.com/service-authorization/latest/reference';
const DYNAMODB = `${SAR}/list_amazondynamodb.html`;
const SQS = `${SAR}/list_amazonsqs.html`;
const LOGS = `${SAR}/list_amazoncloudwatchlogs.html`;
const LAMBDA = `${SAR}/list_awslambda.html`;
const EXECUTE_API = `${SAR}/list_amazonapigateway.html`;
const SES_V1 = `${SAR}/list_amazonses.html`;
const SES_V2 = `${SAR}/list_amazonsimpleemailservicev2.html`;
const EVENTS = `${SAR}/list_amazoneventbridge.html`;

const table = (reference = 'table*'): ReferenceEntry => ({
  reference,
  grantOn: ['dynamodb:table'],
  source: DYNAMODB,
});
const queue: ReferenceEntry = { reference: 'queue*', grantOn: ['sqs:queue'], source: SQS };
const suppressionList: ReferenceEntry = {
  reference: 'tenant',
  grantOn: ['*'],
  source: SES_V2,
  note:
    'the optional tenant type only applies to a tenant suppression list; the account-level list the functions ' +
    'use is not a resource, so only "*" matches',
};
const logStream: ReferenceEntry = {
  reference: 'log-stream*',
  grantOn: ['logs:log-group'],
  source: LOGS,
  note: 'a log group ARN from CloudFormation ends in ":*", which matches every log stream of that group',
};
const identityNotifications: ReferenceEntry = { reference: '(none)', grantOn: ['*'], source: SES_V1 };

export const IAM_REFERENCE: Readonly<Record<string, ReferenceEntry>> = {
  'dynamodb:GetItem': table(),
  'dynamodb:BatchGetItem': table(),
  'dynamodb:PutItem': table(),
  'dynamodb:UpdateItem': table(),
  'dynamodb:ConditionCheckItem': table(),
  'dynamodb:DeleteItem': table(),
  'dynamodb:BatchWriteItem': table(),
  'dynamodb:Query': {
    reference: 'index, table*',
    grantOn: ['dynamodb:table', 'dynamodb:index'],
    source: DYNAMODB,
  },
  'dynamodb:DescribeStream': { reference: 'stream*', grantOn: ['dynamodb:stream'], source: DYNAMODB },
  'dynamodb:GetRecords': { reference: 'stream*', grantOn: ['dynamodb:stream'], source: DYNAMODB },
  'dynamodb:GetShardIterator': { reference: 'stream*', grantOn: ['dynamodb:stream'], source: DYNAMODB },
  'dynamodb:ListStreams': { reference: '(none)', grantOn: ['*'], source: DYNAMODB },
  'sqs:SendMessage': queue,
  'sqs:ReceiveMessage': queue,
  'sqs:ChangeMessageVisibility': queue,
  'sqs:GetQueueUrl': queue,
  'sqs:DeleteMessage': queue,
  'sqs:GetQueueAttributes': queue,
  'logs:CreateLogStream': logStream,
  'logs:PutLogEvents': logStream,
  'lambda:InvokeFunction': {
    reference: 'function*',
    grantOn: ['lambda:function', 'lambda:function-qualifiers'],
    source: LAMBDA,
  },
  'lambda:GetFunction': { reference: 'function*', grantOn: ['lambda:function'], source: LAMBDA },
  'execute-api:Invoke': {
    reference: 'execute-api-general*',
    grantOn: ['execute-api:execute-api-general'],
    source: EXECUTE_API,
  },
  'events:PutEvents': { reference: 'event-bus*', grantOn: ['events:event-bus'], source: EVENTS },
  'ses:PutSuppressedDestination': suppressionList,
  'ses:GetSuppressedDestination': suppressionList,
  'ses:DeleteSuppressedDestination': suppressionList,
  'ses:GetIdentityNotificationAttributes': identityNotifications,
  'ses:SetIdentityNotificationTopic': identityNotifications,
  'ses:SetIdentityHeadersInNotificationsEnabled': identityNotifications,
};

/** True when the reference leaves "*" as the only resource IAM matches for the action. */
export function grantedOnEverything(action: string): boolean {
  const entry = IAM_REFERENCE[action];
  return entry !== undefined && entry.grantOn.length === 1 && entry.grantOn[0] === '*';
}
