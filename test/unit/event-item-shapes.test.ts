// Slim and short SES event items (docs/data-model.md, "Slim event items", "Short attribute names"): the event codec
// reads an item written full, as every release before issue #13 wrote it (a fixture of such items), an item written
// slim by the writer before short names (a fixture too), and the slim and short items of the same event as the same
// record, and so do the readers of raw items: the stream (events publisher), the counter rollup and erasure.
import { readFile } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rolledChangeOf } from '../../lambdas/adapters/dynamo-counter-rollup.ts';
import { DynamoEventStore } from '../../lambdas/adapters/dynamo-event-store.ts';
import {
  CorruptItemError,
  erasedEventOf,
  eventFromItem,
  eventItem,
  FIRST_MODEL_INDEX_KEYS,
  type Item,
} from '../../lambdas/adapters/dynamo-items.ts';
import { storedChangeOf } from '../../lambdas/adapters/dynamo-stream.ts';
import { EVENT_INDEX_STAGES, INDEX_FILTER_ATTRIBUTES } from '../../lambdas/adapters/table-definition.ts';
import { classifyBounce } from '../../lambdas/domain/classify.ts';
import { buildRecipientEvents, type RecipientEvent } from '../../lambdas/domain/recipient-event.ts';
import { parseSesDocument } from '../../lambdas/domain/ses-notification.ts';
import {
  applyEvent,
  DEFAULT_POLICY_SETTINGS,
  type Decision,
} from '../../lambdas/domain/suppression-policy.ts';
import { streamRecord } from '../support/stream-records.ts';

/** The samples the fixture's items were written from by the writer of ec1bd1b, and how the rollup counts them. */
const FIXTURE_SAMPLES: readonly [string, 'event' | 'ledger' | undefined][] = [
  ['01-bounce-permanent-general-gmail-5.1.1.json', 'event'],
  ['04-bounce-permanent-onaccountsuppressionlist-display-name.json', 'event'],
  ['05-bounce-transient-mailboxfull-4.2.2.json', undefined],
  ['08-bounce-undetermined.json', 'event'],
  ['10-complaint-abuse.json', 'event'],
  ['11-delivery.json', 'ledger'],
  ['12-event-publishing-bounce-permanent-general.json', 'event'],
  ['17-complaint-onaccountsuppressionlist.json', 'event'],
  ['20-bounce-permanent-dmarc-5.7.26-sender-side.json', 'event'],
  ['36-bounce-permanent-gmx-5.1.1-german.json', 'event'],
];

async function sampleEvent(file: string): Promise<RecipientEvent> {
  const parsed = parseSesDocument(
    JSON.parse(await readFile(new URL(`../../samples/${file}`, import.meta.url), 'utf8')),
  );
  if (parsed.kind !== 'notification') throw new Error(`${file} is no notification`);
  const [event] = buildRecipientEvents(parsed.notification, {
    recordedAt: '2026-12-07T04:30:00.000Z',
    snsMessageId: '0f6c1a52-1d2b-5c3e-9a7f-3b1e2c4d5e6f',
    classify: classifyBounce,
  }).events;
  if (!event) throw new Error(`${file} has no recipient`);
  return event;
}

/** What every reader of raw event items makes of one: the record, the stream's change, the rollup's, erasure's. */
function readings(item: Item) {
  return {
    record: eventFromItem(item),
    published: storedChangeOf(streamRecord('7', null, item)),
    counted: rolledChangeOf(streamRecord('7', null, item)),
    erased: erasedEventOf(item),
  };
}

/** What the processor writes at each stage of the event indexes: short or full, and which first-model index keys. */
const STAGE_WRITES = [
  ['v1', 'full', ['eid', 'gsi1sk', 'gsi2sk']],
  ['add-byTime2', 'short', ['eid', 'gsi1sk', 'gsi2sk']],
  ['add-byDomain2', 'short', ['eid', 'gsi1sk', 'gsi2sk']],
  ['v2-readers', 'short', ['eid', 'gsi1sk', 'gsi2sk']],
  ['drop-byTime', 'short', ['eid', 'gsi2sk']],
  ['drop-byDomain', 'short', ['eid']],
  ['v2', 'short', []],
] as const;

/**
 * The attribute names a short item keeps long: keys and index keys, what filters, index projections and erasure read
 * by name, the TTL attribute. Every other name of a short item is two characters (docs/data-model.md, "Short
 * attribute names").
 */
