// Handler tests of the query API: every route, every error path, with DynamoDB and SESv2 mocked at the SDK
// boundary (aws-sdk-client-mock) and the exact commands asserted.
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteSuppressedDestinationCommand,
  GetSuppressedDestinationCommand,
  NotFoundException,
  SESv2Client,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { apiEvent, type CallOptions } from '../../harness/api-event.ts';
import { eventDetailViewSchema } from '../../lambdas/api/event-view.ts';
import { statsSchema } from '../../lambdas/api/stats-routes.ts';
import { buildQueryApi, queryApiHandler } from '../../lambdas/handlers/query-api.ts';

const NOW = new Date('2024-10-20T12:00:00.000Z');
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const dynamo = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
const handlerAt = (eventIndexes: string) =>
  queryApiHandler(
    buildQueryApi(
      {
        TABLE_NAME: 'events',
        CURSOR_SIGNING_SECRET: 'unit-test-secret-unit-test-secret-0001',
        EVENT_INDEXES: eventIndexes,
      },
      {
        dynamo: new DynamoDBClient({ region: 'us-east-1', credentials }),
        sesv2: new SESv2Client({ region: 'us-east-1', credentials, maxAttempts: 1 }),
      },
      { now: () => NOW, logger: new Logger({ logLevel: 'SILENT' }) },
    ),
  );
const handler = queryApiHandler(
  buildQueryApi(
    { TABLE_NAME: 'events', CURSOR_SIGNING_SECRET: 'unit-test-secret-unit-test-secret-0001' },
    {
      dynamo: new DynamoDBClient({ region: 'us-east-1', credentials }),
      sesv2: new SESv2Client({ region: 'us-east-1', credentials, maxAttempts: 1 }),
    },
    { now: () => NOW, logger: new Logger({ logLevel: 'SILENT' }) },
  ),
);

type Json = Record<string, unknown>;

function fixture(name: string): Json {
  return JSON.parse(readFileSync(new URL(`../fixtures/api/${name}`, import.meta.url), 'utf8')) as Json;
}

async function call(method: string, path: string, options: CallOptions = {}) {
  const result = await handler(apiEvent(method, path, options));
  const contentType = String(result.headers?.['content-type'] ?? '');
  return {
    status: result.statusCode,
    headers: result.headers ?? {},
    body: result.body,
    json: (contentType.startsWith('application/json') ? JSON.parse(result.body) : null) as Json,
  };
}

function queryInputs() {
  return dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);
}

beforeEach(() => {
  dynamo.reset();
  ses.reset();
  dynamo.on(QueryCommand).resolves({ Items: [] });
  dynamo.on(GetCommand).resolves({});
  dynamo.on(DeleteCommand).resolves({});
  ses
    .on(GetSuppressedDestinationCommand)
    .rejects(new NotFoundException({ message: 'not listed', $metadata: {} }));
});

describe('routing', () => {
  it.each([
    ['GET', '/nope'],
    ['GET', '/bounces/0123456789abcdef0123456789abcdef/extra'],
    ['GET', '//bounces'],
    ['GET', ''],
  ])('%s %j is 404 route-not-found', async (method, path) => {
    // Act
    const result = await call(method, path);
    // Assess
    expect(result.status).toBe(404);
    expect(result.json).toEqual({
      error: { code: 'route-not-found', message: expect.any(String), field: null },
    });
  });

  it.each([
    ['POST', '/bounces', 'GET'],
    ['PATCH', '/allowlist/example.com', 'GET, PUT, DELETE'],
    ['GET', '/classify', 'POST'],
    ['PUT', '/recipients/a@example.com', 'GET, DELETE'],
  ])('%s %s is 405 with Allow: %s', async (method, path, allow) => {
    // Act
    const result = await call(method, path);
    // Assess
    expect(result.status).toBe(405);
    expect(result.headers.allow).toBe(allow);
    expect(result.json).toMatchObject({ error: { code: 'method-not-allowed' } });
  });

  it('accepts a trailing slash', async () => {
    // Act
    const result = await call('GET', '/bounces/');
    // Assess
    expect(result.status).toBe(200);
  });

  it('answers 500 without internals when DynamoDB fails unexpectedly', async () => {
    // Prepare
    dynamo.on(GetCommand).rejects(new Error('socket hang up at 10.0.0.1 table events'));
    // Act
    const result = await call('GET', '/recipients/jane@example.org');
    // Assess
    expect(result.status).toBe(500);
    expect(result.body).not.toMatch(/socket|10\.0\.0\.1|events/);
    expect(result.json).toEqual({
      error: { code: 'internal-error', message: 'Internal error', field: null },
    });
  });
});

