// The parsing layer and address normalization, table-tested on the shared samples and hand-made edge cases.
import { readdir, readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalDomain, normalizeAddress } from '../../lambdas/domain/address.ts';
import { buildRecipientEvents, eventIdOf } from '../../lambdas/domain/recipient-event.ts';
import { parseMessageBody, parseSesDocument, parseTimestamp } from '../../lambdas/domain/ses-notification.ts';

const FIXTURES = new URL('../fixtures/ses/', import.meta.url);
const read = (file: string) => readFile(new URL(file, FIXTURES), 'utf8');

/** The SQS body of the notification a Lambda SNS event record carries: SNS's envelope (raw delivery off). */
async function envelopeOf(file: string, messageId?: string): Promise<string> {
  const { Sns } = JSON.parse(await read(file)).Records[0];
  return JSON.stringify({
    Type: Sns.Type,
    MessageId: messageId ?? Sns.MessageId,
    Message: Sns.Message,
    Timestamp: Sns.Timestamp,
  });
}

describe('normalizeAddress', () => {
  it.each([
    ['plain', 'user@example.com', 'user@example.com', 'user@example.com'],
    ['mixed case', 'Jane.Roe@Example.ORG', 'jane.roe@example.org', 'Jane.Roe@Example.ORG'],
    [
      'display name',
      'Jane Roe <Jane.Roe@Example.org>',
      'jane.roe@example.org',
      'Jane Roe <Jane.Roe@Example.org>',
    ],
    [
      'quoted display name',
      '"Roe, Jane" <jane@example.org>',
      'jane@example.org',
      '"Roe, Jane" <jane@example.org>',
    ],
    ['surrounding whitespace', '  \tuser@example.com \n', 'user@example.com', 'user@example.com'],
    ['trailing dot in domain', 'user@example.com.', 'user@example.com', 'user@example.com.'],
    ['plus tag kept', 'User+Tag@Example.com', 'user+tag@example.com', 'User+Tag@Example.com'],
    [
      'RFC 2047 base64 name',
      '=?utf-8?B?SsO8cmdlbg==?= <j@example.de>',
      'j@example.de',
      'Jürgen <j@example.de>',
    ],
    [
      'RFC 2047 Q name',
      '=?iso-8859-1?Q?Andr=E9_M?= <a@example.fr>',
      'a@example.fr',
      'André M <a@example.fr>',
    ],
  ])('%s', (_, raw, email, display) => {
    const result = normalizeAddress(raw);
    expect(result).toEqual({ ok: true, address: { email, display, domain: email.split('@')[1] } });
  });

  it.each([
    ['empty', '   ', 'empty address'],
    ['no at sign', 'user.example.com', 'no local part and domain around "@"'],
    ['nothing after at', 'user@', 'no local part and domain around "@"'],
    ['unbalanced bracket', 'Jane <jane@example.org', 'unbalanced angle brackets'],
    ['space inside', 'jane doe@example.org', 'whitespace inside the address'],
    ['no dot in domain', 'root@localhost', 'malformed domain'],
  ])('rejects %s', (_, raw, reason) => {
    expect(normalizeAddress(raw)).toEqual({ ok: false, reason });
  });

  it('joins adjacent encoded words of the display name without the whitespace between them', () => {
    const result = normalizeAddress('=?utf-8?Q?Caf=C3=A9?= =?utf-8?Q?_Bar?= <bar@example.org>');
    expect(result).toMatchObject({ ok: true, address: { display: 'Café Bar <bar@example.org>' } });
  });
});

