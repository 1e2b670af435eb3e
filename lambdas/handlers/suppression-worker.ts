// Lambda entry point of the suppression worker (SQS events from the suppression queue), paced to SES's quota.
// Wiring only: configuration validated at cold start, clients created once per container.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoEventStore } from '../adapters/dynamo-event-store.ts';
import { Sesv2SuppressionList } from '../adapters/sesv2-suppression-list.ts';
import { createSuppressionWorkerHandler } from '../adapters/suppression-worker-lambda.ts';
import { loadTelemetryConfig, loadWorkerConfig } from '../config.ts';
import { sleep } from '../domain/retry.ts';

const config = loadWorkerConfig(process.env);
const telemetry = loadTelemetryConfig(process.env, 'ses-bounce-suppression-worker');
const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
// The SDK's standard retry mode already backs off on TooManyRequestsException (3 attempts).
const ses = new SESv2Client({});

export const handler = createSuppressionWorkerHandler({
  deps: {
    // Retention is irrelevant here: the worker writes no SES events, only summaries and audit events.
    store: new DynamoEventStore(dynamo, {
      tableName: config.tableName,
      eventRetentionDays: 0,
      eventIndexes: config.eventIndexes,
      recipientRetentionDays: 0,
    }),
    list: new Sesv2SuppressionList(ses),
    now: () => new Date(),
    sleep,
    ratePerSecond: config.suppressionRatePerSecond,
    dryRun: config.dryRun,
  },
  logger: new Logger({ serviceName: telemetry.serviceName }),
  metrics: new Metrics({ namespace: telemetry.metricsNamespace, serviceName: telemetry.serviceName }),
});
