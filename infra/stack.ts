// The one stack: composes the notification topic, SES wiring, table, processor, suppression worker, query API and
// observability, and grants each function exactly the actions it needs on exactly its resources.
import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { environmentOf } from '../lambdas/config.ts';
import type { PowertoolsSettings } from './constructs/bounce-function.ts';
import { NotificationTopic } from './constructs/notifications.ts';
import { Observability, type ProcessorTelemetry } from './constructs/observability.ts';
import { NotificationProcessor } from './constructs/processor.ts';
import { QueryApi } from './constructs/query-api.ts';
import { SesWiring } from './constructs/ses-wiring.ts';
import { BounceStore } from './constructs/store.ts';
import { SuppressionWorker } from './constructs/suppression.ts';
import type { SesBounceProcessorSettings } from './props.ts';

export interface SesBounceProcessorStackProps extends StackProps {
  readonly settings: SesBounceProcessorSettings;
}

/** What the processor emits (lambdas/adapters/processor-lambda.ts); the alarms and dashboard read it. */
export const PROCESSOR_TELEMETRY: ProcessorTelemetry = {
  eventsRecorded: 'EventsRecorded',
  typeDimension: 'type',
  bouncesClassified: 'BouncesClassified',
  verdictDimension: 'verdict',
  categoryDimension: 'category',
  eventLogMessage: 'event recorded',
};

/**
 * DynamoDB actions per function, from the commands each one sends (TransactWriteItems is authorized per item
 * action). Processor: summary GetItem and BatchGetItem (summaries of a batch read at once), allowlist Query (table
 * only), the event/summary/counter transaction.
 * Worker: summary GetItem, conditional summary update and audit event. Query API: reads incl. indexes, and the
 * writes of reactivation (audit event, summary), erasure (BatchWriteItem deletes) and the allowlist.
 */
export const TABLE_ACTIONS = {
  processor: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
  ],
  worker: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  query: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
} as const;

/** SESv2 actions of the query function: read SES's entry for a recipient and remove it on reactivation. */
export const QUERY_SES_ACTIONS = ['ses:GetSuppressedDestination', 'ses:DeleteSuppressedDestination'];

