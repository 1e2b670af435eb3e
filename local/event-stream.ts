// The table's DynamoDB stream and its event sources (events publisher, counter rollup), emulated: the DynamoDB
// front reports each committed item change with its old and new image under the item's lock
// (local/dynalite-transactions.ts), this turns them into stream records (NEW_AND_OLD_IMAGES, sequence numbers in
// commit order) and hands each consumer the records its filter patterns match, in batches, one batch at a time, in
// order. A reported failure (ReportBatchItemFailures) hands the batch back from the failed record; a thrown error
// hands the whole batch back; after MAX_ATTEMPTS the batch's positions go to the failure list, as the event
// source's on-failure destination would receive them. DynamoDB shards by partition; one ordered stream (one shard,
// LOCAL_SHARD_ID, named to consumers with a tumbling window) keeps at least the per-item order DynamoDB promises.
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { StreamFilterPattern } from '../lambdas/adapters/stream-sources.ts';
import type { ItemChange } from './dynalite-transactions.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './sqs-queue.ts';

export type StreamConsumer = (event: DynamoDBStreamEvent, context: Context) => Promise<unknown>;

/** The one shard of the local stream. */
export const LOCAL_SHARD_ID = 'shardId-00000000000000000000-local';

export interface StreamSubscription {
  /** Names the consumer in failures and logs. */
  name: string;
  /** Lambda event filter patterns: a record reaches the consumer when it matches any (all records when absent). */
  filters?: readonly StreamFilterPattern[];
  /** The event source has a tumbling window: each event names the shard (`shardId`) and carries a state. */
  tumblingWindow?: boolean;
  /** Invocations of one batch before it is given up; MAX_ATTEMPTS when absent. */
  maxAttempts?: number;
  /**
   * Pause before the first retry of a failed batch, doubled for each further one up to 2 s (Lambda backs off too);
   * none when absent.
   */
  retryDelayMs?: number;
}

function matchesValue(allowed: unknown, value: unknown): boolean {
  if (!Array.isArray(allowed)) {
    if (typeof allowed !== 'object' || allowed === null || typeof value !== 'object' || value === null)
      return false;
    return Object.entries(allowed).every(([key, inner]) =>
      matchesValue(inner, (value as Record<string, unknown>)[key]),
    );
  }
  return allowed.some((option: unknown) =>
    typeof option === 'object' && option !== null && 'prefix' in option
      ? typeof value === 'string' && value.startsWith(String((option as { prefix: string }).prefix))
      : option === value,
  );
}

/** Lambda's event filtering for the patterns used here: nested fields, value lists, `prefix`. */
function matchesFilters(
  filters: readonly StreamFilterPattern[] | undefined,
  record: DynamoDBRecord,
): boolean {
  return filters === undefined || filters.some((pattern) => matchesValue(pattern, record));
}

/** Records per invocation (the CDK event source's batch size). */
const BATCH_SIZE = 100;
/** Invocations of one batch before it is given up (the CDK event source's retries plus the first). */
const MAX_ATTEMPTS = 3;

type StreamImage = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

export interface StreamFailure {
  firstSequenceNumber: string;
  lastSequenceNumber: string;
  reason: string;
}

/** One event source on the stream: its own position, batches and failures. */
class Subscription {
  readonly records: DynamoDBRecord[] = [];
  private pumping: Promise<void> | null = null;

  constructor(
    private readonly consumer: StreamConsumer,
    readonly options: StreamSubscription,
    private readonly failures: StreamFailure[],
    private readonly onError: (message: string) => void,
    private readonly stopped: () => boolean,
  ) {}

  offer(record: DynamoDBRecord): void {
    if (!matchesFilters(this.options.filters, record)) return;
    this.records.push(record);
    this.pump();
  }

  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  pump(): void {
    if (this.pumping || this.records.length === 0) return;
    this.pumping = this.drain().finally(() => {
      this.pumping = null;
      this.pump();
    });
  }

