// The whole system as one construct, for any CDK app: the notification topic, SES wiring, table, processor,
// suppression worker, query API and observability, each function granted exactly the actions it needs on exactly
// its resources. The standalone stack (infra/stack.ts) is this construct plus the outputs the operator reads.
import { Stack, Validations } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { type ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConfigurationSet } from 'aws-cdk-lib/aws-ses';
import type { ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  type EventIndexPlan,
  eventIndexPlan,
  tableDefinition,
} from '../lambdas/adapters/table-definition.ts';
import { defaultRecipientRetentionDays, environmentOf, SETTING_BOUNDS } from '../lambdas/config.ts';
import type { PowertoolsSettings } from './constructs/bounce-function.ts';
import { CounterRollup } from './constructs/counter-rollup.ts';
import { EventsPublisher } from './constructs/events-publisher.ts';
import { NotificationTopic } from './constructs/notifications.ts';
import { Observability, type ProcessorTelemetry } from './constructs/observability.ts';
import { NotificationProcessor } from './constructs/processor.ts';
import { QueryApi } from './constructs/query-api.ts';
import { SesWiring } from './constructs/ses-wiring.ts';
import { BounceStore } from './constructs/store.ts';
import { SuppressionWorker } from './constructs/suppression.ts';
import { resolveProps, type SesBounceProcessorSettings } from './props.ts';

/**
 * The settings of infra/README.md ("Settings"), each optional with the default documented there. Invalid values
 * throw InvalidSettingError at synth, naming every bad setting. String settings may be CDK tokens (e.g. another
 * construct's `topicArn`).
 */
export interface SesBounceProcessorProps extends Partial<SesBounceProcessorSettings> {}

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
 * only), the event/summary/counter transaction (with its check for an erasure tombstone).
 * Worker: summary GetItem, conditional summary update and audit event. Query API: reads incl. indexes, and the
 * writes of reactivation (audit event, summary), erasure (BatchWriteItem deletes) and the allowlist.
 */
/** The table actions of each function: what its calls need at the stage of the event indexes. */
function tableActions(plan: EventIndexPlan) {
  return {
    processor: [
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      // The erasure-tombstone check of each event's transaction (stages before v2; then the pointer's Put).
      ...(plan.tombstones ? ['dynamodb:ConditionCheckItem'] : []),
    ],
    worker: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    query: [
      'dynamodb:GetItem',
      // A list page's items, read whole after the index (byTime2, byDomain2) found them.
      ...(plan.listIndexesV2 ? ['dynamodb:BatchGetItem'] : []),
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ],
  };
}

/** SESv2 actions of the query function: read SES's entry for a recipient and remove it on reactivation. */
const QUERY_SES_ACTIONS = ['ses:GetSuppressedDestination', 'ses:DeleteSuppressedDestination'];

/** The building blocks, for what the resources below do not reach (e.g. the identity-notification handler). */
export interface SesBounceProcessorParts {
  readonly notifications: NotificationTopic;
  readonly sesWiring: SesWiring;
  readonly store: BounceStore;
  readonly processor: NotificationProcessor;
  readonly suppression: SuppressionWorker;
  readonly queryApi: QueryApi;
  /** Undefined with `eventBus` `none`. */
  readonly eventsPublisher: EventsPublisher | undefined;
  /** Sums the daily counters from the table stream. */
  readonly counterRollup: CounterRollup;
  readonly observability: Observability;
}

