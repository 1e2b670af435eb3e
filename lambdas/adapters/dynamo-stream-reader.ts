// DynamoDB Streams side of `ses-bounce redrive-counters`: the records of one shard from a sequence number through
// another (the range of a batch the counter rollup gave up on), read with GetShardIterator AT_SEQUENCE_NUMBER and
// GetRecords, in the shape a Lambda stream event carries them. The stream keeps records 24 hours: a range it no
// longer holds is a StreamRecordsGoneError.
import {
  type _Record,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';

/** Where a batch's records are: the fields of Lambda's DDBStreamBatchInfo that name them. */
export interface StreamRange {
  streamArn: string;
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
}

/** The stream no longer holds (all of) the range: trimmed after 24 hours, or the stream itself is gone. */
export class StreamRecordsGoneError extends Error {
  constructor(range: StreamRange, cause: string) {
    super(
      `the stream no longer holds records ${range.startSequenceNumber}..${range.endSequenceNumber} of shard ` +
        `${range.shardId} (DynamoDB Streams keeps records 24 hours): ${cause}`,
    );
    this.name = 'StreamRecordsGoneError';
  }
}

/** Empty GetRecords pages in a row before giving up on reaching the range's end (an open shard's idle tail). */
const MAX_EMPTY_PAGES = 100;

type Image = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

function lambdaShape(record: _Record): DynamoDBRecord {
  const data = record.dynamodb;
  return {
    ...(record.eventID === undefined ? {} : { eventID: record.eventID }),
    ...(record.eventName === undefined ? {} : { eventName: record.eventName }),
    eventSource: 'aws:dynamodb',
    dynamodb: {
      // The Streams SDK's AttributeValue and aws-lambda's describe the same wire shape.
      ...(data?.OldImage === undefined ? {} : { OldImage: data.OldImage as Image }),
      ...(data?.NewImage === undefined ? {} : { NewImage: data.NewImage as Image }),
      ...(data?.SequenceNumber === undefined ? {} : { SequenceNumber: data.SequenceNumber }),
    },
  };
}

/** The shard's records from `startSequenceNumber` through `endSequenceNumber`, in stream order. */
export async function readStreamRange(
  client: DynamoDBStreamsClient,
  range: StreamRange,
): Promise<DynamoDBRecord[]> {
  const end = BigInt(range.endSequenceNumber);
  const records: DynamoDBRecord[] = [];
  try {
    let iterator = (
      await client.send(
        new GetShardIteratorCommand({
          StreamArn: range.streamArn,
          ShardId: range.shardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          SequenceNumber: range.startSequenceNumber,
        }),
      )
    ).ShardIterator;
    let empty = 0;
    while (iterator !== undefined) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      const got = page.Records ?? [];
      for (const record of got) {
        if (BigInt(record.dynamodb?.SequenceNumber ?? '0') > end) return records;
        records.push(lambdaShape(record));
      }
      if (records.length > 0 && BigInt(records.at(-1)?.dynamodb?.SequenceNumber ?? '0') >= end)
        return records;
      empty = got.length === 0 ? empty + 1 : 0;
      if (empty >= MAX_EMPTY_PAGES) break;
      iterator = page.NextShardIterator;
    }
  } catch (error) {
    if (error instanceof TrimmedDataAccessException || error instanceof ResourceNotFoundException) {
      throw new StreamRecordsGoneError(range, `${error.name}: ${error.message}`);
    }
    throw error;
  }
  throw new StreamRecordsGoneError(range, 'the shard ended before the range did');
}
