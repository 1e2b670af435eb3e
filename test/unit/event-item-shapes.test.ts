// Slim, short and packed SES event items (docs/data-model.md, "Slim event items", "Short attribute names", "Packed
// event items"): the event codec reads an item written full, as every release before issue #13 wrote it (a fixture
// of such items), an item written slim by the writer before short names and one written short by the writer before
// packing (fixtures too), and the slim, short and packed items of the same event as the same record, and so do the
// readers of raw items: the stream (events publisher), the counter rollup and erasure.
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rolledChangeOf } from '../../lambdas/adapters/dynamo-counter-rollup.ts';
import { DynamoEventStore } from '../../lambdas/adapters/dynamo-event-store.ts';
import { itemSize } from '../../lambdas/adapters/dynamo-item-size.ts';
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

async function sampleEvents(file: string): Promise<RecipientEvent[]> {
  const parsed = parseSesDocument(
    JSON.parse(await readFile(new URL(`../../samples/${file}`, import.meta.url), 'utf8')),
  );
  if (parsed.kind !== 'notification') return [];
  return buildRecipientEvents(parsed.notification, {
    recordedAt: '2026-12-07T04:30:00.000Z',
    snsMessageId: '0f6c1a52-1d2b-5c3e-9a7f-3b1e2c4d5e6f',
    classify: classifyBounce,
  }).events;
}

async function sampleEvent(file: string): Promise<RecipientEvent> {
  const [event] = await sampleEvents(file);
  if (!event) throw new Error(`${file} has no recipient`);
  return event;
}

/** The bytes DynamoDB bills an item by. */
const bytesOf = (item: Item) => itemSize(marshall(item, { removeUndefinedValues: true }));

/**
 * A stream record as a Lambda function receives it: JSON, binaries in base64 (the SDK's images hold bytes).
 */
function asLambdaReceivesIt(record: DynamoDBRecord): DynamoDBRecord {
  return JSON.parse(
    JSON.stringify(record, (_key, value: unknown) =>
      value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value,
    ),
  );
}

