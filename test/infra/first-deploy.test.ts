// Defects a first real `cdk deploy` would have hit (issue #10), each pinned by what the template must hold: the
// alarm topic lets CloudWatch publish, the rate alarms only exist where they can fire, names never collide
// between two stacks, a topic from another region fails synth, and the API logs who did what.
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { InvalidSettingError, resolveSettings } from '../../infra/props.ts';
import { SesBounceProcessorStack } from '../../infra/stack.ts';
import { logicalId, synthesize, TEST_ENV } from '../support/synth.ts';

const defaults = synthesize();

function alarmsOf(template: Template) {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties);
}

/** Metric names an alarm reads (a plain metric or every metric of a math expression). */
function metricNamesOf(alarm: Record<string, unknown>): string[] {
  const metrics = alarm.Metrics as { MetricStat?: { Metric: { MetricName: string } } }[] | undefined;
  if (metrics === undefined) return [String(alarm.MetricName)];
  return metrics.flatMap((metric) => (metric.MetricStat ? [metric.MetricStat.Metric.MetricName] : []));
}

describe('alarm topic', () => {
  it('lets CloudWatch alarms of this account and region publish (its policy replaces the default one)', () => {
    const { stack, template } = defaults;
    const topicId = logicalId(stack, stack.parts.observability.alarmTopic);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchAlarmsOfThisAccount',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: topicId },
            Condition: {
              StringEquals: { 'aws:SourceAccount': TEST_ENV.account },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      `:cloudwatch:${TEST_ENV.region}:${TEST_ENV.account}:alarm:*`,
                    ],
                  ],
                },
              },
            },
          },
        ]),
      },
    });
  });
});

describe('rate alarms and publishDeliveryEvents', () => {
  it('keeps the processor hard-bounce share and complaint rate when deliveries are published', () => {
    const readsDeliveries = alarmsOf(defaults.template).filter((alarm) =>
      metricNamesOf(alarm).includes('EventsRecorded'),
    );
    expect(readsDeliveries).toHaveLength(2);
  });

  it('creates no alarm over processor rates without delivery events, and keeps SES reputation alarms', () => {
    const { template } = synthesize({ publishDeliveryEvents: 'false', softBounceThreshold: '0' });
    const alarms = alarmsOf(template);
    expect(alarms.filter((alarm) => alarm.Metrics !== undefined)).toEqual([]);
    expect(alarms.flatMap(metricNamesOf)).not.toContain('EventsRecorded');
    expect(alarms.flatMap(metricNamesOf)).toEqual(
      expect.arrayContaining(['Reputation.BounceRate', 'Reputation.ComplaintRate']),
    );
  });
});

describe('names', () => {
  it('lets two stacks live side by side in one account and region: no SES or table name is shared', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stacks = ['Blue', 'Green'].map(
      (id) => new SesBounceProcessorStack(app, id, { settings: resolveSettings({}), env: TEST_ENV }),
    );
    const names = stacks.map((stack) => {
      const template = Template.fromStack(stack);
      const set = Object.values(template.findResources('AWS::SES::ConfigurationSet'))[0];
      const destination = Object.values(
        template.findResources('AWS::SES::ConfigurationSetEventDestination'),
      )[0];
      const table = Object.values(template.findResources('AWS::DynamoDB::Table'))[0];
      expect(table?.Properties.TableName).toBeUndefined();
      return [set?.Properties.Name, destination?.Properties.EventDestination.Name];
    });
    expect(names).toEqual([
      ['Blue', 'Blue-sns'],
      ['Green', 'Green-sns'],
    ]);
  });

  it('outputs the configuration set name senders must use', () => {
    const { stack, template } = defaults;
    expect(template.findOutputs('ConfigurationSetName').ConfigurationSetName?.Value).toEqual({
      Ref: logicalId(stack, stack.parts.sesWiring.configurationSet),
    });
  });
});

describe('existing topic region', () => {
  it('fails synth when the topic is in another region than the stack', () => {
    expect(() =>
      synthesize({ existingTopicArn: `arn:aws:sns:us-east-1:${TEST_ENV.account}:feedback` }),
    ).toThrow(InvalidSettingError);
    expect(() =>
      synthesize({ existingTopicArn: `arn:aws:sns:us-east-1:${TEST_ENV.account}:feedback` }),
    ).toThrow(/existingTopicArn: the topic is in us-east-1 but the stack deploys to eu-west-1/);
  });

  it('accepts a topic of the stack region', () => {
    expect(() =>
      synthesize({ existingTopicArn: `arn:aws:sns:${TEST_ENV.region}:${TEST_ENV.account}:feedback` }),
    ).not.toThrow();
  });

  it('adds a template rule on the region when the stack is environment-agnostic', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new SesBounceProcessorStack(app, 'Agnostic', {
      settings: resolveSettings({ existingTopicArn: `arn:aws:sns:us-east-1:${TEST_ENV.account}:feedback` }),
    });
    const rules = Template.fromStack(stack).toJSON().Rules as Record<string, unknown>;
    expect(Object.values(rules)).toContainEqual({
      Assertions: [
        {
          Assert: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
          AssertDescription: expect.stringContaining('deploy the stack to that region'),
        },
      ],
    });
  });
});

describe('query API', () => {
  it('is a regional endpoint', () => {
    defaults.template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
  });

  it('logs the concrete path, the caller and the error of every request', () => {
    const stage = Object.values(defaults.template.findResources('AWS::ApiGateway::Stage'))[0];
    const format = JSON.parse(stage?.Properties.AccessLogSetting.Format);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      httpMethod: '$context.httpMethod',
      resourcePath: '$context.resourcePath',
      path: '$context.path',
      status: '$context.status',
      userArn: '$context.identity.userArn',
      caller: '$context.identity.caller',
      cognitoSubject: '$context.authorizer.claims.sub',
      errorMessage: '$context.error.message',
      errorType: '$context.error.responseType',
    });
  });

  it("gives API Gateway's own 4XX/5XX the API's error body, and CORS headers with CORS on", () => {
    defaults.template.resourceCountIs('AWS::ApiGateway::GatewayResponse', 2);
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
      defaults.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        ResponseParameters: { 'gatewayresponse.header.Content-Type': "'application/json'" },
        ResponseTemplates: {
          'application/json':
            '{"error":{"code":"$context.error.responseType","message":$context.error.messageString,"field":null}}',
        },
      });
    }
    const { template } = synthesize({ apiCorsAllowOrigins: 'https://admin.example.com' });
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        ResponseParameters: {
          'gatewayresponse.header.Content-Type': "'application/json'",
          'gatewayresponse.header.Access-Control-Allow-Origin': "'https://admin.example.com'",
          'gatewayresponse.header.Vary': "'Origin'",
        },
      });
    }
  });

  it('echoes the Origin on gateway responses when several origins are allowed', () => {
    const { template } = synthesize({ apiCorsAllowOrigins: 'https://a.example.com,https://b.example.com' });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'DEFAULT_4XX',
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.Origin',
      }),
    });
  });
});
