// DynamoDB side of the counter rollup: a stream record decoded into what it adds to the counters (the one codec,
// dynamo-items.ts), and the rollup store: one conditional UpdateItem per counter item and writer sum, guarded by
// the writer's own attribute on the item (no transaction), and the checkpoint of the transactional version before,
// read once per writer and marked so that version's late transactions cannot commit.
import { type AttributeValue, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import {
  type CounterRollupStore,
  type CounterWrite,
  counterKeyOf,
  counterWrites,
  type RolledChange,
} from '../domain/counter-rollup.ts';
import { again, contentionPause, done, retry, sleep } from '../domain/retry.ts';
import { errorNamed } from './aws-errors.ts';
import {
  checkpointFromItem,
  checkpointMarkPut,
  counterDeltasOf,
  EMPTIED_ATTRIBUTE,
  type FailedBatchNote,
  failedBatchFromItem,
  failedBatchPut,
  type Item,
  rolledUpCounterUpdate,
  rollupGuardName,
  rollupGuardOf,
} from './dynamo-items.ts';
import { keys } from './table-definition.ts';

const CONFLICT_ATTEMPTS = 6;
const MARK_ATTEMPTS = 5;
/** Guards read at once when a failed batch is noted. */
const NOTE_READS_AT_ONCE = 8;

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
  /** After a failed attempt on records `first`..`last` (decoded: `changes`): notes how far they got on the counters. */
  noteFailedBatch(
    writer: string,
    first: string,
    last: string,
    changes: readonly RolledChange[],
  ): Promise<void>;
}

const within = (sequence: string, first: string, last: string) =>
  BigInt(sequence) >= BigInt(first) && BigInt(sequence) <= BigInt(last);

export class DynamoCounterRollupStore implements CounterRollupStore, FailedBatchNotes {
  private readonly sleep: (ms: number) => Promise<void>;
  /** Marked checkpoints never change again: read once per writer and container. */
  private readonly marked = new Map<string, string | null>();

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