export class SesBounceProcessor extends Construct {
  /** The settings in effect: the props over the defaults, validated. */
  readonly settings: SesBounceProcessorSettings;
  /** The one DynamoDB table (events, recipient summaries, allowlist); retained when the stack is deleted. */
  readonly table: Table;
  /** The SNS topic SES publishes feedback to (the created one, or `existingTopicArn`'s). */
  readonly topic: ITopic;
  /** The SES configuration set to send with (created, or the existing one named by the settings). */
  readonly configurationSet: IConfigurationSet;
  /** SNS → SQS queue the processor reads. */
  readonly notificationQueue: Queue;
  /** Notifications the processor gave up on, and those SNS could not deliver (`ses-bounce redrive`). */
  readonly notificationDeadLetterQueue: Queue;
  /** Suppression-list changes waiting for the worker. */
  readonly suppressionQueue: Queue;
  /** Suppression-list changes the worker gave up on. */
  readonly suppressionDeadLetterQueue: Queue;
  /** Classifies and records notifications, requests suppressions. */
  readonly processorFunction: LambdaFunction;
  /** Applies suppression-list changes to SES at the configured rate. */
  readonly suppressionWorkerFunction: LambdaFunction;
  /** Serves the query API. */
  readonly queryFunction: LambdaFunction;
  /** Publishes state-change events from the table stream to EventBridge (docs/events.md); undefined with `none`. */
  readonly eventsPublisherFunction: LambdaFunction | undefined;
  /** Stream positions of event batches the publisher gave up on; undefined with `eventBus` `none`. */
  readonly eventsFailureQueue: Queue | undefined;
  /** Sums the daily counters from the table stream (docs/data-model.md, "Daily counters"). */
  readonly counterRollupFunction: LambdaFunction;
  /** Stream positions of record batches the counter rollup gave up on (the counters miss them). */
  readonly countersFailureQueue: Queue;
  /** The query API (REST, stage `v1`); add routes, WAF or a custom domain here. */
  readonly api: RestApi;
  /**
   * Managed policies for API callers with `apiAuthorization` `iam`: `read` (GET, POST /classify) and `admin`
   * (reactivate, erase, allowlist); undefined with Cognito.
   */
  readonly apiCallerPolicies: { readonly read: ManagedPolicy; readonly admin: ManagedPolicy } | undefined;
  /** The topic every alarm notifies; subscribe your pager or chat here. */
  readonly alarmTopic: Topic;
  readonly dashboard: Dashboard;
  readonly parts: SesBounceProcessorParts;

