// What the processor logs: correlation ids on every line of a record, decisions, rejections without bodies, and
// never a full recipient address; and the EMF metrics the alarms and dashboard read. DynamoDB and SQS mocked at the
// SDK boundary; logs read from the console (POWERTOOLS_DEV), metrics from captured stdout.
import { readFile } from 'node:fs/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PROCESSOR_TELEMETRY } from '../../infra/construct.ts';
import { DynamoAllowlist, DynamoEventStore } from '../../lambdas/adapters/dynamo-event-store.ts';
import { createProcessorHandler } from '../../lambdas/adapters/processor-lambda.ts';
import { SqsMessageParking, SqsSuppressionQueue } from '../../lambdas/adapters/queues.ts';
import { classifyBounce } from '../../lambdas/domain/classify.ts';
import { DEFAULT_DELIVERY_HISTORY } from '../../lambdas/domain/delivery-history.ts';
import { DEFAULT_POLICY_SETTINGS } from '../../lambdas/domain/suppression-policy.ts';
import { captureOutput, emfMetrics, jsonLines } from '../support/captured-output.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const FIXTURES = new URL('../fixtures/ses/', import.meta.url);

const NAMESPACE = 'Test';
let lines: Record<string, unknown>[];

beforeEach(() => {
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  lines = [];
  // Structured lines only; Powertools Metrics also prints a plain-text warning when a batch has no metrics.
  const capture = (text: unknown) => {
    if (String(text).startsWith('{')) lines.push(JSON.parse(String(text)) as Record<string, unknown>);
  };
  for (const level of ['debug', 'info', 'warn', 'error', 'log'] as const) {
    vi.spyOn(console, level).mockImplementation(capture);
  }
  dynamo.reset();
  sqs.reset();
  dynamo.on(QueryCommand).resolves({ Items: [] });
  dynamo.on(GetCommand).resolves({});
  dynamo.on(TransactWriteCommand).resolves({});
  sqs.on(SendMessageCommand).resolves({});
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function handler() {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const sqsClient = new SQSClient({ region: 'us-east-1' });
  const now = () => new Date('2026-11-26T12:00:00.000Z');
  return createProcessorHandler({
    deps: {
      store: new DynamoEventStore(doc, {
        tableName: 't',
        eventRetentionDays: 400,
        recipientRetentionDays: 400,
      }),
      queue: new SqsSuppressionQueue(sqsClient, 'https://sqs.us-east-1.amazonaws.com/1/suppression'),
      allowlist: new DynamoAllowlist(doc, { tableName: 't', cacheSeconds: 60, now }),
      classify: classifyBounce,
      settings: DEFAULT_POLICY_SETTINGS,
      deliveryHistory: DEFAULT_DELIVERY_HISTORY,
      now,
      sleep: async () => {},
    },
    parking: new SqsMessageParking(sqsClient, 'https://sqs.us-east-1.amazonaws.com/1/dlq'),
    logger: new Logger({ serviceName: 'processor', logLevel: 'INFO' }),
    metrics: new Metrics({ namespace: NAMESPACE, serviceName: 'processor' }),
    concurrency: 4,
  });
}

function sqsEvent(bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `sqs-${i}`,
      receiptHandle: 'rh',
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1',
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '1',
      },
      messageAttributes: {},
      md5OfBody: 'x',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:1:q',
      awsRegion: 'us-east-1',
    })),
  };
}

describe('processor logs', () => {
  it('carry the SQS, SNS, SES message and feedback ids, the decision, and only a masked address', async () => {
    // Prepare
    const message = await readFile(new URL('01-bounce-permanent-general-gmail-5.1.1.json', FIXTURES), 'utf8');
    const body = JSON.stringify({ Type: 'Notification', MessageId: 'sns-1', Message: message });

    // Act
    await handler()(sqsEvent([body]));

    // Assess
    const recorded = lines.find((l) => l.message === 'event recorded');
    expect(recorded).toMatchObject({
      level: 'INFO',
      sqsMessageId: 'sqs-0',
      snsMessageId: 'sns-1',
      sesMessageId: '010001927ab3168d-9a4e1f0b-3c2d-4e6f-8a7b-5c4d3e2f1a0b-000000',
      feedbackId: '010001927ab31c4e-6f0c2d1a-8b4e-4c55-9a1e-0d3f5b7c9e21-000000',
      type: 'bounce',
      verdict: 'hard',
      domain: 'gmail.com',
      decision: 'suppress',
      recipient: 'n***@gmail.com',
    });
    expect(JSON.stringify(lines)).not.toContain('no.such.user.8841');
  });

  it('a rejection names its reason and size, never the body', async () => {
    await handler()(sqsEvent(['{"mail":{"destination":["secret.person@example.com"]},"hello":1}']));

    const rejected = lines.find((l) => l.message === 'message rejected');
    expect(rejected).toMatchObject({ level: 'ERROR', sqsMessageId: 'sqs-0', rejection: 'not-ses' });
    expect(JSON.stringify(lines)).not.toContain('secret.person');
  });
});

describe('processor metrics', () => {
  /** The SQS body SNS delivers for the SES fixture `name`. */
  async function fixtureBody(name: string, snsMessageId: string): Promise<string> {
    const message = await readFile(new URL(name, FIXTURES), 'utf8');
    return JSON.stringify({ Type: 'Notification', MessageId: snsMessageId, Message: message });
  }

  it('publish the names and dimensions the alarms and dashboard read (PROCESSOR_TELEMETRY)', async () => {
    // Prepare: Powertools writes EMF to stdout outside dev mode, once metrics are on.
    vi.stubEnv('POWERTOOLS_DEV', 'false');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const bodies = await Promise.all([
      fixtureBody('01-bounce-permanent-general-gmail-5.1.1.json', 'sns-1'),
      fixtureBody('05-bounce-transient-mailboxfull-4.2.2.json', 'sns-2'),
      fixtureBody('10-complaint-abuse.json', 'sns-3'),
      fixtureBody('11-delivery.json', 'sns-4'),
    ]);

    // Act
    const { output } = await captureOutput(() => handler()(sqsEvent(bodies)));
    const metrics = emfMetrics(jsonLines(output));

    // Assess
    const t = PROCESSOR_TELEMETRY;
    const named = (name: string) => metrics.filter((m) => m.name === name && m.namespace === NAMESPACE);
    const recorded = named(t.eventsRecorded);
    expect(recorded.map((m) => m.dimensions)).toEqual(
      recorded.map(() => ['service', t.typeDimension].sort()),
    );
    expect(recorded.map((m) => m.fields[t.typeDimension]).sort()).toEqual([
      'bounce',
      'complaint',
      'delivery',
    ]);
    expect(recorded.find((m) => m.fields[t.typeDimension] === 'bounce')?.fields[t.eventsRecorded]).toBe(2);
    const classified = named(t.bouncesClassified);
    expect(classified.map((m) => m.dimensions)).toEqual(
      classified.map(() => ['service', t.verdictDimension, t.categoryDimension].sort()),
    );
    expect(
      classified
        .map((m) => `${m.fields.service} ${m.fields[t.verdictDimension]} ${m.fields[t.categoryDimension]}`)
        .sort(),
    ).toEqual(['processor hard unknown-recipient', 'processor soft mailbox-full']);
  });
});
