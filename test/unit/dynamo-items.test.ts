// The one codec per stored item kind: what a writer of ours writes reads back unchanged, and an item that lacks a
// field its writer always sets (or has one of the wrong type) is a CorruptItemError, never a silent default.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  allowlistFromItem,
  CorruptItemError,
  counterFromItem,
  decodeEach,
  eventFromItem,
  type Item,
  summaryExpiresAt,
  summaryFromItem,
  summaryItem,
  summaryUpdate,
} from '../../lambdas/adapters/dynamo-items.ts';
import { summaryItemOf } from '../support/summary-items.ts';

async function fixture(name: string): Promise<Item> {
  return JSON.parse(await readFile(new URL(`../fixtures/api/${name}`, import.meta.url), 'utf8'));
}

describe('summary codec', () => {
  it('reads back what it writes', () => {
    // Prepare
    const written = summaryItemOf(
      'jane@example.org',
      { hard: 2, softBounceTimes: ['2024-10-02T00:00:00.000Z'] },
      5,
    );
    // Act
    const { summary, version } = summaryFromItem(written);
    // Assess
    expect(version).toBe(5);
    expect(summaryItem(summary, version)).toEqual(written);
  });

  it('writes the expiry it is given, and none for a summary as versions before expiry wrote it', () => {
    const { summary } = summaryFromItem(summaryItemOf('jane@example.org'));
    expect(summaryItem(summary, 2, 1_800_000_000)).toMatchObject({ expiresAt: 1_800_000_000 });
    expect(summaryItem(summary, 2)).not.toHaveProperty('expiresAt');
    const update = summaryUpdate(summary, 2, 1_800_000_000);
    expect(Object.entries(update.ExpressionAttributeNames)).toContainEqual([expect.any(String), 'expiresAt']);
    expect(Object.values(update.ExpressionAttributeValues)).toContain(1_800_000_000);
  });

  it('moves a summary on by the recipient retention from the later of event time and recording', () => {
    const event = { occurredAt: '2026-01-01T00:00:00.000Z', recordedAt: '2026-01-03T00:00:00.000Z' };
    expect(summaryExpiresAt(event, 10)).toBe(Date.parse('2026-01-13T00:00:00Z') / 1000);
  });

  it('reads a summary written before slim summaries as the slim item it writes for it', async () => {
    // Prepare
    const old = await fixture('summary-item.json');
    // Act
    const { summary, version } = summaryFromItem(old);
    const slim = summaryItem(summary, version);
    // Assess
    expect(summaryFromItem(slim)).toEqual({ summary, version });
    expect(summary).toMatchObject({
      email: 'jane.roe@example.org',
      emailDisplay: 'Jane Roe <Jane.Roe@Example.org>',
      domain: 'example.org',
      soft: 0,
      onAccountList: 0,
      firstEventAt: '2024-09-01T08:00:00.000Z',
      suppression: { eventId: '9f2c0a7e5b1d4c3a8e6f7a9b0c1d2e3f', updatedAt: '2024-10-14T11:25:49.000Z' },
      sesSuppression: {
        likely: true,
        since: '2024-10-14T11:25:45.000Z',
        eventId: '9f2c0a7e5b1d4c3a8e6f7a9b0c1d2e3f',
        mislabel: false,
      },
    });
    expect(slim).not.toHaveProperty('email');
    expect(slim).not.toHaveProperty('domain');
    expect(slim).not.toHaveProperty('soft');
    expect(slim.suppression).not.toHaveProperty('eventId');
    for (const left of ['mislabel', 'since', 'eventId']) expect(slim.sesSuppression).not.toHaveProperty(left);
  });

  it("gives SES's belief no event once a reactivation recorded that SES no longer lists the address", () => {
    // Prepare
    const { summary } = summaryFromItem(summaryItemOf('jane@example.org'));
    const reactivated = { ...summary, sesSuppression: { likely: false, mislabel: false } };
    // Act
    const read = summaryFromItem(summaryItem(reactivated, 3)).summary;
    // Assess
    expect(read.sesSuppression).toEqual({ likely: false, mislabel: false });
  });

  it('keeps what differs from what it would derive', () => {
    // Prepare
    const { summary } = summaryFromItem(summaryItemOf('jane@example.org'));
    const different = {
      ...summary,
      emailDisplay: 'Jane <Jane@Example.org>',
      domain: 'mail.example.org',
      firstEventAt: '2024-09-01T00:00:00.000Z',
      lastDeliveryAt: '2024-09-15T00:00:00.000Z',
      deliveryTimes: ['2024-09-10T00:00:00.000Z', '2024-09-15T00:00:00.000Z'],
    };
    // Act
    const item = summaryItem(different, 2);
    // Assess
    expect(item).toMatchObject({
      emailDisplay: 'Jane <Jane@Example.org>',
      domain: 'mail.example.org',
      firstEventAt: '2024-09-01T00:00:00.000Z',
      deliveryTimes: ['2024-09-10T00:00:00.000Z', '2024-09-15T00:00:00.000Z'],
    });
    expect(summaryFromItem(item).summary).toEqual(different);
  });

  it('remembers the latest delivery of a summary written before deliveryTimes existed', async () => {
    // Act
    const { summary } = summaryFromItem(await fixture('summary-item.json'));
    // Assess
    expect(summary.deliveryTimes).toEqual(['2024-10-01T08:00:00.000Z']);
  });

  it.each([
    ['no latest event', { lastEventAt: undefined }, 'lastEventAt'],
    ['a count of the wrong type', { soft: '3' }, 'soft'],
    ['a key that names no address', { pk: 'R#' }, 'pk'],
    ['an unknown suppression state', { suppression: { state: 'maybe' } }, 'suppression.state'],
    ['no version', { version: undefined }, 'version'],
  ])('refuses %s', (_name, change, field) => {
    // Prepare
    const item = { ...summaryItemOf('jane@example.org'), ...change };
    // Act
    const read = () => summaryFromItem(item);
    // Assess
    expect(read).toThrow(CorruptItemError);
    expect(read).toThrow(new RegExp(`: ${field.replace('.', '\\.')}: `));
  });
});

