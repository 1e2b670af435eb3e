// Template assertions for the optional wiring: identity notifications, an existing topic and configuration set,
// a Cognito authorizer with CORS, the alarm e-mail, and settings flowing into the functions.
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadQueryApiConfig } from '../../lambdas/config.ts';
import { logicalId, roleStatements, synthesize, TEST_ENV } from '../support/synth.ts';

const USER_POOL_ARN = `arn:aws:cognito-idp:${TEST_ENV.region}:${TEST_ENV.account}:userpool/${TEST_ENV.region}_AbCdEf123`;
const EXISTING_TOPIC_ARN = `arn:aws:sns:${TEST_ENV.region}:${TEST_ENV.account}:existing-ses-feedback`;

const withIdentities = synthesize({
  notificationIdentities: 'example.com, news@example.org',
  apiAuthorization: 'cognito',
  apiCognitoUserPoolArn: USER_POOL_ARN,
  apiCognitoScopes: 'bounces/read',
  apiCognitoAdminScopes: 'bounces/admin',
  apiCorsAllowOrigins: 'https://admin.example.com',
  alarmEmail: 'ops@example.com',
  dryRun: 'true',
  softBounceThreshold: '5',
  processorBatchSize: '1000',
  processorMaxBatchingWindow: '60',
  counterRollupWindow: '30',
  suppressionRatePerSecond: '0.5',
  logRetentionDays: '90',
});
const withExisting = synthesize({
  publishDeliveryEvents: 'false',
  softBounceThreshold: '0',
  notificationIdentities: 'example.net',
  existingTopicArn: EXISTING_TOPIC_ARN,
  useExistingConfigurationSet: true,
  configurationSetName: 'my-existing-set',
});

const identityArn = (identity: string) => ({
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, `:ses:${TEST_ENV.region}:${TEST_ENV.account}:identity/${identity}`],
  ],
});

