// GET /openapi.json states the authorization API Gateway applies: SigV4 by default, or the Cognito authorizer with
// each method's scopes. The Cognito cases run the query function with the environment the synthesized stack gives
// it and compare every operation with the AWS::ApiGateway::Method that guards it.
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { buildQueryApi } from '../../lambdas/handlers/query-api.ts';
import { logicalId, synthesize, TEST_ENV } from '../support/synth.ts';

const USER_POOL_ARN = `arn:aws:cognito-idp:${TEST_ENV.region}:${TEST_ENV.account}:userpool/${TEST_ENV.region}_AbCdEf123`;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

type Operation = { security?: Array<Record<string, string[]>> };
interface Document {
  info: { description: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
  security: Array<Record<string, string[]>>;
}

function documentOf(env: Record<string, string>): Document {
  const api = buildQueryApi(
    { ...env, TABLE_NAME: 'events' },
    {
      dynamo: new DynamoDBClient({ region: 'us-east-1', credentials }),
      sesv2: new SESv2Client({ region: 'us-east-1', credentials }),
    },
    { logger: new Logger({ logLevel: 'SILENT' }) },
  );
  return api.openApiDocument() as unknown as Document;
}

/** The query function's API_* variables and the scopes each HTTP method requires, from a synthesized stack. */
function deployment(settings: Record<string, unknown>) {
  const { stack, template } = synthesize(settings);
  const variables: Record<string, unknown> =
    template.findResources('AWS::Lambda::Function')[logicalId(stack, stack.parts.queryApi.function.function)]
      ?.Properties.Environment.Variables ?? {};
  const environment = Object.fromEntries(
    Object.entries(variables).filter(
      (entry): entry is [string, string] => entry[0].startsWith('API_') && typeof entry[1] === 'string',
    ),
  );
  const required = new Map<string, string[]>();
  for (const { Properties: method } of Object.values(template.findResources('AWS::ApiGateway::Method'))) {
    if (method.HttpMethod === 'OPTIONS') continue;
    expect(method.AuthorizationType).toBe('COGNITO_USER_POOLS');
    const scopes = [...(method.AuthorizationScopes ?? [])].sort();
    // The proxy resource and the root (mirrored by CDK) require the same.
    expect(required.get(method.HttpMethod) ?? scopes).toEqual(scopes);
    required.set(method.HttpMethod, scopes);
  }
  return { environment, required };
}

/** Scopes an operation accepts: one requirement per scope (any one passes), `[]` for a token without a scope check. */
function acceptedScopes(operation: Operation): string[] {
  return (operation.security ?? []).flatMap((requirement) => requirement.cognito ?? ['<not cognito>']).sort();
}

function operations(document: Document) {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
  );
}

describe('the OpenAPI document under IAM (the default)', () => {
  const document = documentOf({ API_AUTHORIZATION: 'iam' });

  it('declares SigV4 only, for every operation, and says so', () => {
    expect(Object.keys(document.components.securitySchemes)).toEqual(['sigv4']);
    expect(document.security).toEqual([{ sigv4: [] }]);
    expect(operations(document).filter(({ operation }) => operation.security !== undefined)).toEqual([]);
    expect(document.info.description).toContain('Every request is signed with AWS Signature Version 4');
    expect(document.info.description).not.toContain('Cognito');
  });

  it('is the document of an environment that names no authorization', () => {
    expect(documentOf({})).toEqual(document);
  });
});

describe.each([
  { reads: 'read scopes', apiCognitoScopes: 'bounces/read, bounces/list' },
  { reads: 'no read scopes', apiCognitoScopes: undefined },
])('the OpenAPI document under Cognito with $reads', ({ apiCognitoScopes }) => {
  const { environment, required } = deployment({
    apiAuthorization: 'cognito',
    apiCognitoUserPoolArn: USER_POOL_ARN,
    apiCognitoAdminScopes: 'bounces/admin',
    ...(apiCognitoScopes !== undefined ? { apiCognitoScopes } : {}),
  });
  const document = documentOf(environment);

  it('declares a bearer JWT scheme and no SigV4', () => {
    expect(document.components.securitySchemes).toEqual({
      cognito: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
    });
    expect(JSON.stringify(document)).not.toContain('sigv4');
    expect(document.info.description).not.toContain('Signature Version 4');
    expect(document.info.description).toContain('Cognito user pool');
  });

  it('gives every operation exactly the scopes API Gateway requires on its method', () => {
    const all = operations(document);
    expect(new Set(all.map(({ method }) => method))).toEqual(new Set(required.keys()));
    for (const { path, method, operation } of all) {
      const scopes = required.get(method) ?? [];
      expect(acceptedScopes(operation), `${method} ${path}`).toEqual(scopes);
      // No scope checked: one requirement with an empty list (any token of the pool), never none at all.
      if (scopes.length === 0) expect(operation.security, `${method} ${path}`).toEqual([{ cognito: [] }]);
    }
  });

  it('names the scopes of reads and of state changes in its description', () => {
    // Prepare
    const clause = (tier: string) =>
      new RegExp(`${tier} take (.*?)(?:; |\\. Lists)`).exec(document.info.description)?.[1] ?? '<missing>';
    const quoted = (text: string) => [...text.matchAll(/"([^"]+)"/g)].map((match) => match[1]).sort();
    // Act
    const reads = clause('reads \\(every GET and POST /classify\\)');
    const changes = clause('state changes \\(PUT and DELETE\\)');
    // Assess
    expect(quoted(reads)).toEqual(required.get('GET'));
    if (required.get('GET')?.length === 0) expect(reads).toContain('an ID token');
    expect(quoted(changes)).toEqual(required.get('DELETE'));
  });
});
