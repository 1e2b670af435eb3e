// The processor's promises under redelivery and faults, against dynalite and the SESv2 emulator on loopback:
// every event once, counters once, no suppression lost or doubled, poison parked beside valid neighbours.
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { keys } from '../../lambdas/adapters/table-definition.ts';
import type { SuppressionRequest } from '../../lambdas/domain/suppression-policy.ts';
import {
  bounceVariant,
  deliveryFor,
  fixture,
  type ProcessorStack,
  snsEnvelope,
  sqsEvent,
  sqsRecord,
  startProcessorStack,
  TABLE,
} from '../support/processor-harness.ts';

let stack: ProcessorStack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const GMAIL = '01-bounce-permanent-general-gmail-5.1.1.json';
const DEAD = 'no.such.user.8841@gmail.com';

const softBounce = (n: number, timestamp: string) =>
  bounceVariant({
    feedbackId: `soft-${n}`,
    timestamp,
    email: 'full@example.com',
    bounceType: 'Transient',
    bounceSubType: 'MailboxFull',
    status: '4.2.2',
    diagnosticCode: 'smtp; 452 4.2.2 The email account that you tried to reach is over quota',
  });

async function send(body: string, id: string): Promise<SQSBatchResponse> {
  if (!stack) throw new Error('no stack');
  return (await stack.processor(
    sqsEvent([sqsRecord(snsEnvelope(body, `sns-${id}`), id)]),
  )) as SQSBatchResponse;
}

