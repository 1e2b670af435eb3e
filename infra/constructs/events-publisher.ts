// State-change events out (docs/events.md): the table's stream (NEW_AND_OLD_IMAGES) feeds the events publisher,
// which puts the events on the configured bus. A batch it cannot publish is retried (bisected to isolate the
// record), then its stream position goes to the failure queue; the state change itself is committed before any of
// this, so publishing can neither lose nor block it.
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PUBLISHER_STREAM_FILTERS } from '../../lambdas/adapters/stream-sources.ts';
import { environmentOf } from '../../lambdas/config.ts';
import { BounceFunction, type PowertoolsSettings } from './bounce-function.ts';
import type { BounceStore } from './store.ts';

/** DynamoDB actions of the publisher: the consistent Query that reads a suppression's cause event. */
const PUBLISHER_TABLE_ACTIONS = ['dynamodb:Query'] as const;

/** Stream records per invocation. */
const PUBLISHER_BATCH_SIZE = 100;
/** Retries of a failing batch (bisected each time) before its position goes to the failure queue. */
const PUBLISHER_RETRY_ATTEMPTS = 10;

export interface EventsPublisherProps {
  readonly store: BounceStore;
  /** `default` or an event bus ARN. */
  readonly eventBus: string;
  readonly powertools: PowertoolsSettings;
}

export class EventsPublisher extends Construct {
  readonly function: BounceFunction;
  /** Stream positions of the batches the publisher gave up on (re-publish within the stream's 24 hours). */
  readonly failureQueue: Queue;
  /** The ARN of the bus the events go to. */
  readonly eventBusArn: string;

  constructor(scope: Construct, id: string, props: EventsPublisherProps) {
    super(scope, id);
    this.eventBusArn =
      props.eventBus === 'default'
        ? Stack.of(this).formatArn({
            service: 'events',
            resource: 'event-bus',
            resourceName: 'default',
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          })
        : props.eventBus;
    this.failureQueue = new Queue(this, 'FailureQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.function = new BounceFunction(this, 'Publisher', {
      code: 'events-publisher',
      description: 'Publishes state-change events from the table stream to EventBridge',
      powertools: props.powertools,
      // PutEvents retries within the invocation stay well under a minute.
      timeout: Duration.seconds(60),
      memorySize: 256,
      // PutEvents' EventBusName takes the name or the ARN; an ARN also reaches a bus of another account.
      environment: environmentOf({ eventBus: props.eventBus }),
    });
    this.function.bindTable(props.store, PUBLISHER_TABLE_ACTIONS, { queryIndexes: [] });
    const fn = this.function.function;
    fn.addEventSource(
      new DynamoEventSource(props.store.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: PUBLISHER_BATCH_SIZE,
        bisectBatchOnError: true,
        retryAttempts: PUBLISHER_RETRY_ATTEMPTS,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.failureQueue),
        filters: PUBLISHER_STREAM_FILTERS.map((pattern) => FilterCriteria.filter({ ...pattern })),
      }),
    );
    fn.addToRolePolicy(new PolicyStatement({ actions: ['events:PutEvents'], resources: [this.eventBusArn] }));
    acknowledgeStreamPoller(this.function, this.failureQueue);
  }
}

/** What cdk-nag reports of every stream consumer here, and why it is right. */
export function acknowledgeStreamPoller(fn: BounceFunction, failureQueue: Queue): void {
  Validations.of(failureQueue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      "This queue is the stream event source's on-failure destination: it is itself where failed records are " +
      'parked (14 days), read by an operator, never consumed by a function that could fail on it.',
  });
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'dynamodb:ListStreams, granted by the DynamoDB event source for the Lambda poller, defines no resource ' +
      'type, so IAM only accepts "*"; every other stream action is on the table\'s stream ARN.',
  });
}
