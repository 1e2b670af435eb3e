// Issue 14, processing edge cases: hand-written SES notifications, wrapped as deployed (SES → SNS → SQS, raw message
// delivery off: the SQS body is the SNS envelope), through the real processor into dynalite, read back through the
// query API. Events SES did not send (OnAccountSuppressionList), ARF feedback types, event time, one identity per
// mailbox, and the loose Postfix wording.
import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../lambdas/adapters/table-definition.ts';
import {
  type ApiStack,
  bounceNotification,
  complaintNotification,
  deliveryNotification,
  startApiStack,
} from '../support/api-harness.ts';

const NOW = new Date('2024-11-01T12:00:00Z');

let stack: ApiStack;

/** The SQS message body SNS delivers for one SES notification (raw message delivery off). */
function viaSnsAndSqs(notification: object): object {
  return {
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-feedback',
    Message: JSON.stringify(notification),
    Timestamp: NOW.toISOString(),
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-example.pem',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
  };
}

async function deliver(notification: object) {
  const outcome = await stack.process(viaSnsAndSqs(notification));
  expect(outcome.kind).toBe('processed');
  return outcome;
}

interface RecipientBody {
  email: string;
  emailDisplay: string | null;
  sendStatus: string;
  counts: Record<string, number>;
  sesSuppression: {
    checked: string;
    listed: boolean | null;
    reason: string | null;
    reportedAt: string | null;
  };
  lastDeliveryAt: string | null;
  softBounceStreak: number;
  latestEvents: Array<Record<string, unknown>>;
}

async function recipient(email: string, query: Record<string, string> = {}): Promise<RecipientBody> {
  const result = await stack.call('GET', `/recipients/${encodeURIComponent(email)}`, { query });
  expect(result.status, result.body).toBe(200);
  return result.json as RecipientBody;
}

/** An OnAccountSuppressionList bounce as SES writes it: SES accepted the message and did not send it. */
function onAccountListBounce(address: string, timestamp: string) {
  const notification = bounceNotification([address], timestamp, {
    bounceSubType: 'OnAccountSuppressionList',
    status: '5.1.1',
    diagnosticCode:
      'Amazon SES did not send the message to this address because it is on the suppression list for your ' +
      'account. For more information about removing addresses from the suppression list, see the Amazon SES ' +
      'Developer Guide at https://docs.aws.amazon.com/ses/latest/DeveloperGuide/sending-email-suppression-list.html',
  });
  return {
    ...notification,
    bounce: { ...notification.bounce, reportingMTA: 'dns; amazonses.com', remoteMtaIp: undefined },
  };
}

/** An OnAccountSuppressionList complaint as SES writes it: no feedback report fields. */
function onAccountListComplaint(address: string, timestamp: string) {
  const notification = complaintNotification([address], timestamp);
  const { userAgent: _userAgent, complaintFeedbackType: _type, ...complaint } = notification.complaint;
  return { ...notification, complaint: { ...complaint, complaintSubType: 'OnAccountSuppressionList' } };
}

beforeAll(async () => {
  stack = await startApiStack(NOW);
}, 60_000);
afterAll(async () => stack.close());

