// The loopback stack (no token) against browser attacks and hostile input: DNS rebinding (a foreign Host),
// cross-site writes (a foreign Origin, text/plain needing no preflight), control characters reaching the console,
// and a burst of API requests beyond what it can serve.
import { request } from 'node:http';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLambdaHandlers } from '../../local/lambdas.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';

let stack: LocalStack;
const logs: string[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    loadHandlers: loadLambdaHandlers,
    retryDelayMs: 50,
    environment: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    log: (line) => logs.push(line),
  });
});

afterAll(async () => {
  await stack?.close();
});

/** A request with exactly these headers (fetch would not let a test set Host). */
function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; body: string }> {
  const url = new URL(path, stack.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const port = () => new URL(stack.url).port;
const bareBounce = JSON.stringify({ notificationType: 'Bounce', bounce: { bounceType: 'Permanent' } });

describe('DNS rebinding: the Host header must name loopback', () => {
  it.each(['rebind.attacker.example', '192.168.1.20', 'localhost.attacker.example'])(
    'refuses Host %s with 403',
    async (name) => {
      // Act
      const response = await send('GET', '/bounces', { host: `${name}:${port()}` });

      // Assess
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body).error.code).toBe('misdirected-request');
    },
  );

  it.each(['localhost', '127.0.0.1', '[::1]'])('serves Host %s', async (name) => {
    const response = await send('GET', '/openapi.json', { host: `${name}:${port()}` });
    expect(response.status).toBe(200);
  });
});

describe('cross-site writes', () => {
  it('refuses a text/plain POST /sns from another site, queueing nothing', async () => {
    // Prepare
    const sentBefore = stack.queues.ingest.stats().sent;

    // Act
    const response = await send(
      'POST',
      '/sns',
      { host: `127.0.0.1:${port()}`, origin: 'https://attacker.example', 'content-type': 'text/plain' },
      bareBounce,
    );

    // Assess
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body).error.code).toBe('cross-site-request');
    expect(stack.queues.ingest.stats().sent).toBe(sentBefore);
  });

  it.each([
    ['DELETE', '/recipients/someone%40example.com', { origin: 'null' }],
    ['POST', '/local/dead-letters/redrive', { 'sec-fetch-site': 'cross-site' }],
    ['PUT', '/v2/email/suppression/addresses', { origin: 'http://localhost:1' }],
  ])('refuses %s %s from another origin', async (method, path, headers) => {
    const response = await send(method, path, { host: `127.0.0.1:${port()}`, ...headers }, '{}');
    expect(response.status).toBe(403);
  });

  it("accepts a write from the stack's own page and from a client that sends no Origin", async () => {
    // Act
    const ownPage = await send(
      'POST',
      '/sns',
      { host: `127.0.0.1:${port()}`, origin: `http://127.0.0.1:${port()}`, 'sec-fetch-site': 'same-origin' },
      bareBounce,
    );
    const curl = await send('POST', '/sns', { host: `127.0.0.1:${port()}` }, bareBounce);
    await stack.idle();

    // Assess
    expect([ownPage.status, curl.status]).toEqual([200, 200]);
  });
});

describe('the embedded DynamoDB endpoint and web pages', () => {
  it("answers no page's CORS preflight and refuses any request that carries an Origin", async () => {
    // Act: what a page on another site would send to read the table.
    const preflight = await fetch(stack.dynamoEndpoint, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://attacker.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-amz-date,x-amz-target',
      },
    });
    const scan = await fetch(stack.dynamoEndpoint, {
      method: 'POST',
      headers: {
        origin: 'https://attacker.example',
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.Scan',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKID/20261202/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00',
      },
      body: JSON.stringify({ TableName: stack.tableName }),
    });

    // Assess
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(scan.status).toBe(403);
    expect(await scan.text()).not.toContain('Items');
  });
});

describe('what the console shows of a SubscriptionConfirmation', () => {
  it('escapes control characters, so input cannot forge lines or drive the terminal', async () => {
    // Prepare: a clear-screen sequence and a forged log line in the fields that are printed.
    const confirmation = {
      Type: 'SubscriptionConfirmation',
      MessageId: 'c0nf1rm-0000-4000-8000-000000000001',
      Token: 'token',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:topic\u001b[2J\nSubscriptionConfirmation for arn:forged',
      Message: 'You have chosen to subscribe.',
      SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription\r\u009b31m\u202eevil',
      Timestamp: new Date().toISOString(),
    };

    // Act
    const response = await send(
      'POST',
      '/sns',
      { host: `127.0.0.1:${port()}`, 'x-amz-sns-message-type': 'SubscriptionConfirmation' },
      JSON.stringify(confirmation),
    );
    const printed = logs.filter((line) => line.includes('c0nf1rm') || line.includes('topic'));

    // Assess
    expect(response.status).toBe(200);
    expect(printed).toHaveLength(1);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for exactly these characters
    expect(printed[0]).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(printed[0]).toContain('topic\\u001b[2J\\u000aSubscriptionConfirmation for arn:forged');
    expect(printed[0]).toContain('ConfirmSubscription\\u000d\\u009b31m\\u202eevil');
  });
});

describe('a burst of API requests beyond what the stack serves at once', () => {
  it('runs at most the concurrency, queues a bounded number and sheds the rest with 503 and Retry-After', async () => {
    // Prepare: a query API that holds every invocation until released; 1 at a time, 1 waiting.
    let running = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const ok: APIGatewayProxyResult = {
      statusCode: 200,
      body: '{}',
      headers: { 'content-type': 'application/json' },
    };
    const held = await startLocalStack({
      port: 0,
      apiConcurrency: 1,
      apiQueueLimit: 1,
      loadHandlers: async () => ({
        processor: async () => ({ batchItemFailures: [] }),
        suppressionWorker: async () => ({ batchItemFailures: [] }),
        queryApi: () => {
          running += 1;
          peak = Math.max(peak, running);
          return new Promise((resolve) =>
            releases.push(() => {
              running -= 1;
              resolve(ok);
            }),
          );
        },
      }),
    });

    // Act: five requests at once; the shed ones answer while the admitted ones are still held.
    const responses = Array.from({ length: 5 }, () => fetch(`${held.url}/bounces`));
    const settled: Response[] = [];
    for (const response of responses) void response.then((r) => settled.push(r));
    while (settled.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    const shed = settled.map((r) => [r.status, r.headers.get('retry-after')]);
    while (settled.length < 5) {
      releases.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await held.close();

    // Assess
    expect(shed).toEqual([
      [503, '1'],
      [503, '1'],
      [503, '1'],
    ]);
    expect(settled.slice(3).map((r) => r.status)).toEqual([200, 200]);
    expect(peak).toBe(1);
  });
});
