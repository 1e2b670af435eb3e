// Template assertions for the stack with default settings: each resource and policy that matters, by intent.
import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import {
  INDEX_BY_DOMAIN2,
  INDEX_BY_TIME2,
  TABLE_DEFINITION,
} from '../../lambdas/adapters/table-definition.ts';
import { actionsOf, logicalId, roleStatements, synthesize, TEST_ENV } from '../support/synth.ts';

const { stack, template } = synthesize();

const ids = {
  key: logicalId(stack, stack.parts.notifications.key ?? stack),
  topic: logicalId(stack, stack.parts.notifications.topic),
  table: logicalId(stack, stack.parts.store.table),
  queue: logicalId(stack, stack.parts.processor.queue),
  deadLetterQueue: logicalId(stack, stack.parts.processor.deadLetterQueue),
  suppressionQueue: logicalId(stack, stack.parts.suppression.queue),
  suppressionDeadLetterQueue: logicalId(stack, stack.parts.suppression.deadLetterQueue),
  processor: logicalId(stack, stack.parts.processor.function.function),
  worker: logicalId(stack, stack.parts.suppression.function.function),
  query: logicalId(stack, stack.parts.queryApi.function.function),
  alarmTopic: logicalId(stack, stack.parts.observability.alarmTopic),
};
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

describe('notification topic', () => {
  it('is encrypted with a rotating customer-managed key that is scheduled for deletion with the stack', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: arnOf(ids.key) });
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true }),
      DeletionPolicy: 'Delete',
    });
  });

  it('has a key policy that lets SES of this account use the key', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'ses.amazonaws.com' },
            Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
            Condition: { StringEquals: { 'aws:SourceAccount': TEST_ENV.account } },
          }),
        ]),
      },
    });
  });

  it('lets only SES of this account publish, for its configuration set, over TLS', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: ids.topic }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'ses.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: ids.topic },
            Condition: {
              StringEquals: {
                'AWS:SourceAccount': TEST_ENV.account,
                'AWS:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      `:ses:${TEST_ENV.region}:${TEST_ENV.account}:configuration-set/`,
                      { Ref: logicalId(stack, stack.parts.sesWiring.configurationSet) },
                    ],
                  ],
                },
              },
            },
          }),
        ]),
      },
    });
  });
});

describe('SES wiring', () => {
  it('names the configuration set and its event destination after the stack', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'Test' });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({ Name: 'Test-sns' }),
    });
  });

  it('publishes only bounce, complaint and delivery events to the topic, after the topic policy exists', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint', 'delivery'],
        SnsDestination: { TopicARN: { Ref: ids.topic } },
      },
    });
    const destination = Object.values(
      template.findResources('AWS::SES::ConfigurationSetEventDestination'),
    )[0];
    const policyId = Object.keys(
      template.findResources('AWS::SNS::TopicPolicy', { Properties: { Topics: [{ Ref: ids.topic }] } }),
    )[0];
    expect(destination?.DependsOn).toContain(policyId);
  });

  it('sets no identity notifications unless identities are given', () => {
    template.resourceCountIs('Custom::SesIdentityNotificationTopic', 0);
  });
});

describe('notification queue', () => {
  it('is encrypted, parks a message after 5 receives, and outlives six processor timeouts plus the batching window', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 6 * 30 + 60,
      RedrivePolicy: { deadLetterTargetArn: arnOf(ids.deadLetterQueue), maxReceiveCount: 5 },
    });
  });

  it('has encrypted dead-letter queues that keep messages 14 days', () => {
    for (const id of [ids.deadLetterQueue, ids.suppressionDeadLetterQueue]) {
      expect(template.findResources('AWS::SQS::Queue')[id]?.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
    }
  });

  it('is subscribed to the topic with the SNS envelope kept and a redrive policy to the dead-letter queue', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      TopicArn: { Ref: ids.topic },
      Endpoint: arnOf(ids.queue),
      RedrivePolicy: { deadLetterTargetArn: arnOf(ids.deadLetterQueue) },
    });
    const subscription = Object.values(template.findResources('AWS::SNS::Subscription'))[0];
    expect(subscription?.Properties.RawMessageDelivery ?? false).toBe(false);
  });

  it('lets the topic (and only it) send to the queue and to the dead-letter queue, over TLS', () => {
    for (const queueId of [ids.queue, ids.deadLetterQueue]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: Match.arrayWith([{ Ref: queueId }]),
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Action: 'sqs:SendMessage',
              Principal: { Service: 'sns.amazonaws.com' },
              Condition: { ArnEquals: { 'aws:SourceArn': { Ref: ids.topic } } },
            }),
          ]),
        },
      });
    }
  });

  it('feeds the processor with partial batch responses and a bounded concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: ids.processor },
      EventSourceArn: arnOf(ids.queue),
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 60,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });
});

