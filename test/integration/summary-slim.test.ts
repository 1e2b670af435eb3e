// Slim recipient summaries (issue #13: storage): the processor leaves out of a summary what the reader derives or
// defaults (the address, its domain, zero counts, ...), a summary written before (every attribute) still reads as it
// did, and the next event that touches it leaves it slim, without a stale attribute left behind.
import { readFile } from 'node:fs/promises';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../lambdas/adapters/table-definition.ts';
import {
  type ApiStack,
  bounceNotification,
  deliveryNotification,
  startApiStack,
} from '../support/api-harness.ts';

const NOW = new Date('2026-11-01T12:00:00Z');
let stack: ApiStack;

const storedSummary = async (email: string) =>
  (await stack.documents.send(new GetCommand({ TableName: stack.tableName, Key: keys.summary(email) }))).Item;

/** The summary of jane.roe@example.org as versions before slim summaries wrote it (every attribute). */
const oldSummary = async () =>
  JSON.parse(await readFile(new URL('../fixtures/api/summary-item.json', import.meta.url), 'utf8'));

const softBounce = (email: string, at: string) =>
  bounceNotification([email], at, { bounceType: 'Transient', bounceSubType: 'MailboxFull', status: '4.2.2' });

beforeAll(async () => {
  stack = await startApiStack(NOW, 'none');
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('slim summaries', () => {
  it('leave out the address, its domain, a display equal to it, zero counts and empty memories', async () => {
    await stack.process(bounceNotification(['mo@example.org'], '2026-10-30T08:00:00.000Z'));
    const item = await storedSummary('mo@example.org');
    expect(Object.keys(item ?? {}).sort()).toEqual([
      'entity',
      'expiresAt',
      'hard',
      'lastEventAt',
      'lastEventId',
      'lastEventType',
      'pk',
      'sesSuppression',
      'sk',
      'suppression',
      'version',
    ]);
    const recipient = await stack.call('GET', '/recipients/mo@example.org', { query: { ses: 'false' } });
    expect(recipient.status, recipient.body).toBe(200);
    expect(recipient.json).toMatchObject({
      email: 'mo@example.org',
      emailDisplay: 'mo@example.org',
      domain: 'example.org',
      counts: { hard: 1, soft: 0, complaints: 0, deliveries: 0, onAccountSuppressionList: 0 },
      firstEventAt: '2026-10-30T08:00:00.000Z',
      lastEventAt: '2026-10-30T08:00:00.000Z',
      suppression: { state: 'pending', action: 'put', cause: 'hard-bounce' },
    });
  });

  it('read a summary written before them as before, and leave it slim at its next event', async () => {
    // Prepare: the old summary, as a previous version stored it
    const old = await oldSummary();
    await stack.documents.send(new PutCommand({ TableName: stack.tableName, Item: old }));
    const before = await stack.call('GET', '/recipients/jane.roe@example.org', { query: { ses: 'false' } });
    expect(before.status, before.body).toBe(200);
    expect(before.json).toMatchObject({
      email: 'jane.roe@example.org',
      emailDisplay: 'Jane Roe <Jane.Roe@Example.org>',
      domain: 'example.org',
      counts: { hard: 1, soft: 0, complaints: 0, deliveries: 3 },
      firstEventAt: '2024-09-01T08:00:00.000Z',
      lastDeliveryAt: '2024-10-01T08:00:00.000Z',
      suppression: { state: 'confirmed', cause: 'hard-bounce', since: '2024-10-14T11:25:47.120Z' },
    });

    // Act: a delivery to the address (applied to its summary)
    await stack.process(deliveryNotification(['jane.roe@example.org'], '2026-10-31T08:00:00.000Z'));

    // Assess: the stored item is slim (no address, no domain, no zero count), and reads on from where it was
    const item = await storedSummary('jane.roe@example.org');
    for (const left of ['email', 'domain', 'soft', 'complaints', 'softStreak', 'softBounceTimes'])
      expect(item).not.toHaveProperty(left);
    expect(item).toMatchObject({ hard: 1, deliveries: 4, version: old.version + 1 });
    const after = await stack.call('GET', '/recipients/jane.roe@example.org', { query: { ses: 'false' } });
    expect(after.json).toMatchObject({
      email: 'jane.roe@example.org',
      domain: 'example.org',
      counts: { hard: 1, soft: 0, complaints: 0, deliveries: 4 },
      firstEventAt: '2024-09-01T08:00:00.000Z',
      lastDeliveryAt: '2026-10-31T08:00:00.000Z',
      suppression: { state: 'confirmed', cause: 'hard-bounce', since: '2024-10-14T11:25:47.120Z' },
    });
  });

  it('remove a streak that a delivery ended instead of leaving its last count behind', async () => {
    await stack.process(softBounce('nia@example.org', '2026-10-28T08:00:00.000Z'));
    await stack.process(softBounce('nia@example.org', '2026-10-29T08:00:00.000Z'));
    expect(await storedSummary('nia@example.org')).toMatchObject({ soft: 2, softStreak: 2 });

    await stack.process(deliveryNotification(['nia@example.org'], '2026-10-30T08:00:00.000Z'));

    const item = await storedSummary('nia@example.org');
    expect(item).toMatchObject({ soft: 2, deliveries: 1, lastDeliveryAt: '2026-10-30T08:00:00.000Z' });
    expect(item).not.toHaveProperty('softStreak');
    const recipient = await stack.call('GET', '/recipients/nia@example.org', { query: { ses: 'false' } });
    expect(recipient.json).toMatchObject({ softBounceStreak: 0, counts: { soft: 2, deliveries: 1 } });
  });
});
