// Lambda entry of the query API (API Gateway REST proxy events): event → request → router → result.
// Clients and configuration are created once per container, on the first invocation.
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { dynamoQueryStore } from '../adapters/dynamo-query-store.ts';
import { Sesv2SuppressionList } from '../adapters/sesv2-suppression-list.ts';
import { createQueryApi, type QueryApi } from '../api/app.ts';
import { CursorCodec } from '../api/cursor.ts';
import { fromApiGatewayEvent, toApiGatewayResult } from '../api/http.ts';
import { loadQueryApiConfig } from '../config.ts';
import { classifyBounce } from '../domain/classify.ts';
import { explainCode } from '../domain/registry.ts';

export interface QueryApiClients {
  dynamo: DynamoDBClient;
  sesv2: SESv2Client;
}

/** Builds the API from an environment and clients; the local stack and tests call this with their endpoints. */
export function buildQueryApi(
  env: Readonly<Record<string, string | undefined>>,
  clients: QueryApiClients,
  options: { logger?: Logger; now?: () => Date } = {},
): QueryApi {
  const config = loadQueryApiConfig(env);
  const documents = DynamoDBDocumentClient.from(clients.dynamo, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return createQueryApi({
    store: dynamoQueryStore(documents, config.tableName, { eventIndexes: config.eventIndexes }),
    cursors: new CursorCodec(config.cursorSigningSecret),
    ses: new Sesv2SuppressionList(clients.sesv2),
    now: options.now ?? (() => new Date()),
    retentionDays: config.eventRetentionDays,
    recipientRetentionDays: config.recipientRetentionDays,
    explainCode,
    classifyBounce,
    logger: options.logger ?? new Logger(),
    corsAllowOrigins: config.corsAllowOrigins,
    authorization: config.authorization,
  });
}

export function queryApiHandler(api: QueryApi) {
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> =>
    toApiGatewayResult(await api.handle(fromApiGatewayEvent(event)));
}

const logger = new Logger();
let api: QueryApi | undefined;

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  api ??= buildQueryApi(
    process.env,
    { dynamo: new DynamoDBClient({}), sesv2: new SESv2Client({}) },
    { logger },
  );
  logger.appendKeys({ requestId: event.requestContext?.requestId });
  return queryApiHandler(api)(event);
};
