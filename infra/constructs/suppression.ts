// The suppression queue and its worker: every SES suppression-list change goes through here, drained by a single
// concurrent worker paced to SES's 1 request/second quota for these calls.
import { Duration, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { environmentOf } from '../../lambdas/config.ts';
import { BounceFunction, type PowertoolsSettings } from './bounce-function.ts';
import { QueueWithDeadLetter } from './queues.ts';

/** SESv2 actions only the worker may call (SES defines no resource types for them: resource `*`). */
export const WORKER_SES_ACTIONS = [
  'ses:PutSuppressedDestination',
  'ses:DeleteSuppressedDestination',
  'ses:GetSuppressedDestination',
];

/** Messages per worker invocation; at the rate below this bounds the invocation's duration. */
export const WORKER_BATCH_SIZE = 5;

export interface SuppressionWorkerProps {
  readonly powertools: PowertoolsSettings;
  readonly environment: Readonly<Record<string, string>>;
  readonly ratePerSecond: number;
}

export class SuppressionWorker extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly function: BounceFunction;

  constructor(scope: Construct, id: string, props: SuppressionWorkerProps) {
    super(scope, id);
    // A full batch at the configured rate, plus room for SDK backoff on TooManyRequestsException.
    const timeout = Duration.seconds(Math.ceil(WORKER_BATCH_SIZE / props.ratePerSecond) + 30);
    const queues = new QueueWithDeadLetter(this, 'Suppressions', {
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      // Reserved concurrency 1 means the SQS poller is sometimes throttled; a throttled receive still counts,
      // so allow more receives than the notification queue before parking a change.
      maxReceiveCount: 10,
    });
    this.queue = queues.queue;
    this.deadLetterQueue = queues.deadLetterQueue;

    this.function = new BounceFunction(this, 'Worker', {
      entry: 'lambdas/handlers/suppression-worker.ts',
      description: 'Applies suppression-list changes to SES at the configured rate',
      powertools: props.powertools,
      timeout,
      // Paced and I/O bound: most of its billed time is waiting for the next 1/s slot, so the smallest size.
      memorySize: 128,
      // One worker at a time: with the handler's own pacing this keeps SES calls at the configured rate.
      reservedConcurrentExecutions: 1,
      environment: {
        ...props.environment,
        ...environmentOf({ suppressionRatePerSecond: props.ratePerSecond }),
      },
    });
    this.function.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: WORKER_BATCH_SIZE,
        reportBatchItemFailures: true,
        // SQS event sources accept no less than 2; reserved concurrency above caps the worker at 1.
        maxConcurrency: 2,
      }),
    );
    this.function.function.addToRolePolicy(
      new PolicyStatement({ actions: WORKER_SES_ACTIONS, resources: ['*'] }),
    );
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'SESv2 PutSuppressedDestination/DeleteSuppressedDestination/GetSuppressedDestination define no resource ' +
        'types (the account suppression list is not an ARN), so IAM only accepts "*"; the actions are exact.',
    });
  }
}