describe('suppression worker', () => {
  it('reserves no concurrency and reads its queue two invocations at most, with partial batch responses', () => {
    const properties = template.findResources('AWS::Lambda::Function')[ids.worker]?.Properties;
    expect(properties).toMatchObject({ MemorySize: 128 });
    expect(properties).not.toHaveProperty('ReservedConcurrentExecutions');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: ids.worker },
      EventSourceArn: arnOf(ids.suppressionQueue),
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('paces each of its two invocations at half the configured rate and its queue parks after 10 receives', () => {
    expect(
      template.findResources('AWS::Lambda::Function')[ids.worker]?.Properties.Environment.Variables,
    ).toMatchObject({
      SUPPRESSION_RATE_PER_SECOND: '0.5',
      DRY_RUN: 'false',
      TABLE_NAME: { Ref: ids.table },
    });
    expect(template.findResources('AWS::SQS::Queue')[ids.suppressionQueue]?.Properties.RedrivePolicy).toEqual(
      {
        deadLetterTargetArn: arnOf(ids.suppressionDeadLetterQueue),
        maxReceiveCount: 10,
      },
    );
  });
});

describe('functions', () => {
  it.each([
    ['processor', ids.processor],
    ['worker', ids.worker],
    ['query', ids.query],
  ])('%s runs on nodejs24.x, arm64, with the Powertools environment and its own log group', (_name, id) => {
    const properties = template.findResources('AWS::Lambda::Function')[id]?.Properties;
    expect(properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: 'ses-bounce-processor',
          POWERTOOLS_METRICS_NAMESPACE: 'SesBounceProcessor',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
      LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
    });
    const logGroupId = properties.LoggingConfig.LogGroup.Ref;
    expect(template.findResources('AWS::Logs::LogGroup')[logGroupId]?.Properties).toEqual({
      RetentionInDays: 30,
    });
  });

  it('gives the processor every processing setting from the settings', () => {
    expect(
      template.findResources('AWS::Lambda::Function')[ids.processor]?.Properties.Environment.Variables,
    ).toEqual(
      expect.objectContaining({
        TABLE_NAME: { Ref: ids.table },
        SUPPRESSION_QUEUE_URL: { Ref: ids.suppressionQueue },
        DEAD_LETTER_QUEUE_URL: { Ref: ids.deadLetterQueue },
        EVENT_RETENTION_DAYS: '60',
        RECIPIENT_RETENTION_DAYS: '60',
        SOFT_BOUNCE_THRESHOLD: '3',
        SOFT_BOUNCE_WINDOW_DAYS: '14',
        SUPPRESS_ON_COMPLAINT: 'true',
        REPAIR_SES_FALSE_SUPPRESSIONS: 'false',
        DRY_RUN: 'false',
        RECORDS_AT_ONCE: '100',
      }),
    );
  });

  it('gives the query function its table and authorization (IAM, no scopes)', () => {
    const variables =
      template.findResources('AWS::Lambda::Function')[ids.query]?.Properties.Environment.Variables;
    expect(variables).toMatchObject({
      TABLE_NAME: { Ref: ids.table },
      EVENT_RETENTION_DAYS: '60',
      RECIPIENT_RETENTION_DAYS: '60',
      API_AUTHORIZATION: 'iam',
    });
    expect(variables).not.toHaveProperty('API_READ_SCOPES');
    expect(variables).not.toHaveProperty('API_ADMIN_SCOPES');
  });
});

