// Points SES at the notification topic: a configuration set (created or existing) with an SNS event destination
// for bounce, complaint and (unless turned off) delivery only, and optionally the identity notifications of given identities.
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  ConfigurationSet,
  ConfigurationSetEventDestination,
  EmailSendingEvent,
  EventDestination,
  type IConfigurationSet,
} from 'aws-cdk-lib/aws-ses';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { AwsCustomResource, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
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
    const logGroup = new LogGroup(this, 'IdentityNotificationCallLogs', {
      retention: props.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // One role for all calls (instead of a policy per custom resource, which would outgrow IAM's inline-policy
    // size limit with a few identities): the two SES actions on exactly these identities, and its own logs.
    const role = new Role(this, 'IdentityNotificationRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['ses:SetIdentityNotificationTopic', 'ses:SetIdentityHeadersInNotificationsEnabled'],
        resources: identityArns,
      }),
    );
    logGroup.grantWrite(role);
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
          role,
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
          role,
          installLatestAwsSdk: false,
          logGroup,
        });
        headersCall.node.addDependency(topicCall);
      }
    });
  }
}