describe('exactly once', () => {
  it('the same message five times: one event, every count +1, one suppression', async () => {
    // Prepare
    stack = await startProcessorStack();
    const message = await fixture(GMAIL);

    // Act
    for (let i = 0; i < 5; i += 1) {
      const result = await stack.processor(
        sqsEvent([sqsRecord(snsEnvelope(message, 'sns-same'), `delivery-${i}`)]),
      );
      expect(result).toEqual({ batchItemFailures: [] });
    }
    await stack.drainSuppressionQueue();

    // Assess
    expect(await stack.events(DEAD)).toHaveLength(1);
    expect(await stack.summary(DEAD)).toMatchObject({ hard: 1, soft: 0, complaints: 0, deliveries: 0 });
    expect(await stack.dayCounter('2024-10-14', 'events')).toBe(1);
    expect(await stack.dayCounter('2024-10-14', 'verdict:hard')).toBe(1);
    expect(await stack.dayCounter('2024-10-14', 'code:5.1.1')).toBe(1);
    const puts = stack.ses.calls().filter((c) => c.method === 'PUT');
    expect(puts).toEqual([expect.objectContaining({ status: 200 })]);
  });

  it('a batch where one transaction fails: the retry of that record completes exactly once', async () => {
    // Prepare: the first TransactWriteItems for one recipient fails at the SDK boundary.
    stack = await startProcessorStack();
    let failuresLeft = 1;
    stack.raw.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { TransactItems?: { Put?: { Item?: Record<string, { S?: string }> } }[] };
        const pk = input.TransactItems?.[0]?.Put?.Item?.pk?.S;
        if (pk === keys.recipientPk('b@example.com') && failuresLeft > 0) {
          failuresLeft -= 1;
          throw Object.assign(new Error('injected: request failed'), { name: 'InternalServerError' });
        }
        return next(args);
      },
      { step: 'build', name: 'injectTransactionFailure' },
    );
    const bodies = await Promise.all(
      ['a', 'b', 'c'].map((name, i) =>
        bounceVariant({
          feedbackId: `fb-${name}`,
          timestamp: `2024-10-14T10:0${i}:00.000Z`,
          email: `${name}@example.com`,
        }),
      ),
    );
    const records = bodies.map((body, i) => sqsRecord(snsEnvelope(body, `sns-${i}`), `m-${i}`));

    // Act: first delivery, then SQS redelivers only the failed record; then, for good measure, all three again.
    const first = (await stack.processor(sqsEvent(records))) as SQSBatchResponse;
    const failed = records.filter((r) =>
      first.batchItemFailures.some((f) => f.itemIdentifier === r.messageId),
    );
    const retry = (await stack.processor(sqsEvent(failed))) as SQSBatchResponse;
    const replay = (await stack.processor(sqsEvent(records))) as SQSBatchResponse;
    await stack.drainSuppressionQueue();

    // Assess
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(retry.batchItemFailures).toEqual([]);
    expect(replay.batchItemFailures).toEqual([]);
    for (const name of ['a', 'b', 'c']) {
      expect(await stack.events(`${name}@example.com`)).toHaveLength(1);
      expect(await stack.summary(`${name}@example.com`)).toMatchObject({ hard: 1 });
      expect(stack.ses.get(`${name}@example.com`)?.reason).toBe('BOUNCE');
    }
    expect(await stack.dayCounter('2024-10-14', 'events')).toBe(3);
  });

  it('a response lost after the commit: the retry is a duplicate and counts nothing twice', async () => {
    // Prepare: the transaction commits, then the caller sees an error (timeout, crash).
    stack = await startProcessorStack();
    let lose = true;
    stack.raw.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        if (lose && (args.input as { TransactItems?: unknown[] }).TransactItems) {
          lose = false;
          throw Object.assign(new Error('injected: connection reset after commit'), { name: 'TimeoutError' });
        }
        return result;
      },
      { step: 'build', name: 'loseResponse' },
    );
    const body = await fixture(GMAIL);

    // Act
    const first = await send(body, 'lost');
    const second = await send(body, 'lost');
    await stack.drainSuppressionQueue();

    // Assess
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'lost' }]);
    expect(second.batchItemFailures).toEqual([]);
    expect(await stack.events(DEAD)).toHaveLength(1);
    expect(await stack.dayCounter('2024-10-14', 'events')).toBe(1);
    // The first attempt never reached SendMessage; the duplicate path sent the pending request.
    expect(stack.ses.get(DEAD)?.reason).toBe('BOUNCE');
    expect(await stack.summary(DEAD)).toMatchObject({ suppression: { state: 'confirmed' } });
  });

  it('a crash between commit and SendMessage: the redelivery re-sends the pending request', async () => {
    // Prepare
    stack = await startProcessorStack();
    const queue = stack.queue;
    let failSend = true;
    stack.deps.queue = {
      send: async (request: SuppressionRequest) => {
        if (failSend) {
          failSend = false;
          throw new Error('injected: SQS unavailable');
        }
        await queue.send(request);
      },
    };
    const body = await fixture(GMAIL);

    // Act
    const first = await send(body, 'crash');
    const second = await send(body, 'crash');
    await stack.drainSuppressionQueue();

    // Assess
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'crash' }]);
    expect(second.batchItemFailures).toEqual([]);
    expect(await stack.events(DEAD)).toHaveLength(1);
    expect(stack.ses.get(DEAD)?.reason).toBe('BOUNCE');
    expect(await stack.summary(DEAD)).toMatchObject({ hard: 1, suppression: { state: 'confirmed' } });
  });

  it('concurrent events of one recipient: both recorded, the summary counts both', async () => {
    // Prepare
    stack = await startProcessorStack();
    const bodies = await Promise.all([1, 2, 3, 4].map((n) => softBounce(n, `2024-10-0${n}T10:00:00.000Z`)));

    // Act: one batch, processed concurrently (optimistic concurrency on the summary)
    const result = (await stack.processor(
      sqsEvent(bodies.map((b, i) => sqsRecord(snsEnvelope(b, `sns-c${i}`), `c${i}`))),
    )) as SQSBatchResponse;

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(await stack.events('full@example.com')).toHaveLength(4);
    expect(await stack.summary('full@example.com')).toMatchObject({ soft: 4, softStreak: 4 });
  });
});

describe('summary writes', () => {
  it('keeps attributes other writers added to the summary, and bumps the version', async () => {
    // Prepare: a summary as another writer (the query API) left it, with an attribute the processor does not know.
    // Every delivery kept (deliveryHistory all), so the first delivery creates the summary.
    stack = await startProcessorStack({ deliveryHistory: 'all' });
    await send(await deliveryFor(DEAD, '2024-10-01T00:00:00.000Z', 'msg-first'), 'first');
    await stack.doc.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: keys.summary(DEAD),
        UpdateExpression: 'SET #note = :note ADD #version :one',
        ExpressionAttributeNames: { '#note': 'operatorNote', '#version': 'version' },
        ExpressionAttributeValues: { ':note': 'seed address', ':one': 1 },
      }),
    );

    // Act
    await send(await fixture(GMAIL), 'second');

    // Assess
    const item = await stack.queryAll(keys.recipientPk(DEAD));
    expect(item.find((i) => i.sk === 'SUMMARY')).toMatchObject({
      operatorNote: 'seed address',
      version: 3,
      deliveries: 1,
      hard: 1,
    });
  });
});

