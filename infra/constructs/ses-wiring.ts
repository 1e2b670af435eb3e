// Points SES at the notification topic: a configuration set (created or existing) with an SNS event destination
// for bounce, complaint and (unless turned off) delivery only, and optionally the identity notifications of given identities.
import { CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import {
  ConfigurationSet,
  ConfigurationSetEventDestination,
  EmailSendingEvent,
  EventDestination,
  type IConfigurationSet,
} from 'aws-cdk-lib/aws-ses';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct, type IDependable } from 'constructs';
import { BounceFunction, type PowertoolsSettings } from './bounce-function.ts';
import { nagTokenString } from './nag-ids.ts';

/**
 * SES v1 actions of the identity-notification handler (infra/handlers/identity-notifications.ts): read what the
 * identity had, point it at the topic, include headers, restore on delete. None of the three defines a resource type
 * in the Service Authorization Reference (Amazon SES), so IAM only matches them with `Resource: "*"`; a statement
 * naming the identity ARN is never matched and the custom resource would fail with AccessDenied.
 */
const IDENTITY_NOTIFICATION_ACTIONS = [
  'ses:GetIdentityNotificationAttributes',
  'ses:SetIdentityNotificationTopic',
  'ses:SetIdentityHeadersInNotificationsEnabled',
];

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
  /** Name of the SNS event destination in the set (unique per stack, so two stacks can share an existing set). */
  readonly eventDestinationName: string;
  readonly useExistingConfigurationSet: boolean;
  readonly publishDeliveryEvents: boolean;
  /** Verified identities (domain or address) whose identity notifications should go to the topic. */
  readonly notificationIdentities: readonly string[];
  /** Grants SES publish for the identities on the topic; returns the policy to depend on. */
  readonly allowSesIdentities: (identityArns: readonly string[]) => IDependable | undefined;
  readonly powertools: PowertoolsSettings;
}

export class SesWiring extends Construct {
  readonly configurationSet: IConfigurationSet;
  readonly eventDestination: ConfigurationSetEventDestination;
  /** The function behind the identity-notification custom resources; undefined without identities. */
  identityNotificationFunction: BounceFunction | undefined = undefined;

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
      configurationSetEventDestinationName: props.eventDestinationName,
      destination: EventDestination.snsTopic(props.topic),
      events: this.feedbackTypes.map((type) => type.event),
    });
    if (props.notificationIdentities.length > 0) {
      this.wireIdentityNotifications(props);
    }
  }

  // There is no CloudFormation resource for identity notifications: one custom resource per identity and type,
  // served by our handler through CDK's provider framework; the identities it touches are the ones in its events.
  private wireIdentityNotifications(props: SesWiringProps): void {
    const stack = Stack.of(this);
    const identityArn = (identity: string) =>
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity });
    const identityArns = props.notificationIdentities.map(identityArn);
    const topicPolicy = props.allowSesIdentities(identityArns);
    const handler = new BounceFunction(this, 'IdentityNotifications', {
      code: 'identity-notifications',
      description: "Points SES identities' notifications at the topic and restores them on delete",
      powertools: props.powertools,
      timeout: Duration.minutes(1),
      memorySize: 128,
    });
    this.identityNotificationFunction = handler;
    handler.function.addToRolePolicy(
      new PolicyStatement({ actions: IDENTITY_NOTIFICATION_ACTIONS, resources: ['*'] }),
    );
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'SES v1 GetIdentityNotificationAttributes, SetIdentityNotificationTopic and ' +
        'SetIdentityHeadersInNotificationsEnabled define no resource type (Service Authorization Reference, Amazon ' +
        'SES), so IAM only accepts "*"; the handler changes only the identities named in its custom resources.',
    });
    const frameworkLogs = new LogGroup(this, 'IdentityNotificationProviderLogs', {
      retention: props.powertools.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // The framework's own role: invoke the handler and write its log group, nothing else.
    const frameworkRole = new Role(this, 'IdentityNotificationProviderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    });
    frameworkLogs.grantWrite(frameworkRole);
    const provider = new Provider(this, 'IdentityNotificationProvider', {
      onEventHandler: handler.function,
      frameworkOnEventRole: frameworkRole,
      logGroup: frameworkLogs,
    });
    Validations.of(frameworkRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagTokenString(stack.resolve(handler.function.functionArn))}:*]`,
      reason:
        "CDK's provider framework grants lambda:InvokeFunction on the handler's ARN and its versions/aliases " +
        '(`<arn>:*`); the wildcard stands for qualifiers of that one function only.',
    });
    props.notificationIdentities.forEach((identity, index) => {
      for (const { notification: type } of this.feedbackTypes) {
        const resource = new CustomResource(this, `Identity${index}${type}`, {
          serviceToken: provider.serviceToken,
          resourceType: 'Custom::SesIdentityNotification',
          properties: { Identity: identity, NotificationType: type, TopicArn: props.topic.topicArn },
        });
        if (topicPolicy !== undefined) resource.node.addDependency(topicPolicy);
      }
    });
  }
}
