// The Lambda handlers with the AWS SDK mocked at its boundary: the exact DynamoDB, SQS and SESv2 commands sent.
import { readFile } from 'node:fs/promises';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteSuppressedDestinationCommand,
  PutSuppressedDestinationCommand,
  SESv2Client,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { pendingSuppression, summaryItemOf } from '../support/summary-items.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const ses = mockClient(SESv2Client);

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/suppression';
const DLQ = 'https://sqs.us-east-1.amazonaws.com/123456789012/notifications-dlq';
const FIXTURES = new URL('../fixtures/ses/', import.meta.url);

type Handler = (
  event: unknown,
  context?: { getRemainingTimeInMillis(): number },
) => Promise<SQSBatchResponse | undefined>;
let processor: Handler;
let worker: (event: SQSEvent) => Promise<SQSBatchResponse>;

beforeAll(async () => {
  vi.stubEnv('TABLE_NAME', 'bounces');
  vi.stubEnv('SUPPRESSION_QUEUE_URL', QUEUE);
  vi.stubEnv('DEAD_LETTER_QUEUE_URL', DLQ);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  processor = (await import('../../lambdas/handlers/processor.ts')).handler as Handler;
  worker = (await import('../../lambdas/handlers/suppression-worker.ts')).handler;
});

afterAll(() => {
  vi.unstubAllEnvs();
});

beforeEach(() => {
  dynamo.reset();
  sqs.reset();
  ses.reset();
  dynamo.on(QueryCommand).resolves({ Items: [] });
  dynamo.on(GetCommand).resolves({});
  dynamo.on(BatchGetCommand).resolves({ Responses: { bounces: [] } });
  dynamo.on(TransactWriteCommand).resolves({});
  dynamo.on(PutCommand).resolves({});
  sqs.on(SendMessageCommand).resolves({ MessageId: 'sent' });
});

/** The attribute → value pairs of a `SET #a0 = :a0, …` update. */
function setValues(update?: {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}): Record<string, unknown> {
  const names = update?.ExpressionAttributeNames ?? {};
  const values = update?.ExpressionAttributeValues ?? {};
  return Object.fromEntries(
    Object.entries(names)
      .filter(([placeholder]) => placeholder.startsWith('#a'))
      .map(([placeholder, name]) => [name, values[`:${placeholder.slice(1)}`]]),
  );
}

async function sqsEventOf(files: string[]): Promise<SQSEvent> {
  const records = await Promise.all(
    files.map(async (file, i) => ({
      messageId: `m-${i}`,
      receiptHandle: 'rh',
      body: JSON.stringify({
        Type: 'Notification',
        MessageId: `sns-${i}`,
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses',
        Message: await readFile(new URL(file, FIXTURES), 'utf8'),
      }),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1',
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '1',
      },
      messageAttributes: {},
      md5OfBody: 'x',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:notifications',
      awsRegion: 'us-east-1',
    })),
  );
  return { Records: records };
}