  private event(batch: DynamoDBRecord[]): DynamoDBStreamEvent {
    if (!this.options.tumblingWindow) return { Records: batch };
    const now = new Date().toISOString();
    return Object.assign(
      { Records: batch },
      { shardId: LOCAL_SHARD_ID, window: { start: now, end: now }, state: {}, isFinalInvokeForWindow: false },
    );
  }

  private async drain(): Promise<void> {
    while (this.records.length > 0 && !this.stopped()) {
      let batch = this.records.slice(0, BATCH_SIZE);
      let taken = false;
      let reason = '';
      const attempts = this.options.maxAttempts ?? MAX_ATTEMPTS;
      for (let attempt = 1; attempt <= attempts && !taken; attempt += 1) {
        const delay = this.options.retryDelayMs;
        if (attempt > 1 && delay !== undefined)
          await new Promise((resolve) => setTimeout(resolve, Math.min(delay * 2 ** (attempt - 2), 2000)));
        try {
          const response = (await this.consumer(this.event(batch), localContext(this.options.name))) as
            | DynamoDBBatchResponse
            | undefined;
          const failed = response?.batchItemFailures?.[0]?.itemIdentifier;
          const at =
            failed === undefined ? -1 : batch.findIndex((r) => r.dynamodb?.SequenceNumber === failed);
          if (at < 0) taken = true;
          else {
            // Everything before the failed record is done; the stream hands back the rest.
            this.records.splice(0, at);
            batch = batch.slice(at);
            reason = `record ${failed} reported as failed`;
          }
        } catch (error) {
          reason = error instanceof Error ? error.message : String(error);
        }
      }
      if (!taken) {
        this.failures.push({
          firstSequenceNumber: batch[0]?.dynamodb?.SequenceNumber ?? '',
          lastSequenceNumber: batch.at(-1)?.dynamodb?.SequenceNumber ?? '',
          reason,
        });
        this.onError(`${this.options.name}: gave up a stream batch after ${attempts} attempts (${reason})`);
      }
      this.records.splice(0, batch.length);
    }
  }
}

export class LocalStream {
  private sequence = 0;
  private readonly subscriptions: Subscription[] = [];
  private stopped = false;
  readonly failures: StreamFailure[] = [];

  constructor(
    private readonly tableName: string,
    private readonly onError: (message: string) => void = () => undefined,
  ) {}

  /** The front's change sink: one stream record per committed change of the table. */
  readonly add = (change: ItemChange): void => {
    if (change.table !== this.tableName || this.stopped) return;
    this.sequence += 1;
    const eventName =
      change.before === undefined ? 'INSERT' : change.after === undefined ? 'REMOVE' : 'MODIFY';
    const record: DynamoDBRecord = {
      eventID: `local-${this.sequence}`,
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: LOCAL_REGION,
      eventSourceARN: `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:table/${this.tableName}/stream/local`,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
        Keys: change.keys as StreamImage,
        ...(change.before ? { OldImage: change.before as StreamImage } : {}),
        ...(change.after ? { NewImage: change.after as StreamImage } : {}),
        SequenceNumber: String(this.sequence).padStart(21, '0'),
        SizeBytes: JSON.stringify(change).length,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
    for (const subscription of this.subscriptions) subscription.offer(record);
  };

  /** An event source from now on: it receives the records committed after this call that its filters match. */
  attach(consumer: StreamConsumer, options: StreamSubscription): void {
    this.subscriptions.push(
      new Subscription(consumer, options, this.failures, this.onError, () => this.stopped),
    );
  }

  /** Takes no more records; resolves once the batches in flight (if any) have finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.subscriptions.map((s) => s.idle()));
  }

  /** Resolves once every record so far was handed to its consumers (and taken, or given up). */
  async idle(): Promise<void> {
    for (;;) {
      await Promise.all(this.subscriptions.map((s) => s.idle()));
      if (this.subscriptions.every((s) => s.records.length === 0 || this.stopped)) return;
    }
  }
}

function localContext(functionName: string): Context {
  return { awsRequestId: `local-${Date.now()}`, functionName } as Context;
}