describe('event codec', () => {
  it('reads a stored bounce with absent attributes as null', async () => {
    // Act
    const event = eventFromItem(await fixture('bounce-event-item.json'));
    // Assess
    expect(event).toMatchObject({
      type: 'bounce',
      verdict: 'hard',
      code: '5.1.1',
      actor: null,
      smtpResponse: null,
    });
  });

  it.each([
    ['an unknown type', { type: 'bounced' }],
    ['no occurredAt', { occurredAt: undefined }],
    ['a decision without its flags', { decision: { action: 'suppress' } }],
  ])('refuses %s', async (_name, change) => {
    // Prepare
    const item = { ...(await fixture('bounce-event-item.json')), ...change };
    // Act / Assess
    expect(() => eventFromItem(item)).toThrow(CorruptItemError);
  });

  it('never names the address of a corrupt item in the error', async () => {
    // Prepare
    const item = { ...(await fixture('bounce-event-item.json')), type: 'bounced' };
    // Act / Assess
    expect(() => eventFromItem(item)).toThrow(/R#…/);
    expect(() => eventFromItem(item)).not.toThrow(/jane/);
  });
});

describe('allowlist and counter codecs', () => {
  it('refuses an allowlist entry without its kind', () => {
    expect(() => allowlistFromItem({ pk: 'ALLOW', sk: 'DOMAIN#example.com', value: 'example.com' })).toThrow(
      CorruptItemError,
    );
  });

  it('reads the day of either counter kind', () => {
    expect(counterFromItem({ pk: 'STAT#2024#0', sk: 'D#2024-10-14', events: 3 })).toEqual({
      day: '2024-10-14',
      domain: null,
      counts: { events: 3 },
    });
    expect(
      counterFromItem({
        pk: 'STATDOM#2024#0',
        sk: '2024-10-14#a.org',
        day: '2024-10-14',
        domain: 'a.org',
        events: 1,
      }),
    ).toEqual({ day: '2024-10-14', domain: 'a.org', counts: { events: 1 } });
  });

  it('a list read keeps the items that decode and leaves out a corrupt one', () => {
    // Prepare
    const items = [
      { pk: 'STAT#2024#0', sk: 'D#2024-10-14', events: 3 },
      { pk: 'STAT#2024#0', sk: 'X' },
    ];
    // Act / Assess
    expect(decodeEach(items, counterFromItem).map((counter) => counter.day)).toEqual(['2024-10-14']);
  });
});
