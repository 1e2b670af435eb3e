// Derives the OpenAPI 3.1 document from the router's route table, so the contract cannot drift from the code.
import * as z from 'zod';
import { type CognitoScopes, METHOD_TIERS, type QueryApiAuthorization, tierScopes } from './authorization.ts';
import type { Route } from './router.ts';

type JsonSchema = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  jsonSchemaDialect: string;
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, unknown>;
  security: Array<Record<string, string[]>>;
}

const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    field: z.string().nullable(),
  }),
});

/** Rewrites `#/$defs/X` references to `#/components/schemas/X`, recursively. */
function hoistRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hoistRefs);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] =
      key === '$ref' && typeof child === 'string'
        ? child.replace('#/$defs/', '#/components/schemas/')
        : hoistRefs(child);
  }
  return out;
}

/**
 * JSON Schema (2020-12, as OpenAPI 3.1 uses) of a zod schema. Schemas carrying a meta `id` are moved to
 * `components.schemas` (collected in `shared`) and referenced, so each appears once in the document.
 */
function toSchema(schema: z.ZodType, io: 'input' | 'output', shared?: Record<string, unknown>): JsonSchema {
  const json = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  const defs = (json.$defs ?? {}) as Record<string, unknown>;
  delete json.$defs;
  if (shared !== undefined) {
    for (const [id, definition] of Object.entries(defs)) shared[id] = hoistRefs(definition);
    return hoistRefs(json) as JsonSchema;
  }
  return Object.keys(defs).length > 0 ? { ...json, $defs: defs } : json;
}