describe('response headers', () => {
  it('marks every response uncacheable and adds CORS headers only for configured origins', async () => {
    // Prepare
    const withCors = queryApiHandler(
      buildQueryApi(
        { TABLE_NAME: 'events', CORS_ALLOW_ORIGINS: 'https://app.example.com' },
        {
          dynamo: new DynamoDBClient({ region: 'us-east-1', credentials }),
          sesv2: new SESv2Client({ region: 'us-east-1', credentials, maxAttempts: 1 }),
        },
        { now: () => NOW, logger: new Logger({ logLevel: 'SILENT' }) },
      ),
    );
    // Act
    const allowed = await withCors(
      apiEvent('GET', '/codes/5.1.1', { headers: { Origin: 'https://app.example.com' } }),
    );
    const other = await withCors(apiEvent('GET', '/nope', { headers: { Origin: 'https://evil.example' } }));
    const plain = await call('GET', '/codes/5.1.1', { headers: { Origin: 'https://app.example.com' } });
    // Assess
    expect(allowed.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-expose-headers': 'x-next-cursor',
      vary: 'Origin',
      'cache-control': 'no-store',
    });
    expect(other.headers?.['access-control-allow-origin']).toBeUndefined();
    expect(other.headers).toMatchObject({ vary: 'Origin', 'x-content-type-options': 'nosniff' });
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
    expect(plain.headers['cache-control']).toBe('no-store');
  });
});