describe('events SES did not send (OnAccountSuppressionList)', () => {
  beforeAll(async () => {
    await deliver(deliveryNotification(['sent@a.example'], '2024-10-10T09:00:00.000Z'));
    await deliver(bounceNotification(['dead@a.example'], '2024-10-10T09:05:00.000Z'));
    await deliver(onAccountListBounce('Jane Roe <Jane.Roe@A.example>', '2024-10-10T09:10:00.000Z'));
    await deliver(onAccountListComplaint('previously.complained@a.example', '2024-10-10T09:15:00.000Z'));
    await deliver(complaintNotification(['angry@a.example'], '2024-10-10T09:20:00.000Z'));
    // A second recipient listed by SES, then sent to (someone removed it from the list meanwhile).
    await deliver(onAccountListBounce('back@a.example', '2024-10-10T09:25:00.000Z'));
    await deliver(deliveryNotification(['back@a.example'], '2024-10-10T10:00:00.000Z'));
  });

  it('counts them apart in /stats, in no bounce or complaint count and no rate', async () => {
    // Act
    const result = await stack.call('GET', '/stats', { query: { from: '2024-10-10', to: '2024-10-10' } });
    const byType = await stack.call('GET', '/stats', {
      query: { from: '2024-10-10', to: '2024-10-10', groupBy: 'type' },
    });
    const byDomain = await stack.call('GET', '/stats', {
      query: { from: '2024-10-10', to: '2024-10-10', groupBy: 'domain' },
    });
    // Assess
    expect(result.status, result.body).toBe(200);
    const totals = (result.json as { totals: Record<string, number | null> }).totals;
    expect(totals).toEqual({
      events: 7,
      deliveries: 2,
      bounces: 1,
      hardBounces: 1,
      softBounces: 0,
      complaints: 1,
      onAccountSuppressionList: 3,
      bounceRate: 0.333333,
      hardBounceRate: 0.333333,
      complaintRate: 0.5,
    });
    const types = (byType.json as { items: Array<{ key: string; count: number }> }).items;
    expect(Object.fromEntries(types.map((item) => [item.key, item.count]))).toEqual({
      bounce: 1,
      complaint: 1,
      delivery: 2,
    });
    const domains = (byDomain.json as { items: Array<{ key: string; breakdown: Record<string, number> }> })
      .items;
    expect(domains[0]).toMatchObject({
      key: 'a.example',
      breakdown: { bounces: 1, complaints: 1, onAccountSuppressionList: 3 },
    });
  });

  it('says suppressed after such a bounce, with the reason from the event, even without asking SES', async () => {
    // Act
    const jane = await recipient('jane.roe@a.example', { ses: 'false' });
    // Assess
    expect(jane.sendStatus).toBe('suppressed');
    expect(jane.emailDisplay).toBe('Jane Roe <Jane.Roe@A.example>');
    expect(jane.counts).toEqual({
      hard: 0,
      soft: 0,
      complaints: 0,
      deliveries: 0,
      onAccountSuppressionList: 1,
    });
    expect(jane.sesSuppression).toMatchObject({
      checked: 'skipped',
      listed: null,
      reason: 'BOUNCE',
      reportedAt: '2024-10-10T09:10:00.000Z',
    });
  });

  it('says suppressed after such a complaint, reason COMPLAINT, and requests nothing from SES', async () => {
    // Act
    const complained = await recipient('previously.complained@a.example', { ses: 'false' });
    // Assess
    expect(complained.sendStatus).toBe('suppressed');
    expect(complained.counts).toMatchObject({ complaints: 0, onAccountSuppressionList: 1 });
    expect(complained.sesSuppression).toMatchObject({
      reason: 'COMPLAINT',
      reportedAt: '2024-10-10T09:15:00.000Z',
    });
    expect(stack.queue.sent.map((request) => request.email)).not.toContain('previously.complained@a.example');
  });

  it("lets SES's live answer win, and a later delivery end the report", async () => {
    // Arrange
    stack.ses.seed({ emailAddress: 'jane.roe@a.example', reason: 'COMPLAINT' });
    // Act
    const live = await recipient('jane.roe@a.example');
    const back = await recipient('back@a.example', { ses: 'false' });
    // Assess
    expect(live.sendStatus).toBe('suppressed');
    expect(live.sesSuppression).toMatchObject({ checked: 'live', listed: true, reason: 'COMPLAINT' });
    expect(back.sendStatus).not.toBe('suppressed');
    expect(back.sesSuppression.reportedAt).toBeNull();
  });

  it('after a reactivation, only a newer such event says suppressed again (a late older one does not)', async () => {
    // Arrange
    await deliver(onAccountListBounce('late@a.example', '2024-10-10T09:30:00.000Z'));
    const reactivated = await stack.call('DELETE', '/recipients/late@a.example/suppression');
    // Act
    await deliver(onAccountListBounce('late@a.example', '2024-10-09T09:30:00.000Z'));
    const afterOlder = await recipient('late@a.example', { ses: 'false' });
    await deliver(onAccountListBounce('late@a.example', '2024-11-01T12:01:00.000Z'));
    const afterNewer = await recipient('late@a.example', { ses: 'false' });
    // Assess
    expect(reactivated.status, reactivated.body).toBe(200);
    expect(afterOlder.sendStatus).not.toBe('suppressed');
    expect(afterOlder.sesSuppression.reportedAt).toBeNull();
    expect(afterNewer.sendStatus).toBe('suppressed');
    expect(afterNewer.sesSuppression.reportedAt).toBe('2024-11-01T12:01:00.000Z');
  });
});