describe('processor handler', () => {
  it('writes the event id pointer first (conditioned on not being erased), then event and summary in one transaction conditioned on the event key; the counters are left to the rollup', async () => {
    // Act
    const result = await processor(await sqsEventOf(['01-bounce-permanent-general-gmail-5.1.1.json']));

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: 'bounces',
      Key: { pk: 'R#no.such.user.8841@gmail.com', sk: 'SUMMARY' },
      ConsistentRead: true,
    });
    const calls = dynamo.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(1);
    const items = calls[0]?.args[0].input.TransactItems ?? [];
    expect(items).toHaveLength(2);
    const [event, summary] = items;
    // A short event item keeps its id only in its sort key (`E#<occurredAt>#<id>`).
    const id = String(event?.Put?.Item?.sk).split('#')[2];
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    // The pointer replaces byId and the erasure tombstone's check: a plain PutItem before the transaction, refused
    // when the event was erased.
    const pointers = dynamo.commandCalls(PutCommand);
    expect(pointers.map((call) => call.args[0].input)).toEqual([
      {
        TableName: 'bounces',
        Item: {
          pk: `ID#${id}`,
          sk: 'ID',
          entity: 'pointer',
          epk: event?.Put?.Item?.pk,
          esk: event?.Put?.Item?.sk,
          expiresAt: event?.Put?.Item?.expiresAt,
        },
        ConditionExpression: 'attribute_not_exists(#erased)',
        ExpressionAttributeNames: { '#erased': 'erased' },
      },
    ]);
    expect(dynamo.calls().findIndex((call) => call.args[0] instanceof PutCommand)).toBeLessThan(
      dynamo.calls().findIndex((call) => call.args[0] instanceof TransactWriteCommand),
    );
    expect(event?.Put).toMatchObject({
      TableName: 'bounces',
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: {
        pk: 'R#no.such.user.8841@gmail.com',
        sk: expect.stringMatching(/^E#2024-10-14T09:12:41\.000Z#[0-9a-f]{32}$/),
        gsi1pk: expect.stringMatching(/^T#bounce#2024-10#[0-7]$/),
        gsi2pk: expect.stringMatching(/^D#gmail\.com#bounce#2024-10#[0-3]$/),
        type: 'bounce',
        verdict: 'hard',
        code: '5.1.1',
        // The counter rollup adds it to the daily counters when the stream reports its insertion.
        rollup: true,
      },
    });
    // At v2 there is no byId (the pointer finds the event): no eid, nor the old time indexes' sort keys.
    expect(event?.Put?.Item).not.toHaveProperty('eid');
    expect(event?.Put?.Item).not.toHaveProperty('gsi1sk');
    expect(event?.Put?.Item).not.toHaveProperty('gsi2sk');
    // A first summary is a conditional Put (an existing one is a versioned Update, see below).
    expect(summary?.Put).toMatchObject({
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: {
        pk: 'R#no.such.user.8841@gmail.com',
        sk: 'SUMMARY',
        hard: 1,
        version: 1,
      },
    });
    // A slim summary: its key holds the address (docs/data-model.md, "Slim summaries").
    expect(summary?.Put?.Item).not.toHaveProperty('email');
    expect(sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input)).toEqual([
      {
        QueueUrl: QUEUE,
        MessageBody: expect.stringContaining('"action":"put"'),
      },
    ]);
    const request = JSON.parse(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageBody ?? '{}');
    expect(request).toMatchObject({
      v: 1,
      email: 'no.such.user.8841@gmail.com',
      reason: 'BOUNCE',
      cause: 'hard-bounce',
      requestId: id,
    });
  });

  it('an existing summary is replaced only at the version it was read', async () => {
    // Prepare
    dynamo.on(GetCommand).resolves({
      Item: summaryItemOf('angry.reader@yahoo.com', { deliveries: 4 }, 7),
    });

    // Act
    await processor(await sqsEventOf(['10-complaint-abuse.json']));

    // Assess
    const summary = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[1]?.Update;
    expect(summary).toMatchObject({
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':expected': 7 },
    });
    expect(setValues(summary)).toMatchObject({ version: 8, complaints: 1, deliveries: 4 });
  });

  it('a duplicate (event condition failed) counts nothing and re-sends a still pending request', async () => {
    // Prepare
    dynamo.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [
          { Code: 'ConditionalCheckFailed' },
          { Code: 'None' },
          { Code: 'None' },
          { Code: 'None' },
        ],
      }),
    );
    const first = await sqsEventOf(['01-bounce-permanent-general-gmail-5.1.1.json']);
    const pendingId = '0'.repeat(32);
    dynamo.on(GetCommand).resolves({
      Item: summaryItemOf('no.such.user.8841@gmail.com', {
        suppression: pendingSuppression(pendingId, 'put'),
      }),
    });

    // Act
    const result = await processor(first);

    // Assess: the pending request belongs to another event: nothing re-sent, no failure.
    expect(result).toEqual({ batchItemFailures: [] });
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(sqs.commandCalls(SendMessageCommand)).toEqual([]);
  });

  it('an erased event (its pointer refuses the Put) is dropped as a duplicate before anything else is written', async () => {
    // Prepare
    dynamo
      .on(PutCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );

    // Act
    const result = await processor(await sqsEventOf(['01-bounce-permanent-general-gmail-5.1.1.json']));

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(1);
    expect(dynamo.commandCalls(TransactWriteCommand)).toEqual([]);
    expect(sqs.commandCalls(SendMessageCommand)).toEqual([]);
  });

  it.each([
    ['the summary changed since it was read', 'ConditionalCheckFailed', 1],
    ['a concurrent transaction held a counter', 'TransactionConflict', 2],
  ])('retries when %s, then records once', async (_, code, index) => {
    // Prepare
    const reasons = [{ Code: 'None' }, { Code: 'None' }, { Code: 'None' }, { Code: 'None' }];
    reasons[index] = { Code: code };
    dynamo
      .on(TransactWriteCommand)
      .rejectsOnce(
        new TransactionCanceledException({
          message: 'cancelled',
          $metadata: {},
          CancellationReasons: reasons,
        }),
      )
      .resolves({});

    // Act
    const result = await processor(await sqsEventOf(['10-complaint-abuse.json']));

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(2);
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(2);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });

  it("counts a delivery to an address without a summary: one conditional update of its minute's ledger item with its domain count, no event item", async () => {
    await processor(await sqsEventOf(['11-delivery.json']));

    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
    const updates = dynamo.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({
      Key: { pk: 'DLV#2024-10-15T09:00', sk: 'm' },
      ConditionExpression:
        'attribute_not_exists(#closed) AND (attribute_not_exists(#entries) OR size(#entries) <= :room) AND NOT contains(#entries, :e0)',
      ExpressionAttributeValues: { ':n0': 1, ':room': 17 },
    });
    expect(Object.values(updates[0]?.ExpressionAttributeNames ?? {})).toContain('n:gmail.com');
  });

  it('parks a malformed record in the DLQ with its reason and reports no failure for it', async () => {
    // Prepare
    const event = await sqsEventOf(['11-delivery.json']);
    const bad = {
      ...event.Records[0],
      messageId: 'bad',
      body: 'not json at all',
    } as SQSEvent['Records'][number];
    event.Records.push(bad);

    // Act
    const result = await processor(event);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input)).toEqual([
      {
        QueueUrl: DLQ,
        MessageBody: 'not json at all',
        MessageAttributes: {
          'rejection-code': { DataType: 'String', StringValue: 'not-json' },
          'rejection-detail': { DataType: 'String', StringValue: 'the body is not JSON' },
          'source-message-id': { DataType: 'String', StringValue: 'bad' },
        },
      },
    ]);
    // The delivery was counted (its ledger update), the malformed record wrote nothing.
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(1);
  });

  it('the summaries of a batch are read in one strongly consistent BatchGetItem (unprocessed keys retried)', async () => {
    // Prepare: DynamoDB leaves one key unprocessed the first time
    const summary = (email: string) => summaryItemOf(email, {}, 3);
    dynamo
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { bounces: [summary('no.such.user.8841@gmail.com')] },
        UnprocessedKeys: {
          bounces: { Keys: [{ pk: 'R#angry.reader@yahoo.com', sk: 'SUMMARY' }], ConsistentRead: true },
        },
      })
      .resolves({ Responses: { bounces: [] } });

    // Act
    const result = await processor(
      await sqsEventOf([
        '01-bounce-permanent-general-gmail-5.1.1.json',
        '10-complaint-abuse.json',
        '01-bounce-permanent-general-gmail-5.1.1.json',
      ]),
    );

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
    const reads = dynamo.commandCalls(BatchGetCommand).map((c) => c.args[0].input);
    expect(reads[0]).toEqual({
      RequestItems: {
        bounces: {
          ConsistentRead: true,
          Keys: [
            { pk: 'R#no.such.user.8841@gmail.com', sk: 'SUMMARY' },
            { pk: 'R#angry.reader@yahoo.com', sk: 'SUMMARY' },
          ],
        },
      },
    });
    expect(reads[1]?.RequestItems?.bounces?.Keys).toEqual([
      { pk: 'R#angry.reader@yahoo.com', sk: 'SUMMARY' },
    ]);
    const summaries = dynamo
      .commandCalls(TransactWriteCommand)
      .map((c) => c.args[0].input.TransactItems?.[1])
      .map((item) => (item?.Put ? 'new' : item?.Update?.ExpressionAttributeValues?.[':expected']));
    expect(summaries.sort()).toEqual([3, 3, 'new']);
  });

  it('a DynamoDB failure fails only its own record', async () => {
    // Prepare
    dynamo
      .on(TransactWriteCommand)
      .rejectsOnce(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }))
      .resolves({});

    // Act
    const result = await processor(
      await sqsEventOf([
        '11-delivery.json',
        '10-complaint-abuse.json',
        '12-event-publishing-bounce-permanent-general.json',
      ]),
    );

    // Assess
    expect(result?.batchItemFailures).toHaveLength(1);
    // The bounce and the complaint are transactions (the first one throttled, no retry), the delivery an update.
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(2);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(1);
  });

  it.each([
    ['a direct SNS event', 'sns-lambda-event-10-complaint.json'],
    ['a bare SES document', '11-delivery.json'],
  ])('%s is refused: only the queue (SQS batches) invokes the processor', async (_, file) => {
    // Prepare
    const event = JSON.parse(await readFile(new URL(file, FIXTURES), 'utf8')) as unknown;

    // Act, Assess
    await expect(processor(event)).rejects.toThrow(/SQS batches only/);
    expect(dynamo.commandCalls(TransactWriteCommand)).toEqual([]);
  });

  it('near the function timeout, records not yet started go back to the queue unprocessed', async () => {
    // Prepare: 20 s left when the first record starts, 4 s (under the 5 s margin) from then on.
    let asked = 0;
    const context = { getRemainingTimeInMillis: () => (asked++ === 0 ? 20_000 : 4_000) };
    const event = await sqsEventOf([
      '10-complaint-abuse.json',
      '12-event-publishing-bounce-permanent-general.json',
      '02-bounce-permanent-noemail.json',
    ]);

    // Act
    const result = await processor(event, context);

    // Assess
    expect(result?.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }]);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('an empty batch answers no failures', async () => {
    await expect(processor({ Records: [] })).resolves.toEqual({ batchItemFailures: [] });
  });
});

