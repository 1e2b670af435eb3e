// The suppression queue and its worker: every SES suppression-list change goes through here, drained by at most
// two concurrent invocations that each take half of SES's 1 request/second quota for these calls.
import { Duration, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { environmentOf } from '../../lambdas/config.ts';
import { BounceFunction, type PowertoolsSettings } from './bounce-function.ts';
import { QueueWithDeadLetter } from './queues.ts';

/**
 * SESv2 actions the worker calls (only an optional tenant resource type; the account list is matched by `*` alone).
 * It never reads an entry (test/infra/permission-contract.test.ts records what it sends), so no
 * GetSuppressedDestination.
 */
const WORKER_SES_ACTIONS = ['ses:PutSuppressedDestination', 'ses:DeleteSuppressedDestination'];

/** Messages per worker invocation; at the rate below this bounds the invocation's duration. */
const WORKER_BATCH_SIZE = 5;

/**
 * Concurrent worker invocations the queue may drive: the smallest maximum concurrency an SQS event source accepts
 * (ScalingConfig.MaximumConcurrency, "Minimum value of 2":
 * https://docs.aws.amazon.com/lambda/latest/dg/API_ScalingConfig.html). The pacing is shared out between them
 * instead of capping the function with reserved concurrency 1, which (a) made the poller's third concurrent
 * batch a throttle that still counts as a receive toward the dead-letter queue, and (b) cannot be deployed on
 * an account whose concurrency quota is the new-account 10 (Lambda keeps 10 unreserved).
 */
const WORKER_MAX_CONCURRENCY = 2;

/** The per-invocation rate that keeps WORKER_MAX_CONCURRENCY invocations together within `ratePerSecond`. */
function perInvocationRate(ratePerSecond: number): number {
  return ratePerSecond / WORKER_MAX_CONCURRENCY;
}

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
    const rate = perInvocationRate(props.ratePerSecond);
    // A full batch at the per-invocation rate, plus room for SDK backoff on TooManyRequestsException.
    const timeout = Duration.seconds(Math.ceil(WORKER_BATCH_SIZE / rate) + 30);
    const queues = new QueueWithDeadLetter(this, 'Suppressions', {
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      // SES throttling returns a message to the queue (batchItemFailures) and each return counts as a receive:
      // allow more receives than the notification queue before parking a change.
      maxReceiveCount: 10,
    });
    this.queue = queues.queue;
    this.deadLetterQueue = queues.deadLetterQueue;

    this.function = new BounceFunction(this, 'Worker', {
      code: 'suppression-worker',
      description: 'Applies suppression-list changes to SES at the configured rate',
      powertools: props.powertools,
      timeout,
      // Paced and I/O bound: most of its billed time is waiting for the next 1/s slot, so the smallest size.
      memorySize: 128,
      environment: {
        ...props.environment,
        // Each of the (at most WORKER_MAX_CONCURRENCY) invocations paces itself at its share of the rate.
        ...environmentOf({ suppressionRatePerSecond: rate }),
      },
    });
    this.function.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: WORKER_BATCH_SIZE,
        reportBatchItemFailures: true,
        maxConcurrency: WORKER_MAX_CONCURRENCY,
      }),
    );
    this.function.function.addToRolePolicy(
      new PolicyStatement({ actions: WORKER_SES_ACTIONS, resources: ['*'] }),
    );
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'SESv2 PutSuppressedDestination/DeleteSuppressedDestination name only an optional tenant resource type ' +
        '(tenant suppression lists); the account suppression list is not an ARN, so IAM only accepts "*"; the ' +
        'actions are exact.',
    });
  }
}
