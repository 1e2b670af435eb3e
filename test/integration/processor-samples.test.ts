// Every shared SES sample end to end: SQS record (SNS envelope) → processor → dynalite → suppression worker →
// SESv2 emulator, with the real SDK clients on loopback.
import type { SNSEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  fixture,
  type ProcessorStack,
  snsEnvelope,
  sqsEvent,
  sqsRecord,
  startProcessorStack,
} from '../support/processor-harness.ts';

let stack: ProcessorStack;

beforeEach(async () => {
  stack = await startProcessorStack();
});

afterEach(async () => {
  await stack.close();
});

/** A Lambda SNS event sample as the queue delivers it: one SQS record per SNS record, SNS's envelope as body. */
async function viaQueue(file: string): Promise<SQSEvent> {
  const records = (JSON.parse(await fixture(file)) as SNSEvent).Records;
  return sqsEvent(
    records.map(({ Sns }) =>
      sqsRecord(snsEnvelope(Sns.Message, Sns.MessageId, Sns.Timestamp), `sqs-${Sns.MessageId}`),
    ),
  );
}

async function deliver(file: string, messageId = `msg-${file}`): Promise<SQSBatchResponse> {
  const message = await fixture(file);
  const result = await stack.processor(sqsEvent([sqsRecord(snsEnvelope(message, `sns-${file}`), messageId)]));
  return result as SQSBatchResponse;
}

