// The OpenAPI document is derived from the router's route table; these tests keep the two (and the committed
// docs/openapi.json) in sync. Regenerate the file with: UPDATE_OPENAPI=1 npx vitest run test/unit/api-openapi.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { apiEvent } from '../../harness/api-event.ts';
import { buildQueryApi, queryApiHandler } from '../../lambdas/handlers/query-api.ts';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const dynamo = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
const api = buildQueryApi(
  { TABLE_NAME: 'events' },
  {
    dynamo: new DynamoDBClient({ region: 'us-east-1', credentials }),
    sesv2: new SESv2Client({ region: 'us-east-1', credentials, maxAttempts: 1 }),
  },
  { logger: new Logger({ logLevel: 'SILENT' }) },
);
const handler = queryApiHandler(api);
const documentFile = new URL('../../docs/openapi.json', import.meta.url);

const SAMPLE_PARAMS: Record<string, string> = {
  email: 'jane@example.com',
  id: '0123456789abcdef0123456789abcdef',
  code: '5.1.1',
  entry: 'example.com',
};

type Operation = { operationId: string; parameters: Array<{ name: string; in: string }>; responses: object };

function operations(): Array<{ path: string; method: string; operation: Operation }> {
  const document = api.openApiDocument();
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation: operation as Operation })),
  );
}

beforeEach(() => {
  dynamo.reset();
  ses.reset();
  dynamo.onAnyCommand().resolves({});
  ses.onAnyCommand().resolves({});
});

describe('GET /openapi.json', () => {
  it('serves an OpenAPI 3.1 document with every route of the router and nothing else', async () => {
    // Act
    const result = await handler(apiEvent('GET', '/openapi.json'));
    // Assess
    const document = JSON.parse(result.body) as { openapi: string };
    expect(result.statusCode).toBe(200);
    expect(document.openapi).toBe('3.1.0');
    expect(document).toEqual(api.openApiDocument());
    const documented = operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    const routed = api.routes.map((route) => `${route.method} ${route.path}`);
    expect(documented.sort()).toEqual(routed.sort());
  });

  it('documents the issue routes with unique operation ids and every path parameter', () => {
    // Act
    const all = operations();
    // Assess
    expect(all.map(({ method, path }) => `${method.toUpperCase()} ${path}`).sort()).toEqual(
      [
        'GET /bounces',
        'GET /bounces/{id}',
        'GET /recipients/{email}',
        'GET /recipients/{email}/events',
        'DELETE /recipients/{email}/suppression',
        'DELETE /recipients/{email}',
        'GET /stats',
        'GET /codes/{code}',
        'POST /classify',
        'GET /allowlist',
        'GET /allowlist/{entry}',
        'PUT /allowlist/{entry}',
        'DELETE /allowlist/{entry}',
        'GET /openapi.json',
      ].sort(),
    );
    expect(new Set(all.map(({ operation }) => operation.operationId)).size).toBe(all.length);
    for (const { path, operation } of all) {
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const documented = operation.parameters
        .filter((parameter) => parameter.in === 'path')
        .map((p) => p.name);
      expect(documented, path).toEqual(templated);
    }
  });

  it('routes every documented operation (no 404 route-not-found, no 405)', async () => {
    for (const { path, method } of operations()) {
      // Prepare
      const concrete = path.replace(/\{(\w+)\}/g, (_match, name: string) => SAMPLE_PARAMS[name] ?? 'x');
      // Act
      const result = await handler(apiEvent(method.toUpperCase(), concrete, { body: '{"status":"5.1.1"}' }));
      // Assess
      expect(result.statusCode, `${method} ${concrete}: ${result.body}`).not.toBe(405);
      expect(result.body, `${method} ${concrete}`).not.toContain('route-not-found');
    }
  });

  it('lists every status an operation can answer, each error with the Error body', () => {
    for (const { method, path, operation } of operations()) {
      // Act
      const responses = operation.responses as Record<
        string,
        { content?: Record<string, { schema: unknown }> }
      >;
      // Assess
      const expected = ['400', '401', '403', '404', '405', '408', '413', '429', '431', '500', '503', '504'];
      if (method === 'post' || method === 'put') expected.push('415');
      expect(Object.keys(responses), `${method} ${path}`).toEqual(expect.arrayContaining(expected));
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) < 400) continue;
        expect(response.content?.['application/json']?.schema, `${method} ${path} ${status}`).toEqual({
          $ref: '#/components/schemas/Error',
        });
      }
    }
    const reactivate = operations().find(({ operation }) => operation.operationId === 'reactivateRecipient');
    expect(Object.keys(reactivate?.operation.responses ?? {})).toEqual(
      expect.arrayContaining(['409', '503']),
    );
  });

  it('says what validation accepts: email pattern, limit from 1, classify needs one non-blank input', () => {
    // Prepare
    type Parameter = {
      name: string;
      in: string;
      schema: { pattern?: string; minimum?: number; type?: string };
    };
    const parametersOf = (id: string) =>
      (operations().find(({ operation }) => operation.operationId === id)?.operation.parameters ??
        []) as Parameter[];
    // Act
    const email = parametersOf('getRecipient').find((p) => p.name === 'email')?.schema;
    const limit = parametersOf('listBounces').find((p) => p.name === 'limit')?.schema;
    const classify = api.openApiDocument().paths['/classify']?.post as {
      requestBody: { content: { 'application/json': { schema: { anyOf?: Array<{ required: string[] }> } } } };
    };
    // Assess
    const pattern = new RegExp(email?.pattern ?? '.*', 'u');
    expect(['jane@example.com', 'o.brien+x@mail.example.org'].every((value) => pattern.test(value))).toBe(
      true,
    );
    expect(
      ['jane', 'Jane <jane@example.com>', 'a@b', 'a b@example.com', ''].some((value) => pattern.test(value)),
    ).toBe(false);
    expect(limit).toEqual({ type: 'integer', minimum: 1, maximum: 1000 });
    expect(
      classify.requestBody.content['application/json'].schema.anyOf?.map((branch) => branch.required),
    ).toEqual([['status'], ['diagnosticCode'], ['bounceType'], ['bounceSubType'], ['action']]);
  });

  it('matches the committed docs/openapi.json', () => {
    // Prepare
    const generated = `${JSON.stringify(api.openApiDocument(), null, 2)}\n`;
    if (process.env.UPDATE_OPENAPI === '1') writeFileSync(documentFile, generated);
    // Act
    const committed = readFileSync(documentFile, 'utf8');
    // Assess
    expect(
      committed,
      'docs/openapi.json is stale: UPDATE_OPENAPI=1 npx vitest run test/unit/api-openapi.test.ts',
    ).toBe(generated);
  });
});
