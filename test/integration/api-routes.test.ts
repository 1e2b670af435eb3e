// Every data route of the query API against dynalite and the SESv2 emulator, with history written by the real
// processor use case: sendStatus, SES state, reactivation with its audit trail, erasure, statistics, allowlist.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiStack,
  bounceNotification,
  complaintNotification,
  deliveryNotification,
  startApiStack,
} from '../support/api-harness.ts';

const NOW = new Date('2024-11-01T12:00:00Z');
const OPERATOR = 'arn:aws:iam::123456789012:user/operator';

let stack: ApiStack;
let aliceBounceId = '';

interface Recipient {
  sendStatus: string;
  counts: Record<string, number>;
  softBounceStreak: number;
  suppression: { suppressed: boolean; state: string; action: string; reason: string | null } | null;
  sesSuppression: { checked: string; listed: boolean | null; reason: string | null };
  allowlisted: string | null;
  latestEvents: Array<{
    id: string;
    type: string;
    decision: { allowlisted: boolean; action: string } | null;
    audit: { action: string; actor: string } | null;
  }>;
}

interface StatsBody {
  totals: Record<string, number | null>;
  items: Array<{ key: string; count: number; breakdown: Record<string, number | null> | null }>;
}

async function recipient(email: string): Promise<Recipient> {
  const result = await stack.call('GET', `/recipients/${email}`);
  expect(result.status, result.body).toBe(200);
  return result.json as Recipient;
}

beforeAll(async () => {
  stack = await startApiStack(NOW);
  const alice = await stack.process(
    bounceNotification(['Alice <Alice@Example.com>'], '2024-10-20T10:00:00.000Z'),
  );
  if (alice.kind === 'processed') aliceBounceId = alice.recipients[0]?.event.id ?? '';
  const mailboxFull = { bounceType: 'Transient', bounceSubType: 'MailboxFull', status: '4.2.2' } as const;
  await stack.process(bounceNotification(['bob@example.org'], '2024-10-28T10:00:00.000Z', mailboxFull));
  await stack.process(bounceNotification(['bob@example.org'], '2024-10-29T10:00:00.000Z', mailboxFull));
  await stack.process(deliveryNotification(['carol@example.net'], '2024-10-30T10:00:00.000Z'));
  await stack.process(
    deliveryNotification(['carol@example.net', 'dave@example.com'], '2024-10-30T11:00:00.000Z'),
  );
  await stack.process(complaintNotification(['dave@example.com'], '2024-10-31T09:00:00.000Z'));
  await stack.process(deliveryNotification(['erin@example.com'], '2024-10-31T10:00:00.000Z'));
  // SES's own list: Dave (our policy requested it; the worker is not running here) and Erin (SES alone).
  stack.ses.seed({ emailAddress: 'dave@example.com', reason: 'COMPLAINT' });
  stack.ses.seed({ emailAddress: 'erin@example.com', reason: 'BOUNCE' });
}, 60_000);
afterAll(async () => stack.close());

describe('GET /recipients/{email}', () => {
  it('says suppressed after a hard bounce, with our pending request and the latest events', async () => {
    // Act
    const alice = await recipient('ALICE@example.com');
    // Assess
    expect(alice.sendStatus).toBe('suppressed');
    expect(alice.counts).toEqual({
      hard: 1,
      soft: 0,
      complaints: 0,
      deliveries: 0,
      onAccountSuppressionList: 0,
    });
    expect(alice.suppression).toMatchObject({
      suppressed: true,
      state: 'pending',
      action: 'put',
      reason: 'BOUNCE',
    });
    expect(alice.sesSuppression).toMatchObject({ checked: 'live', listed: false });
    expect(alice.latestEvents.map((event) => event.id)).toEqual([aliceBounceId]);
  });

  it('says risky during a soft-bounce streak and ok after deliveries only', async () => {
    // Act
    const bob = await recipient('bob@example.org');
    const carol = await recipient('carol@example.net');
    // Assess
    expect(bob.sendStatus).toBe('risky');
    expect(bob.softBounceStreak).toBe(2);
    expect(carol.sendStatus).toBe('ok');
    expect(carol.counts.deliveries).toBe(2);
  });

  it("says suppressed when only SES's own list has the address, and can skip asking SES", async () => {
    // Act
    const erin = await recipient('erin@example.com');
    const skipped = await stack.call('GET', '/recipients/erin@example.com', { query: { ses: 'false' } });
    // Assess
    expect(erin.sendStatus).toBe('suppressed');
    expect(erin.sesSuppression).toMatchObject({ checked: 'live', listed: true, reason: 'BOUNCE' });
    expect((skipped.json as Recipient).sesSuppression).toMatchObject({ checked: 'skipped', listed: null });
    expect((skipped.json as Recipient).sendStatus).toBe('ok');
  });

  it('answers 404 for an address never seen', async () => {
    // Act
    const result = await stack.call('GET', '/recipients/nobody@example.com');
    // Assess
    expect(result.status).toBe(404);
    expect(result.json).toMatchObject({ error: { code: 'not-found', field: 'email' } });
  });
});

