// The SNS topic SES publishes bounce/complaint/delivery notifications to: KMS-encrypted with a key SES may use,
// TLS-only, and (via the SES wiring) publishable only by SES of this account. Or an existing topic by ARN.
import { Arn, ArnFormat, Aws, CfnRule, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Construct, type IDependable } from 'constructs';
import { InvalidSettingError } from '../props.ts';

export interface NotificationTopicProps {
  /** Use this topic instead of creating one; its key and policy stay under the owner's control. */
  readonly existingTopicArn?: string | undefined;
}

const SES = 'ses.amazonaws.com';

export class NotificationTopic extends Construct {
  readonly topic: ITopic;
  /** The customer-managed key of the created topic; undefined for an existing topic. */
  readonly key: Key | undefined;

  constructor(scope: Construct, id: string, props: NotificationTopicProps = {}) {
    super(scope, id);
    if (props.existingTopicArn !== undefined) {
      this.requireStackRegion(props.existingTopicArn);
      this.topic = Topic.fromTopicArn(this, 'Topic', props.existingTopicArn);
      this.key = undefined;
      return;
    }
    const account = Stack.of(this).account;
    this.key = new Key(this, 'Key', {
      description: 'Encrypts the SES feedback topic (bounce, complaint, delivery notifications)',
      enableKeyRotation: true,
      // Only the topic (transient messages) uses it: schedule its deletion with the stack (30-day waiting period).
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // SES publishes into the encrypted topic, so it must be able to create and use data keys of this CMK;
    // CDK does not add this for a topic's masterKey (see docs/reference: "KMS-encrypted topic").
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowSesOfThisAccountToPublishToTheEncryptedTopic',
        principals: [new ServicePrincipal(SES)],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
    this.topic = new Topic(this, 'Topic', {
      displayName: 'SES bounce, complaint and delivery notifications',
      masterKey: this.key,
      enforceSSL: true,
    });
  }

  // SES publishes only to topics in its own region (the region the stack deploys to): refuse another region at
  // synth when the stack's region is known, and at deploy time (a template rule) when it is not. A topic ARN that is
  // a token (a topic of the same app) has no region to compare until deploy time, and a template rule may not split
  // it (CloudFormation allows no Fn::Split in Rules): a topic of the same stack is in the stack's region anyway.
  private requireStackRegion(topicArn: string): void {
    if (Token.isUnresolved(topicArn)) return;
    const topicRegion = Arn.split(topicArn, ArnFormat.NO_RESOURCE_NAME).region ?? '';
    const stackRegion = Stack.of(this).region;
    if (!Token.isUnresolved(stackRegion)) {
      if (topicRegion !== stackRegion) {
        throw new InvalidSettingError(
          `existingTopicArn: the topic is in ${topicRegion} but the stack deploys to ${stackRegion}; SES publishes only to topics in its own region.`,
        );
      }
      return;
    }
    new CfnRule(this, 'ExistingTopicInStackRegion', {
      assertions: [
        {
          assert: Fn.conditionEquals(Aws.REGION, topicRegion),
          assertDescription: `existingTopicArn is in ${topicRegion}: deploy the stack to that region (SES publishes only to topics in its own region).`,
        },
      ],
    });
  }

  /**
   * Lets SES publish identity notifications of the given identity ARNs (configuration-set destinations add their
   * own statement). Returns the topic policy to depend on, or undefined for an existing topic.
   */
  allowSesIdentities(identityArns: readonly string[]): IDependable | undefined {
    if (identityArns.length === 0) return undefined;
    const result = this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowSesIdentityNotificationsOfThisAccount',
        principals: [new ServicePrincipal(SES)],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account, 'aws:SourceArn': [...identityArns] },
        },
      }),
    );
    return result.policyDependable;
  }
}