describe('identity notifications', () => {
  const { stack, template } = withIdentities;
  const topicId = logicalId(stack, stack.parts.notifications.topic);
  const resources = Object.values(template.findResources('Custom::SesIdentityNotification'));
  const properties = resources.map((resource) => resource.Properties);

  it('points Bounce, Complaint and Delivery of each identity at the topic, one custom resource each', () => {
    expect(properties.map((p) => `${p.Identity}/${p.NotificationType}`).sort()).toEqual([
      'example.com/Bounce',
      'example.com/Complaint',
      'example.com/Delivery',
      'news@example.org/Bounce',
      'news@example.org/Complaint',
      'news@example.org/Delivery',
    ]);
    for (const p of properties) expect(p.TopicArn).toEqual({ Ref: topicId });
  });

  it('is served by our handler through the provider framework (no AwsCustomResource, no SDK install)', () => {
    const handler = stack.parts.sesWiring.identityNotificationFunction;
    expect(handler).toBeDefined();
    const serviceTokens = new Set(properties.map((p) => JSON.stringify(p.ServiceToken)));
    expect(serviceTokens.size).toBe(1);
    template.resourceCountIs('Custom::AWS', 0);
    const handlerId = handler ? logicalId(stack, handler.function) : '';
    // The framework's onEvent function invokes exactly our handler.
    const frameworkEnvironments = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (fn) => fn.Properties.Environment?.Variables?.USER_ON_EVENT_FUNCTION_ARN,
    );
    expect(frameworkEnvironments).toContainEqual({ 'Fn::GetAtt': [handlerId, 'Arn'] });
  });

  it('is applied only after the topic policy lets SES publish for those identities', () => {
    const policyId = Object.keys(
      template.findResources('AWS::SNS::TopicPolicy', { Properties: { Topics: [{ Ref: topicId }] } }),
    )[0];
    for (const resource of resources) expect(resource.DependsOn).toContain(policyId);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'ses.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              StringEquals: {
                'aws:SourceAccount': TEST_ENV.account,
                'aws:SourceArn': [identityArn('example.com'), identityArn('news@example.org')],
              },
            },
          }),
        ]),
      },
    });
  });

  it('lets the handler read, set and restore the identities\' notifications, on "*" (the actions have no resource type)', () => {
    const handler = stack.parts.sesWiring.identityNotificationFunction;
    const functionId = handler ? logicalId(stack, handler.function) : '';
    const roleId =
      template.findResources('AWS::Lambda::Function')[functionId]?.Properties.Role['Fn::GetAtt'][0];
    const statements = roleStatements(template, functionId);
    expect(statements).toEqual([
      expect.objectContaining({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }),
      {
        Effect: 'Allow',
        Action: [
          'ses:GetIdentityNotificationAttributes',
          'ses:SetIdentityNotificationTopic',
          'ses:SetIdentityHeadersInNotificationsEnabled',
        ],
        Resource: '*',
      },
    ]);
    expect(template.findResources('AWS::IAM::Role')[roleId]?.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('Cognito authorizer and CORS', () => {
  const { template } = withIdentities;
  const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).map(
    (method) => method.Properties,
  );

  it('authorizes reads with the read (or admin) scope and state changes with the admin scope only', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      ProviderARNs: [USER_POOL_ARN],
      IdentitySource: 'method.request.header.Authorization',
    });
    const protectedMethods = methods.filter((method) => method.HttpMethod !== 'OPTIONS');
    // Each method on the proxy resource and, mirrored by CDK, on the root.
    expect(protectedMethods.map((method) => method.HttpMethod).sort()).toEqual([
      'DELETE',
      'DELETE',
      'GET',
      'GET',
      'POST',
      'POST',
      'PUT',
      'PUT',
    ]);
    for (const method of protectedMethods) {
      expect(method).toMatchObject({
        AuthorizationType: 'COGNITO_USER_POOLS',
        AuthorizerId: { Ref: expect.any(String) },
        AuthorizationScopes: ['PUT', 'DELETE'].includes(method.HttpMethod)
          ? ['bounces/admin']
          : ['bounces/read', 'bounces/admin'],
      });
    }
  });

  it('creates no IAM caller policies (callers authenticate with the user pool)', () => {
    expect(withIdentities.stack.parts.queryApi.callerPolicies).toBeUndefined();
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  it('answers preflight requests for the configured origin only', () => {
    const preflight = methods.filter((method) => method.HttpMethod === 'OPTIONS');
    expect(preflight).toHaveLength(2); // the root and the proxy resource
    for (const method of preflight) {
      expect(method.AuthorizationType).toBe('NONE');
      expect(JSON.stringify(method.Integration)).toContain("'https://admin.example.com'");
    }
  });

  it('gives the query function the allowed origins, in the form its configuration parses', () => {
    const multi = synthesize({ apiCorsAllowOrigins: 'https://admin.example.com, http://localhost:5173' });
    const environments = [withIdentities, multi].map(
      ({ stack: s, template: t }) =>
        t.findResources('AWS::Lambda::Function')[logicalId(s, s.parts.queryApi.function.function)]?.Properties
          .Environment.Variables,
    );
    expect(environments.map((variables) => variables.CORS_ALLOW_ORIGINS)).toEqual([
      'https://admin.example.com',
      'https://admin.example.com,http://localhost:5173',
    ]);
    const config = loadQueryApiConfig({ ...environments[1], TABLE_NAME: 'table' });
    expect(config.corsAllowOrigins).toEqual(['https://admin.example.com', 'http://localhost:5173']);
  });

  it('tells the query function its authorization and scopes, in the form its configuration parses', () => {
    const variables =
      template.findResources('AWS::Lambda::Function')[
        logicalId(withIdentities.stack, withIdentities.stack.parts.queryApi.function.function)
      ]?.Properties.Environment.Variables;
    expect(variables).toMatchObject({
      API_AUTHORIZATION: 'cognito',
      API_READ_SCOPES: 'bounces/read',
      API_ADMIN_SCOPES: 'bounces/admin',
    });
    expect(loadQueryApiConfig({ ...variables, TABLE_NAME: 'table' }).authorization).toEqual({
      type: 'cognito',
      readScopes: ['bounces/read'],
      adminScopes: ['bounces/admin'],
    });
  });
});

describe('settings flow into the stack', () => {
  const { stack, template } = withIdentities;

  it('subscribes the alarm e-mail to the alarm topic', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: logicalId(stack, stack.parts.observability.alarmTopic) },
    });
  });

  it('passes processing settings to the processor and worker', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    expect(
      functions[logicalId(stack, stack.parts.processor.function.function)]?.Properties.Environment.Variables,
    ).toMatchObject({
      DRY_RUN: 'true',
      SOFT_BOUNCE_THRESHOLD: '5',
      RECORDS_AT_ONCE: '100',
    });
    const worker = functions[logicalId(stack, stack.parts.suppression.function.function)]?.Properties;
    // Each of the two concurrent invocations paces itself at half of the configured 0.5/s.
    expect(worker.Environment.Variables).toMatchObject({
      DRY_RUN: 'true',
      SUPPRESSION_RATE_PER_SECOND: '0.25',
    });
    // A batch of 5 at 0.25/s needs 20 s; the timeout leaves 30 s for SDK backoff.
    expect(worker.Timeout).toBe(50);
  });

  it('gathers processor batches of up to 1000 messages for 60 s; the queue hides a message 6 timeouts + 60 s', () => {
    const queue = logicalId(stack, stack.parts.processor.queue);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack, stack.parts.processor.function.function) },
      EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 60,
    });
    expect(template.findResources('AWS::SQS::Queue')[queue]?.Properties.VisibilityTimeout).toBe(6 * 30 + 60);
  });

  it('rolls the counters up every 30 s (counterRollupWindow)', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack, stack.parts.counterRollup.function.function) },
      MaximumBatchingWindowInSeconds: 30,
      TumblingWindowInSeconds: 30,
    });
  });

  it('sets the log retention of every function log group', () => {
    const retentions = Object.values(template.findResources('AWS::Logs::LogGroup')).map(
      (group) => group.Properties.RetentionInDays,
    );
    expect(retentions.length).toBeGreaterThanOrEqual(4);
    expect(new Set(retentions)).toEqual(new Set([90]));
  });
});