describe('GET /bounces', () => {
  it('reads every time-index shard of each month in the window, newest month first', async () => {
    // Prepare
    dynamo.on(QueryCommand, { IndexName: 'byTime2' }).resolves({ Items: [] });
    // Act
    const result = await call('GET', '/bounces', {
      query: { type: 'bounce', from: '2024-09-15', to: '2024-10-15', verdict: 'hard' },
    });
    // Assess
    expect(result.status).toBe(200);
    expect(result.json).toEqual({ items: [], nextCursor: null });
    const inputs = queryInputs();
    expect(inputs.map((input) => input.ExpressionAttributeValues?.[':qpk'])).toEqual([
      ...Array.from({ length: 8 }, (_unused, shard) => `T#bounce#2024-10#${shard}`),
      ...Array.from({ length: 8 }, (_unused, shard) => `T#bounce#2024-09#${shard}`),
    ]);
    expect(inputs[0]).toMatchObject({
      TableName: 'events',
      IndexName: 'byTime2',
      KeyConditionExpression: '#qpk = :qpk AND #qsk BETWEEN :qlow AND :qhigh',
      ExpressionAttributeNames: { '#qpk': 'gsi1pk', '#qsk': 'sk', '#f_verdict': 'verdict' },
      ExpressionAttributeValues: {
        ':qlow': 'E#2024-09-15T00:00:00.000Z',
        ':qhigh': 'E#2024-10-15T00:00:00.000Z',
        ':f_verdict': 'hard',
      },
      FilterExpression: '#f_verdict = :f_verdict',
      ScanIndexForward: false,
    });
  });

  it('reads the page whole with BatchGetItem in index order, retrying unprocessed keys, skipping an item gone meanwhile', async () => {
    // Prepare: one shard's index entries (keys and filter attributes only), newest first.
    const base = fixture('bounce-event-item.json');
    const entry = (n: number) => ({
      pk: `R#r${n}@example.org`,
      sk: `E#2024-10-1${n}T00:00:00.000Z#${String(n).repeat(32)}`,
      gsi1pk: 'T#bounce#2024-10#0',
      verdict: 'hard',
    });
    const whole = (n: number) => ({
      ...base,
      ...entry(n),
      id: String(n).repeat(32),
      email: `r${n}@example.org`,
      occurredAt: `2024-10-1${n}T00:00:00.000Z`,
    });
    dynamo.on(QueryCommand, { IndexName: 'byTime2' }).resolves({ Items: [] });
    dynamo
      .on(QueryCommand, { IndexName: 'byTime2', ExpressionAttributeValues: { ':qpk': 'T#bounce#2024-10#0' } })
      .resolves({ Items: [entry(3), entry(2), entry(1)] });
    // The first answer leaves entry 1 unprocessed; entry 2 was erased after the index read.
    dynamo
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { events: [whole(3)] },
        UnprocessedKeys: { events: { Keys: [{ pk: entry(1).pk, sk: entry(1).sk }] } },
      })
      .resolvesOnce({ Responses: { events: [whole(1)] } });
    // Act
    const result = await call('GET', '/bounces', {
      query: { type: 'bounce', from: '2024-10-01', to: '2024-10-20', verdict: 'hard' },
    });
    // Assess
    expect(result.status).toBe(200);
    expect((result.json as { items: { id: string }[] }).items.map((item) => item.id)).toEqual([
      '3'.repeat(32),
      '1'.repeat(32),
    ]);
    const batches = dynamo.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems);
    expect(batches).toEqual([
      { events: { Keys: [3, 2, 1].map((n) => ({ pk: entry(n).pk, sk: entry(n).sk })) } },
      { events: { Keys: [{ pk: entry(1).pk, sk: entry(1).sk }] } },
    ]);
  });

  it('clamps an absurd window to retention and a day past now', async () => {
    // Prepare: the counters count events since the first day of the clamped window.
    dynamo
      .on(QueryCommand, { ProjectionExpression: '#sk', Limit: 1 })
      .resolves({ Items: [{ sk: 'D#2024-08-19' }] });
    // Act
    const result = await call('GET', '/bounces', {
      query: { type: 'bounce', from: '0001-01-01', to: '9999-12-31' },
    });
    // Assess
    expect(result.status).toBe(200);
    const indexReads = queryInputs().filter((input) => input.IndexName !== undefined);
    const months = new Set(
      indexReads.map((input) => String(input.ExpressionAttributeValues?.[':qpk']).slice(9, 16)),
    );
    expect([...months][0]).toBe('2024-10');
    // The default retention (60 days) back from now, with the two days' margin of event times recorded late.
    for (const month of months) expect(month >= '2024-08' && month <= '2024-10').toBe(true);
    expect(indexReads[0]?.ExpressionAttributeValues).toMatchObject({
      ':qlow': 'E#2024-08-19T12:00:00.000Z',
      ':qhigh': 'E#2024-10-21T12:00:00.000Z',
    });
  });

  it('reads the domain index for a domain and the recipient partition for an email', async () => {
    // Act
    await call('GET', '/bounces', {
      query: { domain: 'Example.ORG', type: 'complaint', from: '2024-10-01' },
    });
    const byDomain = queryInputs();
    dynamo.resetHistory();
    await call('GET', '/bounces', { query: { email: 'Jane.Roe@Example.org', code: '5.1' } });
    const byEmail = queryInputs();
    // Assess
    expect(byDomain.map((input) => input.ExpressionAttributeValues?.[':qpk'])).toEqual(
      Array.from({ length: 4 }, (_unused, shard) => `D#example.org#complaint#2024-10#${shard}`),
    );
    expect(byDomain[0]?.IndexName).toBe('byDomain2');
    expect(byEmail).toHaveLength(1);
    expect(byEmail[0]).toMatchObject({
      IndexName: undefined,
      ExpressionAttributeValues: {
        ':qpk': 'R#jane.roe@example.org',
        ':qlow': 'E#0',
        ':qhigh': 'E#~',
        ':f_code': '5.1',
        ':f_codePrefix': '5.1.',
      },
    });
    expect(byEmail[0]?.FilterExpression).toBe(
      '#f_type IN (:f_type0, :f_type1, :f_type2) AND (#f_code = :f_code OR begins_with(#f_code, :f_codePrefix))',
    );
  });

  it('maps stored events to the list shape and continues with a cursor', async () => {
    // Prepare
    dynamo.on(QueryCommand).resolves({
      Items: [fixture('bounce-event-item.json')],
      LastEvaluatedKey: { pk: 'x', sk: 'E#2024-10-01T00:00:00.000Z#ab' },
    });
    // Act
    const first = await call('GET', '/bounces', { query: { email: 'jane.roe@example.org', limit: '1' } });
    // Assess
    expect(first.status).toBe(200);
    const items = first.json.items as Json[];
    expect(items[0]).toMatchObject({
      id: '9f2c0a7e5b1d4c3a8e6f7a9b0c1d2e3f',
      type: 'bounce',
      occurredAt: '2024-10-14T11:25:45.000Z',
      email: 'jane.roe@example.org',
      messageId: '010001927b3f8a1e-0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9-000000',
      configurationSet: 'bounce-tracking',
      verdict: 'hard',
      code: '5.1.1',
      decision: { action: 'suppress', suppressionReason: 'BOUNCE', allowlisted: false },
      audit: null,
    });
    expect(items[0]).not.toHaveProperty('diagnosticCode');
    expect(first.json.nextCursor).toEqual(expect.any(String));
    // Act: the next page starts strictly below the last item.
    dynamo.resetHistory();
    const second = await call('GET', '/bounces', {
      query: { email: 'jane.roe@example.org', limit: '1', cursor: String(first.json.nextCursor) },
    });
    // Assess
    expect(second.status).toBe(200);
    expect(queryInputs()[0]?.ExpressionAttributeValues?.[':qhigh']).toBe(
      'E#2024-10-14T11:25:45.000Z#9f2c0a7e5b1d4c3a8e6f7a9b0c1d2e3f',
    );
  });

  it("keeps a page of large items under Lambda's 6 MB response limit, continuing with a cursor", async () => {
    // Prepare: 20 items whose subjects are 300,000 quotes (escaped twice on the way out).
    const base = fixture('bounce-event-item.json');
    const items = Array.from({ length: 20 }, (_unused, index) => ({
      ...base,
      id: `${String(index).padStart(2, '0')}${'a'.repeat(30)}`,
      sk: `E#2024-10-${String(28 - index).padStart(2, '0')}T00:00:00.000Z#${String(index).padStart(2, '0')}${'a'.repeat(30)}`,
      occurredAt: `2024-10-${String(28 - index).padStart(2, '0')}T00:00:00.000Z`,
      subject: '"'.repeat(300_000),
    }));
    dynamo.on(QueryCommand).resolves({ Items: items });
    // Act
    const result = await handler(
      apiEvent('GET', '/bounces', { query: { email: 'jane.roe@example.org', limit: '20' } }),
    );
    // Assess
    const body = JSON.parse(result.body) as { items: unknown[]; nextCursor: string | null };
    expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThan(6 * 1024 * 1024);
    expect(body.items.length).toBeGreaterThan(0);
    expect(body.items.length).toBeLessThan(20);
    expect(body.nextCursor).toEqual(expect.any(String));
  });

  it('serves CSV for Accept: text/csv, neutralising formula cells', async () => {
    // Prepare
    const item = { ...fixture('bounce-event-item.json'), codeTitle: '=HYPERLINK("x")', source: 'a,"b"' };
    dynamo.on(QueryCommand).resolves({ Items: [item] });
    // Act
    const result = await call('GET', '/bounces', {
      query: { email: 'jane.roe@example.org' },
      headers: { Accept: 'text/csv, application/json;q=0.5' },
    });
    // Assess
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('text/csv; charset=utf-8');
    const [header, row] = result.body.trimEnd().split('\r\n');
    expect(header?.split(',')).toEqual([
      'id',
      'type',
      'occurredAt',
      'email',
      'domain',
      'messageId',
      'source',
      'configurationSet',
      'bounceType',
      'bounceSubType',
      'verdict',
      'category',
      'blame',
      'code',
      'codeTitle',
      'complaintFeedbackType',
      'decisionAction',
      'decisionReason',
    ]);
    expect(row).toContain('"a,""b"""');
    expect(row).toContain(`"'=HYPERLINK(""x"")"`);
    expect(result.headers['x-next-cursor']).toBeUndefined();
  });

  it.each([
    [{ email: 'not-an-email' }, 'email'],
    [{ email: 'a@b@c' }, 'email'],
    [{ domain: 'bad domain' }, 'domain'],
    [{ verdict: 'maybe' }, 'verdict'],
    [{ category: 'spam' }, 'category'],
    [{ type: 'open' }, 'type'],
    [{ code: '6.1' }, 'code'],
    [{ code: '5.1.1.1' }, 'code'],
    [{ messageId: '' }, 'messageId'],
    [{ source: 'x'.repeat(400) }, 'source'],
    [{ from: 'yesterday' }, 'from'],
    [{ to: '2024-13-01' }, 'to'],
    [{ from: '2024-02-30' }, 'from'],
    [{ from: '2024-10-02', to: '2024-10-01' }, 'to'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '1001' }, 'limit'],
    [{ limit: '1.5' }, 'limit'],
    [{ limit: '' }, 'limit'],
    [{ cursor: 'junk' }, 'cursor'],
    [{ verdcit: 'hard' }, 'verdcit'],
  ])('rejects %j with 400 naming %s', async (query, field) => {
    // Act
    const result = await call('GET', '/bounces', { query });
    // Assess
    expect(result.status).toBe(400);
    expect(result.json).toEqual({
      error: {
        code: expect.stringMatching(/^invalid-(parameter|cursor)$/),
        message: expect.any(String),
        field,
      },
    });
    expect(queryInputs()).toHaveLength(0);
  });

  it('rejects a repeated parameter', async () => {
    // Act
    const result = await call('GET', '/bounces', { multiQuery: { type: ['bounce', 'delivery'] } });
    // Assess
    expect(result.status).toBe(400);
    expect(result.json).toMatchObject({
      error: { field: 'type', message: "Query parameter 'type' is repeated" },
    });
  });

  it('rejects a cursor from another query and a tampered one', async () => {
    // Prepare
    dynamo
      .on(QueryCommand)
      .resolves({ Items: [fixture('bounce-event-item.json')], LastEvaluatedKey: { pk: 'x' } });
    const first = await call('GET', '/bounces', { query: { email: 'jane.roe@example.org', limit: '1' } });
    const cursor = String(first.json.nextCursor);
    // Act
    const foreign = await call('GET', '/bounces', {
      query: { email: 'john@example.org', limit: '1', cursor },
    });
    const tampered = await call('GET', '/bounces', {
      query: {
        email: 'jane.roe@example.org',
        cursor: `${cursor.slice(0, -2)}${cursor.endsWith('AA') ? 'BB' : 'AA'}`,
      },
    });
    // Assess
    expect(foreign.json).toMatchObject({ error: { code: 'invalid-cursor', field: 'cursor' } });
    expect(tampered.json).toMatchObject({ error: { code: 'invalid-cursor', field: 'cursor' } });
  });
});