/** What every reader of raw event items makes of one: the record, the stream's change, the rollup's, erasure's. */
function readings(item: Item) {
  const inserted = asLambdaReceivesIt(streamRecord('7', null, item));
  return {
    record: eventFromItem(item),
    published: storedChangeOf(inserted),
    counted: rolledChangeOf(inserted),
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

  // What main wrote at v2: slim items before short names (8765b92), short ones before packing (7c61007, some over
  // 1 KB and stored unpacked). Both are read as the full items of the same events.
  it.each([
    ['slim', '8765b92', 'event-items-slim.json'],
    ['short', '7c61007', 'event-items-short.json'],
  ])(
    'written %s by the writer of %s (fixture) are read as the full items of the same events',
    async (_shape, _commit, fixture) => {
      // Prepare
      const [full, written] = await Promise.all(
        ['event-items-before-slim.json', fixture].map(
          async (name) =>
            JSON.parse(await readFile(new URL(`../fixtures/api/${name}`, import.meta.url), 'utf8')) as Item[],
        ),
      );
      // Act
      const read = (written ?? []).map(readings);
      // Assess: the same records (the items carry no first-model index keys; the readings name none).
      expect((written ?? []).filter((item) => bytesOf(item) > 1024).length).toBeGreaterThan(0);
      expect(read).toHaveLength(FIXTURE_SAMPLES.length);
      read.forEach((reading, index) => {
        expect(reading).toEqual(readings((full ?? [])[index] as Item));
      });
    },
  );

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
    const mailboxFull = await sampleEvent('05-bounce-transient-mailboxfull-4.2.2.json');
    const short = eventItem(mailboxFull, decision, 400, 'event', 'short', []);
    expect(short).not.toHaveProperty('z');
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

/** The names outside a packed item's `z`: keys, what filters, projections, erasure and TTL read, and `z`. */
const outsideAPack = (item: Item): string[] =>
  Object.keys(item).filter((name) => !LONG_NAMES_KEPT.has(name) && name !== 'z');

describe('packed event items', () => {
  it('make every sample bounce fit one KB, and read as its full item', async () => {
    // Prepare
    const files = readdirSync(new URL('../../samples/', import.meta.url)).filter((name) =>
      /^\d+-.*\.json$/.test(name),
    );
    const events = (await Promise.all(files.map(sampleEvents))).flat();
    // Act: what the processor writes at v2
    const written = events.map((event) => {
      const { decision } = applyEvent(null, event, DEFAULT_POLICY_SETTINGS, false);
      return {
        full: eventItem(event, decision, 400, 'event', 'full'),
        stored: eventItem(event, decision, 400, 'event', 'short', []),
      };
    });
    // Assess: the 8 bounces whose short item is over 1 KB (long diagnostics) are packed, and only those.
    const packed = written.filter(({ stored }) => 'z' in stored);
    expect(written.filter(({ full }) => full.type === 'bounce')).toHaveLength(42);
    expect(packed).toHaveLength(8);
    expect(Math.max(...written.map(({ stored }) => bytesOf(stored)))).toBeLessThanOrEqual(1024);
    for (const { full, stored } of written) expect(readings(stored)).toEqual(readings(full));
    for (const { stored } of packed) expect(outsideAPack(stored)).toEqual([]);
  });

  it('read as their full items, whatever the diagnostic, subject and evidence (property)', async () => {
    // Prepare: a bounce, its texts long or short, in any script, and the real diagnostics' kind of text.
    const bounce = await sampleEvent('20-bounce-permanent-dmarc-5.7.26-sender-side.json');
    const { decision } = applyEvent(null, bounce, DEFAULT_POLICY_SETTINGS, false);
    const text = (maxLength: number) =>
      fc.oneof(
        fc.string({ unit: 'grapheme', maxLength }),
        fc.string({ unit: 'binary', maxLength }),
        fc
          .array(fc.constantFrom(String(bounce.bounce?.diagnosticCode), 'Postfach voll ✉', '550 5.1.1 '), {
            maxLength: 12,
          })
          .map((parts) => parts.join('\n')),
      );
    const variant = fc.record({
      diagnosticCode: fc.option(text(4000)),
      subject: fc.option(text(400)),
      evidence: text(400),
      reason: text(300),
      indexKeys: fc.subarray([...FIRST_MODEL_INDEX_KEYS]),
    });
    // Act / Assess
    fc.assert(
      fc.property(variant, (v) => {
        const event: RecipientEvent = {
          ...bounce,
          subject: v.subject,
          bounce: bounce.bounce && { ...bounce.bounce, diagnosticCode: v.diagnosticCode },
          classification: bounce.classification && { ...bounce.classification, evidence: v.evidence },
        };
        const decided: Decision = { ...decision, reason: v.reason };
        const full = eventItem(event, decided, 400, 'event', 'full');
        const stored = eventItem(event, decided, 400, 'event', 'short', v.indexKeys);
        expect(readings(stored)).toEqual(readings(full));
        if (bytesOf(stored) <= 1024 || !('z' in stored)) return;
        expect(outsideAPack(stored)).toEqual([]);
        expect(stored.z).toBeInstanceOf(Uint8Array);
      }),
      { numRuns: 200 },
    );
  });

  it('are packed only when that saves a write unit', async () => {
    // Prepare: the DMARC bounce (short item 1,228 B unpacked), with a diagnostic of 1,000 bytes of noise that
    // compresses to nothing less (2 units either way), and with none at all (fits unpacked).
    const bounce = await sampleEvent('20-bounce-permanent-dmarc-5.7.26-sender-side.json');
    const { decision } = applyEvent(null, bounce, DEFAULT_POLICY_SETTINGS, false);
    const withDiagnostic = (diagnosticCode: string | null) =>
      eventItem(
        { ...bounce, bounce: bounce.bounce && { ...bounce.bounce, diagnosticCode } },
        decision,
        400,
        'event',
        'short',
        [],
      );
    const noise = Buffer.from(Array.from({ length: 750 }, (_, i) => (i * 7919 + 13) % 251)).toString(
      'base64',
    );
    // Act
    const long = withDiagnostic(bounce.bounce?.diagnosticCode ?? '');
    const random = withDiagnostic(noise);
    const none = withDiagnostic(null);
    // Assess
    expect(long).toHaveProperty('z');
    expect(random).not.toHaveProperty('z');
    expect(bytesOf(random)).toBeGreaterThan(1024);
    expect(none).not.toHaveProperty('z');
    expect(none).toHaveProperty('dn');
  });

  it('are refused when corrupt', async () => {
    // Prepare
    const event = await sampleEvent('20-bounce-permanent-dmarc-5.7.26-sender-side.json');
    const { decision } = applyEvent(null, event, DEFAULT_POLICY_SETTINGS, false);
    const packed = eventItem(event, decision, 400, 'event', 'short', []);
    const { brotliCompressSync } = await import('node:zlib');
    const pack = (value: unknown) => new Uint8Array(brotliCompressSync(JSON.stringify(value)));
    // Act / Assess
    expect(packed).toHaveProperty('z');
    for (const z of [
      7,
      'not base64 brotli',
      new Uint8Array([1, 2, 3]),
      pack(['dc']),
      pack({ verdict: 'soft' }),
      pack({ dn: { a: 'none' }, ra: '2026-12-07T04:30:00.000Z', ok: true }),
      pack({ ra: 7 }),
      pack({ constructor: 'x' }),
    ])
      expect(() => eventFromItem({ ...packed, z })).toThrow(CorruptItemError);
    expect(() => eventFromItem({ ...packed, ra: '2026-12-07T04:30:00.000Z' })).toThrow(CorruptItemError);
  });
});