describe('GET /bounces/{id}', () => {
  it('returns the full event with its raw diagnostic', async () => {
    // Act
    const result = await stack.call('GET', `/bounces/${aliceBounceId}`);
    // Assess
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({
      id: aliceBounceId,
      type: 'bounce',
      email: 'alice@example.com',
      emailDisplay: 'Alice <Alice@Example.com>',
      verdict: 'hard',
      category: 'unknown-recipient',
      code: '5.1.1',
      dsnStatus: '5.1.1',
      dsnAction: 'failed',
      diagnosticCode: 'smtp; 550 5.1.1 The email account does not exist',
    });
  });

  it('answers 404 for an unknown id', async () => {
    // Act
    const result = await stack.call('GET', `/bounces/${'0'.repeat(32)}`);
    // Assess
    expect(result.status).toBe(404);
  });
});

describe('DELETE /recipients/{email}/suppression', () => {
  it('refuses to lift a complaint suppression without force, then lifts it with force and audits who did', async () => {
    // Act
    const refused = await stack.call('DELETE', '/recipients/dave@example.com/suppression', {
      callerArn: OPERATOR,
    });
    const lifted = await stack.call('DELETE', '/recipients/dave@example.com/suppression', {
      query: { force: 'true' },
      callerArn: OPERATOR,
    });
    const dave = await recipient('dave@example.com');
    // Assess
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ error: { code: 'force-required', field: 'force' } });
    expect(lifted.status, lifted.body).toBe(200);
    expect(lifted.json).toMatchObject({
      email: 'dave@example.com',
      removedFromSes: true,
      previousSuppression: { source: 'both', reason: 'COMPLAINT' },
      actor: OPERATOR,
    });
    expect(stack.ses.get('dave@example.com')).toBeUndefined();
    expect(dave.suppression).toMatchObject({ suppressed: false, action: 'delete', state: 'confirmed' });
    expect(dave.sesSuppression.listed).toBe(false);
    expect(dave.latestEvents[0]?.audit).toEqual(
      expect.objectContaining({ action: 'reactivated', actor: OPERATOR }),
    );
  });

  it('removes an SES-only suppression and resets a soft-bounce streak', async () => {
    // Act
    const erin = await stack.call('DELETE', '/recipients/erin@example.com/suppression', {
      callerArn: OPERATOR,
    });
    const bob = await stack.call('DELETE', '/recipients/bob@example.org/suppression', {
      callerArn: OPERATOR,
    });
    // Assess
    expect(erin.json).toMatchObject({
      removedFromSes: true,
      previousSuppression: { source: 'ses', reason: 'BOUNCE' },
    });
    expect(bob.json).toMatchObject({
      removedFromSes: false,
      previousSuppression: null,
      softBounceStreakReset: true,
    });
    expect((await recipient('erin@example.com')).sendStatus).toBe('ok');
    const bobNow = await recipient('bob@example.org');
    expect(bobNow.softBounceStreak).toBe(0);
    expect(bobNow.sendStatus).toBe('ok');
  });

  it('answers 404 when neither we nor SES know the address', async () => {
    // Act
    const result = await stack.call('DELETE', '/recipients/nobody@example.com/suppression');
    // Assess
    expect(result.status).toBe(404);
  });
});

describe('GET /stats', () => {
  it('counts per day from the counters, with rates where deliveries were recorded', async () => {
    // Act
    const result = await stack.call('GET', '/stats', { query: { from: '2024-10-20', to: '2024-10-31' } });
    // Assess
    expect(result.status).toBe(200);
    const body = result.json as StatsBody;
    expect(body.items).toHaveLength(12);
    expect(body.totals).toMatchObject({
      bounces: 3,
      hardBounces: 1,
      softBounces: 2,
      complaints: 1,
      deliveries: 4,
    });
    expect(body.totals.bounceRate).toBeCloseTo(3 / 7, 5);
    expect(body.totals.complaintRate).toBeCloseTo(1 / 4, 5);
    const oct20 = body.items.find((item) => item.key === '2024-10-20');
    expect(oct20).toMatchObject({ count: 1, breakdown: { bounces: 1, deliveries: 0, bounceRate: null } });
  });

  it.each([
    ['type', { bounce: 3, delivery: 4, complaint: 1 }],
    ['verdict', { hard: 1, soft: 2 }],
    ['code', { '5.1.1': 1, '4.2.2': 2 }],
  ])('groups by %s', async (groupBy, expected) => {
    // Act
    const result = await stack.call('GET', '/stats', {
      query: { from: '2024-10-01', to: '2024-10-31', groupBy },
    });
    // Assess
    const body = result.json as StatsBody;
    expect(Object.fromEntries(body.items.map((item) => [item.key, item.count]))).toEqual(expected);
  });

  it('ranks domains by bounces and keeps the top N', async () => {
    // Act
    const result = await stack.call('GET', '/stats', {
      query: { from: '2024-10-01', to: '2024-10-31', groupBy: 'domain', top: '1' },
    });
    // Assess
    const body = result.json as StatsBody;
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({ key: 'example.org', breakdown: { bounces: 2 } });
  });

  it('refuses more than 366 days', async () => {
    // Act
    const result = await stack.call('GET', '/stats', { query: { from: '2023-01-01', to: '2024-01-02' } });
    // Assess
    expect(result.status).toBe(400);
    expect(result.json).toMatchObject({ error: { code: 'invalid-parameter', field: 'to' } });
  });
});