/** A complaint as SES forwards an ISP's ARF feedback report (RFC 5965) of the given Feedback-Type. */
function arfComplaint(address: string, timestamp: string, feedbackType: string | null) {
  const notification = complaintNotification([address], timestamp);
  const { complaintFeedbackType: _type, ...complaint } = notification.complaint;
  return {
    ...notification,
    complaint: {
      ...complaint,
      userAgent: 'Mail.ru Feedback Loop',
      arrivalDate: timestamp,
      ...(feedbackType === null ? {} : { complaintFeedbackType: feedbackType }),
    },
  };
}

describe('complaints by ARF feedback type', () => {
  const types: Array<[string | null, boolean]> = [
    ['abuse', true],
    ['auth-failure', false],
    ['fraud', true],
    ['not-spam', false],
    ['other', true],
    ['virus', true],
    [null, true],
  ];
  const address = (type: string | null) => `fbl-${type ?? 'none'}@b.example`;

  beforeAll(async () => {
    for (const [type] of types) await deliver(arfComplaint(address(type), '2024-10-11T08:00:00.000Z', type));
  });

  it.each(types)('%s: suppresses = %s; the complaint is recorded either way', async (type, suppresses) => {
    // Act
    const result = await stack.call('GET', `/recipients/${address(type)}`, { query: { ses: 'false' } });
    // Assess
    expect(result.status, result.body).toBe(200);
    const body = result.json as RecipientBody & {
      suppression: { reason: string; state: string } | null;
      latestEvents: Array<{
        complaintFeedbackType: string | null;
        decision: { action: string; reason: string };
      }>;
    };
    expect(body.counts.complaints).toBe(1);
    expect(body.latestEvents[0]?.complaintFeedbackType).toBe(type);
    if (suppresses) {
      expect(body.sendStatus).toBe('suppressed');
      expect(body.suppression).toMatchObject({ state: 'pending', reason: 'COMPLAINT' });
      expect(stack.queue.sent.some((request) => request.email === address(type))).toBe(true);
    } else {
      expect(body.suppression).toBeNull();
      expect(body.latestEvents[0]?.decision).toMatchObject({ action: 'none' });
      expect(body.latestEvents[0]?.decision.reason).toContain(`feedback type ${type}`);
      expect(stack.queue.sent.some((request) => request.email === address(type))).toBe(false);
    }
  });
});

const DAY_SECONDS = 86_400;

/** The stored event items of one recipient, as DynamoDB holds them. */
async function storedEvents(email: string): Promise<Array<Record<string, unknown>>> {
  const page = await stack.documents.send(
    new QueryCommand({
      TableName: stack.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :events)',
      ExpressionAttributeValues: { ':pk': keys.recipientPk(email), ':events': 'E#' },
    }),
  );
  return page.Items ?? [];
}