const LONG_NAMES_KEPT = new Set([
  'pk',
  'sk',
  'eid',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'entity',
  'type',
  'email',
  'domain',
  ...INDEX_FILTER_ATTRIBUTES,
  'bounceSubType',
  'complaintSubType',
  'expiresAt',
  'rollup',
]);

/** The names of a short item that are neither kept long nor short. */
const misnamed = (item: Item): string[] =>
  Object.keys(item).filter((name) => !LONG_NAMES_KEPT.has(name) && name.length > 2);

describe('slim event items', () => {
  it('are read as the full items the writer before them stored (fixture)', async () => {
    // Prepare
    const stored = JSON.parse(
      await readFile(new URL('../fixtures/api/event-items-before-slim.json', import.meta.url), 'utf8'),
    ) as Item[];
    // Act: the same events, classified and decided as stored (whatever today's classifier and policy say)
    const written = (shape: 'slim' | 'short') =>
      Promise.all(
        FIXTURE_SAMPLES.map(async ([file, rollup], index) => {
          const item = stored[index] as Item;
          const event = await sampleEvent(file);
          const classification = event.classification && {
            verdict: String(item.verdict),
            category: String(item.category),
            blame: String(item.blame),
            suppress: item.suppressHint === true,
            code: typeof item.code === 'string' ? item.code : null,
            codeTitle: typeof item.codeTitle === 'string' ? item.codeTitle : null,
            evidence: String(item.evidence),
          };
          return eventItem(
            { ...event, classification } as RecipientEvent,
            item.decision as Decision,
            400,
            rollup,
            shape,
          );
        }),
      );
    const [slim, short] = [await written('slim'), await written('short')];
    // Assess
    slim.forEach((item, index) => {
      expect(readings(item)).toEqual(readings(stored[index] as Item));
      expect(item).not.toHaveProperty('email');
    });
    short.forEach((item, index) => {
      expect(readings(item)).toEqual(readings(stored[index] as Item));
      expect(item).not.toHaveProperty('email');
      expect(item).not.toHaveProperty('id');
      expect(item).not.toHaveProperty('occurredAt');
      expect(misnamed(item)).toEqual([]);
    });
  });

  it('written slim by the writer of 8765b92 (fixture) are read as the full items of the same events', async () => {
    // Prepare: the slim items main wrote at v2 before short names, and the full items of the same events.
    const [full, slim] = await Promise.all(
      ['event-items-before-slim.json', 'event-items-slim.json'].map(
        async (name) =>
          JSON.parse(await readFile(new URL(`../fixtures/api/${name}`, import.meta.url), 'utf8')) as Item[],
      ),
    );
    // Act
    const read = (slim ?? []).map(readings);
    // Assess: the same records (the slim items carry no first-model index keys; the readings name none).
    expect(read).toHaveLength(FIXTURE_SAMPLES.length);
    read.forEach((reading, index) => {
      expect(reading).toEqual(readings((full ?? [])[index] as Item));
    });
  });

  it('read as their full items, whatever the event, the decision and the index keys kept (property)', async () => {
    // Prepare
    const bounce = await sampleEvent('04-bounce-permanent-onaccountsuppressionlist-display-name.json');
    const complaint = await sampleEvent('10-complaint-abuse.json');
    const delivery = await sampleEvent('11-delivery.json');
    const text = fc.option(
      fc.constantFrom('', 'x', '123456789012', '210987654321', 'Bad destination mailbox address'),
    );
    const variant = fc.record({
      base: fc.constantFrom(bounce, complaint, delivery),
      emailDisplay: fc.option(fc.constantFrom('Jane Roe <jane.roe@example.org>', '')),
      format: fc.constantFrom('notification' as const, 'event' as const),
      sourceArn: fc.option(
        fc.constantFrom(
          'arn:aws:ses:us-east-1:123456789012:identity/mail.example.com',
          'arn:aws:ses:us-east-1::identity/x',
          'not an arn',
        ),
      ),
      sendingAccountId: text,
      code: fc.option(fc.constantFrom('5.1.1', '4.2.2', '5.7.26', '5.9.999')),
      codeTitle: text,
      suppress: fc.boolean(),
      action: fc.option(fc.constantFrom('failed', 'delayed', '')),
      status: fc.option(fc.constantFrom('5.1.1', '5.0.0', '4.2.2', '')),
      decision: fc.record({
        action: fc.constantFrom('none' as const, 'suppress' as const),
        reason: fc.constantFrom('hard bounce: unknown-recipient', ''),
        suppressionReason: fc.constantFrom(null, 'BOUNCE' as const, 'COMPLAINT' as const),
        softStreak: fc.nat(5),
        countsTowardStreak: fc.boolean(),
        sesMislabel: fc.boolean(),
        allowlisted: fc.boolean(),
        dryRun: fc.boolean(),
      }),
      rollup: fc.constantFrom(undefined, 'event' as const, 'ledger' as const),
      indexKeys: fc.subarray([...FIRST_MODEL_INDEX_KEYS]),
    });
    // Act / Assess
    fc.assert(
      fc.property(variant, (v) => {
        const event: RecipientEvent = {
          ...v.base,
          emailDisplay: v.emailDisplay ?? v.base.email,
          format: v.format,
          sourceArn: v.sourceArn,
          sendingAccountId: v.sendingAccountId,
          bounce: v.base.bounce && { ...v.base.bounce, action: v.action, status: v.status },
          classification: v.base.classification && {
            ...v.base.classification,
            code: v.code,
            codeTitle: v.codeTitle,
            suppress: v.suppress,
          },
        };
        const decision: Decision = v.decision;
        const full = eventItem(event, decision, 400, v.rollup, 'full');
        const slim = eventItem(event, decision, 400, v.rollup, 'slim', v.indexKeys);
        const short = eventItem(event, decision, 400, v.rollup, 'short', v.indexKeys);
        expect(readings(slim)).toEqual(readings(full));
        expect(readings(short)).toEqual(readings(full));
        expect(misnamed(short)).toEqual([]);
        for (const key of FIRST_MODEL_INDEX_KEYS) expect(key in short).toBe(v.indexKeys.includes(key));
        for (const key of FIRST_MODEL_INDEX_KEYS) expect(key in slim).toBe(v.indexKeys.includes(key));
        // A slim item adds no attribute of its own but a null that stands for a value the full item
        // leaves out and the reader could otherwise derive (the account of sourceArn, the registry's title).
        for (const key of Object.keys(slim).filter((name) => !(name in full))) {
          expect([key, slim[key]]).toEqual([key, null]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('are refused when corrupt, as full items are', async () => {
    // Prepare
    const event = await sampleEvent('01-bounce-permanent-general-gmail-5.1.1.json');
    const { decision } = applyEvent(null, event, DEFAULT_POLICY_SETTINGS, false);
    const slim = eventItem(event, decision, 400, 'event', 'slim');
    const short = eventItem(event, decision, 400, 'event', 'short');
    // Act / Assess
    for (const change of [{ type: 'bounced' }, { decision: { ...decision, dryRun: 'no' } }, { pk: 'X#1' }])
      expect(() => eventFromItem({ ...slim, ...change })).toThrow(CorruptItemError);
    expect(() => eventFromItem({ ...slim, type: 'audit' })).toThrow(CorruptItemError);
    for (const change of [
      { type: 'bounced' },
      { dn: { ...(short.dn as Item), dr: 'no' } },
      { ra: 7 },
      { sk: 'SUMMARY' },
    ])
      expect(() => eventFromItem({ ...short, ...change })).toThrow(CorruptItemError);
  });

  it.each(STAGE_WRITES)(
    'are what the processor writes at stage %s: %s, keeping %j',
    async (stage, shape, indexKeys) => {
      // Prepare
      const dynamo = mockClient(DynamoDBDocumentClient);
      dynamo.on(TransactWriteCommand).resolves({});
      const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
      const event = await sampleEvent('01-bounce-permanent-general-gmail-5.1.1.json');
      const { decision, summary } = applyEvent(null, event, DEFAULT_POLICY_SETTINGS, false);
      // Act
      await new DynamoEventStore(doc, {
        tableName: 't',
        eventRetentionDays: 400,
        recipientRetentionDays: 400,
        eventIndexes: stage,
      }).recordEvent({
        event,
        decision,
        summary,
        expectedVersion: null,
        keepEvent: true,
        ledger: false,
      });
      // Assess
      const [put] = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
      const item = put?.Put?.Item ?? {};
      expect('email' in item).toBe(shape === 'full');
      expect('id' in item).toBe(shape === 'full');
      if (shape === 'short') expect(misnamed(item)).toEqual([]);
      expect(['eid', 'gsi1sk', 'gsi2sk'].filter((key) => key in item)).toEqual(indexKeys);
      expect(readings(item)).toEqual(readings(eventItem(event, decision, 400, 'event', 'full')));
      dynamo.restore();
    },
  );

  it('are said for every stage', () => {
    expect(STAGE_WRITES.map(([stage]) => stage)).toEqual(EVENT_INDEX_STAGES);
  });
});