function workerEvent(bodies: unknown[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `w-${i}`,
      receiptHandle: 'rh',
      body: JSON.stringify(body),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1',
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '1',
      },
      messageAttributes: {},
      md5OfBody: 'x',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:suppression',
      awsRegion: 'us-east-1',
    })),
  };
}

const request = (email: string, action: 'put' | 'delete', requestId: string) => ({
  v: 1,
  requestId,
  action,
  email,
  ...(action === 'put' ? { reason: 'BOUNCE' } : {}),
  cause: action === 'put' ? 'hard-bounce' : 'ses-mislabel-repair',
  eventId: requestId,
  requestedAt: '2026-11-26T10:00:00.000Z',
});

const pendingSummary = (email: string, requestId: string, action: 'put' | 'delete') => ({
  Item: summaryItemOf(email, { suppression: pendingSuppression(requestId, action) }, 2),
});

describe('suppression worker handler', () => {
  it('puts the address with its reason and confirms it conditioned on the pending request', async () => {
    // Prepare
    dynamo.on(GetCommand).resolves(pendingSummary('dead@example.com', 'r1', 'put'));
    dynamo.on(UpdateCommand).resolves({});
    ses.on(PutSuppressedDestinationCommand).resolves({});

    // Act
    const result = await worker(workerEvent([request('dead@example.com', 'put', 'r1')]));

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(ses.commandCalls(PutSuppressedDestinationCommand).map((c) => c.args[0].input)).toEqual([
      { EmailAddress: 'dead@example.com', Reason: 'BOUNCE' },
    ]);
    expect(dynamo.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'bounces',
      Key: { pk: 'R#dead@example.com', sk: 'SUMMARY' },
      ConditionExpression: '#suppression.#requestId = :rid AND #suppression.#state = :pending',
      UpdateExpression: 'SET #suppression.#state = :state, #suppression.#updatedAt = :at ADD #version :one',
      ExpressionAttributeValues: { ':state': 'confirmed', ':rid': 'r1', ':pending': 'pending', ':one': 1 },
    });
  });

  it('skips a request the summary no longer waits for (a duplicate message): no SES call', async () => {
    dynamo.on(GetCommand).resolves(pendingSummary('dead@example.com', 'newer', 'put'));

    const result = await worker(workerEvent([request('dead@example.com', 'put', 'r1')]));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(ses.commandCalls(PutSuppressedDestinationCommand)).toEqual([]);
  });

  it('a repair deletes the address and writes the audit event with the summary in one transaction', async () => {
    // Prepare
    dynamo.on(GetCommand).resolves(pendingSummary('good@example.com', 'r2', 'delete'));
    ses.on(DeleteSuppressedDestinationCommand).resolves({});

    // Act
    await worker(workerEvent([request('good@example.com', 'delete', 'r2')]));

    // Assess
    expect(ses.commandCalls(DeleteSuppressedDestinationCommand)[0]?.args[0].input).toEqual({
      EmailAddress: 'good@example.com',
    });
    const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Update?.ConditionExpression).toBe(
      '#suppression.#requestId = :rid AND #suppression.#state = :pending',
    );
    expect(items[1]?.Put).toMatchObject({
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: {
        pk: 'R#good@example.com',
        sk: expect.stringMatching(/^E#2026-11-26T10:00:00\.000Z#[0-9a-f]{32}$/),
        type: 'audit',
        action: 'ses-suppression-removed',
      },
    });
  });

  it('throttled after the SDK retries: this and the rest of the batch go back to the queue', async () => {
    // Prepare
    dynamo.on(GetCommand).resolves(pendingSummary('dead@example.com', 'r1', 'put'));
    ses
      .on(PutSuppressedDestinationCommand)
      .rejects(new TooManyRequestsException({ message: 'slow down', $metadata: {} }));

    // Act: the worker backs off twice (1 s, 2 s) on a fake clock before it gives the batch back.
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const pending = worker(
      workerEvent([request('dead@example.com', 'put', 'r1'), request('other@example.com', 'put', 'r3')]),
    );
    await vi.runAllTimersAsync();
    const result = await pending;
    vi.useRealTimers();

    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'w-0' }, { itemIdentifier: 'w-1' }]);
    expect(ses.commandCalls(PutSuppressedDestinationCommand)).toHaveLength(3);
    expect(
      ses
        .commandCalls(PutSuppressedDestinationCommand)
        .every((c) => c.args[0].input.EmailAddress === 'dead@example.com'),
    ).toBe(true);
    expect(dynamo.commandCalls(UpdateCommand)).toEqual([]);
  });

  it('an invalid message is failed (the redrive policy parks it), the valid neighbour goes through', async () => {
    dynamo.on(GetCommand).resolves(pendingSummary('dead@example.com', 'r1', 'put'));
    ses.on(PutSuppressedDestinationCommand).resolves({});

    const result = await worker(
      workerEvent([{ v: 1, action: 'put' }, request('dead@example.com', 'put', 'r1')]),
    );

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'w-0' }]);
    expect(ses.commandCalls(PutSuppressedDestinationCommand)).toHaveLength(1);
  });
});