describe('event time', () => {
  const inTwoDays = '2024-11-03T12:00:00.000Z';

  it("records a future event at its receipt time, keeps SES's time and says so; a small skew is accepted", async () => {
    // Act
    const future = await deliver(deliveryNotification(['future@c.example'], inTwoDays));
    const again = await stack.process(
      viaSnsAndSqs(deliveryNotification(['skewed@c.example'], '2024-11-01T12:03:00.000Z')),
    );
    const soft = { bounceType: 'Transient', bounceSubType: 'MailboxFull', status: '4.2.2' } as const;
    await deliver(bounceNotification(['future@c.example'], '2024-11-01T11:00:00.000Z', soft));
    const history = await stack.call('GET', '/recipients/future@c.example/events');
    const view = await recipient('future@c.example', { ses: 'false' });
    const skewed = await recipient('skewed@c.example', { ses: 'false' });
    // Assess
    expect(future.kind === 'processed' && future.recipients[0]?.status).toBe('recorded');
    expect(again.kind).toBe('processed');
    const delivery = (history.json as { items: Array<Record<string, unknown>> }).items.find(
      (event) => event.type === 'delivery',
    );
    expect(delivery).toMatchObject({ occurredAt: NOW.toISOString(), statedOccurredAt: inTwoDays });
    // The delivery no longer sits in the future: it does not mask the later soft bounce.
    expect(view.lastDeliveryAt).toBe(NOW.toISOString());
    expect(view.softBounceStreak).toBe(0);
    expect(skewed.lastDeliveryAt).toBe('2024-11-01T12:03:00.000Z');
    expect(skewed.latestEvents[0]).toMatchObject({ statedOccurredAt: null });
  });

  it('records a redelivered future event once (its time comes from the SNS envelope, the same every time)', async () => {
    // Arrange
    const message = viaSnsAndSqs(bounceNotification(['twice@c.example'], inTwoDays));
    // Act
    const first = await stack.process(message);
    const second = await stack.process(message);
    // Assess
    expect(first.kind === 'processed' && first.recipients[0]?.status).toBe('recorded');
    expect(second.kind === 'processed' && second.recipients[0]?.status).toBe('duplicate');
    expect(await storedEvents('twice@c.example')).toHaveLength(1);
  });

  it('keeps an event recorded long after it happened for the whole retention period', async () => {
    // Act
    await deliver(bounceNotification(['old@c.example'], '2022-10-01T08:00:00.000Z'));
    const [item] = await storedEvents('old@c.example');
    const history = await stack.call('GET', '/recipients/old@c.example/events');
    // Assess
    expect(item?.expiresAt).toBe(NOW.getTime() / 1000 + 400 * DAY_SECONDS);
    expect((history.json as { items: Array<{ occurredAt: string }> }).items).toMatchObject([
      { occurredAt: '2022-10-01T08:00:00.000Z' },
    ]);
  });

  it('records a bounce whose mail.timestamp is malformed at its valid bounce.timestamp', async () => {
    // Arrange
    const notification = bounceNotification(['badmail@c.example'], '2024-10-31T07:30:00.000Z');
    const broken = { ...notification, mail: { ...notification.mail, timestamp: 'Thu, 31 Oct 2024 07:29' } };
    // Act
    const outcome = await deliver(broken);
    const view = await recipient('badmail@c.example', { ses: 'false' });
    // Assess
    expect(outcome.kind === 'processed' && outcome.rejection).toBeNull();
    expect(view.sendStatus).toBe('suppressed');
    expect(view.latestEvents[0]).toMatchObject({ type: 'bounce', occurredAt: '2024-10-31T07:30:00.000Z' });
  });
});