describe('GET /bounces/{id}', () => {
  const ID = '9f2c0a7e5b1d4c3a8e6f7a9b0c1d2e3f';
  const stored = fixture('bounce-event-item.json');
  const expectFullEvent = (result: { status: number; json: unknown }) => {
    expect(result.status).toBe(200);
    expect(eventDetailViewSchema.parse(result.json)).toMatchObject({
      diagnosticCode: 'smtp; 550 5.1.1 <jane.roe@example.org>: Recipient address rejected: User unknown',
      dsnAction: 'failed',
      dsnStatus: '5.1.1',
      reportingMta: 'dns; a8-51.smtp-out.amazonses.com',
    });
  };

  it('reads the pointer, then the event it names', async () => {
    // Prepare
    dynamo
      .on(GetCommand, { Key: { pk: `ID#${ID}`, sk: 'ID' } })
      .resolves({ Item: { pk: `ID#${ID}`, sk: 'ID', entity: 'pointer', epk: stored.pk, esk: stored.sk } })
      .on(GetCommand, { Key: { pk: stored.pk, sk: stored.sk } })
      .resolves({ Item: stored });
    // Act
    const result = await call('GET', `/bounces/${ID}`);
    // Assess
    expectFullEvent(result);
    expect(dynamo.commandCalls(GetCommand).map((c) => c.args[0].input.Key)).toEqual([
      { pk: `ID#${ID}`, sk: 'ID' },
      { pk: stored.pk, sk: stored.sk },
    ]);
    expect(queryInputs()).toEqual([]);
  });

  it('is 404 for an erased pointer, and reads no index', async () => {
    // Prepare
    dynamo
      .on(GetCommand, { Key: { pk: `ID#${ID}`, sk: 'ID' } })
      .resolves({ Item: { pk: `ID#${ID}`, sk: 'ID', entity: 'pointer', erased: true, expiresAt: 1 } });
    // Act
    const result = await handlerAt('v2-readers')(apiEvent('GET', `/bounces/${ID}`, {}));
    // Assess
    expect(result.statusCode).toBe(404);
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(1);
    expect(queryInputs()).toEqual([]);
  });

  it('falls back to the byId index for an event without a pointer while byId is there', async () => {
    // Prepare
    dynamo.on(QueryCommand, { IndexName: 'byId' }).resolves({ Items: [stored] });
    // Act
    const migrating = await handlerAt('drop-byDomain')(apiEvent('GET', `/bounces/${ID}`, {}));
    const final = await call('GET', `/bounces/${ID}`);
    // Assess
    expectFullEvent({ status: migrating.statusCode, json: JSON.parse(migrating.body) });
    expect(queryInputs()).toEqual([
      expect.objectContaining({
        IndexName: 'byId',
        KeyConditionExpression: '#eid = :eid',
        ExpressionAttributeValues: { ':eid': ID },
        Limit: 1,
      }),
    ]);
    expect(final.status).toBe(404);
  });

  it('queries the byId index at v1 (no pointers yet)', async () => {
    // Prepare
    dynamo.on(QueryCommand, { IndexName: 'byId' }).resolves({ Items: [stored] });
    // Act
    const result = await handlerAt('v1')(apiEvent('GET', `/bounces/${ID}`, {}));
    // Assess
    expectFullEvent({ status: result.statusCode, json: JSON.parse(result.body) });
    expect(dynamo.commandCalls(GetCommand)).toEqual([]);
  });

  it('is 404 when absent and 400 for a malformed id', async () => {
    // Act
    const missing = await call('GET', '/bounces/0123456789abcdef0123456789abcdef');
    const malformed = await call('GET', '/bounces/not-an-id');
    // Assess
    expect(missing.status).toBe(404);
    expect(malformed.json).toMatchObject({ error: { code: 'invalid-parameter', field: 'id' } });
  });
});

