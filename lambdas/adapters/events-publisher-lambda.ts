// The events publisher's Lambda glue: a DynamoDB stream batch becomes EventBridge events (publishStateChanges);
// the first record not published is reported (reportBatchItemFailures), so the stream hands it and every later
// record back in order, and after the retries the event source parks it in the failure queue.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import {
  type ChangeRecord,
  type PublisherDependencies,
  publishStateChanges,
} from '../domain/publish-state-changes.ts';
import { CorruptItemError } from './dynamo-items.ts';
import { storedChangeOf } from './dynamo-stream.ts';
import { BatchMetrics } from './processor-lambda.ts';

export interface EventsPublisherRuntime {
  deps: PublisherDependencies;
  logger: Logger;
  metrics: Metrics;
}

async function publishStreamBatch(
  event: DynamoDBStreamEvent,
  runtime: EventsPublisherRuntime,
): Promise<DynamoDBBatchResponse> {
  const { logger } = runtime;
  const counts = new BatchMetrics();
  const changes: ChangeRecord[] = [];
  let corrupt: string | null = null;
  for (const record of event.Records) {
    const id = record.dynamodb?.SequenceNumber ?? record.eventID ?? '';
    try {
      changes.push({ id, change: storedChangeOf(record) });
    } catch (error) {
      if (!(error instanceof CorruptItemError)) throw error;
      counts.add('CorruptStreamRecords');
      logger.error('stream record with a corrupt item image; reported', {
        sequenceNumber: id,
        error: error.message,
      });
      corrupt = id;
      break;
    }
  }
  const result = await publishStateChanges(changes, runtime.deps);
  for (const published of result.published)
    counts.add('EventsPublished', { detailType: published.detailType });
  const failedFrom = result.failedFrom ?? corrupt;
  if (result.failedFrom !== null) {
    counts.add('EventsPublishFailed');
    logger.error('EventBridge did not take the events after retries; the records come back', {
      sequenceNumber: result.failedFrom,
    });
  }
  counts.publish(runtime.metrics);
  return { batchItemFailures: failedFrom === null ? [] : [{ itemIdentifier: failedFrom }] };
}

export function createEventsPublisherHandler(runtime: EventsPublisherRuntime) {
  return (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => publishStreamBatch(event, runtime);
}