describe('parseTimestamp', () => {
  it.each([
    ['2024-10-14T09:12:41.000Z', '2024-10-14T09:12:41.000Z'],
    ['2024-10-14T09:12:41Z', '2024-10-14T09:12:41.000Z'],
    ['2018-10-08T14:05:45 +0000', '2018-10-08T14:05:45.000Z'],
    ['2009-12-03T04:24:21.000-05:00', '2009-12-03T09:24:21.000Z'],
  ])('%s → %s', (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it.each(['yesterday', '', '14/10/2024'])('rejects %j', (input) => {
    expect(parseTimestamp(input)).toBeNull();
  });
});

describe('parsing the shared samples', () => {
  it('every NN-*.json sample parses: Bounce/Complaint/Delivery processed, DeliveryDelay ignored', async () => {
    // Prepare
    const files = (await readdir(FIXTURES)).filter((f) => /^\d\d-.*\.json$/.test(f)).sort();

    // Act
    const parsed = await Promise.all(
      files.map(async (f) => [f, parseSesDocument(JSON.parse(await read(f)))] as const),
    );

    // Assess
    expect(files).toHaveLength(17);
    for (const [file, result] of parsed) {
      if (file.startsWith('16-'))
        expect(result).toEqual({ kind: 'ignored', eventType: 'DeliveryDelay', snsMessageId: null });
      else expect(result.kind, file).toBe('notification');
    }
  });

  it('the Lambda SNS records and the HTTP envelope carry the same notification', async () => {
    const fromRecord = parseMessageBody(
      await envelopeOf('sns-lambda-event-01-bounce-permanent-general.json'),
    );
    const fromEnvelope = parseMessageBody(await read('sns-http-notification-01.json'));
    const bare = parseMessageBody(await read('01-bounce-permanent-general-gmail-5.1.1.json'));

    expect(fromRecord).toEqual(fromEnvelope);
    expect(fromRecord.snsMessageId).toBe('5f1c0e9a-2b7d-5c3e-9f41-7a8b6c5d4e3f');
    expect(bare.kind === 'notification' && fromRecord.kind === 'notification').toBe(true);
    if (bare.kind === 'notification' && fromRecord.kind === 'notification') {
      expect(bare.notification).toEqual(fromRecord.notification);
    }
  });

  it('event publishing: Message with a trailing newline, eventType format, configuration set from tags', async () => {
    const result = parseMessageBody(
      await envelopeOf('sns-lambda-event-12-event-publishing-bounce.json', 'id'),
    );

    expect(result).toMatchObject({
      kind: 'notification',
      notification: { type: 'bounce', format: 'event', mail: { configurationSet: 'bounce-tracking' } },
    });
  });

  it('complaint keeps an explicit null subtype; delivery without date/messageId headers parses', async () => {
    const complaint = parseSesDocument(JSON.parse(await read('10-complaint-abuse.json')));
    const delivery = parseSesDocument(JSON.parse(await read('11-delivery.json')));

    expect(complaint).toMatchObject({
      notification: { complaint: { complaintSubType: null, feedbackType: 'abuse' } },
    });
    expect(delivery).toMatchObject({
      notification: { delivery: { recipients: ['happy.customer@gmail.com'], processingTimeMillis: 1959 } },
    });
  });

  it('an SNS SubscriptionConfirmation is ignored explicitly', async () => {
    expect(parseMessageBody(await read('sns-http-subscription-confirmation.json'))).toMatchObject({
      kind: 'ignored',
      eventType: 'SNS SubscriptionConfirmation',
    });
  });

  it.each(['Send', 'Reject', 'Open', 'Click', 'Rendering Failure', 'Subscription'])(
    'event type %s is ignored, not rejected',
    (eventType) => {
      expect(parseSesDocument({ eventType, mail: {} })).toEqual({
        kind: 'ignored',
        eventType,
        snsMessageId: null,
      });
    },
  );
});

describe('rejections carry a specific reason', () => {
  const valid = { notificationType: 'Bounce' };
  it.each([
    ['not JSON', '{oops', 'not-json', 'the body is not JSON'],
    ['a JSON array', '[1,2]', 'not-an-object', 'the SES message is not a JSON object'],
    ['not SES', '{"hello":"world"}', 'not-ses', 'neither notificationType nor eventType'],
    [
      'an envelope without Message',
      '{"Type":"Notification","MessageId":"x"}',
      'invalid-sns-envelope',
      'Message',
    ],
    [
      'an envelope whose Message is not JSON',
      '{"Type":"Notification","MessageId":"x","Message":"<html>"}',
      'not-json',
      'the SNS Message is not JSON',
    ],
    ['a bounce without mail', JSON.stringify(valid), 'missing-or-invalid-fields', 'mail'],
  ])('%s', (_, body, code, detail) => {
    const result = parseMessageBody(body);
    expect(result.kind).toBe('rejected');
    if (result.kind === 'rejected') {
      expect(result.rejection.code).toBe(code);
      expect(result.rejection.detail).toContain(detail);
    }
  });

  it('names the missing field without echoing values', async () => {
    // Prepare
    const document = JSON.parse(await read('01-bounce-permanent-general-gmail-5.1.1.json'));
    delete document.bounce.feedbackId;
    document.mail.messageId = '';
    document.bounce.bouncedRecipients[0].emailAddress = 'secret@example.com';
    document.bounce.bounceType = 42;

    // Act
    const result = parseSesDocument(document);

    // Assess
    expect(result.kind).toBe('rejected');
    if (result.kind !== 'rejected') return;
    expect(result.rejection.detail).toContain('bounce.feedbackId');
    expect(result.rejection.detail).toContain('mail.messageId');
    expect(result.rejection.detail).not.toContain('secret@example.com');
  });

  it('takes the event time from bounce.timestamp when mail.timestamp is malformed, and rejects when neither is a time', async () => {
    // Prepare
    const document = JSON.parse(await read('01-bounce-permanent-general-gmail-5.1.1.json'));
    document.mail.timestamp = 'secret@example.com';
    const neither = structuredClone(document);
    neither.bounce.timestamp = 'yesterday';

    // Act
    const result = parseSesDocument(document);
    const rejected = parseSesDocument(neither);

    // Assess
    expect(result.kind === 'notification' && result.notification.type === 'bounce').toBe(true);
    if (result.kind === 'notification' && result.notification.type === 'bounce') {
      expect(result.notification.bounce.timestamp).toBe(document.bounce.timestamp);
      expect(result.notification.mail.timestamp).toBeNull();
    }
    expect(rejected).toMatchObject({
      kind: 'rejected',
      rejection: {
        code: 'missing-or-invalid-fields',
        detail: 'bounce.timestamp and mail.timestamp: neither is a timestamp',
      },
    });
    expect(JSON.stringify(rejected)).not.toContain('secret@example.com');
  });

  it('a malformed optional field is dropped, never rejecting the message', async () => {
    const document = JSON.parse(await read('01-bounce-permanent-general-gmail-5.1.1.json'));
    document.mail.commonHeaders = 'garbage';
    document.bounce.remoteMtaIp = 42;
    document.someNewSesField = { anything: true };

    const result = parseSesDocument(document);

    expect(result).toMatchObject({ kind: 'notification', notification: { mail: { subject: null } } });
  });
});

describe('recipient events', () => {
  const classify = () =>
    ({
      verdict: 'hard',
      category: 'unknown-recipient',
      blame: 'recipient',
      suppress: true,
      code: null,
      codeTitle: null,
      evidence: 't',
    }) as const;

  it('one event per bounced recipient, ids from type + feedbackId + normalized address', async () => {
    // Prepare
    const parsed = parseSesDocument(JSON.parse(await read('09-bounce-permanent-multiple-recipients.json')));
    if (parsed.kind !== 'notification') throw new Error('fixture must parse');

    // Act
    const { events, invalid } = buildRecipientEvents(parsed.notification, {
      recordedAt: '2026-11-26T00:00:00.000Z',
      snsMessageId: null,
      classify,
    });

    // Assess
    expect(invalid).toEqual([]);
    expect(events.map((e) => e.email)).toEqual([
      'former.employee@contoso.example',
      'old.alias@contoso.example',
      'shared.box@contoso.example',
    ]);
    expect(events[0]?.id).toBe(
      eventIdOf(
        'bounce|010001927c7b1f02-e7f80910-2a3b-4c4d-e6f7-08192a3b4c5d-000000|former.employee@contoso.example',
      ),
    );
    expect(events[0]?.emailDisplay).toBe('Former.Employee@Contoso.example');
  });

  it('the same mailbox listed twice (case variants) is one event', async () => {
    const document = JSON.parse(await read('01-bounce-permanent-general-gmail-5.1.1.json'));
    document.bounce.bouncedRecipients.push({ emailAddress: 'No.Such.User.8841@Gmail.com' });
    const parsed = parseSesDocument(document);
    if (parsed.kind !== 'notification') throw new Error('must parse');

    const { events } = buildRecipientEvents(parsed.notification, {
      recordedAt: 'x',
      snsMessageId: null,
      classify,
    });

    expect(events).toHaveLength(1);
  });

  it('delivery events are keyed by the SES message id', async () => {
    const parsed = parseSesDocument(JSON.parse(await read('11-delivery.json')));
    if (parsed.kind !== 'notification') throw new Error('must parse');

    const { events } = buildRecipientEvents(parsed.notification, {
      recordedAt: 'x',
      snsMessageId: null,
      classify,
    });

    expect(events[0]?.id).toBe(
      eventIdOf(
        'delivery|010001927d2c5b10-2b3c4d5e-6f70-4819-a2b3-c4d5e6f70819-000000|happy.customer@gmail.com',
      ),
    );
    expect(events[0]?.classification).toBeNull();
  });
});

describe('parsing never throws', () => {
  it('any string body yields a notification, an ignored event or a rejection with a reason', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc
            .jsonValue()
            .map((value) =>
              JSON.stringify({ Type: 'Notification', MessageId: 'x', Message: JSON.stringify(value) }),
            ),
          fc
            .record({
              notificationType: fc.constantFrom('Bounce', 'Complaint', 'Delivery', 'Open'),
              mail: fc.jsonValue(),
              bounce: fc.jsonValue(),
              complaint: fc.jsonValue(),
              delivery: fc.jsonValue(),
            })
            .map((value) => JSON.stringify(value)),
        ),
        (body) => {
          const result = parseMessageBody(body);
          if (result.kind === 'rejected') expect(result.rejection.detail.length).toBeGreaterThan(0);
          else expect(['notification', 'ignored']).toContain(result.kind);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('normalizeAddress never throws and its keys are lower-case without whitespace', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.emailAddress(),
          fc.emailAddress().map((e) => `Name <${e.toUpperCase()}>`),
        ),
        (raw) => {
          const result = normalizeAddress(raw);
          if (result.ok) {
            expect(result.address.email).toBe(result.address.email.toLowerCase());
            expect(result.address.email).not.toMatch(/\s/);
            expect(result.address.email.endsWith(`@${result.address.domain}`)).toBe(true);
          } else expect(result.reason.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps every ASCII address key as it was before IDNA canonicalization (existing items keep their keys)', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (raw) => {
        const result = normalizeAddress(raw);
        const at = raw.lastIndexOf('@');
        const before = `${raw.slice(0, at).toLowerCase()}@${raw
          .slice(at + 1)
          .replace(/\.$/, '')
          .toLowerCase()}`;
        expect(result.ok && result.address.email).toBe(before);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['user@bücher.example', 'user@xn--bcher-kva.example'],
    ['user@BU\u0308CHER.example', 'user@xn--bcher-kva.example'],
    ['USER@XN--BCHER-KVA.EXAMPLE', 'user@xn--bcher-kva.example'],
    ['jo\u0308se\u0301@exa\u0308mple.de', 'j\u00f6s\u00e9@xn--exmple-cua.de'],
    ['user+tag@bücher.example', 'user+tag@xn--bcher-kva.example'],
  ])('keys %s as %s', (raw, key) => {
    expect(normalizeAddress(raw)).toMatchObject({ ok: true, address: { email: key, display: raw } });
  });

  it.each([
    ['bücher.example', 'xn--bcher-kva.example'],
    ['XN--BCHER-KVA.example.', 'xn--bcher-kva.example'],
    ['example.com', 'example.com'],
    ['xn--zz.example', 'xn--zz.example'],
    ['bü\u0000cher.example', null],
  ])('canonicalDomain(%j) = %j', (domain, canonical) => {
    expect(canonicalDomain(domain)).toBe(canonical);
  });
});
