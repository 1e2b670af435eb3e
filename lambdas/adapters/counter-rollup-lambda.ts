// The counter rollup's Lambda glue: a batch of one stream shard (the event source's tumbling window names the
// shard) becomes counter deltas, added exactly once to each counter item behind the item's guard for the shard
// (domain/counter-rollup.ts).
// A record whose image is corrupt adds nothing and is reported in the logs and metrics (it can never be counted;
// failing the batch would only stop the counters). Any other failure fails the invocation: the event source
// retries the batch, and each item's guard drops what an earlier attempt already added to it.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { type CounterRollupStore, type RolledChange, rollUp } from '../domain/counter-rollup.ts';
import { type FailedBatchNotes, rolledChangeOf } from './dynamo-counter-rollup.ts';
import { CorruptItemError } from './dynamo-items.ts';
import { BatchMetrics } from './processor-lambda.ts';

/** A stream batch under a tumbling window: Lambda adds the shard, the window and the state passed along. */
export interface StreamWindowEvent extends DynamoDBStreamEvent {
  shardId?: string;
  state?: Record<string, string>;
  isFinalInvokeForWindow?: boolean;
}

/** A tumbling window's invocation must answer with a state (none is carried: each batch is applied at once). */
export interface StreamWindowResponse {
  state: Record<string, string>;
}

export interface CounterRollupRuntime {
  store: CounterRollupStore;
  /** Where a failed attempt notes how far it counted its batch (for `ses-bounce redrive-counters`). */
  failedBatches?: FailedBatchNotes;
  logger: Logger;
  metrics: Metrics;
}

/** The event source names no shard without a tumbling window: refuse instead of counting without a checkpoint. */
class MissingShardError extends Error {
  constructor() {
    super(
      'the stream event names no shardId: the counter rollup needs a tumbling window on its event source',
    );
    this.name = 'MissingShardError';
  }
}

async function rollUpStreamBatch(
  event: StreamWindowEvent,
  runtime: CounterRollupRuntime,
): Promise<StreamWindowResponse> {
  const { logger } = runtime;
  if (!event.shardId) throw new MissingShardError();
  const counts = new BatchMetrics();
  const changes: RolledChange[] = [];
  for (const record of event.Records) {
    try {
      changes.push(rolledChangeOf(record));
    } catch (error) {
      if (!(error instanceof CorruptItemError)) throw error;
      counts.add('RollupRecordsSkipped');
      logger.error('stream record with a corrupt item image; not counted', {
        sequenceNumber: record.dynamodb?.SequenceNumber,
        error: error.message,
      });
    }
  }
  if (changes.length > 0) {
    const applied = await rollUp(event.shardId, changes, runtime.store).catch(async (error: unknown) => {
      await noteFailure(event.Records, changes, event.shardId ?? '', runtime);
      throw error;
    });
    counts.add('RollupRecordsCounted', {}, applied.records);
    counts.add('RollupCounterWrites', {}, applied.counters);
  }
  counts.publish(runtime.metrics);
  return { state: {} };
}

/**
 * After a failed attempt: how far the batch got, in case it is the last attempt and the batch goes to the failure
 * queue (the redrive then counts only the rest). Best effort: a failure to note it is logged, the attempt's own
 * error is what fails the invocation.
 */
async function noteFailure(
  records: DynamoDBStreamEvent['Records'],
  changes: readonly RolledChange[],
  shardId: string,
  runtime: CounterRollupRuntime,
) {
  const sequences = records.map((record) => record.dynamodb?.SequenceNumber ?? '0');
  const first = sequences.reduce((a, b) => (BigInt(b) < BigInt(a) ? b : a));
  const last = sequences.reduce((a, b) => (BigInt(b) > BigInt(a) ? b : a));
  try {
    await runtime.failedBatches?.noteFailedBatch(shardId, first, last, changes);
  } catch (error) {
    runtime.logger.error('could not note how far the failed batch was counted', {
      shardId,
      first,
      last,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

export function createCounterRollupHandler(runtime: CounterRollupRuntime) {
  return (event: StreamWindowEvent): Promise<StreamWindowResponse> => rollUpStreamBatch(event, runtime);
}
