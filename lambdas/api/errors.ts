// Typed errors of the query API, and the domain's typed errors as API errors (`apiErrorOf`): `toErrorResponse` in
// http.ts is the one place they become HTTP statuses.
import { ReactivationConflictError, SuppressionListThrottledError } from '../domain/ports.ts';
import { ComplaintForceRequiredError, RecipientUnknownError } from '../domain/recipients.ts';

export type ApiErrorCode =
  | 'invalid-parameter'
  | 'invalid-body'
  | 'invalid-cursor'
  | 'not-found'
  | 'route-not-found'
  | 'method-not-allowed'
  | 'force-required'
  | 'conflict'
  | 'unsupported-media-type'
  | 'payload-too-large'
  | 'upstream-unavailable'
  | 'internal-error';

export abstract class ApiError extends Error {
  abstract readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Something the client sent is malformed: a parameter, the body or a cursor. */
export class ValidationError extends ApiError {
  readonly status = 400;
}

export class NotFoundError extends ApiError {
  readonly status = 404;
  constructor(message: string, field: string | null = null) {
    super('not-found', message, field);
  }
}

export class RouteNotFoundError extends ApiError {
  readonly status = 404;
  constructor(path: string) {
    super('route-not-found', `No route matches ${path}`);
  }
}

export class MethodNotAllowedError extends ApiError {
  readonly status = 405;
  constructor(
    method: string,
    readonly allow: readonly string[],
  ) {
    super('method-not-allowed', `Method ${method} is not allowed here; allowed: ${allow.join(', ')}`);
  }
}

/** The request is well-formed but conflicts with the resource's state (e.g. lifting a complaint suppression without force). */
class ConflictError extends ApiError {
  readonly status = 409;
}

export class UnsupportedMediaTypeError extends ApiError {
  readonly status = 415;
  constructor(message: string) {
    super('unsupported-media-type', message, 'content-type');
  }
}

export class PayloadTooLargeError extends ApiError {
  readonly status = 413;
  constructor(message: string) {
    super('payload-too-large', message, 'body');
  }
}

/** A dependency (SES) refused or throttled us; the client may retry later. */
class UpstreamUnavailableError extends ApiError {
  readonly status = 503;
  constructor(message: string) {
    super('upstream-unavailable', message);
  }
}

/** The API error a typed error of ours stands for; null for anything else (an internal error). */
export function apiErrorOf(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (error instanceof RecipientUnknownError) return new NotFoundError(error.message, 'email');
  if (error instanceof ComplaintForceRequiredError) {
    return new ConflictError('force-required', error.message, 'force');
  }
  if (error instanceof ReactivationConflictError) {
    return new ConflictError('conflict', 'The recipient changed (or was erased) while reactivating; retry');
  }
  if (error instanceof SuppressionListThrottledError) {
    return new UpstreamUnavailableError(
      'SES throttled the suppression-list call (1 request/s); retry shortly',
    );
  }
  return null;
}
