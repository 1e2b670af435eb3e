// Points SES at the notification topic: a configuration set (created or existing) with an SNS event destination
// for bounce, complaint and (unless turned off) delivery only, and optionally the identity notifications of given identities.
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  ConfigurationSet,
  ConfigurationSetEventDestination,
  EmailSendingEvent,
  EventDestination,
  type IConfigurationSet,
} from 'aws-cdk-lib/aws-ses';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct, type IDependable } from 'constructs';

/**
 * Only what the processor records (omitting `events` would publish every type: send/open/click… and cost money),
 * each with its SES v1 identity notification type (SetIdentityNotificationTopic).
 */
const FEEDBACK_TYPES = [
  { event: EmailSendingEvent.BOUNCE, notification: 'Bounce' },
  { event: EmailSendingEvent.COMPLAINT, notification: 'Complaint' },
  { event: EmailSendingEvent.DELIVERY, notification: 'Delivery' },
] as const;

/** Construct id of CDK's AwsCustomResource singleton provider function (fixed in aws-cdk-lib). */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

export interface SesWiringProps {
  readonly topic: ITopic;
  readonly configurationSetName: string;
  readonly useExistingConfigurationSet: boolean;
  readonly publishDeliveryEvents: boolean;
  /** Verified identities (domain or address) whose identity notifications should go to the topic. */
  readonly notificationIdentities: readonly string[];
  /** Grants SES publish for the identities on the topic; returns the policy to depend on. */
  readonly allowSesIdentities: (identityArns: readonly string[]) => IDependable | undefined;
  readonly logRetentionDays: RetentionDays;
}

export class SesWiring extends Construct {
  readonly configurationSet: IConfigurationSet;
  readonly eventDestination: ConfigurationSetEventDestination;

  private readonly feedbackTypes: readonly (typeof FEEDBACK_TYPES)[number][];

  constructor(scope: Construct, id: string, props: SesWiringProps) {
    super(scope, id);
    this.feedbackTypes = FEEDBACK_TYPES.filter(
      (type) => props.publishDeliveryEvents || type.event !== EmailSendingEvent.DELIVERY,
    );
    this.configurationSet = props.useExistingConfigurationSet
      ? ConfigurationSet.fromConfigurationSetName(this, 'ConfigurationSet', props.configurationSetName)
      : new ConfigurationSet(this, 'ConfigurationSet', {
          configurationSetName: props.configurationSetName,
          reputationMetrics: true,
        });
    // CDK adds the topic-policy statement for this set (aws:SourceAccount + aws:SourceArn of the set) and makes
    // the destination depend on the policy.
    this.eventDestination = new ConfigurationSetEventDestination(this, 'SnsDestination', {
      configurationSet: this.configurationSet,
      configurationSetEventDestinationName: 'ses-bounce-processor-sns',
      destination: EventDestination.snsTopic(props.topic),
      events: this.feedbackTypes.map((type) => type.event),
    });
    if (props.notificationIdentities.length > 0) {
      this.wireIdentityNotifications(props);
    }
  }

  // There is no CloudFormation resource for identity notifications: call SES v1 from a custom resource, one call
  // per identity and type, with permission on exactly those identities.
  private wireIdentityNotifications(props: SesWiringProps): void {
    const stack = Stack.of(this);
    const identityArn = (identity: string) =>
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity });
    const identityArns = props.notificationIdentities.map(identityArn);
    const topicPolicy = props.allowSesIdentities(identityArns);
    const policy = AwsCustomResourcePolicy.fromStatements([
      new PolicyStatement({
        actions: ['ses:SetIdentityNotificationTopic', 'ses:SetIdentityHeadersInNotificationsEnabled'],
        resources: identityArns,
      }),
    ]);
    const logGroup = new LogGroup(this, 'IdentityNotificationCallLogs', {
      retention: props.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    props.notificationIdentities.forEach((identity, index) => {
      for (const { notification: type } of this.feedbackTypes) {
        const topicCall = new AwsCustomResource(this, `Identity${index}${type}Topic`, {
          resourceType: 'Custom::SesIdentityNotificationTopic',
          onUpdate: {
            service: 'SES',
            action: 'setIdentityNotificationTopic',
            parameters: { Identity: identity, NotificationType: type, SnsTopic: props.topic.topicArn },
            physicalResourceId: PhysicalResourceId.of(`${identity}-${type}-topic`),
          },
          onDelete: {
            service: 'SES',
            action: 'setIdentityNotificationTopic',
            parameters: { Identity: identity, NotificationType: type },
          },
          policy,
          installLatestAwsSdk: false,
          logGroup,
        });
        if (topicPolicy !== undefined) topicCall.node.addDependency(topicPolicy);
        // Headers can only be enabled once the type has a topic.
        const headersCall = new AwsCustomResource(this, `Identity${index}${type}Headers`, {
          resourceType: 'Custom::SesIdentityNotificationHeaders',
          onUpdate: {
            service: 'SES',
            action: 'setIdentityHeadersInNotificationsEnabled',
            parameters: { Identity: identity, NotificationType: type, Enabled: true },
            physicalResourceId: PhysicalResourceId.of(`${identity}-${type}-headers`),
          },
          policy,
          installLatestAwsSdk: false,
          logGroup,
        });
        headersCall.node.addDependency(topicCall);
      }
    });
    // AwsCustomResource runs every call in one CDK-provided singleton function at stack level.
    const provider = stack.node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
    if (provider !== undefined) {
      Validations.of(provider).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's AwsCustomResource provider (a deploy-time singleton) uses the basic execution role for its logs; " +
          'its SES permissions are the exact identity-notification actions on the exact identity ARNs.',
      });
    }
  }
}
