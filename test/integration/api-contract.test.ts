// The query API against its own contract: requests generated from docs/openapi.json (valid and invalid parameters,
// bodies and methods; fixed seed, bounded count) go to the local stack on loopback, and every answer must be one the
// document lists for that operation, in a media type it lists, with a body its schema accepts.
import { readdir, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLambdaHandlers } from '../../local/lambdas.ts';
import { loadSnsPosts } from '../../local/notification-files.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { replayInEventOrder } from '../../local/start.ts';
import { type JsonSchema, schemaErrors } from '../support/json-schema.ts';

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');
const DOCUMENT_FILE = join(import.meta.dirname, '..', '..', 'docs', 'openapi.json');
const RUNS = 300;
const SEED = 20261207;

interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: Exclude<JsonSchema, boolean>;
}

interface Response {
  content?: Record<string, { schema: JsonSchema }>;
}

interface Operation {
  path: string;
  method: string;
  parameters: Parameter[];
  body: Exclude<JsonSchema, boolean> | null;
  responses: Record<string, Response>;
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

interface GeneratedRequest {
  operation: Operation;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

let stack: LocalStack;
let document: { paths: Record<string, Record<string, Record<string, unknown>>> };
let knownEmails: string[] = [];
let knownIds: string[] = [];

function send(method: string, path: string, headers: Record<string, string>, body: string): Promise<Answer> {
  const url = new URL(stack.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'] ?? '',
            body: text,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body === '' ? undefined : body);
  });
}

function operationsOf(doc: typeof document): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => {
      const body = operation.requestBody as
        | { content: { 'application/json': { schema: Exclude<JsonSchema, boolean> } } }
        | undefined;
      return {
        path,
        method: method.toUpperCase(),
        parameters: (operation.parameters ?? []) as Parameter[],
        body: body?.content['application/json'].schema ?? null,
        responses: operation.responses as Record<string, Response>,
      };
    }),
  );
}

const junk = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', ' ', '0', '-1', '1001', 'null', '%E0%A4%A', 'x'.repeat(400), '2024-13-45', 'true'),
);

const day = fc
  .integer({ min: -45, max: 2 })
  .map((offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10));

/** A value the parameter's schema (and name) says is accepted. */
function validValue(parameter: Parameter): fc.Arbitrary<string> {
  const { name, schema } = parameter;
  if (name === 'email')
    return fc.oneof(fc.constantFrom(...knownEmails), fc.constantFrom('nobody@example.com'));
  if (name === 'id') return fc.oneof(fc.constantFrom(...knownIds), fc.stringMatching(/^[0-9a-f]{32}$/));
  if (name === 'entry') return fc.constantFrom(...knownEmails, 'example.com', 'mail.example.org');
  if (name === 'from' || name === 'to') return day;
  if (name === 'cursor') return fc.string({ minLength: 1, maxLength: 40 });
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as string[]));
  if (schema.type === 'integer')
    return fc.integer({ min: Number(schema.minimum ?? 0), max: Number(schema.maximum ?? 1000) }).map(String);
  if (typeof schema.pattern === 'string') return fc.stringMatching(new RegExp(schema.pattern));
  if (name === 'domain') return fc.constantFrom('example.com', 'gmail.com', 'example.org');
  return fc.string({ maxLength: 20 });
}

/** A JSON value for a body schema: what it allows, mostly. */
function bodyValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (typeof schema === 'boolean') return fc.jsonValue({ maxDepth: 1 });
  if (Array.isArray(schema.anyOf)) return fc.oneof(...(schema.anyOf as JsonSchema[]).map(bodyValue));
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if (schema.type === 'null') return fc.constant(null);
  if (schema.type === 'string') {
    if (typeof schema.pattern === 'string')
      return fc.oneof(
        fc.stringMatching(new RegExp(schema.pattern)),
        fc.constantFrom('5.1.1', 'smtp; 550 5.1.1 no'),
      );
    return fc.string({ maxLength: Math.min(Number(schema.maxLength ?? 40), 40) });
  }
  if (schema.type === 'object') {
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const entries = Object.entries(properties).map(([name, child]) => [name, bodyValue(child)] as const);
    return fc.record(Object.fromEntries(entries), { requiredKeys: [] });
  }
  return fc.jsonValue({ maxDepth: 1 });
}

