// Fuzzing the query API handler with random paths, query strings, headers and bodies: whatever a client sends,
// the answer is never a 500 and never a crash, and every error has the documented shape.
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteSuppressedDestinationCommand,
  GetSuppressedDestinationCommand,
  NotFoundException,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiEvent } from '../../harness/api-event.ts';
import { buildQueryApi, queryApiHandler } from '../../lambdas/handlers/query-api.ts';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const dynamo = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
const handler = queryApiHandler(
  buildQueryApi(
    { TABLE_NAME: 'events' },
    {
      dynamo: new DynamoDBClient({ region: 'us-east-1', credentials }),
      sesv2: new SESv2Client({ region: 'us-east-1', credentials, maxAttempts: 1 }),
    },
    { now: () => new Date('2024-10-20T12:00:00.000Z'), logger: new Logger({ logLevel: 'SILENT' }) },
  ),
);

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/api/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

let queries = 0;
let scans = 0;

beforeAll(() => {
  const event = fixture('bounce-event-item.json');
  const older = {
    ...event,
    sk: 'E#2024-10-01T00:00:00.000Z#00',
    occurredAt: '2024-10-01T00:00:00.000Z',
    id: '00',
  };
  dynamo.on(QueryCommand).callsFake(() => {
    queries += 1;
    return { Items: [event, older] };
  });
  // The v2 lists read the page's items whole after the index: answer each key with its item.
  dynamo
    .on(BatchGetCommand)
    .callsFake((input: { RequestItems: Record<string, { Keys: { pk: string; sk: string }[] }> }) => ({
      Responses: Object.fromEntries(
        Object.entries(input.RequestItems).map(([table, { Keys }]) => [
          table,
          ([event, older] as Record<string, unknown>[]).filter((item) =>
            Keys.some((key) => key.pk === item.pk && key.sk === item.sk),
          ),
        ]),
      ),
    }));
  dynamo.on(ScanCommand).callsFake(() => {
    scans += 1;
    return {};
  });
  // GetItem reads a summary or an allowlist entry: answer each key with the item kind it names.
  dynamo
    .on(GetCommand)
    .callsFake((input: { Key: { sk: string } }) =>
      input.Key.sk === 'SUMMARY' ? { Item: fixture('summary-item.json') } : {},
    );
  dynamo.on(UpdateCommand).resolves({ Attributes: { kind: 'domain', value: 'example.com', createdAt: 'x' } });
  dynamo.on(DeleteCommand).resolves({});
  dynamo.on(PutCommand).resolves({});
  dynamo.on(TransactWriteCommand).resolves({});
  dynamo.on(BatchWriteCommand).resolves({});
  ses
    .on(GetSuppressedDestinationCommand)
    .rejects(new NotFoundException({ message: 'not listed', $metadata: {} }));
  ses.on(DeleteSuppressedDestinationCommand).resolves({});
});

const SEGMENTS = [
  'bounces',
  'recipients',
  'events',
  'suppression',
  'stats',
  'codes',
  'classify',
  'allowlist',
  'openapi.json',
  'jane@example.com',
  '0123456789abcdef0123456789abcdef',
  '5.1.1',
  'example.com',
  '%',
  '%E0%A4%A',
  '%40',
  '..',
  '',
];
const PARAMETERS = [
  'email',
  'domain',
  'verdict',
  'category',
  'type',
  'code',
  'messageId',
  'source',
  'from',
  'to',
  'limit',
  'cursor',
  'groupBy',
  'top',
  'force',
  'ses',
  '__proto__',
  'constructor',
];
const VALUES = fc.oneof(
  fc.string(),
  fc.constantFrom(
    'hard',
    'soft',
    'bounce',
    '5.1',
    '5',
    '2024-10-01',
    '2024-10-01T00:00:00Z',
    'true',
    '1000',
    '-1',
  ),
  fc.integer().map(String),
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  fc.string({ unit: 'binary' }),
);

const requestArbitrary = fc.record({
  method: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'get'),
  path: fc.oneof(
    fc.constantFrom(
      '/bounces',
      '/bounces/0123456789abcdef0123456789abcdef',
      '/recipients/jane@example.com',
      '/recipients/jane@example.com/events',
      '/recipients/jane@example.com/suppression',
      '/stats',
      '/allowlist',
      '/allowlist/example.com',
      '/classify',
    ),
    fc
      .array(fc.oneof(fc.constantFrom(...SEGMENTS), fc.string()), { maxLength: 5 })
      .map((parts) => `/${parts.join('/')}`),
    fc.string(),
  ),
  query: fc.dictionary(fc.oneof(fc.constantFrom(...PARAMETERS), fc.string()), VALUES, { maxKeys: 3 }),
  headers: fc.dictionary(
    fc.constantFrom('content-type', 'Content-Type', 'accept', 'Accept'),
    fc.oneof(fc.constantFrom('application/json', 'text/csv', 'text/plain', '*/*'), fc.string()),
  ),
  body: fc.option(
    fc.oneof(
      fc.string(),
      fc.json(),
      fc.constantFrom('{"status":"5.1.1"}', '{"note":"x"}', '{"__proto__":{"x":1}}', 'null', '[]', '""'),
    ),
    { nil: undefined },
  ),
});

describe('query API under random input', () => {
  it('never answers 500 or throws, and every error has the documented shape', async () => {
    await fc.assert(
      fc.asyncProperty(requestArbitrary, async (request) => {
        dynamo.resetHistory();
        ses.resetHistory();
        // Act
        const result = await handler(
          apiEvent(request.method, request.path, {
            query: request.query,
            headers: request.headers,
            ...(request.body === undefined ? {} : { body: request.body }),
          }),
        );
        // Assess
        expect(result.statusCode, `${request.method} ${request.path} ${result.body}`).toBeLessThan(500);
        if (result.statusCode >= 400) {
          expect(JSON.parse(result.body)).toEqual({
            error: {
              code: expect.any(String),
              message: expect.any(String),
              field: expect.toSatisfy((f) => f === null || typeof f === 'string'),
            },
          });
        }
      }),
      { numRuns: 1500 },
    );
    // Reads are Query and GetItem only, whatever was asked.
    expect(scans).toBe(0);
    expect(queries).toBeGreaterThan(0);
  });

  it('refuses every mutation of a valid cursor that changes its meaning', async () => {
    // Prepare
    const first = await handler(
      apiEvent('GET', '/bounces', { query: { email: 'jane.roe@example.org', limit: '1' } }),
    );
    const cursor = (JSON.parse(first.body) as { nextCursor: string }).nextCursor;
    await fc.assert(
      fc.asyncProperty(
        fc.nat(cursor.length - 1),
        fc.string({ minLength: 1, maxLength: 1 }),
        async (index, char) => {
          fc.pre(cursor[index] !== char);
          // Act
          const mutated = `${cursor.slice(0, index)}${char}${cursor.slice(index + 1)}`;
          const result = await handler(
            apiEvent('GET', '/bounces', {
              query: { email: 'jane.roe@example.org', limit: '1', cursor: mutated },
            }),
          );
          // Assess
          expect(result.statusCode).toBe(400);
          expect(JSON.parse(result.body)).toMatchObject({ error: { field: 'cursor' } });
        },
      ),
      { numRuns: 300 },
    );
  });
});
