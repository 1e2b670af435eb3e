// The SesBounceProcessor construct in someone else's stack: typed props validated as the context settings are, CDK
// tokens accepted where a setting names another resource of the app, two instances side by side, and the public
// members are the template's resources.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { SesBounceProcessor } from '../../infra/construct.ts';
import { DEFAULT_SETTINGS, InvalidSettingError } from '../../infra/props.ts';
import { logicalId, TEST_ENV } from '../support/synth.ts';

function defined<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a member');
  return value;
}

function appStack(env: { account: string; region: string } | undefined = TEST_ENV): Stack {
  return new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Mailing', { env });
}

describe('SesBounceProcessor props', () => {
  it('default to the documented settings', () => {
    const bounces = new SesBounceProcessor(appStack(), 'Bounces');
    expect(bounces.settings).toEqual(DEFAULT_SETTINGS);
  });

  it('throw InvalidSettingError naming every bad setting', () => {
    const create = () =>
      new SesBounceProcessor(appStack(), 'Bounces', { softBounceThreshold: 101, alarmEmail: 'nobody' });
    expect(create).toThrow(InvalidSettingError);
    expect(create).toThrow(/softBounceThreshold[\s\S]*alarmEmail/);
  });

  it('check the Cognito authorization like the context settings', () => {
    expect(
      () =>
        new SesBounceProcessor(appStack(), 'Bounces', {
          apiAuthorization: {
            type: 'cognito',
            userPoolArn: `arn:aws:cognito-idp:${TEST_ENV.region}:${TEST_ENV.account}:userpool/${TEST_ENV.region}_AbC`,
            scopes: ['bounces/read'],
            adminScopes: [],
          },
        }),
    ).toThrow(/apiCognitoAdminScopes/);
  });

  it('accept a topic of the same app by token', () => {
    const stack = appStack();
    const topic = new Topic(stack, 'Feedback');
    const bounces = new SesBounceProcessor(stack, 'Bounces', { existingTopicArn: topic.topicArn });
    const template = Template.fromStack(stack);
    expect(stack.resolve(bounces.topic.topicArn)).toEqual({ Ref: logicalId(stack, topic) });
    template.resourceCountIs('AWS::SNS::Topic', 2); // the app's and the alarm topic
    // No region rule: CloudFormation allows no Fn::Split (the token ARN's region) in template rules.
    const rules = Object.keys(template.toJSON().Rules ?? {});
    expect(rules.filter((rule) => rule.includes('ExistingTopicInStackRegion'))).toEqual([]);
  });
});

describe('SesBounceProcessor in a stack', () => {
  it('exposes the table, topic, queues, functions and API of the template', () => {
    const stack = appStack();
    const bounces = new SesBounceProcessor(stack, 'Bounces');
    const template = Template.fromStack(stack);
    const ids = (type: string) => Object.keys(template.findResources(type)).sort();
    expect(ids('AWS::DynamoDB::Table')).toEqual([logicalId(stack, bounces.table)]);
    expect(ids('AWS::ApiGateway::RestApi')).toEqual([logicalId(stack, bounces.api)]);
    expect(ids('AWS::SQS::Queue')).toEqual(
      [
        bounces.notificationQueue,
        bounces.notificationDeadLetterQueue,
        bounces.suppressionQueue,
        bounces.suppressionDeadLetterQueue,
        defined(bounces.eventsFailureQueue),
        bounces.countersFailureQueue,
      ]
        .map((queue) => logicalId(stack, queue))
        .sort(),
    );
    expect(ids('AWS::Lambda::Function')).toEqual(
      [
        bounces.processorFunction,
        bounces.suppressionWorkerFunction,
        bounces.queryFunction,
        defined(bounces.eventsPublisherFunction),
        bounces.counterRollupFunction,
      ]
        .map((fn) => logicalId(stack, fn))
        .sort(),
    );
    expect(stack.resolve(bounces.topic.topicArn)).toEqual({
      Ref: logicalId(stack, bounces.parts.notifications.topic),
    });
  });

  it('has no events publisher or failure queue with eventBus none; the stream stays for the counter rollup', () => {
    const stack = appStack();
    const bounces = new SesBounceProcessor(stack, 'Bounces', { eventBus: 'none' });
    const template = Template.fromStack(stack);
    expect(bounces.eventsPublisherFunction).toBeUndefined();
    expect(bounces.eventsFailureQueue).toBeUndefined();
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 3);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack, bounces.counterRollupFunction) },
      TumblingWindowInSeconds: 300,
      MaximumBatchingWindowInSeconds: 300,
      ParallelizationFactor: 1,
      StartingPosition: 'TRIM_HORIZON',
    });
  });

  it('names its SES resources after the stack and its path, so two instances never collide', () => {
    const stack = appStack();
    new SesBounceProcessor(stack, 'Bounces');
    new SesBounceProcessor(stack, 'Marketing');
    const template = Template.fromStack(stack);
    const names = (type: string, property: string) =>
      Object.values(template.findResources(type)).map((resource) => resource.Properties[property]);
    expect(names('AWS::SES::ConfigurationSet', 'Name').sort()).toEqual([
      'Mailing-Bounces',
      'Mailing-Marketing',
    ]);
    expect(
      names('AWS::SES::ConfigurationSetEventDestination', 'EventDestination')
        .map((d) => d.Name)
        .sort(),
    ).toEqual(['Mailing-Bounces-sns', 'Mailing-Marketing-sns']);
  });
});