describe('poison and parking', () => {
  it('a malformed record beside a valid one: the valid one is recorded, the bad one parked with its reason', async () => {
    // Prepare
    stack = await startProcessorStack();
    const valid = sqsRecord(snsEnvelope(await fixture(GMAIL), 'sns-valid'), 'valid');
    const notJson = sqsRecord('{"Type":"Notification", truncated', 'not-json');
    const missing = sqsRecord(
      snsEnvelope(JSON.stringify({ notificationType: 'Bounce', mail: { messageId: 'x' } }), 'sns-missing'),
      'missing',
    );
    const notSes = sqsRecord(JSON.stringify({ hello: 'world' }), 'not-ses');

    // Act
    const result = (await stack.processor(sqsEvent([notJson, valid, missing, notSes]))) as SQSBatchResponse;

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(await stack.events(DEAD)).toHaveLength(1);
    const parked = Object.fromEntries(stack.parking.parked.map((p) => [p.sourceMessageId, p]));
    expect(parked['not-json']?.rejection.code).toBe('not-json');
    expect(parked['not-json']?.body).toBe(notJson.body);
    expect(parked.missing?.rejection).toMatchObject({
      code: 'missing-or-invalid-fields',
      detail: expect.stringContaining('bounce'),
    });
    expect(parked['not-ses']?.rejection.code).toBe('not-ses');
    expect(parked.valid).toBeUndefined();
  });

  it('an unusable recipient address: the other recipients are recorded, the message is parked for a look', async () => {
    // Prepare
    stack = await startProcessorStack();
    const document = JSON.parse(await fixture('09-bounce-permanent-multiple-recipients.json'));
    document.bounce.bouncedRecipients[1].emailAddress = 'not an address';

    // Act
    const result = await send(JSON.stringify(document), 'bad-recipient');

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(await stack.events('former.employee@contoso.example')).toHaveLength(1);
    expect(await stack.events('shared.box@contoso.example')).toHaveLength(1);
    expect(stack.parking.parked).toEqual([
      expect.objectContaining({
        sourceMessageId: 'bad-recipient',
        rejection: {
          code: 'invalid-recipient-address',
          detail: expect.stringContaining('bouncedRecipients[1]'),
        },
      }),
    ]);
  });
});

