// Lambda entry point of the processor (SQS batches from the notification queue, which SNS feeds).
// Wiring only: configuration validated at cold start, clients created once per container.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAllowlist, DynamoEventStore } from '../adapters/dynamo-event-store.ts';
import { createProcessorHandler } from '../adapters/processor-lambda.ts';
import { SqsMessageParking, SqsSuppressionQueue } from '../adapters/queues.ts';
import { loadProcessorConfig, loadTelemetryConfig } from '../config.ts';
import { classifyBounce } from '../domain/classify.ts';
import { sleep } from '../domain/retry.ts';

const config = loadProcessorConfig(process.env);
const telemetry = loadTelemetryConfig(process.env, 'ses-bounce-processor');
const logger = new Logger({ serviceName: telemetry.serviceName });
const metrics = new Metrics({ namespace: telemetry.metricsNamespace, serviceName: telemetry.serviceName });
const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
const sqs = new SQSClient({});
const now = () => new Date();

export const handler = createProcessorHandler({
  deps: {
    store: new DynamoEventStore(dynamo, {
      tableName: config.tableName,
      eventRetentionDays: config.eventRetentionDays,
      recipientRetentionDays: config.recipientRetentionDays,
      batchSummaryReads: true,
      eventIndexes: config.eventIndexes,
    }),
    queue: new SqsSuppressionQueue(sqs, config.suppressionQueueUrl),
    allowlist: new DynamoAllowlist(dynamo, {
      tableName: config.tableName,
      cacheSeconds: config.allowlistCacheSeconds,
      now,
    }),
    classify: classifyBounce,
    settings: config,
    deliveryHistory: config.deliveryHistory,
    now,
    sleep,
  },
  parking: config.deadLetterQueueUrl ? new SqsMessageParking(sqs, config.deadLetterQueueUrl) : null,
  logger,
  metrics,
  concurrency: config.recordsAtOnce,
});
