// Builds API Gateway REST proxy (v1) events for the query API's tests.
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';

export interface CallOptions {
  query?: Record<string, string>;
  /** Repeated query parameters (API Gateway's multi-value view). */
  multiQuery?: Record<string, string[]>;
  headers?: Record<string, string>;
  body?: string;
  callerArn?: string;
}

export function apiEvent(method: string, path: string, options: CallOptions = {}): APIGatewayProxyEvent {
  const multi: Record<string, string[]> = {
    ...Object.fromEntries(Object.entries(options.query ?? {}).map(([name, value]) => [name, [value]])),
    ...(options.multiQuery ?? {}),
  };
  const hasQuery = Object.keys(multi).length > 0;
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers: options.headers ?? {},
    multiValueHeaders: {},
    queryStringParameters: hasQuery
      ? Object.fromEntries(Object.entries(multi).map(([name, values]) => [name, values.at(-1) ?? '']))
      : null,
    multiValueQueryStringParameters: hasQuery ? multi : null,
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    body: options.body ?? null,
    isBase64Encoded: false,
    requestContext: {
      requestId: randomUUID(),
      identity: { userArn: options.callerArn ?? null },
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}