describe('suppression policy end to end', () => {
  it('three soft bounces within the window suppress; a delivery in between resets the streak', async () => {
    // Prepare
    stack = await startProcessorStack();

    // Act: two soft bounces, a delivery, two more soft bounces (streak 2, not 3)
    await send(await softBounce(1, '2024-10-01T10:00:00.000Z'), 's1');
    await send(await softBounce(2, '2024-10-02T10:00:00.000Z'), 's2');
    await send(await deliveryFor('full@example.com', '2024-10-03T10:00:00.000Z', 'msg-d1'), 'd1');
    await send(await softBounce(3, '2024-10-04T10:00:00.000Z'), 's3');
    await send(await softBounce(4, '2024-10-05T10:00:00.000Z'), 's4');
    const afterFour = await stack.summary('full@example.com');
    await send(await softBounce(5, '2024-10-06T10:00:00.000Z'), 's5');
    await stack.drainSuppressionQueue();

    // Assess
    expect(afterFour).toMatchObject({ soft: 4, deliveries: 1, softStreak: 2, suppression: null });
    expect(await stack.summary('full@example.com')).toMatchObject({
      softStreak: 3,
      suppression: { state: 'confirmed', cause: 'soft-bounce-streak', reason: 'BOUNCE' },
    });
    expect(stack.ses.get('full@example.com')?.reason).toBe('BOUNCE');
  });

  it('SES answering 429 then 200: one suppression, confirmed', async () => {
    // Prepare
    stack = await startProcessorStack({ sesFaults: { sequence: [429, 200] } });
    await send(await fixture(GMAIL), 'throttled');

    // Act
    const result = await stack.drainSuppressionQueue();

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(stack.ses.calls().map((c) => c.status)).toEqual([429, 200]);
    expect(stack.ses.entries()).toHaveLength(1);
    expect(await stack.summary(DEAD)).toMatchObject({ suppression: { state: 'confirmed' } });
  });

  it('SES throttling beyond the SDK retries and the worker backoff: back to the queue, still pending', async () => {
    // Prepare: 2 SDK attempts × (1 try + 2 backoff retries) = 6 throttled calls
    stack = await startProcessorStack({ sesFaults: { sequence: [429, 429, 429, 429, 429, 429] } });
    await send(await fixture(GMAIL), 'throttled');
    const pending = [...stack.queue.sent];

    // Act
    const result = await stack.drainSuppressionQueue();

    // Assess
    expect(result.batchItemFailures).toHaveLength(1);
    expect(stack.ses.entries()).toEqual([]);
    expect(await stack.summary(DEAD)).toMatchObject({ suppression: { state: 'pending' } });
    stack.queue.sent.push(...pending);
    await stack.drainSuppressionQueue();
    expect(await stack.summary(DEAD)).toMatchObject({ suppression: { state: 'confirmed' } });
  });

  it('SES BadRequest (sandbox): reported as failed with the reason, not retried, audit event in the history', async () => {
    // Prepare
    stack = await startProcessorStack({ sesFaults: { sequence: [400] } });
    await send(await fixture(GMAIL), 'sandbox');

    // Act
    const result = await stack.drainSuppressionQueue();

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(await stack.summary(DEAD)).toMatchObject({
      suppression: { state: 'failed', error: expect.any(String) },
    });
    const history = await stack.records(DEAD);
    expect(history.map((e) => e.type).sort()).toEqual(['audit', 'bounce']);
  });

  it('a Permanent bounce blamed on the sender: SES mislabel recorded; repair (opt-in) deletes with an audit event', async () => {
    // Prepare
    stack = await startProcessorStack({ settings: { repairSesFalseSuppressions: true } });
    stack.ses.seed({ emailAddress: 'good@example.com', reason: 'BOUNCE' });
    const body = await bounceVariant({
      feedbackId: 'fb-dmarc',
      timestamp: '2024-10-14T10:00:00.000Z',
      email: 'good@example.com',
      status: '5.7.26',
      diagnosticCode:
        'smtp; 550 5.7.26 This mail has been blocked because the sender is unauthenticated. DMARC policy reject',
    });

    // Act
    await send(body, 'dmarc');
    await stack.drainSuppressionQueue();

    // Assess
    const history = await stack.records('good@example.com');
    const bounce = history.find((e) => e.type === 'bounce');
    const audit = history.find((e) => e.type === 'audit');
    expect(bounce).toMatchObject({
      blame: 'sender',
      decision: { sesMislabel: true, action: 'repair-ses-suppression' },
    });
    expect(audit).toMatchObject({ action: 'ses-suppression-removed', actor: 'suppression-worker' });
    expect(stack.ses.get('good@example.com')).toBeUndefined();
    expect(await stack.summary('good@example.com')).toMatchObject({
      suppression: { action: 'delete', state: 'confirmed' },
      sesSuppression: { likely: false, mislabel: true },
    });
    expect(await stack.dayCounter('2024-10-14', 'sesMislabel')).toBe(1);
  });

  it('dry run records the decision and writes nothing to SES', async () => {
    stack = await startProcessorStack({ settings: { dryRun: true } });

    await send(await fixture(GMAIL), 'dry');
    await stack.drainSuppressionQueue();

    expect(stack.queue.sent).toEqual([]);
    expect(stack.ses.calls()).toEqual([]);
    expect(await stack.summary(DEAD)).toMatchObject({ suppression: { state: 'dry-run', action: 'put' } });
    const [event] = await stack.records(DEAD);
    expect(event).toMatchObject({ decision: { dryRun: true, action: 'suppress' } });
  });

  it('an allowlisted domain is never suppressed automatically; the event says what would have happened', async () => {
    // Prepare
    stack = await startProcessorStack();
    await stack.doc.send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          ...keys.allowlistDomain('gmail.com'),
          entity: 'allowlist',
          kind: 'domain',
          value: 'gmail.com',
        },
      }),
    );

    // Act
    await send(await fixture(GMAIL), 'allow');
    await stack.drainSuppressionQueue();

    // Assess
    expect(stack.ses.calls()).toEqual([]);
    const [event] = await stack.records(DEAD);
    expect(event).toMatchObject({
      decision: {
        allowlisted: true,
        action: 'none',
        reason: expect.stringContaining('would have suppressed'),
      },
    });
    expect(await stack.summary(DEAD)).toMatchObject({ hard: 1, suppression: null });
  });
});
