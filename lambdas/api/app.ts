// Composes the query API: every route, the OpenAPI document derived from them, and error mapping in one place.
import * as z from 'zod';
import { allowlistRoutes } from './allowlist-routes.ts';
import type { QueryApiAuthorization } from './authorization.ts';
import { bounceRoutes } from './bounce-routes.ts';
import type { DataDeps } from './deps.ts';
import { apiErrorOf } from './errors.ts';
import { type ApiRequest, type ApiResponse, jsonResponse, toErrorResponse } from './http.ts';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi.ts';
import { recipientRoutes } from './recipient-routes.ts';
import { type ReferenceDeps, referenceRoutes } from './reference-routes.ts';
import { defineRoute, type Route, Router } from './router.ts';
import { statsRoutes } from './stats-routes.ts';

const API_VERSION = '1.0.0';

interface ErrorLogger {
  error(message: string, error: Error): void;
}

export interface QueryApiDeps extends ReferenceDeps, DataDeps {
  logger: ErrorLogger;
  /** Browser origins allowed to read responses (CORS); empty: no CORS headers. */
  corsAllowOrigins?: readonly string[];
  /** How API Gateway authenticates callers, as GET /openapi.json describes it; IAM (SigV4) when not given. */
  authorization?: QueryApiAuthorization;
}

/** Responses carry personal data: never cached by intermediaries, never content-sniffed. */
const COMMON_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

function withHeaders(
  response: ApiResponse,
  request: ApiRequest,
  corsAllowOrigins: readonly string[],
): ApiResponse {
  const headers: Record<string, string> = { ...COMMON_HEADERS, ...response.headers };
  const origin = request.headers.origin;
  if (origin !== undefined && corsAllowOrigins.length > 0) {
    headers.vary = 'Origin';
    if (corsAllowOrigins.includes(origin) || corsAllowOrigins.includes('*')) {
      headers['access-control-allow-origin'] = corsAllowOrigins.includes('*') ? '*' : origin;
      headers['access-control-expose-headers'] = 'x-next-cursor';
    }
  }
  return { ...response, headers };
}

export interface QueryApi {
  handle(request: ApiRequest): Promise<ApiResponse>;
  readonly routes: readonly Route[];
  openApiDocument(): OpenApiDocument;
}

export function createQueryApi(deps: QueryApiDeps): QueryApi {
  let document: OpenApiDocument | undefined;
  const routes: Route[] = [
    ...bounceRoutes(deps),
    ...recipientRoutes(deps),
    ...statsRoutes(deps),
    ...allowlistRoutes(deps),
    ...referenceRoutes(deps),
  ];
  routes.push(
    defineRoute({
      method: 'GET',
      path: '/openapi.json',
      operationId: 'openApiDocument',
      summary: 'This API described in OpenAPI 3.1',
      cost: '0 read units',
      responses: {
        200: {
          description: 'The OpenAPI 3.1 document',
          schema: z.looseObject({
            openapi: z.literal('3.1.0'),
            info: z.looseObject({ title: z.string(), version: z.string() }),
            paths: z.record(z.string(), z.record(z.string(), z.unknown())),
          }),
        },
      },
      async handle() {
        return jsonResponse(200, openApiDocument());
      },
    }),
  );
  const router = new Router(routes);
  function openApiDocument(): OpenApiDocument {
    document ??= buildOpenApiDocument(routes, API_VERSION, deps.authorization ?? { type: 'iam' });
    return document;
  }
  return {
    routes,
    openApiDocument,
    async handle(request) {
      let response: ApiResponse;
      try {
        response = await router.handle(request);
      } catch (error) {
        if (apiErrorOf(error) === null) {
          deps.logger.error(
            'Unhandled error in query API',
            error instanceof Error ? error : new Error(String(error)),
          );
        }
        response = toErrorResponse(error);
      }
      return withHeaders(response, request, deps.corsAllowOrigins ?? []);
    },
  };
}