describe('least privilege', () => {
  it('lets the processor write the table, send to the suppression and dead-letter queues, and nothing in SES', () => {
    const statements = roleStatements(template, ids.processor);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: [
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:Query',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
        ],
        Resource: arnOf(ids.table),
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'sqs:SendMessage',
        Resource: [arnOf(ids.suppressionQueue), arnOf(ids.deadLetterQueue)],
      }),
    );
    expect(actionsOf(statements).filter((action) => action.startsWith('ses:'))).toEqual([]);
    expect(actionsOf(statements)).not.toContain('dynamodb:DeleteItem');
  });

  it('lets only the worker call the SES suppression-list write actions', () => {
    expect(roleStatements(template, ids.worker)).toContainEqual(
      expect.objectContaining({
        Action: ['ses:PutSuppressedDestination', 'ses:DeleteSuppressedDestination'],
        Resource: '*',
      }),
    );
    for (const id of [ids.processor, ids.query]) {
      expect(actionsOf(roleStatements(template, id))).not.toContain('ses:PutSuppressedDestination');
    }
  });

  it('lets the query function read the table and indexes, write only what its routes need, and read/remove SES entries', () => {
    const statements = roleStatements(template, ids.query);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: [
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:Query',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
        ],
        Resource: arnOf(ids.table),
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'dynamodb:Query',
        Resource: [INDEX_BY_TIME2, INDEX_BY_DOMAIN2].map((name) => ({
          'Fn::Join': ['', [arnOf(ids.table), `/index/${name}`]],
        })),
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: ['ses:GetSuppressedDestination', 'ses:DeleteSuppressedDestination'],
        Resource: '*',
      }),
    );
  });

  it('lets each function write only its own log group', () => {
    for (const id of [ids.processor, ids.worker, ids.query]) {
      const logGroupId =
        template.findResources('AWS::Lambda::Function')[id]?.Properties.LoggingConfig.LogGroup.Ref;
      expect(roleStatements(template, id)).toContainEqual(
        expect.objectContaining({
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: arnOf(logGroupId),
        }),
      );
    }
    const managed = Object.values(template.findResources('AWS::IAM::Role'))
      .filter(
        (role) =>
          role.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service === 'lambda.amazonaws.com',
      )
      .flatMap((role) => role.Properties.ManagedPolicyArns ?? []);
    expect(managed).toEqual([]);
  });

  it('grants no wildcard action in any IAM policy', () => {
    const actions = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      actionsOf(policy.Properties.PolicyDocument.Statement),
    );
    expect(actions.length).toBeGreaterThan(10);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });
});

describe('table', () => {
  it('is on-demand with PITR, TTL, deletion protection and encryption, keyed as the data model says', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: TABLE_DEFINITION.timeToLiveAttribute, Enabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: { SSEEnabled: true },
      KeySchema: [
        { AttributeName: TABLE_DEFINITION.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: TABLE_DEFINITION.sortKey.name, KeyType: 'RANGE' },
      ],
    });
  });

  it('has every index of the table definition', () => {
    const indexes =
      template.findResources('AWS::DynamoDB::Table')[ids.table]?.Properties.GlobalSecondaryIndexes;
    expect(indexes).toEqual(
      TABLE_DEFINITION.globalSecondaryIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' }] : []),
        ],
        Projection: {
          ProjectionType: index.projection,
          ...(index.nonKeyAttributes ? { NonKeyAttributes: [...index.nonKeyAttributes] } : {}),
        },
      })),
    );
  });

  it('is retained when the stack is deleted', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('query API', () => {
  it('requires IAM authorization on every method of the root and the proxy resource', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods.map((method) => method.Properties.HttpMethod).sort()).toEqual([
      'DELETE',
      'DELETE',
      'GET',
      'GET',
      'POST',
      'POST',
      'PUT',
      'PUT',
    ]);
    for (const method of methods) expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
  });

  it('throttles the stage, writes JSON access logs, and keeps bodies out of execution logs', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      AccessLogSetting: {
        DestinationArn: arnOf(logicalId(stack, stack.parts.queryApi.accessLogs)),
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          MetricsEnabled: true,
        }),
      ],
    });
  });

  it('offers callers a read policy and an admin policy on exactly their routes of this API stage', () => {
    const apiId = logicalId(stack, stack.parts.queryApi.api);
    const route = (method: string, path: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          `:execute-api:${TEST_ENV.region}:${TEST_ENV.account}:`,
          { Ref: apiId },
          `/v1/${method}${path}`,
        ],
      ],
    });
    const statementsOf = (construct: IConstruct) =>
      template.findResources('AWS::IAM::ManagedPolicy')[logicalId(stack, construct)]?.Properties
        .PolicyDocument.Statement;
    const policies = stack.parts.queryApi.callerPolicies;
    expect(policies).toBeDefined();
    if (policies === undefined) return;
    expect(statementsOf(policies.read)).toEqual([
      {
        Effect: 'Allow',
        Action: 'execute-api:Invoke',
        Resource: [route('GET', '/*'), route('POST', '/classify')],
      },
    ]);
    expect(statementsOf(policies.admin)).toEqual([
      {
        Effect: 'Allow',
        Action: 'execute-api:Invoke',
        Resource: [
          route('DELETE', '/recipients/*'),
          route('PUT', '/allowlist/*'),
          route('DELETE', '/allowlist/*'),
        ],
      },
    ]);
  });

  it('has CORS off by default', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods.map((method) => method.Properties.HttpMethod)).not.toContain('OPTIONS');
    const queryEnvironment =
      template.findResources('AWS::Lambda::Function')[ids.query]?.Properties.Environment.Variables;
    expect(queryEnvironment).toHaveProperty('TABLE_NAME');
    expect(queryEnvironment).not.toHaveProperty('CORS_ALLOW_ORIGINS');
  });

  it('proxies every path to the query function', () => {
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      Integration: { Type: 'AWS_PROXY', Uri: Match.objectLike({ 'Fn::Join': Match.anyValue() }) },
    });
  });
});

