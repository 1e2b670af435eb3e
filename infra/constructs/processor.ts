// SNS → SQS → processor: the notification queue (encrypted, parked in a dead-letter queue after a few receives; the
// subscription's redrive policy parks what SNS cannot deliver in the same dead-letter queue) and the processor
// function reading the queue with partial batch responses and a bounded concurrency.
import { Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { environmentOf } from '../../lambdas/config.ts';
import { BounceFunction, type PowertoolsSettings } from './bounce-function.ts';
import { QueueWithDeadLetter } from './queues.ts';

/**
 * Processor function timeout; the queue's visibility timeout is six times it plus the batching window (AWS's
 * guidance for SQS sources).
 */
const PROCESSOR_TIMEOUT = Duration.seconds(30);

/**
 * The subscription keeps SNS's envelope (no raw message delivery): the processor's parser reads the SNS
 * MessageId and Timestamp for correlation and recording.
 */
const RAW_MESSAGE_DELIVERY = false;

export interface NotificationProcessorProps {
  readonly topic: ITopic;
  readonly powertools: PowertoolsSettings;
  readonly environment: Readonly<Record<string, string>>;
  /** Where suppression requests go: its URL and the right to send to it are set together. */
  readonly suppressionQueue: IQueue;
  readonly maxConcurrency: number;
  readonly batchSize: number;
  /** Seconds the event source gathers messages before it invokes the function. */
  readonly maxBatchingWindow: number;
  readonly maxReceiveCount: number;
}

export class NotificationProcessor extends Construct {
  readonly queue: Queue;
  /**
   * Messages the processor failed `maxReceiveCount` times, and messages SNS could not deliver to the queue.
   * One queue for both: SQS's message move task only accepts dead-letter queues of SQS queues as its source, so a
   * separate SNS-only dead-letter queue could not be redriven with it; both kinds belong in the notification queue.
   */
  readonly deadLetterQueue: Queue;
  readonly function: BounceFunction;

  constructor(scope: Construct, id: string, props: NotificationProcessorProps) {
    super(scope, id);
    const queues = new QueueWithDeadLetter(this, 'Notifications', {
      visibilityTimeout: Duration.seconds(PROCESSOR_TIMEOUT.toSeconds() * 6 + props.maxBatchingWindow),
      maxReceiveCount: props.maxReceiveCount,
    });
    this.queue = queues.queue;
    this.deadLetterQueue = queues.deadLetterQueue;
    props.topic.addSubscription(
      new SqsSubscription(this.queue, {
        rawMessageDelivery: RAW_MESSAGE_DELIVERY,
        deadLetterQueue: this.deadLetterQueue,
      }),
    );

    this.function = new BounceFunction(this, 'Processor', {
      code: 'processor',
      description:
        'Classifies and records SES bounce/complaint/delivery notifications, requests suppressions',
      powertools: props.powertools,
      timeout: PROCESSOR_TIMEOUT,
      memorySize: 512,
      environment: {
        ...props.environment,
        ...environmentOf({
          suppressionQueueUrl: props.suppressionQueue.queueUrl,
          deadLetterQueueUrl: this.deadLetterQueue.queueUrl,
        }),
      },
    });
    // Suppression requests, and poison messages parked with their reason: the two queues named above.
    this.function.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['sqs:SendMessage'],
        resources: [props.suppressionQueue.queueArn, this.deadLetterQueue.queueArn],
      }),
    );
    this.function.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.batchSize,
        maxBatchingWindow: Duration.seconds(props.maxBatchingWindow),
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency,
      }),
    );
  }
}