function requestFor(operation: Operation): fc.Arbitrary<GeneratedRequest> {
  const parameter = (p: Parameter) =>
    fc.oneof(
      { weight: 4, arbitrary: validValue(p).map((value) => ({ value })) },
      { weight: 1, arbitrary: junk.map((value) => ({ value })) },
      ...(p.required ? [] : [{ weight: 3, arbitrary: fc.constant(null) }]),
    );
  const params = fc.tuple(...operation.parameters.map(parameter));
  const body =
    operation.body === null
      ? fc.constant({ text: '', type: null as string | null })
      : fc.oneof(
          {
            weight: 4,
            arbitrary: bodyValue(operation.body).map((value) => ({
              text: JSON.stringify(value),
              type: 'application/json',
            })),
          },
          {
            weight: 1,
            arbitrary: fc
              .jsonValue({ maxDepth: 2 })
              .map((value) => ({ text: JSON.stringify(value) ?? '', type: 'application/json' })),
          },
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              { text: 'status=5.1.1', type: 'application/x-www-form-urlencoded' },
              { text: '{', type: 'application/json' },
              { text: '', type: null },
            ),
          },
        );
  const methods = Object.keys(document.paths[operation.path] ?? {}).map((method) => method.toUpperCase());
  const method = fc.oneof(
    { weight: 12, arbitrary: fc.constant(operation.method) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'PATCH').filter((m) => !methods.includes(m)),
    },
  );
  const rarely = <T>(arbitrary: fc.Arbitrary<T>, oneIn: number) =>
    fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
  const extras = fc.record({
    unknownQuery: rarely(fc.constantFrom('x', 'limit2', 'utm_source'), 10),
    csv: rarely(fc.constant(true), 5),
    bigHeader: rarely(fc.integer({ min: 17_000, max: 20_000 }), 40),
  });
  return fc.tuple(params, body, method, extras).map(([values, payload, chosen, extra]) => {
    let path = operation.path;
    const query = new URLSearchParams();
    operation.parameters.forEach((p, index) => {
      const value = values[index]?.value;
      if (value === undefined) return;
      if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(value) || '%20');
      else query.append(p.name, value);
    });
    if (extra.unknownQuery !== undefined) query.append(extra.unknownQuery, '1');
    const headers: Record<string, string> = {};
    if (payload.type !== null) headers['content-type'] = payload.type;
    if (extra.csv) headers.accept = 'text/csv';
    if (extra.bigHeader !== undefined) headers['x-padding'] = 'p'.repeat(extra.bigHeader);
    const search = query.toString();
    return {
      operation,
      method: chosen,
      path: search === '' ? path : `${path}?${search}`,
      headers,
      body: payload.text,
    };
  });
}

/** Why an answer breaks the document ('' when it conforms). */
function violation(request: GeneratedRequest, answer: Answer): string {
  // A method the path does not have is answered for the path: any of its operations' statuses will do.
  const candidates =
    request.method === request.operation.method
      ? [request.operation]
      : operationsOf(document).filter((operation) => operation.path === request.operation.path);
  const listed = candidates.map((operation) => operation.responses[String(answer.status)]).find(Boolean);
  if (listed === undefined) return `status ${answer.status} is not listed`;
  if (listed.content === undefined) return answer.body === '' ? '' : 'a body where the document lists none';
  const mediaType = answer.contentType.split(';')[0]?.trim() ?? '';
  const media = listed.content[mediaType];
  if (media === undefined) return `content type '${answer.contentType}' is not listed`;
  if (mediaType !== 'application/json') return schemaErrors(media.schema, answer.body, document).join('; ');
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return 'the body is not JSON';
  }
  return schemaErrors(media.schema, parsed, document).slice(0, 3).join('; ');
}

beforeAll(async () => {
  document = JSON.parse(await readFile(DOCUMENT_FILE, 'utf8'));
  stack = await startLocalStack({
    port: 0,
    loadHandlers: loadLambdaHandlers,
    retryDelayMs: 50,
    environment: {
      SUPPRESSION_RATE_PER_SECOND: '100',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      EVENT_RETENTION_DAYS: '40',
    },
    log: () => {},
  });
  const files = (await readdir(SAMPLES))
    .filter((name) => name.endsWith('.json'))
    .sort()
    .slice(0, 12);
  await replayInEventOrder(
    stack,
    await loadSnsPosts(
      files.map((name) => join(SAMPLES, name)),
      { shiftToNow: new Date() },
    ),
  );
  const page = JSON.parse((await send('GET', '/bounces?limit=50', {}, '')).body) as {
    items: Array<{ id: string; email: string }>;
  };
  knownEmails = [...new Set(page.items.map((item) => item.email))];
  knownIds = page.items.map((item) => item.id);
});

afterAll(async () => {
  await stack?.close();
});

describe('the query API answers as docs/openapi.json says', () => {
  it('seeds recipients and events for the generated requests to find', () => {
    expect(knownEmails.length).toBeGreaterThan(3);
    expect(knownIds.length).toBeGreaterThan(3);
  });

  it(`every answer to ${RUNS} generated requests is listed, typed and shaped as documented`, async () => {
    const operations = operationsOf(document);
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...operations).chain(requestFor), async (generated) => {
        const answer = await send(generated.method, generated.path, generated.headers, generated.body);
        seen.add(answer.status);
        const problem = violation(generated, answer);
        expect(
          problem,
          `${generated.method} ${generated.path.slice(0, 200)} -> ${answer.status} ${answer.body.slice(0, 300)}`,
        ).toBe('');
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // The generated requests reach the routes' answers, not only the refusals in front of them.
    expect([...seen].sort()).toEqual(expect.arrayContaining([200, 204, 400, 404, 405, 415, 431]));
  });

  it('answers headers beyond 16 KB with 431 and the error body', async () => {
    // Act
    const answer = await send('GET', '/stats', { 'x-padding': 'p'.repeat(20_000) }, '');
    // Assess
    expect(answer.status).toBe(431);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(answer.body)).toEqual({
      error: { code: 'header-fields-too-large', message: expect.any(String), field: null },
    });
  });
});