describe('GET /recipients/{email}', () => {
  it('combines summary, SES state, allowlist and latest events into sendStatus', async () => {
    // Prepare
    dynamo
      .on(GetCommand, { Key: { pk: 'R#jane.roe@example.org', sk: 'SUMMARY' } })
      .resolves({ Item: fixture('summary-item.json') });
    dynamo.on(QueryCommand).resolves({ Items: [fixture('bounce-event-item.json')] });
    ses.on(GetSuppressedDestinationCommand, { EmailAddress: 'jane.roe@example.org' }).resolves({
      SuppressedDestination: {
        EmailAddress: 'jane.roe@example.org',
        Reason: 'BOUNCE',
        LastUpdateTime: new Date('2024-10-14T11:25:50.000Z'),
        Attributes: { MessageId: 'm-1', FeedbackId: 'f-1' },
      },
    });
    // Act
    const result = await call('GET', '/recipients/Jane.Roe%40Example.org');
    // Assess
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({
      email: 'jane.roe@example.org',
      sendStatus: 'suppressed',
      counts: { hard: 1, soft: 0, complaints: 0, deliveries: 3 },
      softBounceStreak: 0,
      suppression: { suppressed: true, state: 'confirmed', reason: 'BOUNCE' },
      sesSuppression: {
        checked: 'live',
        listed: true,
        reason: 'BOUNCE',
        lastUpdateTime: '2024-10-14T11:25:50.000Z',
        messageId: 'm-1',
        feedbackId: 'f-1',
        likely: true,
      },
      allowlisted: null,
    });
    expect((result.json.latestEvents as Json[]).map((event) => event.id)).toEqual([
      '9f2c0a7e5b1d4c3a8e6f7a9b0c1d2e3f',
    ]);
    const keys = dynamo.commandCalls(GetCommand).map((call) => call.args[0].input.Key);
    expect(keys).toEqual(
      expect.arrayContaining([
        { pk: 'ALLOW', sk: 'ADDR#jane.roe@example.org' },
        { pk: 'ALLOW', sk: 'DOMAIN#example.org' },
      ]),
    );
  });

  it('still answers when SES throttles, saying SES was unavailable', async () => {
    // Prepare
    dynamo
      .on(GetCommand, { Key: { pk: 'R#jane.roe@example.org', sk: 'SUMMARY' } })
      .resolves({ Item: fixture('summary-item.json') });
    ses
      .on(GetSuppressedDestinationCommand)
      .rejects(new TooManyRequestsException({ message: 'slow down', $metadata: {} }));
    // Act
    const result = await call('GET', '/recipients/jane.roe@example.org');
    // Assess
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ sesSuppression: { checked: 'unavailable', listed: null } });
  });

  it('is 404 for a recipient never seen, 400 for a bad address or flag', async () => {
    // Act
    const missing = await call('GET', '/recipients/nobody@example.org');
    const bad = await call('GET', '/recipients/nobody');
    const flag = await call('GET', '/recipients/nobody@example.org', { query: { ses: 'yes' } });
    // Assess
    expect(missing.json).toMatchObject({ error: { code: 'not-found', field: 'email' } });
    expect(missing.status).toBe(404);
    expect(bad.json).toMatchObject({ error: { code: 'invalid-parameter', field: 'email' } });
    expect(flag.json).toMatchObject({ error: { code: 'invalid-parameter', field: 'ses' } });
  });
});