describe('alarms and dashboard', () => {
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
    (alarm) => alarm.Properties,
  );

  it('alarms when either dead-letter queue holds a message', () => {
    for (const queueId of [ids.deadLetterQueue, ids.suppressionDeadLetterQueue]) {
      expect(alarms).toContainEqual(
        expect.objectContaining({
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Namespace: 'AWS/SQS',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          AlarmActions: [{ Ref: ids.alarmTopic }],
        }),
      );
    }
  });

  it('alarms on errors and throttles of every function, the suppression worker included', () => {
    for (const functionId of [ids.processor, ids.worker, ids.query]) {
      for (const metricName of ['Errors', 'Throttles']) {
        expect(alarms).toContainEqual(
          expect.objectContaining({
            MetricName: metricName,
            Namespace: 'AWS/Lambda',
            Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
            Threshold: 1,
          }),
        );
      }
    }
  });

  it('alarms on the SES reputation rates well below the review levels (5% bounces, 0.1% complaints)', () => {
    expect(alarms).toContainEqual(
      expect.objectContaining({ Namespace: 'AWS/SES', MetricName: 'Reputation.BounceRate', Threshold: 0.02 }),
    );
    expect(alarms).toContainEqual(
      expect.objectContaining({
        Namespace: 'AWS/SES',
        MetricName: 'Reputation.ComplaintRate',
        Threshold: 0.0005,
      }),
    );
  });

  it("alarms on the processor's hard-bounce share and complaint rate with a minimum volume", () => {
    const mathAlarms = alarms.filter((alarm) => alarm.Metrics !== undefined);
    const expressions = mathAlarms.map((alarm) => ({
      threshold: alarm.Threshold,
      ids: alarm.Metrics.filter((metric: { Expression?: string }) => !metric.Expression)
        .map((metric: { Id: string }) => metric.Id)
        .sort(),
      expression: alarm.Metrics.find((metric: { Expression?: string }) => metric.Expression)?.Expression,
      namespaces: alarm.Metrics.flatMap((metric: { MetricStat?: { Metric: { Namespace: string } } }) =>
        metric.MetricStat ? [metric.MetricStat.Metric.Namespace] : [],
      ),
    }));
    expect(expressions).toContainEqual({
      threshold: 0.02,
      ids: ['bounces', 'deliveries', 'hard'],
      expression: expect.stringMatching(/^IF\(\(.*\) >= 100, FILL\(hard,0\)\/\(.*\), 0\)$/),
      namespaces: expect.arrayContaining(['SesBounceProcessor']),
    });
    expect(expressions).toContainEqual({
      threshold: 0.0005,
      ids: ['complaints', 'deliveries'],
      expression: expect.stringContaining('FILL(complaints,0)/FILL(deliveries,0)'),
      namespaces: expect.arrayContaining(['SesBounceProcessor']),
    });
  });

  it('creates no e-mail subscription unless an address is given', () => {
    template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email' }, 0);
  });

  it('counts hard bounces from the processor\'s "event recorded" log lines into its namespace', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: logicalId(stack, stack.parts.processor.function.logGroup) },
      FilterPattern: '{ ($.message = "event recorded") && ($.type = "bounce") && ($.verdict = "hard") }',
      MetricTransformations: [
        {
          MetricNamespace: 'SesBounceProcessor',
          MetricName: 'HardBouncesLogged',
          MetricValue: '1',
          DefaultValue: 0,
        },
      ],
    });
  });

  it('has a dashboard with bounces by verdict and category, events by type, and top recipient domains', () => {
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0];
    const body = JSON.stringify(dashboard?.Properties.DashboardBody).replaceAll('\\', '');
    expect(body).toContain(
      'SELECT SUM("BouncesClassified") FROM SCHEMA("SesBounceProcessor", "service", "category", "verdict") GROUP BY "verdict"',
    );
    expect(body).toContain('GROUP BY "category"');
    expect(body).toContain(
      'SELECT SUM("EventsRecorded") FROM SCHEMA("SesBounceProcessor", "service", "type") GROUP BY "type"',
    );
    expect(body).toContain('filter message = "event recorded" and type != "delivery"');
    expect(body).toContain('stats count(*) as events by domain');
  });
});

describe('outputs', () => {
  it('exports what an operator and `ses-bounce redrive` need', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'ConfigurationSetName',
        'NotificationQueueArn',
        'NotificationDeadLetterQueueArn',
        'SuppressionQueueArn',
        'SuppressionDeadLetterQueueArn',
        'TableName',
        'ProcessorLogGroupName',
        'QueryApiReadPolicyArn',
        'QueryApiAdminPolicyArn',
      ]),
    );
  });
});