describe('allowlist', () => {
  it('is honoured by the processor and shown on the recipient, and can be listed and removed', async () => {
    // Act
    const put = await stack.call('PUT', '/allowlist/Example.NET', {
      body: JSON.stringify({ note: 'our own domain' }),
      headers: { 'content-type': 'application/json' },
      callerArn: OPERATOR,
    });
    await stack.process(bounceNotification(['frank@example.net'], '2024-10-31T12:00:00.000Z'));
    const frank = await recipient('frank@example.net');
    const one = await stack.call('GET', '/allowlist/example.net');
    const list = await stack.call('GET', '/allowlist');
    const removed = await stack.call('DELETE', '/allowlist/example.net');
    const again = await stack.call('DELETE', '/allowlist/example.net');
    // Assess
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({
      kind: 'domain',
      value: 'example.net',
      note: 'our own domain',
      createdBy: OPERATOR,
    });
    expect(frank.allowlisted).toBe('domain');
    expect(frank.suppression).toBeNull();
    expect(frank.latestEvents[0]?.decision).toMatchObject({ allowlisted: true, action: 'none' });
    expect(one.json).toMatchObject({ kind: 'domain', value: 'example.net' });
    expect(list.json).toMatchObject({ items: [{ kind: 'domain', value: 'example.net' }], nextCursor: null });
    expect(removed.status).toBe(204);
    expect(again.status).toBe(404);
  });

  it('pages through addresses with a cursor bound to the allowlist', async () => {
    // Prepare
    for (const address of ['a@seed.example.com', 'b@seed.example.com', 'c@seed.example.com']) {
      expect((await stack.call('PUT', `/allowlist/${address}`)).status).toBe(200);
    }
    // Act
    const first = (await stack.call('GET', '/allowlist', { query: { limit: '2' } })).json as {
      items: Array<{ value: string }>;
      nextCursor: string;
    };
    const second = (
      await stack.call('GET', '/allowlist', { query: { limit: '2', cursor: first.nextCursor } })
    ).json as { items: Array<{ value: string }> };
    // Assess
    expect([...first.items, ...second.items].map((item) => item.value)).toEqual([
      'a@seed.example.com',
      'b@seed.example.com',
      'c@seed.example.com',
    ]);
  });
});

describe('DELETE /recipients/{email}', () => {
  it('erases history and summary but leaves the counters', async () => {
    // Prepare
    const before = (await stack.call('GET', '/stats', { query: { from: '2024-10-20', to: '2024-10-20' } }))
      .json as StatsBody;
    // Act
    const erased = await stack.call('DELETE', '/recipients/alice@example.com');
    const after = (await stack.call('GET', '/stats', { query: { from: '2024-10-20', to: '2024-10-20' } }))
      .json as StatsBody;
    // Assess
    expect(erased.status).toBe(200);
    expect(erased.json).toEqual({ email: 'alice@example.com', erasedItems: 2 });
    expect((await stack.call('GET', '/recipients/alice@example.com')).status).toBe(404);
    expect((await stack.call('GET', `/bounces/${aliceBounceId}`)).status).toBe(404);
    expect((await stack.call('GET', '/bounces', { query: { email: 'alice@example.com' } })).json).toEqual({
      items: [],
      nextCursor: null,
    });
    expect(after.totals).toEqual(before.totals);
    expect((await stack.call('DELETE', '/recipients/alice@example.com')).status).toBe(404);
  });
});

describe('reference routes', () => {
  it('explains a code, classifies a diagnostic, and serves the OpenAPI document', async () => {
    // Act
    const code = await stack.call('GET', '/codes/5.1.1');
    const classified = await stack.call('POST', '/classify', {
      body: JSON.stringify({ status: '5.2.2', diagnosticCode: 'smtp; 552 5.2.2 Mailbox full' }),
    });
    const openapi = await stack.call('GET', '/openapi.json');
    // Assess
    expect(code.json).toMatchObject({ code: '5.1.1', known: true });
    expect(classified.json).toMatchObject({ category: 'mailbox-full' });
    expect(openapi.json).toMatchObject({ openapi: '3.1.0' });
  });
});
