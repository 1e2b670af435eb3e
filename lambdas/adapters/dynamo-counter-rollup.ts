// DynamoDB side of the counter rollup: a stream record decoded into what it adds to the counters (the one codec,
// dynamo-items.ts), and the rollup store: a shard's checkpoint read consistently, and one TransactWriteItems per
// group (the summed counter updates plus the checkpoint, conditioned on the value it was read at).
import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { CounterRollupStore, RolledChange, RollupGroup } from '../domain/counter-rollup.ts';
import { again, done, retry, sleep } from '../domain/retry.ts';
import {
  checkpointFromItem,
  checkpointPut,
  counterDeltasOf,
  failedBatchFromItem,
  failedBatchPut,
  type Item,
  rolledUpCounterUpdate,
} from './dynamo-items.ts';
import { COUNTER_SHARDS, keys, shardOf } from './table-definition.ts';

/** Counter items per rollup transaction: DynamoDB's 100 items, one of them the checkpoint. */
export const ROLLUP_COUNTERS_PER_TRANSACTION = 99;
const CONFLICT_ATTEMPTS = 6;

type Image = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

function itemOf(image: Image | undefined): Item | null {
  // aws-lambda's AttributeValue and the SDK's describe the same wire shape.
  return image ? unmarshall(image as Record<string, AttributeValue>) : null;
}

/** What one stream record adds to the counters; throws CorruptItemError for an image no writer of ours wrote. */
export function rolledChangeOf(record: DynamoDBRecord): RolledChange {
  return {
    sequence: record.dynamodb?.SequenceNumber ?? '0',
    deltas: counterDeltasOf(itemOf(record.dynamodb?.OldImage), itemOf(record.dynamodb?.NewImage)),
  };
}

/** What the rollup keeps of a batch it fails on, for `ses-bounce redrive-counters` (docs/data-model.md). */
export interface FailedBatchNotes {
  /** After a failed attempt on records `first`..`last`: notes how far the shard's checkpoint got into them. */
  noteFailedBatch(shardId: string, first: string, last: string): Promise<void>;
}

const within = (sequence: string, first: string, last: string) =>
  BigInt(sequence) >= BigInt(first) && BigInt(sequence) <= BigInt(last);

export class DynamoCounterRollupStore implements CounterRollupStore, FailedBatchNotes {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: {
      tableName: string;
      /** EVENT_RETENTION_DAYS: a day × domain counter expires with the events it counts. */
      eventRetentionDays: number;
      now: () => Date;
      sleep?: (ms: number) => Promise<void>;
    },
  ) {
    this.sleep = options.sleep ?? sleep;
  }

  async checkpoint(shardId: string): Promise<string | null> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: keys.rollupCheckpoint(shardId),
        ConsistentRead: true,
      }),
    );
    return Item ? checkpointFromItem(Item) : null;
  }

  /**
   * A failed attempt may have committed some of the batch's groups before it failed; when the checkpoint is inside
   * the batch, what it covers is noted (the batch's records at or below it are counted). Nothing when it is not.
   */
  async noteFailedBatch(shardId: string, first: string, last: string): Promise<void> {
    const through = await this.checkpoint(shardId);
    if (through === null || !within(through, first, last)) return;
    await this.client.send(
      new PutCommand({
        TableName: this.options.tableName,
        ...failedBatchPut(shardId, { first, last, through }, this.options.now()),
      }),
    );
  }

  /**
   * How far the rollup itself counted a batch it gave up on whose failure record names `start`..`end`: the highest
   * note of a failed batch of the shard that starts in that range (null: none of its records was counted).
   */
  async countedOfFailedBatch(shardId: string, start: string, end: string): Promise<string | null> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.options.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :failed)',
        ExpressionAttributeValues: { ':pk': keys.rollupCheckpoint(shardId).pk, ':failed': 'FAILED#' },
        ConsistentRead: true,
      }),
    );
    let counted: string | null = null;
    for (const item of Items) {
      const note = failedBatchFromItem(item);
      if (!within(note.first, start, end)) continue;
      if (counted === null || BigInt(note.through) > BigInt(counted)) counted = note.through;
    }
    return counted;
  }

  /**
   * The counters go to one counter shard per stream shard (readers sum every shard), so the rollups of different
   * stream shards rarely touch the same counter item. A transaction conflict (erasure taking an event out of a
   * domain counter, another shard's rollup) is retried with jitter.
   */
  async apply(shardId: string, previous: string | null, group: RollupGroup): Promise<'applied' | 'stale'> {
    const TableName = this.options.tableName;
    const shard = shardOf(createHash('sha256').update(shardId).digest('hex'), COUNTER_SHARDS);
    const now = this.options.now();
    const TransactItems = [
      ...group.counters.map((delta) => ({
        Update: {
          TableName,
          ...rolledUpCounterUpdate(delta, shard, this.options.eventRetentionDays, now.getTime() / 1000),
        },
      })),
      { Put: { TableName, ...checkpointPut(shardId, group.through, previous, now) } },
    ];
    return retry(
      {
        attempts: CONFLICT_ATTEMPTS,
        pauseMs: (attempt) => 10 * attempt + Math.floor(Math.random() * 20 * attempt),
        sleep: this.sleep,
      },
      async () => {
        try {
          await this.client.send(new TransactWriteCommand({ TransactItems }));
          return done<'applied' | 'stale'>('applied');
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          const reasons = error.CancellationReasons ?? [];
          if (reasons[TransactItems.length - 1]?.Code === 'ConditionalCheckFailed') return done('stale');
          if (reasons.some((r) => r.Code === 'TransactionConflict')) return again(true);
          throw error;
        }
      },
      () => {
        throw new Error(
          `rollup of shard ${shardId}: counters stayed contended after ${CONFLICT_ATTEMPTS} attempts`,
        );
      },
    );
  }
}
