// A small router: routes are data (method, path template, zod schemas), so the OpenAPI document is derived from
// the same table that serves requests, and every input passes its schema before a use case sees it.
import type { z } from 'zod';
import {
  MethodNotAllowedError,
  PayloadTooLargeError,
  RouteNotFoundError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './errors.ts';
import type { ApiRequest, ApiResponse } from './http.ts';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

/** Bodies beyond this are refused before parsing: no route needs more than a few hundred bytes. */
const MAX_BODY_BYTES = 64 * 1024;

interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Extra media types served for this status besides JSON (e.g. text/csv). */
  alsoAs?: readonly string[];
}

interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  request: ApiRequest;
}

export interface RouteSpec<P, Q, B> {
  method: HttpMethod;
  /** Path template, e.g. `/recipients/{email}/events`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  /** DynamoDB read (or write) units this endpoint costs, for the docs. */
  cost: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** An absent or empty body is parsed as `{}` (e.g. PUT with optional fields). */
  bodyOptional?: boolean;
  responses: Readonly<Record<number, ResponseSpec>>;
  handle(input: RouteInput<P, Q, B>): Promise<ApiResponse>;
}

export interface Route {
  readonly method: HttpMethod;
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description: string | undefined;
  readonly cost: string;
  readonly params: z.ZodType | undefined;
  readonly query: z.ZodType | undefined;
  readonly body: z.ZodType | undefined;
  readonly bodyOptional: boolean;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  run(request: ApiRequest, rawParams: Readonly<Record<string, string>>): Promise<ApiResponse>;
}

function firstIssueToError(error: z.ZodError, where: 'path' | 'query' | 'body'): ValidationError {
  const issue = error.issues[0];
  const code = where === 'body' ? 'invalid-body' : 'invalid-parameter';
  if (issue === undefined) return new ValidationError(code, `Invalid ${where}`, where);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const field = where === 'body' ? ['body', ...issue.path.map(String), key].join('.') : key;
    const noun = where === 'query' ? 'query parameter' : 'field';
    return new ValidationError(code, `Unknown ${noun} '${key}'`, field);
  }
  const segments = issue.path.map(String);
  const field = where === 'body' ? ['body', ...segments].join('.') : segments.join('.') || where;
  return new ValidationError(code, `${field}: ${issue.message}`, field);
}

function parseWith<T>(schema: z.ZodType<T> | undefined, value: unknown, where: 'path' | 'query' | 'body'): T {
  if (schema === undefined) return undefined as T;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw firstIssueToError(parsed.error, where);
  return parsed.data;
}

function singleValuedQuery(query: ApiRequest['query']): Record<string, string> {
  const single: Record<string, string> = {};
  for (const [name, values] of Object.entries(query)) {
    if (values.length > 1)
      throw new ValidationError('invalid-parameter', `Query parameter '${name}' is repeated`, name);
    single[name] = values[0] ?? '';
  }
  return single;
}

function parseJsonBody(request: ApiRequest): unknown {
  const contentType = request.headers['content-type'];
  if (contentType !== undefined && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType.trim())) {
    throw new UnsupportedMediaTypeError(`Content-Type must be application/json, got '${contentType}'`);
  }
  if (request.body === null || request.body.trim() === '') {
    throw new ValidationError('invalid-body', 'A JSON body is required', 'body');
  }
  if (Buffer.byteLength(request.body, 'utf8') > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`Body exceeds ${MAX_BODY_BYTES} bytes`);
  }
  try {
    return JSON.parse(request.body);
  } catch {
    throw new ValidationError('invalid-body', 'Body is not valid JSON', 'body');
  }
}

export function defineRoute<P = undefined, Q = undefined, B = undefined>(spec: RouteSpec<P, Q, B>): Route {
  return {
    method: spec.method,
    path: spec.path,
    operationId: spec.operationId,
    summary: spec.summary,
    description: spec.description,
    cost: spec.cost,
    params: spec.params,
    query: spec.query,
    body: spec.body,
    bodyOptional: spec.bodyOptional === true,
    responses: spec.responses,
    async run(request, rawParams) {
      const params = parseWith(spec.params, rawParams, 'path');
      const query = parseWith(spec.query, singleValuedQuery(request.query), 'query');
      const empty = request.body === null || request.body.trim() === '';
      const body =
        spec.body === undefined
          ? (undefined as B)
          : parseWith(spec.body, spec.bodyOptional === true && empty ? {} : parseJsonBody(request), 'body');
      return spec.handle({ params, query, body, request });
    },
  };
}

type Segment = { literal: string } | { param: string };

function compile(path: string): Segment[] {
  return path
    .split('/')
    .filter((part) => part !== '')
    .map((part) => {
      const match = /^\{(\w+)\}$/.exec(part);
      return match?.[1] !== undefined ? { param: match[1] } : { literal: part };
    });
}

function splitRequestPath(path: string): string[] | null {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (!trimmed.startsWith('/')) return null;
  const parts = trimmed.split('/').slice(1);
  if (parts.length === 1 && parts[0] === '') return [];
  return parts.some((part) => part === '') ? null : parts;
}

function decodeSegment(raw: string, param: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ValidationError(
      'invalid-parameter',
      `Path parameter '${param}' is not valid percent-encoding`,
      param,
    );
  }
}

function matchSegments(
  segments: readonly Segment[],
  parts: readonly string[],
): Record<string, string> | null {
  if (segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    const part = parts[index] ?? '';
    if ('literal' in segment) {
      if (segment.literal !== part) return null;
    } else {
      params[segment.param] = part;
    }
  }
  return params;
}

function literalCount(segments: readonly Segment[]): number {
  return segments.filter((segment) => 'literal' in segment).length;
}

export class Router {
  private readonly compiled: ReadonlyArray<{ route: Route; segments: Segment[] }>;

  constructor(readonly routes: readonly Route[]) {
    // Most literal segments first, so `/allowlist` wins over a template of the same length.
    this.compiled = routes
      .map((route) => ({ route, segments: compile(route.path) }))
      .sort((a, b) => literalCount(b.segments) - literalCount(a.segments));
  }

  async handle(request: ApiRequest): Promise<ApiResponse> {
    const parts = splitRequestPath(request.path);
    if (parts === null) throw new RouteNotFoundError(request.path);
    const candidates: Array<{ route: Route; rawParams: Record<string, string> }> = [];
    for (const { route, segments } of this.compiled) {
      const rawParams = matchSegments(segments, parts);
      if (rawParams !== null) candidates.push({ route, rawParams });
    }
    if (candidates.length === 0) throw new RouteNotFoundError(request.path);
    // The most specific template that matched decides which methods this path has.
    const bestShape = candidates[0]?.route.path;
    const samePath = candidates.filter((candidate) => candidate.route.path === bestShape);
    const chosen = samePath.find((candidate) => candidate.route.method === request.method);
    if (chosen === undefined) {
      throw new MethodNotAllowedError(
        request.method,
        samePath.map((candidate) => candidate.route.method),
      );
    }
    const decoded: Record<string, string> = {};
    for (const [name, raw] of Object.entries(chosen.rawParams)) decoded[name] = decodeSegment(raw, name);
    return chosen.route.run(request, decoded);
  }
}
