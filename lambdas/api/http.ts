// The query API's own request/response shapes, and their mapping from/to API Gateway REST proxy (v1) events.
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { apiErrorOf, MethodNotAllowedError } from './errors.ts';

export interface ApiRequest {
  method: string;
  path: string;
  /** Each query parameter with all its values (API Gateway's multi-value view). */
  query: Readonly<Record<string, readonly string[]>>;
  /** Header names lower-cased. */
  headers: Readonly<Record<string, string>>;
  body: string | null;
  /** Who called: the IAM principal API Gateway authenticated, or null when unauthenticated (local stack). */
  caller: string | null;
  /** API Gateway's request id (ties audit entries to access logs); generated when absent. */
  requestId: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface ErrorBody {
  error: { code: string; message: string; field: string | null };
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const;

export function jsonResponse(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): ApiResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(value) };
}

export function noContent(): ApiResponse {
  return { status: 204, headers: {}, body: '' };
}

/** The single mapping of typed errors to HTTP; anything unexpected becomes a 500 that echoes nothing internal. */
export function toErrorResponse(thrown: unknown): ApiResponse {
  const error = apiErrorOf(thrown);
  if (error !== null) {
    const body: ErrorBody = { error: { code: error.code, message: error.message, field: error.field } };
    const headers: Record<string, string> =
      error instanceof MethodNotAllowedError ? { allow: error.allow.join(', ') } : {};
    return jsonResponse(error.status, body, headers);
  }
  const body: ErrorBody = { error: { code: 'internal-error', message: 'Internal error', field: null } };
  return jsonResponse(500, body);
}

function callerOf(event: APIGatewayProxyEvent): string | null {
  // IAM authorization names the signing principal; a Cognito authorizer passes the token's claims instead.
  const identity = event.requestContext?.identity;
  const iam = identity?.userArn ?? identity?.caller ?? identity?.user;
  if (iam) return iam;
  const claims: unknown = event.requestContext?.authorizer?.claims;
  if (claims !== null && typeof claims === 'object') {
    const record = claims as Record<string, unknown>;
    for (const name of ['cognito:username', 'username', 'email', 'sub']) {
      const value = record[name];
      if (typeof value === 'string' && value !== '') return `cognito:${value}`;
    }
  }
  return null;
}

export function fromApiGatewayEvent(event: APIGatewayProxyEvent): ApiRequest {
  const query: Record<string, readonly string[]> = {};
  const multi = event.multiValueQueryStringParameters ?? {};
  for (const [name, values] of Object.entries(multi)) {
    if (values !== undefined) query[name] = values;
  }
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined && query[name] === undefined) query[name] = [value];
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const body =
    event.body === null || event.body === undefined
      ? null
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  return {
    method: (event.httpMethod ?? 'GET').toUpperCase(),
    path: event.path ?? '/',
    query,
    headers,
    body,
    caller: callerOf(event),
    requestId: event.requestContext?.requestId ?? randomUUID(),
  };
}

export function toApiGatewayResult(response: ApiResponse): APIGatewayProxyResult {
  return { statusCode: response.status, headers: response.headers, body: response.body };
}