function parametersOf(schema: z.ZodType | undefined, location: 'path' | 'query'): unknown[] {
  if (schema === undefined) return [];
  const json = toSchema(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    // A number parameter arrives as text matched by a pattern; the document states the number it stands for.
    if (rest.type === 'integer') delete rest.pattern;
    return {
      name,
      in: location,
      required: location === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

/**
 * Statuses every operation can answer besides its own, and who answers them: the function (400, 404, 405, 413,
 * 500), API Gateway in front of it (401, 403, 413, 429, 504) and the local stack in its place (401, 403, 408, 413,
 * 431, 503). All of them carry the Error body (API Gateway's through the gateway responses of infra/constructs/query-api.ts).
 */
const COMMON_ERRORS: Readonly<Record<string, string>> = {
  '400': 'Invalid input: a path or query parameter (also a repeated one), the body or the cursor',
  '401':
    'Not authenticated: a Cognito authorizer without a valid token, or the local stack without its bearer token',
  '403':
    'Refused: IAM denied the caller or the request was not signed (API Gateway); the local stack refuses a foreign ' +
    'Host (DNS rebinding) and cross-site writes',
  '404': 'Not found',
  '405': 'Method not allowed on this path (the Allow header lists the allowed methods)',
  '408': 'The local stack: the request did not arrive in time',
  '413': 'Body too large (64 KB)',
  '429': 'Throttled by API Gateway; retry',
  '431': 'Request header fields too large (the local stack: over 16 KB)',
  '500': 'Internal error',
  '503':
    'Unavailable: the local stack is starting or has too many requests in flight (see Retry-After), or a ' +
    'dependency is throttled; retry',
  '504': 'API Gateway: the function did not answer within 29 s; retry',
};

const ERROR_CONTENT = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

type SecurityRequirements = Array<Record<string, string[]>>;

const SUMMARY = 'Bounce history, recipient state, statistics and code explanations.';
const CONVENTIONS =
  'Lists answer {items, nextCursor}; timestamps are ISO 8601 UTC; errors answer {error: {code, message, field}}.';

/** How the document states each authorization: its security scheme, default requirement and description. */
interface SecurityDescription {
  schemes: Record<string, unknown>;
  security: SecurityRequirements;
  description: string;
  /** The requirement of one operation, when it differs by method; undefined: the document's applies. */
  operationSecurity(route: Route): SecurityRequirements | undefined;
}

const IAM_SECURITY: SecurityDescription = {
  schemes: {
    sigv4: {
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      description: 'AWS Signature Version 4 (IAM); the caller needs execute-api:Invoke on this API.',
      'x-amazon-apigateway-authtype': 'awsSigv4',
    },
  },
  security: [{ sigv4: [] }],
  description: `${SUMMARY} Every request is signed with AWS Signature Version 4 (API Gateway IAM authorization). ${CONVENTIONS}`,
  operationSecurity: () => undefined,
};

/**
 * The Cognito user-pool authorizer: a JWT of the pool in the Authorization header. Each operation lists the scopes
 * API Gateway checks on its method, one requirement per scope, since a token holding any one of them passes; a
 * method that checks no scope takes any token of the pool (an ID token).
 */
function cognitoSecurity(scopes: CognitoScopes): SecurityDescription {
  const requirementsOf = (required: readonly string[]): SecurityRequirements =>
    required.length > 0 ? required.map((scope) => ({ cognito: [scope] })) : [{ cognito: [] }];
  const anyOf = (required: readonly string[]) => required.map((scope) => `"${scope}"`).join(', ');
  const read = tierScopes(scopes, 'read');
  const reads =
    read.length > 0
      ? `an access token holding any one of the scopes ${anyOf(read)}`
      : 'an ID token of the pool (no scope is checked)';
  return {
    schemes: {
      cognito: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          "A JWT of the deployment's Amazon Cognito user pool (API Gateway Cognito user-pool authorizer). Each " +
          'operation lists the OAuth scopes it accepts; any one of them suffices.',
      },
    },
    security: [{ cognito: [] }],
    description:
      `${SUMMARY} Every request carries a JWT of the deployment's Amazon Cognito user pool in the Authorization ` +
      `header (Bearer; API Gateway Cognito user-pool authorizer): reads (every GET and POST /classify) take ${reads}; ` +
      `state changes (PUT and DELETE) take an access token holding any one of the scopes ` +
      `${anyOf(tierScopes(scopes, 'admin'))}. ${CONVENTIONS}`,
    operationSecurity: (route) => requirementsOf(tierScopes(scopes, METHOD_TIERS[route.method])),
  };
}

function securityOf(authorization: QueryApiAuthorization): SecurityDescription {
  return authorization.type === 'iam' ? IAM_SECURITY : cognitoSecurity(authorization);
}

function operationOf(
  route: Route,
  shared: Record<string, unknown>,
  security: SecurityRequirements | undefined,
): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    const content: Record<string, unknown> = {};
    if (spec.schema !== undefined)
      content['application/json'] = { schema: toSchema(spec.schema, 'output', shared) };
    else if (Number(status) >= 400) Object.assign(content, ERROR_CONTENT);
    for (const mediaType of spec.alsoAs ?? []) content[mediaType] = { schema: { type: 'string' } };
    responses[status] = {
      description: spec.description,
      ...(Object.keys(content).length > 0 ? { content } : {}),
    };
  }
  const common =
    route.body === undefined
      ? COMMON_ERRORS
      : { ...COMMON_ERRORS, '415': 'The body is not JSON (Content-Type must be application/json)' };
  for (const [status, description] of Object.entries(common)) {
    responses[status] ??= { description, content: ERROR_CONTENT };
  }
  const ordered = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: [route.description, `Cost: ${route.cost}`].filter(Boolean).join('\n\n'),
    'x-dynamodb-cost': route.cost,
    parameters: [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')],
    ...(route.body !== undefined
      ? {
          requestBody: {
            required: !route.bodyOptional,
            content: { 'application/json': { schema: toSchema(route.body, 'input') } },
          },
        }
      : {}),
    ...(security !== undefined ? { security } : {}),
    responses: ordered,
  };
}

/** The document of these routes under the deployment's authorization (docs/openapi.json: the IAM default). */
export function buildOpenApiDocument(
  routes: readonly Route[],
  version: string,
  authorization: QueryApiAuthorization,
): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const shared: Record<string, unknown> = {};
  const security = securityOf(authorization);
  for (const route of routes) {
    const item = paths[route.path] ?? {};
    item[route.method.toLowerCase()] = operationOf(route, shared, security.operationSecurity(route));
    paths[route.path] = item;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ses-bounce-processor query API',
      version,
      description: security.description,
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: {
        ...Object.fromEntries(Object.entries(shared).sort(([a], [b]) => a.localeCompare(b))),
        Error: toSchema(errorSchema, 'output'),
      },
      securitySchemes: security.schemes,
    },
    security: security.security,
  };
}