describe('GET /recipients/{email}/events', () => {
  it('reads the recipient partition including audit entries', async () => {
    // Act
    const result = await call('GET', '/recipients/jane.roe@example.org/events', { query: { limit: '5' } });
    // Assess
    expect(result.json).toEqual({ items: [], nextCursor: null });
    expect(queryInputs()[0]).toMatchObject({
      ExpressionAttributeValues: { ':qpk': 'R#jane.roe@example.org' },
      FilterExpression: undefined,
    });
  });

  it.each([
    [{ type: 'open' }, 'type'],
    [{ limit: '-1' }, 'limit'],
    [{ from: 'x' }, 'from'],
    [{ cursor: 'abc.def' }, 'cursor'],
  ])('rejects %j naming %s', async (query, field) => {
    // Act
    const result = await call('GET', '/recipients/jane.roe@example.org/events', { query });
    // Assess
    expect(result.status).toBe(400);
    expect(result.json).toMatchObject({ error: { field } });
  });
});

describe('DELETE /recipients/{email}/suppression', () => {
  const summaryKey = { pk: 'R#jane.roe@example.org', sk: 'SUMMARY' };

  it('removes the address from SES and writes the audit event and summary reset in one transaction', async () => {
    // Prepare
    dynamo.on(GetCommand, { Key: summaryKey }).resolves({ Item: fixture('summary-item.json') });
    ses.on(GetSuppressedDestinationCommand).resolves({
      SuppressedDestination: { EmailAddress: 'jane.roe@example.org', Reason: 'BOUNCE', LastUpdateTime: NOW },
    });
    ses.on(DeleteSuppressedDestinationCommand).resolves({});
    dynamo.on(TransactWriteCommand).resolves({});
    // Act
    const result = await call('DELETE', '/recipients/jane.roe@example.org/suppression', {
      callerArn: 'arn:aws:iam::123456789012:user/ops',
    });
    // Assess
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({
      email: 'jane.roe@example.org',
      removedFromSes: true,
      previousSuppression: { source: 'both', reason: 'BOUNCE' },
      softBounceStreakReset: true,
      actor: 'arn:aws:iam::123456789012:user/ops',
      at: NOW.toISOString(),
    });
    expect(ses.commandCalls(DeleteSuppressedDestinationCommand)[0]?.args[0].input).toEqual({
      EmailAddress: 'jane.roe@example.org',
    });
    const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Put).toMatchObject({
      TableName: 'events',
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: {
        pk: 'R#jane.roe@example.org',
        type: 'audit',
        action: 'reactivated',
        actor: 'arn:aws:iam::123456789012:user/ops',
        occurredAt: NOW.toISOString(),
      },
    });
    expect(items[1]?.Update).toMatchObject({
      Key: summaryKey,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: {
        ':zero': 0,
        ':now': NOW.toISOString(),
        ':suppression': { state: 'confirmed', action: 'delete', cause: 'reactivation' },
      },
    });
    expect(items[1]?.Update?.UpdateExpression).toContain('ADD #version :one');
  });

  it('is 409 when the summary changed between read and write', async () => {
    // Prepare
    dynamo.on(GetCommand, { Key: summaryKey }).resolves({ Item: fixture('summary-item.json') });
    dynamo
      .on(TransactWriteCommand)
      .rejects(
        new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [] }),
      );
    // Act
    const result = await call('DELETE', '/recipients/jane.roe@example.org/suppression');
    // Assess
    expect(result.status).toBe(409);
    expect(result.json).toMatchObject({ error: { code: 'conflict' } });
  });

  it('needs force=true for a complaint suppression', async () => {
    // Prepare
    ses.on(GetSuppressedDestinationCommand).resolves({
      SuppressedDestination: {
        EmailAddress: 'jane.roe@example.org',
        Reason: 'COMPLAINT',
        LastUpdateTime: NOW,
      },
    });
    // Act
    const refused = await call('DELETE', '/recipients/jane.roe@example.org/suppression');
    const badFlag = await call('DELETE', '/recipients/jane.roe@example.org/suppression', {
      query: { force: '1' },
    });
    // Assess
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ error: { code: 'force-required', field: 'force' } });
    expect(badFlag.json).toMatchObject({ error: { code: 'invalid-parameter', field: 'force' } });
    expect(ses.commandCalls(DeleteSuppressedDestinationCommand)).toHaveLength(0);
  });

  it('is 503 when SES throttles, and 404 when nobody knows the address', async () => {
    // Prepare
    ses
      .on(GetSuppressedDestinationCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'slow', $metadata: {} }))
      .rejects(new NotFoundException({ message: 'not listed', $metadata: {} }));
    // Act
    const throttled = await call('DELETE', '/recipients/jane.roe@example.org/suppression');
    const unknown = await call('DELETE', '/recipients/jane.roe@example.org/suppression');
    // Assess
    expect(throttled.status).toBe(503);
    expect(throttled.json).toMatchObject({ error: { code: 'upstream-unavailable' } });
    expect(unknown.status).toBe(404);
  });
});