describe('one identity per mailbox', () => {
  const nfc = 'j\u00f6s\u00e9@ex\u00e4mple.de';
  const nfd = 'jo\u0308se\u0301@exa\u0308mple.de';
  const path = (email: string) => `/recipients/${encodeURIComponent(email)}`;

  beforeAll(async () => {
    await deliver(bounceNotification([`Jösé <${nfc}>`], '2024-10-12T08:00:00.000Z'));
    await deliver(deliveryNotification([nfd], '2024-10-12T09:00:00.000Z'));
    await deliver(bounceNotification(['user@xn--bcher-kva.example'], '2024-10-12T10:00:00.000Z'));
    await deliver(deliveryNotification(['User@B\u00dcCHER.example'], '2024-10-12T11:00:00.000Z'));
    await deliver(deliveryNotification(['user+news@b\u00fccher.example'], '2024-10-12T12:00:00.000Z'));
  });

  it('keys NFC and NFD spellings as one recipient, keeps the spelling SES sent, and finds it by any spelling', async () => {
    // Act
    const answers = await Promise.all(
      [nfc, nfd, 'J\u00d6S\u00c9@xn--exmple-cua.de'].map((email) =>
        stack.call('GET', path(email), { query: { ses: 'false' } }),
      ),
    );
    // Assess
    for (const answer of answers) {
      expect(answer.status, answer.body).toBe(200);
      expect(answer.json).toMatchObject({
        email: 'j\u00f6s\u00e9@xn--exmple-cua.de',
        domain: 'xn--exmple-cua.de',
        counts: { hard: 1, deliveries: 1 },
      });
    }
    const events = (answers[0]?.json as RecipientBody | undefined)?.latestEvents.map(
      (event) => event.emailDisplay,
    );
    expect(events).toEqual([nfd, `Jösé <${nfc}>`]);
  });

  it('keys U-label and A-label domains as one recipient, in the form SES reports, plus-addresses apart', async () => {
    // Act
    const unicode = await recipient('user@b\u00fccher.example', { ses: 'false' });
    const ascii = await recipient('USER@xn--bcher-kva.example', { ses: 'false' });
    const plus = await recipient('user+news@xn--bcher-kva.example', { ses: 'false' });
    // Assess
    expect(unicode).toEqual(ascii);
    expect(unicode).toMatchObject({
      email: 'user@xn--bcher-kva.example',
      counts: { hard: 1, deliveries: 1 },
    });
    expect(stack.queue.sent.filter((request) => request.email.endsWith('bcher-kva.example'))).toMatchObject([
      { action: 'put', email: 'user@xn--bcher-kva.example' },
    ]);
    expect(plus).toMatchObject({
      email: 'user+news@xn--bcher-kva.example',
      counts: { hard: 0, deliveries: 1 },
    });
  });

  it('allowlists a domain given in either spelling and honours it for both', async () => {
    // Act
    const put = await stack.call('PUT', `/allowlist/${encodeURIComponent('m\u00fcnchen.example')}`);
    const asAscii = await stack.call('GET', '/allowlist/xn--mnchen-3ya.example');
    const asNfd = await stack.call('GET', `/allowlist/${encodeURIComponent('mu\u0308nchen.example')}`);
    const unicodeBounce = await deliver(
      bounceNotification(['a@m\u00fcnchen.example'], '2024-10-12T13:00:00.000Z'),
    );
    const asciiBounce = await deliver(
      bounceNotification(['b@xn--mnchen-3ya.example'], '2024-10-12T13:00:00.000Z'),
    );
    const view = await recipient('a@xn--mnchen-3ya.example', { ses: 'false' });
    // Assess
    expect(put.status, put.body).toBe(200);
    expect(put.json).toMatchObject({ kind: 'domain', value: 'xn--mnchen-3ya.example' });
    expect(asAscii.status).toBe(200);
    expect(asNfd.status).toBe(200);
    for (const outcome of [unicodeBounce, asciiBounce]) {
      expect(outcome.kind === 'processed' && outcome.recipients[0]).toMatchObject({
        status: 'recorded',
        decision: { allowlisted: true, action: 'none' },
        requestSent: null,
      });
    }
    expect(view).toMatchObject({ sendStatus: 'risky', allowlisted: 'domain' });
  });
});

describe("Postfix's generic refusal prefix", () => {
  it('"550 5.1.5 Recipient address rejected" alone is no evidence of a dead address; with its reason it is', async () => {
    // Arrange: as SES relays Postfix's refusals (Permanent, General).
    const bare = bounceNotification(['someone@postfix.example'], '2024-10-13T08:00:00.000Z', {
      status: '5.1.5',
      diagnosticCode: 'smtp; 550 5.1.5 <someone@postfix.example>: Recipient address rejected',
    });
    const withReason = bounceNotification(['gone@postfix.example'], '2024-10-13T08:00:00.000Z', {
      status: '5.1.1',
      diagnosticCode:
        'smtp; 550 5.1.1 <gone@postfix.example>: Recipient address rejected: User unknown in virtual mailbox table',
    });
    // Act
    await deliver(bare);
    await deliver(withReason);
    const someone = await recipient('someone@postfix.example', { ses: 'false' });
    const gone = await recipient('gone@postfix.example', { ses: 'false' });
    // Assess
    expect(someone.latestEvents[0]).toMatchObject({
      verdict: 'soft',
      category: 'undetermined',
      code: '5.1.5',
      decision: { action: 'none' },
    });
    expect(someone.sendStatus).toBe('risky');
    expect(stack.queue.sent.some((request) => request.email === 'someone@postfix.example')).toBe(false);
    expect(gone.latestEvents[0]).toMatchObject({ verdict: 'hard', category: 'unknown-recipient' });
    expect(gone.sendStatus).toBe('suppressed');
  });
});