  private async readCheckpoint(writer: string) {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: keys.rollupCheckpoint(writer),
        ConsistentRead: true,
      }),
    );
    return checkpointFromItem(Item);
  }

  /** What the version before counted of a writer's records, without marking its checkpoint (a dry run). */
  async countedBeforeReadOnly(writer: string): Promise<string | null> {
    const checkpoint = await this.readCheckpoint(writer);
    if (checkpoint.kind === 'none') return null;
    return checkpoint.kind === 'before' ? checkpoint.sequence : checkpoint.countedBefore;
  }

  async countedBefore(writer: string): Promise<string | null> {
    const known = this.marked.get(writer);
    if (known !== undefined) return known;
    for (let attempt = 1; attempt <= MARK_ATTEMPTS; attempt += 1) {
      const checkpoint = await this.readCheckpoint(writer);
      if (checkpoint.kind === 'marked') {
        this.marked.set(writer, checkpoint.countedBefore);
        return checkpoint.countedBefore;
      }
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.options.tableName,
            ...checkpointMarkPut(writer, checkpoint, this.options.now()),
          }),
        );
        const counted = checkpoint.kind === 'before' ? checkpoint.sequence : null;
        this.marked.set(writer, counted);
        return counted;
      } catch (error) {
        // A late transaction of the version before moved the checkpoint meanwhile: read it again.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    throw new Error(`rollup of ${writer}: the checkpoint of the version before kept moving`);
  }

  /**
   * One conditional UpdateItem (rolledUpCounterUpdate). Refused: the item's guard, read strongly consistent. A
   * conflict with a transaction on the item (an erasure's `ADD -1`) is retried with jitter. A day × domain counter
   * an erasure emptied (its guard below the sum) is written again with the `events` read, so that the erasure's
   * short expiry stays while the item stays at zero or below.
   */
  async add(writer: string, write: CounterWrite): Promise<'applied' | { guard: string | null }> {
    const TableName = this.options.tableName;
    const updateOf = (emptied: { events: number | null } | null) =>
      rolledUpCounterUpdate(
        write,
        writer,
        this.options.eventRetentionDays,
        this.options.now().getTime() / 1000,
        emptied,
      );
    let update = updateOf(null);
    return retry(
      {
        attempts: CONFLICT_ATTEMPTS,
        pauseMs: contentionPause,
        sleep: this.sleep,
      },
      async () => {
        try {
          await this.client.send(new UpdateCommand({ TableName, ...update }));
          return done<'applied' | { guard: string | null }>('applied');
        } catch (error) {
          if (errorNamed(error, 'TransactionConflictException')) return again(true);
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
        const { Item } = await this.client.send(
          new GetCommand({
            TableName,
            Key: update.Key,
            ConsistentRead: true,
            ProjectionExpression: '#guard, #emptied, #events',
            ExpressionAttributeNames: {
              '#guard': rollupGuardName(writer),
              '#emptied': EMPTIED_ATTRIBUTE,
              '#events': 'events',
            },
          }),
        );
        const guard = rollupGuardOf(Item, writer);
        if (
          write.domain !== null &&
          Item?.[EMPTIED_ATTRIBUTE] === true &&
          (guard === null || BigInt(guard) < BigInt(write.first))
        ) {
          update = updateOf({ events: typeof Item.events === 'number' ? Item.events : null });
          return again(false);
        }
        return done({ guard });
      },
      () => {
        throw new Error(
          `rollup of ${writer}: a counter item stayed contended after ${CONFLICT_ATTEMPTS} attempts`,
        );
      },
    );
  }

  /**
   * A failed attempt may have added part of its batch to some counter items before it failed: per item the batch
   * touches, its guard when that is inside the batch, and the version before's checkpoint when it is, are noted.
   * Nothing when no record of the batch is on any item.
   */
  async noteFailedBatch(
    writer: string,
    first: string,
    last: string,
    changes: readonly RolledChange[],
  ): Promise<void> {
    const counted = await this.countedBeforeReadOnly(writer);
    const through = counted !== null && within(counted, first, last) ? counted : null;
    const guards: Record<string, string> = {};
    const writes = counterWrites(changes);
    for (let from = 0; from < writes.length; from += NOTE_READS_AT_ONCE) {
      await Promise.all(
        writes.slice(from, from + NOTE_READS_AT_ONCE).map(async (write) => {
          const { Key } = rolledUpCounterUpdate(write, writer, this.options.eventRetentionDays, 0);
          const { Item } = await this.client.send(
            new GetCommand({
              TableName: this.options.tableName,
              Key,
              ConsistentRead: true,
              ProjectionExpression: '#guard',
              ExpressionAttributeNames: { '#guard': rollupGuardName(writer) },
            }),
          );
          const guard = rollupGuardOf(Item, writer);
          if (guard !== null && within(guard, first, last)) guards[counterKeyOf(write)] = guard;
        }),
      );
    }
    if (through === null && Object.keys(guards).length === 0) return;
    await this.client.send(
      new PutCommand({
        TableName: this.options.tableName,
        ...failedBatchPut(writer, { first, last, through, guards }, this.options.now()),
      }),
    );
  }

  /**
   * How far the rollup itself counted a batch it gave up on whose failure record names `start`..`end`: the notes of
   * failed batches of the shard that start in that range, merged (the highest of each). Empty: none of its records
   * was counted.
   */
  async countedOfFailedBatch(
    shardId: string,
    start: string,
    end: string,
  ): Promise<Pick<FailedBatchNote, 'through' | 'guards'>> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.options.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :failed)',
        ExpressionAttributeValues: { ':pk': keys.rollupCheckpoint(shardId).pk, ':failed': 'FAILED#' },
        ConsistentRead: true,
      }),
    );
    const higher = (a: string | null | undefined, b: string) =>
      a === null || a === undefined || BigInt(b) > BigInt(a) ? b : a;
    let through: string | null = null;
    const guards: Record<string, string> = {};
    for (const item of Items) {
      const note = failedBatchFromItem(item);
      if (!within(note.first, start, end)) continue;
      if (note.through !== null) through = higher(through, note.through);
      for (const [key, guard] of Object.entries(note.guards)) guards[key] = higher(guards[key], guard);
    }
    return { through, guards };
  }
}
