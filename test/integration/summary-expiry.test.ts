// Recipient summaries expire (issue #13: bounded storage): every event that touches a summary moves its TTL on by
// recipientRetentionDays, a summary from before summaries expired gets one at its next touch, and once a summary is
// gone the recipient route answers from SES's list, which outlives it.
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../lambdas/adapters/table-definition.ts';
import {
  type ApiStack,
  bounceNotification,
  complaintNotification,
  deliveryNotification,
  RECIPIENT_RETENTION_DAYS,
  startApiStack,
} from '../support/api-harness.ts';

const NOW = new Date('2026-11-01T12:00:00Z');
/** The expiry every touch at NOW gives (the clock is the processing time: later than any event time here). */
const EXPIRY = NOW.getTime() / 1000 + RECIPIENT_RETENTION_DAYS * 86_400;
const OPERATOR = 'arn:aws:sts::123456789012:assumed-role/Support/pat';
let stack: ApiStack;

const summaryItem = async (email: string) =>
  (await stack.documents.send(new GetCommand({ TableName: stack.tableName, Key: keys.summary(email) }))).Item;

/** A summary as versions before summaries expired left it: no expiresAt. */
const forgetExpiry = (email: string) =>
  stack.documents.send(
    new UpdateCommand({
      TableName: stack.tableName,
      Key: keys.summary(email),
      UpdateExpression: 'REMOVE expiresAt',
    }),
  );

/** What DynamoDB's TTL does once the expiry is past. */
const expire = (email: string) =>
  stack.documents.send(new DeleteCommand({ TableName: stack.tableName, Key: keys.summary(email) }));

beforeAll(async () => {
  stack = await startApiStack(NOW, 'none');
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('summary expiry', () => {
  it('gives a new summary the recipient retention from its first event', async () => {
    await stack.process(bounceNotification(['hana@example.org'], '2026-10-30T08:00:00.000Z'));
    await stack.process(complaintNotification(['ivo@example.org'], '2026-10-30T08:00:00.000Z'));
    expect((await summaryItem('hana@example.org'))?.expiresAt).toBe(EXPIRY);
    expect((await summaryItem('ivo@example.org'))?.expiresAt).toBe(EXPIRY);
  });

  it('gives a summary written before summaries expired its expiry at the next event, a delivery included', async () => {
    await stack.process(
      bounceNotification(['jo@example.org'], '2026-10-30T08:00:00.000Z', {
        bounceType: 'Transient',
        bounceSubType: 'MailboxFull',
        status: '4.2.2',
      }),
    );
    await forgetExpiry('jo@example.org');
    await stack.process(deliveryNotification(['jo@example.org'], '2026-10-31T08:00:00.000Z'));
    expect(await summaryItem('jo@example.org')).toMatchObject({
      expiresAt: EXPIRY,
      deliveries: 1,
      lastDeliveryAt: '2026-10-31T08:00:00.000Z',
    });
  });

  it('never brings a later expiry closer: a summary written under a longer retention keeps it', async () => {
    // Prepare: a summary as a stack with a longer retention (the 400 days before issue #13) left it
    await stack.process(bounceNotification(['max@example.org'], '2026-10-30T08:00:00.000Z'));
    const later = EXPIRY + 300 * 86_400;
    await stack.documents.send(
      new UpdateCommand({
        TableName: stack.tableName,
        Key: keys.summary('max@example.org'),
        UpdateExpression: 'SET expiresAt = :later',
        ExpressionAttributeValues: { ':later': later },
      }),
    );
    // Act
    await stack.process(deliveryNotification(['max@example.org'], '2026-10-31T08:00:00.000Z'));
    // Assess: the delivery was applied, the expiry stayed
    expect(await summaryItem('max@example.org')).toMatchObject({ deliveries: 1, expiresAt: later });

    // And an operator's reactivation keeps it too
    const lifted = await stack.call('DELETE', '/recipients/max@example.org/suppression', {
      callerArn: OPERATOR,
    });
    expect(lifted.status, lifted.body).toBe(200);
    expect(await summaryItem('max@example.org')).toMatchObject({
      suppression: { cause: 'reactivation' },
      expiresAt: later,
    });
  });

  it('moves the expiry on when an operator reactivates the address', async () => {
    await stack.process(bounceNotification(['kai@example.org'], '2026-10-30T08:00:00.000Z'));
    await forgetExpiry('kai@example.org');
    const lifted = await stack.call('DELETE', '/recipients/kai@example.org/suppression', {
      callerArn: OPERATOR,
    });
    expect(lifted.status, lifted.body).toBe(200);
    expect((await summaryItem('kai@example.org'))?.expiresAt).toBe(EXPIRY);
  });

  it('answers from SES once the summary of a suppressed address expired', async () => {
    await stack.process(bounceNotification(['lea@example.org'], '2026-10-30T08:00:00.000Z'));
    await expire('lea@example.org');
    stack.ses.seed({ emailAddress: 'lea@example.org', reason: 'BOUNCE' });
    const answer = await stack.call('GET', '/recipients/lea@example.org');
    const unasked = await stack.call('GET', '/recipients/lea@example.org', { query: { ses: 'false' } });
    expect(answer.status, answer.body).toBe(200);
    expect(answer.json).toMatchObject({
      email: 'lea@example.org',
      emailDisplay: null,
      domain: 'example.org',
      sendStatus: 'suppressed',
      counts: { hard: 0, soft: 0, complaints: 0, deliveries: 0, onAccountSuppressionList: 0 },
      firstEventAt: null,
      lastEventAt: null,
      lastDeliveryAt: null,
      suppression: null,
      sesSuppression: { checked: 'live', listed: true, reason: 'BOUNCE' },
    });
    // Its events expire before its summary (eventRetentionDays ≤ recipientRetentionDays); here they are still there.
    expect((answer.json as { latestEvents: unknown[] }).latestEvents).toHaveLength(1);
    // Without SES's answer nothing is known of it.
    expect(unasked.status).toBe(404);
  });

  it('answers 404 for an expired summary SES does not list', async () => {
    await stack.process(
      bounceNotification(['max@example.org'], '2026-10-30T08:00:00.000Z', {
        bounceType: 'Transient',
        bounceSubType: 'General',
        status: '4.4.7',
      }),
    );
    await expire('max@example.org');
    const answer = await stack.call('GET', '/recipients/max@example.org');
    expect(answer.status).toBe(404);
  });

  it('never gives allowlist entries an expiry', async () => {
    const put = await stack.call('PUT', '/allowlist/ops@example.org', { callerArn: OPERATOR });
    expect(put.status, put.body).toBe(200);
    const { Item } = await stack.documents.send(
      new GetCommand({ TableName: stack.tableName, Key: keys.allowlistAddress('ops@example.org') }),
    );
    expect(Item).toBeDefined();
    expect(Item).not.toHaveProperty('expiresAt');
  });
});