export class SesBounceProcessorStack extends Stack {
  readonly notifications: NotificationTopic;
  readonly sesWiring: SesWiring;
  readonly store: BounceStore;
  readonly processor: NotificationProcessor;
  readonly suppression: SuppressionWorker;
  readonly queryApi: QueryApi;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: SesBounceProcessorStackProps) {
    super(scope, id, props);
    const settings = props.settings;
    const powertools: PowertoolsSettings = {
      serviceName: settings.serviceName,
      metricsNamespace: settings.metricsNamespace,
      logLevel: settings.logLevel,
      logRetentionDays: settings.logRetentionDays,
    };

    this.notifications = new NotificationTopic(this, 'Notifications', {
      existingTopicArn: settings.existingTopicArn,
    });
    this.sesWiring = new SesWiring(this, 'SesWiring', {
      topic: this.notifications.topic,
      // Names SES needs are derived from the stack name (unique per account and region), so a second stack, or
      // a redeploy after destroy, never collides with the first; everything else is named by CloudFormation.
      configurationSetName: settings.configurationSetName ?? sesName(this.stackName),
      eventDestinationName: sesName(`${this.stackName}-sns`),
      useExistingConfigurationSet: settings.useExistingConfigurationSet,
      publishDeliveryEvents: settings.publishDeliveryEvents,
      notificationIdentities: settings.notificationIdentities,
      allowSesIdentities: (arns) => this.notifications.allowSesIdentities(arns),
      powertools,
    });
    this.store = new BounceStore(this, 'Store', {
      tableName: settings.tableName,
      deletionProtection: settings.tableDeletionProtection,
    });

    // Every variable below is named and parsed by lambdas/config.ts; `bindTable` sets TABLE_NAME with its grant.
    this.suppression = new SuppressionWorker(this, 'Suppression', {
      powertools,
      environment: environmentOf({ dryRun: settings.dryRun }),
      ratePerSecond: settings.suppressionRatePerSecond,
    });
    this.processor = new NotificationProcessor(this, 'Processor', {
      topic: this.notifications.topic,
      powertools,
      suppressionQueue: this.suppression.queue,
      environment: environmentOf({
        eventRetentionDays: settings.eventRetentionDays,
        softBounceThreshold: settings.softBounceThreshold,
        softBounceWindowDays: settings.softBounceWindowDays,
        suppressOnComplaint: settings.suppressOnComplaint,
        repairSesFalseSuppressions: settings.repairSesFalseSuppressions,
        dryRun: settings.dryRun,
      }),
      maxConcurrency: settings.processorMaxConcurrency,
      batchSize: settings.processorBatchSize,
      maxReceiveCount: settings.notificationMaxReceiveCount,
    });
    this.queryApi = new QueryApi(this, 'QueryApi', {
      powertools,
      // CURSOR_SIGNING_SECRET stays unset: cursors are then bound to their query by a digest, and no secret has to
      // live in the function's environment.
      environment: environmentOf({ eventRetentionDays: settings.eventRetentionDays }),
      authorization: settings.apiAuthorization,
      throttleRateLimit: settings.apiThrottleRateLimit,
      throttleBurstLimit: settings.apiThrottleBurstLimit,
      corsAllowOrigins: settings.apiCorsAllowOrigins,
    });

    this.processor.function.bindTable(this.store, TABLE_ACTIONS.processor, { queryIndexes: false });
    this.suppression.function.bindTable(this.store, TABLE_ACTIONS.worker, { queryIndexes: false });
    this.queryApi.function.bindTable(this.store, TABLE_ACTIONS.query, { queryIndexes: true });
    const queryFunction = this.queryApi.function.function;
    queryFunction.addToRolePolicy(new PolicyStatement({ actions: QUERY_SES_ACTIONS, resources: ['*'] }));
    Validations.of(this.queryApi.function).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'SESv2 GetSuppressedDestination/DeleteSuppressedDestination define no resource types (the account ' +
        'suppression list is not an ARN), so IAM only accepts "*"; the two actions are exact.',
    });

    this.observability = new Observability(this, 'Observability', {
      metricsNamespace: settings.metricsNamespace,
      serviceName: settings.serviceName,
      telemetry: PROCESSOR_TELEMETRY,
      processorLogGroup: this.processor.function.logGroup,
      deadLetterQueues: {
        Notification: this.processor.deadLetterQueue,
        Suppression: this.suppression.deadLetterQueue,
      },
      suppressionQueue: this.suppression.queue,
      processor: this.processor.function.function,
      worker: this.suppression.function.function,
      queryFunction,
      hardBounceRateThreshold: settings.alarmHardBounceRate,
      complaintRateThreshold: settings.alarmComplaintRate,
      rateMinimumVolume: settings.alarmRateMinimumVolume,
      deliveriesPublished: settings.publishDeliveryEvents,
      alarmEmail: settings.alarmEmail,
    });

    this.outputs();
  }

  // Outputs the operator needs: where to send mail from, where the API is, and what `ses-bounce redrive` reads.
  private outputs(): void {
    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    output(
      'ConfigurationSetName',
      this.sesWiring.configurationSet.configurationSetName,
      'Send with this SES configuration set',
    );
    output('NotificationTopicArn', this.notifications.topic.topicArn, 'SNS topic SES publishes feedback to');
    output('TableName', this.store.table.tableName, 'DynamoDB table (retained on stack deletion)');
    output('ApiUrl', this.queryApi.api.url, 'Query API base URL');
    if (this.queryApi.callerPolicies !== undefined) {
      const { read, admin } = this.queryApi.callerPolicies;
      output('QueryApiReadPolicyArn', read.managedPolicyArn, 'Attach to roles that read the query API');
      output(
        'QueryApiAdminPolicyArn',
        admin.managedPolicyArn,
        'Attach to roles that may reactivate/erase/allowlist',
      );
    }
    output('NotificationQueueArn', this.processor.queue.queueArn, 'Notification queue');
    output('NotificationDeadLetterQueueArn', this.processor.deadLetterQueue.queueArn, 'Parked notifications');
    output('SuppressionQueueArn', this.suppression.queue.queueArn, 'Suppression queue');
    output(
      'SuppressionDeadLetterQueueArn',
      this.suppression.deadLetterQueue.queueArn,
      'Parked suppression changes',
    );
    output('ProcessorLogGroupName', this.processor.function.logGroup.logGroupName, 'Processor logs');
    output('SuppressionWorkerLogGroupName', this.suppression.function.logGroup.logGroupName, 'Worker logs');
    output('AlarmTopicArn', this.observability.alarmTopic.topicArn, 'Alarm notifications');
    output('DashboardName', this.observability.dashboard.dashboardName, 'CloudWatch dashboard');
  }
}

/** SES names (configuration sets, event destinations): letters, digits, `_` and `-`, at most 64 characters. */
function sesName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
}