describe('existing topic and configuration set, without delivery events', () => {
  const { stack, template } = withExisting;

  it('wires only Bounce and Complaint identity notifications, pointed at the existing topic', () => {
    const resources = Object.values(template.findResources('Custom::SesIdentityNotification')).map(
      ({ Properties: { Identity, NotificationType, TopicArn } }) => ({
        Identity,
        NotificationType,
        TopicArn,
      }),
    );
    expect(resources).toEqual([
      { Identity: 'example.net', NotificationType: 'Bounce', TopicArn: EXISTING_TOPIC_ARN },
      { Identity: 'example.net', NotificationType: 'Complaint', TopicArn: EXISTING_TOPIC_ARN },
    ]);
  });

  it('creates no topic or key of its own for notifications and subscribes the queue to the given topic', () => {
    expect(stack.parts.notifications.key).toBeUndefined();
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.resourceCountIs('AWS::SNS::Topic', 1); // the alarm topic
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      TopicArn: EXISTING_TOPIC_ARN,
      Endpoint: { 'Fn::GetAtt': [logicalId(stack, stack.parts.processor.queue), 'Arn'] },
    });
  });

  it('attaches the event destination to the existing configuration set without creating one', () => {
    template.resourceCountIs('AWS::SES::ConfigurationSet', 0);
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: 'my-existing-set',
      EventDestination: {
        MatchingEventTypes: ['bounce', 'complaint'],
        SnsDestination: { TopicARN: EXISTING_TOPIC_ARN },
      },
    });
  });
});
