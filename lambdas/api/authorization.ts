// How API Gateway authenticates the query API, in one place for the two that must agree on it: the stack
// (infra/constructs/query-api.ts) configures each method from it, and the OpenAPI document (openapi.ts) describes it.
import type { HttpMethod } from './router.ts';

/**
 * Which caller tier each HTTP method of the API belongs to: every PUT and DELETE changes state, every GET and
 * `POST /classify` only reads. API Gateway authorizes per method, so this is where Cognito's read and admin scopes
 * apply; the IAM caller policies draw the same line by route.
 */
export const METHOD_TIERS = {
  GET: 'read',
  POST: 'read',
  PUT: 'admin',
  DELETE: 'admin',
} as const satisfies Record<HttpMethod, string>;
export type CallerTier = (typeof METHOD_TIERS)[HttpMethod];

/** What authenticates callers at API Gateway: `iam` (SigV4, the default) or `cognito` (a user-pool authorizer). */
export const API_AUTHORIZATION_TYPES = ['iam', 'cognito'] as const;
export type ApiAuthorizationType = (typeof API_AUTHORIZATION_TYPES)[number];

export interface CognitoScopes {
  /** OAuth scopes accepted on the read methods; empty: no scope is checked there (an ID token of the pool). */
  readonly readScopes: readonly string[];
  /** OAuth scopes required on the methods that change state; never empty. */
  readonly adminScopes: readonly string[];
}

/** The deployment's authorization as the query function knows it (API_AUTHORIZATION and the scopes). */
export type QueryApiAuthorization = { readonly type: 'iam' } | ({ readonly type: 'cognito' } & CognitoScopes);

/**
 * The OAuth scopes API Gateway checks on a tier's methods: a token holding any one of them passes. Admin tokens may
 * read too; empty means no scope is checked (reads without read scopes).
 */
export function tierScopes(scopes: CognitoScopes, tier: CallerTier): readonly string[] {
  if (tier === 'admin') return scopes.adminScopes;
  return scopes.readScopes.length > 0 ? [...scopes.readScopes, ...scopes.adminScopes] : [];
}
