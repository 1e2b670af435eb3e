// Lambda entry point of the events publisher (the table's DynamoDB stream): committed state changes become
// EventBridge events. Wiring only: configuration validated at cold start, clients created once per container.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoCauseReader } from '../adapters/dynamo-stream.ts';
import { EventBridgeBus } from '../adapters/eventbridge-bus.ts';
import { createEventsPublisherHandler } from '../adapters/events-publisher-lambda.ts';
import { loadPublisherConfig, loadTelemetryConfig } from '../config.ts';
import { sleep } from '../domain/retry.ts';

const config = loadPublisherConfig(process.env);
const telemetry = loadTelemetryConfig(process.env, 'ses-bounce-events-publisher');
const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = createEventsPublisherHandler({
  deps: {
    bus: new EventBridgeBus(new EventBridgeClient({}), config.eventBus),
    causes: new DynamoCauseReader(dynamo, config.tableName),
    // EventBridge's own partial failures (FailedEntryCount): 3 attempts within the invocation, then the stream.
    retry: { attempts: 3, pauseMs: (attempt) => 100 * 2 ** attempt, sleep },
  },
  logger: new Logger({ serviceName: telemetry.serviceName }),
  metrics: new Metrics({ namespace: telemetry.metricsNamespace, serviceName: telemetry.serviceName }),
});