  constructor(scope: Construct, id: string, props: SesBounceProcessorProps = {}) {
    super(scope, id);
    const settings = resolveProps(props);
    this.settings = settings;
    const powertools: PowertoolsSettings = {
      serviceName: settings.serviceName,
      metricsNamespace: settings.metricsNamespace,
      logLevel: settings.logLevel,
      logRetentionDays: settings.logRetentionDays,
    };
    const sesNameBase = this.sesNameBase();

    const notifications = new NotificationTopic(this, 'Notifications', {
      existingTopicArn: settings.existingTopicArn,
    });
    const sesWiring = new SesWiring(this, 'SesWiring', {
      topic: notifications.topic,
      // Names SES needs are derived from the stack name (unique per account and region), so a second stack, or
      // a redeploy after destroy, never collides with the first; everything else is named by CloudFormation.
      configurationSetName: settings.configurationSetName ?? sesName(sesNameBase),
      eventDestinationName: sesName(`${sesNameBase}-sns`),
      useExistingConfigurationSet: settings.useExistingConfigurationSet,
      publishDeliveryEvents: settings.publishDeliveryEvents,
      notificationIdentities: settings.notificationIdentities,
      allowSesIdentities: (arns) => notifications.allowSesIdentities(arns),
      powertools,
    });
    const plan = eventIndexPlan(settings.eventIndexes);
    const actions = tableActions(plan);
    const store = new BounceStore(this, 'Store', {
      tableName: settings.tableName,
      definition: tableDefinition(settings.eventIndexes),
      deletionProtection: settings.tableDeletionProtection,
      // The counter rollup reads it always; the events publisher when there is a bus.
      stream: true,
    });
    const counterRollup = new CounterRollup(this, 'Counters', {
      store,
      powertools,
      eventRetentionDays: settings.eventRetentionDays,
      window: settings.counterRollupWindow,
    });
    const eventsPublisher =
      settings.eventBus === 'none'
        ? undefined
        : new EventsPublisher(this, 'Events', { store, eventBus: settings.eventBus, powertools });

    const recipientRetentionDays = settings.recipientRetentionDays ?? defaultRecipientRetentionDays(settings);
    // Every variable below is named and parsed by lambdas/config.ts; `bindTable` sets TABLE_NAME with its grant.
    const suppression = new SuppressionWorker(this, 'Suppression', {
      powertools,
      environment: environmentOf({ dryRun: settings.dryRun, eventIndexes: settings.eventIndexes }),
      ratePerSecond: settings.suppressionRatePerSecond,
    });
    const processor = new NotificationProcessor(this, 'Processor', {
      topic: notifications.topic,
      powertools,
      suppressionQueue: suppression.queue,
      environment: environmentOf({
        eventRetentionDays: settings.eventRetentionDays,
        recipientRetentionDays,
        deliveryHistory: settings.deliveryHistory,
        eventIndexes: settings.eventIndexes,
        // A whole batch at once (up to 100 records): its counted deliveries then share one transaction.
        recordsAtOnce: Math.min(settings.processorBatchSize, SETTING_BOUNDS.recordsAtOnce.max),
        softBounceThreshold: settings.softBounceThreshold,
        softBounceWindowDays: settings.softBounceWindowDays,
        suppressOnComplaint: settings.suppressOnComplaint,
        repairSesFalseSuppressions: settings.repairSesFalseSuppressions,
        dryRun: settings.dryRun,
      }),
      maxConcurrency: settings.processorMaxConcurrency,
      batchSize: settings.processorBatchSize,
      maxBatchingWindow: settings.processorMaxBatchingWindow,
      maxReceiveCount: settings.notificationMaxReceiveCount,
    });
    const queryApi = new QueryApi(this, 'QueryApi', {
      powertools,
      // CURSOR_SIGNING_SECRET stays unset: cursors are then bound to their query by a digest, and no secret has to
      // live in the function's environment.
      environment: environmentOf({
        eventRetentionDays: settings.eventRetentionDays,
        eventIndexes: settings.eventIndexes,
        recipientRetentionDays,
      }),
      authorization: settings.apiAuthorization,
      throttleRateLimit: settings.apiThrottleRateLimit,
      throttleBurstLimit: settings.apiThrottleBurstLimit,
      corsAllowOrigins: settings.apiCorsAllowOrigins,
    });

    processor.function.bindTable(store, actions.processor, { queryIndexes: [] });
    suppression.function.bindTable(store, actions.worker, { queryIndexes: [] });
    // Only the indexes the stage reads: the list indexes, and byId until pointers replace it (its fallback after).
    queryApi.function.bindTable(store, actions.query, { queryIndexes: plan.readIndexes });
    const queryFunction = queryApi.function.function;
    queryFunction.addToRolePolicy(new PolicyStatement({ actions: QUERY_SES_ACTIONS, resources: ['*'] }));
    Validations.of(queryApi.function).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'SESv2 GetSuppressedDestination/DeleteSuppressedDestination name only an optional tenant resource type ' +
        '(tenant suppression lists); the account suppression list is not an ARN, so IAM only accepts "*"; the ' +
        'two actions are exact.',
    });

    const observability = new Observability(this, 'Observability', {
      metricsNamespace: settings.metricsNamespace,
      serviceName: settings.serviceName,
      telemetry: PROCESSOR_TELEMETRY,
      processorLogGroup: processor.function.logGroup,
      deadLetterQueues: {
        Notification: processor.deadLetterQueue,
        Suppression: suppression.deadLetterQueue,
      },
      suppressionQueue: suppression.queue,
      processor: processor.function.function,
      worker: suppression.function.function,
      queryFunction,
      counterRollup: {
        function: counterRollup.function.function,
        failureQueue: counterRollup.failureQueue,
      },
      ...(eventsPublisher
        ? {
            eventsPublisher: {
              function: eventsPublisher.function.function,
              failureQueue: eventsPublisher.failureQueue,
            },
          }
        : {}),
      hardBounceRateThreshold: settings.alarmHardBounceRate,
      complaintRateThreshold: settings.alarmComplaintRate,
      rateMinimumVolume: settings.alarmRateMinimumVolume,
      deliveriesPublished: settings.publishDeliveryEvents,
      alarmEmail: settings.alarmEmail,
    });

    this.parts = {
      notifications,
      sesWiring,
      store,
      processor,
      suppression,
      queryApi,
      eventsPublisher,
      counterRollup,
      observability,
    };
    this.table = store.table;
    this.topic = notifications.topic;
    this.configurationSet = sesWiring.configurationSet;
    this.notificationQueue = processor.queue;
    this.notificationDeadLetterQueue = processor.deadLetterQueue;
    this.suppressionQueue = suppression.queue;
    this.suppressionDeadLetterQueue = suppression.deadLetterQueue;
    this.processorFunction = processor.function.function;
    this.suppressionWorkerFunction = suppression.function.function;
    this.queryFunction = queryFunction;
    this.eventsPublisherFunction = eventsPublisher?.function.function;
    this.eventsFailureQueue = eventsPublisher?.failureQueue;
    this.counterRollupFunction = counterRollup.function.function;
    this.countersFailureQueue = counterRollup.failureQueue;
    this.api = queryApi.api;
    this.apiCallerPolicies = queryApi.callerPolicies;
    this.alarmTopic = observability.alarmTopic;
    this.dashboard = observability.dashboard;
  }

  /**
   * The stack name, plus this construct's path inside the stack unless its id is `Default` (the standalone stack's
   * one instance), so two instances in one stack never share an SES name.
   */
  private sesNameBase(): string {
    const stack = Stack.of(this);
    const path = this.node.scopes
      .slice(this.node.scopes.indexOf(stack) + 1)
      .map((scope) => scope.node.id)
      .filter((scopeId) => scopeId !== 'Default');
    return [stack.stackName, ...path].join('-');
  }
}

/** SES names (configuration sets, event destinations): letters, digits, `_` and `-`, at most 64 characters. */
function sesName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
}