describe('DELETE /recipients/{email}', () => {
  it("deletes every item of the recipient's partition in batches", async () => {
    // Prepare
    const rows = Array.from({ length: 30 }, (_unused, index) => ({
      pk: 'R#jane.roe@example.org',
      sk: `E#${index}`,
    }));
    dynamo.on(QueryCommand).resolves({ Items: rows });
    dynamo.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
    // Act
    const result = await call('DELETE', '/recipients/jane.roe@example.org');
    // Assess
    expect(result.json).toEqual({ email: 'jane.roe@example.org', erasedItems: 30 });
    const batches = dynamo
      .commandCalls(BatchWriteCommand)
      .map((call) => call.args[0].input.RequestItems?.events ?? []);
    expect(batches.map((batch) => batch.length)).toEqual([25, 5]);
    expect(batches[0]?.[0]).toEqual({ DeleteRequest: { Key: { pk: 'R#jane.roe@example.org', sk: 'E#0' } } });
    expect(queryInputs()[0]).toMatchObject({
      KeyConditionExpression: '#pk = :pk',
      ProjectionExpression:
        '#pk, #sk, #type, #domain, #verdict, #bounceSubType, #complaintSubType, #expiresAt, #rollup',
    });
  });

  it('is 404 when nothing is stored', async () => {
    // Act
    const result = await call('DELETE', '/recipients/jane.roe@example.org');
    // Assess
    expect(result.status).toBe(404);
  });
});

describe('GET /stats', () => {
  it('sums the day counters of every shard and computes rates', async () => {
    // Prepare
    dynamo
      .on(QueryCommand, {
        ExpressionAttributeValues: { ':pk': 'STAT#2024#3', ':low': 'D#2024-10-01', ':high': 'D#2024-10-02' },
      })
      .resolves({
        Items: [
          {
            pk: 'STAT#2024#3',
            sk: 'D#2024-10-01',
            events: 10,
            'type:bounce': 2,
            'type:delivery': 8,
            'verdict:hard': 2,
            'code:5.1.1': 2,
          },
        ],
      });
    dynamo
      .on(QueryCommand, {
        ExpressionAttributeValues: { ':pk': 'STAT#2024#7', ':low': 'D#2024-10-01', ':high': 'D#2024-10-02' },
      })
      .resolves({
        Items: [
          { pk: 'STAT#2024#7', sk: 'D#2024-10-02', events: 2, 'type:complaint': 1, 'type:delivery': 1 },
        ],
      });
    // Act
    const result = await call('GET', '/stats', { query: { from: '2024-10-01', to: '2024-10-02' } });
    // Assess
    expect(result.status).toBe(200);
    const stats = statsSchema.parse(result.json);
    expect(stats.totals).toEqual({
      events: 12,
      deliveries: 9,
      bounces: 2,
      hardBounces: 2,
      softBounces: 0,
      complaints: 1,
      onAccountSuppressionList: 0,
      bounceRate: 0.181818,
      hardBounceRate: 0.181818,
      complaintRate: 0.111111,
    });
    expect(stats.items.map((item) => [item.key, item.count])).toEqual([
      ['2024-10-01', 10],
      ['2024-10-02', 2],
    ]);
    expect(queryInputs()).toHaveLength(16);
  });

  it('reads two years of shards across new year, and the domain counters only for groupBy=domain', async () => {
    // Act
    await call('GET', '/stats', { query: { from: '2023-12-30', to: '2024-01-02', groupBy: 'domain' } });
    // Assess
    const partitions = queryInputs().map((input) => String(input.ExpressionAttributeValues?.[':pk']));
    expect(partitions.filter((pk) => pk.startsWith('STAT#'))).toHaveLength(32);
    expect(partitions.filter((pk) => pk.startsWith('STATDOM#'))).toHaveLength(32);
    expect(
      queryInputs().find((input) => input.ExpressionAttributeValues?.[':pk'] === 'STATDOM#2024#0'),
    ).toMatchObject({ ExpressionAttributeValues: { ':low': '2023-12-30', ':high': '2024-01-02~' } });
  });

  it('defaults to the last 30 days', async () => {
    // Act
    const result = await call('GET', '/stats');
    // Assess
    expect(result.json).toMatchObject({ from: '2024-09-21', to: '2024-10-20', groupBy: 'day' });
    expect((result.json.items as Json[]).length).toBe(30);
  });

  it.each([
    [{ from: '2024-10-02', to: '2024-10-01' }, 'to'],
    [{ from: '2023-01-01', to: '2024-01-02' }, 'to'],
    [{ groupBy: 'hour' }, 'groupBy'],
    [{ top: '0' }, 'top'],
    [{ from: 'last week' }, 'from'],
  ])('rejects %j naming %s', async (query, field) => {
    // Act
    const result = await call('GET', '/stats', { query });
    // Assess
    expect(result.status).toBe(400);
    expect(result.json).toMatchObject({ error: { code: 'invalid-parameter', field } });
    expect(queryInputs()).toHaveLength(0);
  });
});