describe('processor samples end to end', () => {
  it('01 Gmail 5.1.1: records a hard bounce and puts the address on the SES list (BOUNCE)', async () => {
    // Act
    const result = await deliver('01-bounce-permanent-general-gmail-5.1.1.json');
    await stack.drainSuppressionQueue();

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const [event] = await stack.records('no.such.user.8841@gmail.com');
    expect(event).toMatchObject({
      type: 'bounce',
      verdict: 'hard',
      category: 'unknown-recipient',
      code: '5.1.1',
      feedbackId: '010001927ab31c4e-6f0c2d1a-8b4e-4c55-9a1e-0d3f5b7c9e21-000000',
      snsMessageId: 'sns-01-bounce-permanent-general-gmail-5.1.1.json',
      decision: { action: 'suppress', suppressionReason: 'BOUNCE' },
    });
    expect(stack.ses.get('no.such.user.8841@gmail.com')?.reason).toBe('BOUNCE');
    const summary = await stack.summary('no.such.user.8841@gmail.com');
    expect(summary).toMatchObject({ hard: 1, soft: 0, suppression: { state: 'confirmed', action: 'put' } });
  });

  it('04 OnAccountSuppressionList with a display name: normalized key, original kept, no SES call', async () => {
    // Act
    await deliver('04-bounce-permanent-onaccountsuppressionlist-display-name.json');
    await stack.drainSuppressionQueue();

    // Assess
    const [item] = await stack.records('jane.roe@example.org');
    // The item is short (no email, docs/data-model.md): read as every reader does.
    expect(item).toMatchObject({
      email: 'jane.roe@example.org',
      emailDisplay: 'Jane Roe <Jane.Roe@Example.org>',
      domain: 'example.org',
      decision: { action: 'none' },
    });
    expect(stack.ses.calls()).toEqual([]);
    expect((await stack.summary('jane.roe@example.org'))?.sesSuppression).toMatchObject({ likely: true });
  });

  it('09 multiple recipients: one event per bounced recipient, never the unbounced destination', async () => {
    // Act
    await deliver('09-bounce-permanent-multiple-recipients.json');
    await stack.drainSuppressionQueue();

    // Assess
    expect(await stack.events('former.employee@contoso.example')).toHaveLength(1);
    expect(await stack.events('old.alias@contoso.example')).toHaveLength(1);
    const [delayed] = await stack.records('shared.box@contoso.example');
    expect(delayed).toMatchObject({ verdict: 'soft', status: '4.0.0' });
    expect(await stack.events('ceo@contoso.example')).toEqual([]);
    expect(stack.ses.get('ceo@contoso.example')).toBeUndefined();
    expect(stack.ses.get('shared.box@contoso.example')).toBeUndefined();
  });

  it('10 complaint: recorded and suppressed with reason COMPLAINT', async () => {
    await deliver('10-complaint-abuse.json');
    await stack.drainSuppressionQueue();

    const [event] = await stack.records('angry.reader@yahoo.com');
    expect(event).toMatchObject({
      type: 'complaint',
      complaintFeedbackType: 'abuse',
      complaintSubType: null,
    });
    expect(stack.ses.get('angry.reader@yahoo.com')?.reason).toBe('COMPLAINT');
    expect(await stack.summary('angry.reader@yahoo.com')).toMatchObject({ complaints: 1 });
  });

  it('11 delivery to an address without history: counted, no item of its own, nothing suppressed', async () => {
    await deliver('11-delivery.json');

    expect(await stack.events('happy.customer@gmail.com')).toEqual([]);
    expect(await stack.summary('happy.customer@gmail.com')).toBeNull();
    expect(stack.queue.sent).toEqual([]);
    expect(await stack.dayCounter('2024-10-15', 'type:delivery')).toBe(1);
    expect(await stack.dayCounter('2024-10-15', 'events')).toBe(1);
  });

  it('12 event publishing: eventType format recorded with its configuration set', async () => {
    await deliver('12-event-publishing-bounce-permanent-general.json');
    await stack.drainSuppressionQueue();

    const [event] = await stack.records('left.the.company@fabrikam.example');
    expect(event).toMatchObject({ format: 'event', configurationSet: 'bounce-tracking', verdict: 'hard' });
    expect(stack.ses.get('left.the.company@fabrikam.example')?.reason).toBe('BOUNCE');
  });

  it('16 DeliveryDelay and an SNS SubscriptionConfirmation are ignored, not rejected', async () => {
    const delay = await deliver('16-event-publishing-deliverydelay.json');
    const confirmation = await stack.processor(
      sqsEvent([sqsRecord(await fixture('sns-http-subscription-confirmation.json'), 'confirm')]),
    );

    expect(delay).toEqual({ batchItemFailures: [] });
    expect(confirmation).toEqual({ batchItemFailures: [] });
    expect(await stack.events('info@unreachable-mx.example')).toEqual([]);
    expect(stack.parking.parked).toEqual([]);
  });

  it('17 complaint already on the account list: recorded, no SES call', async () => {
    await deliver('17-complaint-onaccountsuppressionlist.json');
    await stack.drainSuppressionQueue();

    expect(await stack.events('previously.complained@example.com')).toHaveLength(1);
    expect(stack.ses.calls()).toEqual([]);
  });

  it.each([
    ['02-bounce-permanent-noemail.json'],
    ['03-bounce-permanent-suppressed-global.json'],
    ['05-bounce-transient-mailboxfull-4.2.2.json'],
    ['06-bounce-transient-messagetoolarge.json'],
    ['07-bounce-transient-contentrejected.json'],
    ['08-bounce-undetermined.json'],
    ['13-bounce-permanent-no-dsn.json'],
    ['14-bounce-transient-general-invalid-domain-5.4.4.json'],
    ['15-bounce-transient-general-expired-4.4.7.json'],
  ])('%s: one event per bounced recipient, and the SES list follows the classifier', async (file) => {
    // Prepare
    const document = JSON.parse(await fixture(file)) as {
      bounce: { bouncedRecipients: { emailAddress: string }[] };
    };
    const address = document.bounce.bouncedRecipients[0]?.emailAddress.toLowerCase() ?? '';

    // Act
    const result = await deliver(file);
    await stack.drainSuppressionQueue();

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const recorded = await stack.records(address);
    expect(recorded).toHaveLength(1);
    const [event] = recorded;
    // A soft bounce never suppresses on its own (threshold 3); a suppress decision always reaches SES, and nothing
    // else does.
    expect(stack.ses.get(address) !== undefined).toBe(event?.decision?.action === 'suppress');
    if (event?.verdict === 'soft') expect(event.decision?.action).toBe('none');
    const day = String(event?.occurredAt).slice(0, 10);
    expect(await stack.dayCounter(day, `verdict:${event?.verdict}`)).toBe(1);
  });

  it('SNS event samples through the queue: recorded once, the redelivered copy is a duplicate', async () => {
    // Prepare
    const first = await viaQueue('sns-lambda-event-01-bounce-permanent-general.json');
    const again = await viaQueue('sns-lambda-event-01-duplicate-redelivery.json');

    // Act
    await stack.processor(first);
    await stack.processor(again);
    for (const file of [
      'sns-lambda-event-04-bounce-onaccountsuppressionlist.json',
      'sns-lambda-event-09-bounce-multiple-recipients.json',
      'sns-lambda-event-10-complaint.json',
      'sns-lambda-event-12-event-publishing-bounce.json',
    ]) {
      await stack.processor(await viaQueue(file));
    }

    // Assess
    expect(await stack.events('no.such.user.8841@gmail.com')).toHaveLength(1);
    expect(await stack.summary('no.such.user.8841@gmail.com')).toMatchObject({ hard: 1 });
    // The OnAccountSuppressionList bounce (04) was not sent: counted apart, not as a bounce.
    expect(await stack.dayCounter('2024-10-14', 'type:bounce')).toBe(1);
    expect(await stack.dayCounter('2024-10-14', 'onAccountList:bounce')).toBe(1);
    expect(await stack.events('jane.roe@example.org')).toHaveLength(1);
    expect(await stack.events('angry.reader@yahoo.com')).toHaveLength(1);
    expect(await stack.events('left.the.company@fabrikam.example')).toHaveLength(1);
    // While the request is pending, a duplicate re-sends it (the first send may have been lost); the worker
    // acts on it once.
    expect(stack.queue.sent.filter((r) => r.email === 'no.such.user.8841@gmail.com')).toHaveLength(2);
    await stack.drainSuppressionQueue();
    const puts = stack.ses.calls().filter((c) => c.method === 'PUT' && c.status === 200);
    expect(puts.length).toBe(stack.ses.entries().length);
    expect(stack.ses.get('no.such.user.8841@gmail.com')?.reason).toBe('BOUNCE');
    expect(await stack.summary('no.such.user.8841@gmail.com')).toMatchObject({
      suppression: { state: 'confirmed' },
    });
  });

  it('SNS HTTP notification body as an SQS record (the envelope SQS stores) is processed', async () => {
    await stack.processor(sqsEvent([sqsRecord(await fixture('sns-http-notification-01.json'), 'http-01')]));

    expect(await stack.events('no.such.user.8841@gmail.com')).toHaveLength(1);
  });

  it('raw message delivery: a bare SES document as the SQS body is processed', async () => {
    await stack.processor(sqsEvent([sqsRecord(await fixture('02-bounce-permanent-noemail.json'), 'raw-02')]));

    const [event] = await stack.records('ghost.account@yahoo.com');
    expect(event).toMatchObject({ type: 'bounce', bounceSubType: 'NoEmail' });
    expect(event?.snsMessageId).toBeNull();
  });
});
