// The daily counters, rolled up from the table's stream (docs/data-model.md, "Daily counters"): the processor writes
// facts (event items, delivery-ledger counts) and this function sums them into the counter items, exactly once per
// stream record behind each counter item's guard for the shard. Its event source is filtered to what adds to the counters, reads
// one shard at a time in order (parallelization factor 1), batches records for up to its window (the counters lag
// by about that much; setting counterRollupWindow), and names the shard to the function through a tumbling window. A batch that keeps
// failing is retried (safe: each item's guard drops what was added to it), then its stream position goes to the failure
// queue.
import { Duration } from 'aws-cdk-lib';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ROLLUP_RETRY_ATTEMPTS, ROLLUP_STREAM_FILTERS } from '../../lambdas/adapters/stream-sources.ts';
import { environmentOf } from '../../lambdas/config.ts';
import { BounceFunction, type PowertoolsSettings } from './bounce-function.ts';
import { acknowledgeStreamPoller } from './events-publisher.ts';
import type { BounceStore } from './store.ts';

/**
 * DynamoDB actions of the rollup: one conditional UpdateItem per counter item; GetItem (consistent) of a refused
 * item's guard, of the version before's checkpoint and, after a failure, of the batch's items' guards; PutItem of the
 * checkpoint's mark and of a failed batch's note.
 */
const ROLLUP_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;

/** Stream records per invocation (at most; the window usually ends a batch first). */
const ROLLUP_BATCH_SIZE = 1000;

export interface CounterRollupProps {
  readonly store: BounceStore;
  readonly powertools: PowertoolsSettings;
  /** A day × domain counter expires with the events it counts. */
  readonly eventRetentionDays: number;
  /** Seconds records gather before the rollup runs: the counters' lag, and what one counter write sums. */
  readonly window: number;
}

export class CounterRollup extends Construct {
  readonly function: BounceFunction;
  /** Stream positions of the batches the rollup gave up on (counted by no one: recount within the stream's 24 h). */
  readonly failureQueue: Queue;

  constructor(scope: Construct, id: string, props: CounterRollupProps) {
    super(scope, id);
    this.failureQueue = new Queue(this, 'FailureQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.function = new BounceFunction(this, 'Rollup', {
      code: 'counter-rollup',
      description: 'Rolls the daily counters up from the table stream, exactly once per record',
      powertools: props.powertools,
      timeout: Duration.seconds(60),
      memorySize: 256,
      environment: environmentOf({ eventRetentionDays: props.eventRetentionDays }),
    });
    this.function.bindTable(props.store, ROLLUP_TABLE_ACTIONS, { queryIndexes: [] });
    this.function.function.addEventSource(
      new DynamoEventSource(props.store.table, {
        // Only items this version marked are counted, so the stream's last 24 hours hold nothing counted twice.
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: ROLLUP_BATCH_SIZE,
        maxBatchingWindow: Duration.seconds(props.window),
        // The only way a stream event names its shard: the guards are per shard.
        tumblingWindow: Duration.seconds(props.window),
        parallelizationFactor: 1,
        retryAttempts: ROLLUP_RETRY_ATTEMPTS,
        onFailure: new SqsDlq(this.failureQueue),
        filters: ROLLUP_STREAM_FILTERS.map((pattern) => FilterCriteria.filter({ ...pattern })),
      }),
    );
    acknowledgeStreamPoller(this.function, this.failureQueue);
  }
}