describe('GET /codes/{code} and POST /classify', () => {
  it('explains a code', async () => {
    // Act
    const result = await call('GET', '/codes/5.7.1');
    // Assess
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ code: '5.7.1', known: true });
  });

  it('rejects a malformed code', async () => {
    // Act
    const result = await call('GET', '/codes/550');
    // Assess
    expect(result.json).toMatchObject({ error: { code: 'invalid-parameter', field: 'code' } });
  });

  it('classifies a posted bounce like the CLI', async () => {
    // Act
    const result = await call('POST', '/classify', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        status: '5.1.1',
        diagnosticCode: 'smtp; 550 5.1.1 user unknown',
        bounceType: 'Permanent',
      }),
    });
    // Assess
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ verdict: 'hard', category: 'unknown-recipient', suppress: true });
  });

  it('takes the SMTP phase as smtpCommand, in any case, and shows it in the evidence', async () => {
    // sisimai set-of-emails email-exim-51.eml: "does not exist" answered to MAIL FROM is the sender's own domain
    const result = await call('POST', '/classify', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        status: '5.1.0',
        diagnosticCode: '553 5.1.0 neko22nyaan neko.example.com does not exist E2110',
        smtpCommand: 'mail',
      }),
    });
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ verdict: 'soft', category: 'sender-rejected', suppress: false });
    expect((result.json as { evidence: string }).evidence).toContain('SMTP phase MAIL (smtpCommand)');
  });

  it.each([
    [{ body: '{"status":"5.1.1","smtpCommand":"FROB"}' }, 400, 'invalid-body', 'body.smtpCommand'],
    [{ body: '{not json' }, 400, 'invalid-body', 'body'],
    [{}, 400, 'invalid-body', 'body'],
    [{ body: '{}' }, 400, 'invalid-body', 'body'],
    [{ body: '[]' }, 400, 'invalid-body', 'body'],
    [{ body: '{"status":"5.1.1","extra":1}' }, 400, 'invalid-body', 'body.extra'],
    [{ body: '{"status":5}' }, 400, 'invalid-body', 'body.status'],
    [{ body: JSON.stringify({ diagnosticCode: 'x'.repeat(70_000) }) }, 413, 'payload-too-large', 'body'],
    [
      { body: '{"status":"5.1.1"}', headers: { 'content-type': 'text/plain' } },
      415,
      'unsupported-media-type',
      'content-type',
    ],
  ])('rejects %j', async (options, status, code, field) => {
    // Act
    const result = await call('POST', '/classify', options);
    // Assess
    expect(result.status).toBe(status);
    expect(result.json).toMatchObject({ error: { code, field } });
  });
});

describe('allowlist', () => {
  it('puts an entry keeping its creation time, with the caller as author', async () => {
    // Prepare
    dynamo.on(UpdateCommand).resolves({
      Attributes: {
        kind: 'address',
        value: 'seed@example.com',
        note: 'seed',
        createdAt: NOW.toISOString(),
        createdBy: 'arn:x',
      },
    });
    // Act
    const result = await call('PUT', '/allowlist/Seed@Example.com', {
      body: '{"note":"seed"}',
      callerArn: 'arn:x',
    });
    // Assess
    expect(result.json).toEqual({
      kind: 'address',
      value: 'seed@example.com',
      note: 'seed',
      createdAt: NOW.toISOString(),
      createdBy: 'arn:x',
    });
    const input = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.Key).toEqual({ pk: 'ALLOW', sk: 'ADDR#seed@example.com' });
    expect(input?.UpdateExpression).toContain('#createdAt = if_not_exists(#createdAt, :createdAt)');
  });

  it('gets, lists and deletes entries', async () => {
    // Prepare
    const entry = { kind: 'domain', value: 'example.com', createdAt: NOW.toISOString() };
    dynamo.on(GetCommand, { Key: { pk: 'ALLOW', sk: 'DOMAIN#example.com' } }).resolves({ Item: entry });
    dynamo
      .on(QueryCommand)
      .resolves({ Items: [entry], LastEvaluatedKey: { pk: 'ALLOW', sk: 'DOMAIN#example.com' } });
    dynamo.on(DeleteCommand).resolves({ Attributes: entry });
    // Act
    const one = await call('GET', '/allowlist/example.com');
    const list = await call('GET', '/allowlist', { query: { limit: '1' } });
    const next = await call('GET', '/allowlist', {
      query: { limit: '1', cursor: String(list.json.nextCursor) },
    });
    const removed = await call('DELETE', '/allowlist/example.com');
    // Assess
    expect(one.json).toEqual({
      kind: 'domain',
      value: 'example.com',
      note: null,
      createdAt: NOW.toISOString(),
      createdBy: null,
    });
    expect(list.json.items).toEqual([one.json]);
    expect(next.status).toBe(200);
    expect(queryInputs()[1]?.ExclusiveStartKey).toEqual({ pk: 'ALLOW', sk: 'DOMAIN#example.com' });
    expect(removed.status).toBe(204);
    expect(removed.body).toBe('');
  });

  it.each([
    ['GET', '/allowlist/nope.example.com', {}, 404, 'not-found', 'entry'],
    ['DELETE', '/allowlist/nope.example.com', {}, 404, 'not-found', 'entry'],
    ['GET', '/allowlist/not a domain', {}, 400, 'invalid-parameter', 'entry'],
    ['PUT', '/allowlist/bad@', {}, 400, 'invalid-parameter', 'entry'],
    ['PUT', '/allowlist/example.com', { body: '{"note":1}' }, 400, 'invalid-body', 'body.note'],
    ['GET', '/allowlist', { query: { cursor: 'x.y' } }, 400, 'invalid-cursor', 'cursor'],
  ] as const)('%s %s is refused', async (method, path, options, status, code, field) => {
    // Act
    const result = await call(method, path, options);
    // Assess
    expect(result.status).toBe(status);
    expect(result.json).toMatchObject({ error: { code, field } });
  });
});
