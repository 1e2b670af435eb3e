// Lambda entry point of the counter rollup (the table's DynamoDB stream, filtered to what adds to the counters):
// the daily counters are summed from recorded events and ledger counts. Wiring only: configuration validated at
// cold start, clients created once per container.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createCounterRollupHandler } from '../adapters/counter-rollup-lambda.ts';
import { DynamoCounterRollupStore } from '../adapters/dynamo-counter-rollup.ts';
import { loadRollupConfig, loadTelemetryConfig } from '../config.ts';

const config = loadRollupConfig(process.env);
const telemetry = loadTelemetryConfig(process.env, 'ses-bounce-counter-rollup');
const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}));

const store = new DynamoCounterRollupStore(dynamo, {
  tableName: config.tableName,
  eventRetentionDays: config.eventRetentionDays,
  now: () => new Date(),
});

export const handler = createCounterRollupHandler({
  store,
  failedBatches: store,
  logger: new Logger({ serviceName: telemetry.serviceName }),
  metrics: new Metrics({ namespace: telemetry.metricsNamespace, serviceName: telemetry.serviceName }),
});
