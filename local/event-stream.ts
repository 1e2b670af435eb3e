// The table's DynamoDB stream and the events publisher's event source, emulated: the DynamoDB front reports each
// committed item change with its old and new image under the item's lock (local/dynalite-transactions.ts), this
// turns them into stream records (NEW_AND_OLD_IMAGES, sequence numbers in commit order) and hands them to the
// publisher in batches, one batch at a time, in order. A reported failure (ReportBatchItemFailures) hands the
// batch back from the failed record; after MAX_ATTEMPTS the batch's positions go to the failure list, as the
// event source's on-failure destination would receive them. DynamoDB shards by partition; one ordered stream keeps
// at least the per-item order DynamoDB promises.
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { ItemChange } from './dynalite-transactions.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './sqs-queue.ts';

export type StreamConsumer = (event: DynamoDBStreamEvent, context: Context) => Promise<unknown>;

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

export class LocalStream {
  private readonly records: DynamoDBRecord[] = [];
  private sequence = 0;
  private consumer: StreamConsumer | undefined;
  private pumping: Promise<void> | null = null;
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
    this.records.push({
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
    });
    this.pump();
  };

  attach(consumer: StreamConsumer): void {
    this.consumer = consumer;
    this.pump();
  }

  /** Takes no more records; resolves once the batch in flight (if any) has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.pumping;
  }

  /** Resolves once every record so far was handed to the publisher (and taken, or given up). */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private pump(): void {
    if (this.pumping || !this.consumer || this.records.length === 0) return;
    this.pumping = this.drain().finally(() => {
      this.pumping = null;
      this.pump();
    });
  }

  private async drain(): Promise<void> {
    const consumer = this.consumer as StreamConsumer;
    while (this.records.length > 0 && !this.stopped) {
      let batch = this.records.slice(0, BATCH_SIZE);
      let taken = false;
      let reason = '';
      for (let attempt = 1; attempt <= MAX_ATTEMPTS && !taken; attempt += 1) {
        try {
          const response = (await consumer({ Records: batch }, localContext())) as
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
        this.onError(`events publisher: gave up a stream batch after ${MAX_ATTEMPTS} attempts (${reason})`);
      }
      this.records.splice(0, batch.length);
    }
  }
}

function localContext(): Context {
  return { awsRequestId: `local-${Date.now()}`, functionName: 'events-publisher' } as Context;
}
