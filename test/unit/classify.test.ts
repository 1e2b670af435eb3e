// classifyBounce: the verdict/suppress policy, SES's own labels, the 17 SES samples, and malformed input.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BounceInput,
  CATEGORIES,
  type Category,
  type Classification,
} from '../../lambdas/domain/classification.ts';
import { classifyBounce, MAX_SCANNED_CHARS } from '../../lambdas/domain/classify.ts';
import { CATEGORY_POLICY } from '../../lambdas/domain/rules/index.ts';

const SES_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'ses');
const DEAD_ADDRESS: readonly Category[] = [
  'unknown-recipient',
  'unknown-domain',
  'mailbox-moved',
  'domain-rejects-mail',
  'mailbox-disabled',
  'ses-suppressed',
];
const SENDER_SIDE: readonly Category[] = [
  'message-too-large',
  'content-rejected',
  'sender-blocked',
  'sender-authentication',
  'sender-rejected',
  'rate-limited',
];

interface Recipient extends BounceInput {
  emailAddress: string;
}

function bouncedRecipients(file: string): { input: BounceInput; email: string }[] {
  const doc = JSON.parse(readFileSync(join(SES_FIXTURES, file), 'utf8')) as {
    bounce?: { bounceType: string; bounceSubType: string; bouncedRecipients: Recipient[] };
  };
  if (!doc.bounce) return [];
  const { bounceType, bounceSubType } = doc.bounce;
  return doc.bounce.bouncedRecipients.map(({ emailAddress, ...dsn }) => ({
    email: emailAddress,
    input: { bounceType, bounceSubType, ...dsn },
  }));
}

function expectWellFormed(c: Classification): void {
  expect(CATEGORIES).toContain(c.category);
  expect(['hard', 'soft']).toContain(c.verdict);
  expect(['recipient', 'sender', 'unknown']).toContain(c.blame);
  expect(typeof c.suppress).toBe('boolean');
  expect(c.evidence.length).toBeGreaterThan(0);
  expect(c.evidence).not.toMatch(/^classifier error/);
  expect(c.suppress).toBe(c.verdict === 'hard' && DEAD_ADDRESS.includes(c.category));
}

describe('the SES samples (per-recipient expectations of ../shared/samples/README.md)', () => {
  const cases: [string, string, Partial<Classification>][] = [
    ['01', 'no.such.user.8841@gmail.com', { verdict: 'hard', category: 'unknown-recipient', suppress: true }],
    ['02', 'ghost.account@yahoo.com', { verdict: 'hard', category: 'unknown-recipient', suppress: true }],
    ['03', 'bounced.before@example.net', { verdict: 'hard', category: 'ses-suppressed' }],
    ['04', 'Jane Roe <Jane.Roe@Example.org>', { verdict: 'hard', category: 'ses-suppressed' }],
    ['05', 'full.inbox@gmail.com', { verdict: 'soft', category: 'mailbox-full', suppress: false }],
    ['06', 'reports@corp.example.com', { verdict: 'soft', category: 'message-too-large', suppress: false }],
    [
      '07',
      'procurement@supplier.example',
      { verdict: 'soft', category: 'content-rejected', suppress: false },
    ],
    ['08', 'someone@legacy-host.example', { verdict: 'soft', category: 'undetermined', suppress: false }],
    [
      '09',
      'Former.Employee@Contoso.example',
      { verdict: 'hard', category: 'unknown-recipient', suppress: true },
    ],
    ['09', 'old.alias@contoso.example', { verdict: 'hard', category: 'undetermined', suppress: false }],
    ['09', 'shared.box@contoso.example', { verdict: 'soft', suppress: false }],
    [
      '12',
      'left.the.company@fabrikam.example',
      { verdict: 'hard', category: 'unknown-recipient', suppress: true },
    ],
    ['13', 'dead.mailbox@example.co.uk', { verdict: 'hard', category: 'undetermined', suppress: false }],
    ['14', 'typo.user@gmail.ocm', { verdict: 'hard', category: 'unknown-domain', suppress: true }],
    ['15', 'info@unreachable-mx.example', { verdict: 'soft', category: 'expired', suppress: false }],
  ];
  const files = readdirSync(SES_FIXTURES).filter((f) => /^\d\d-.*\.json$/.test(f));

  it.each(cases)('sample %s, %s', (prefix, email, expected) => {
    // Prepare
    const file = files.find((f) => f.startsWith(`${prefix}-`)) as string;
    const recipient = bouncedRecipients(file).find((r) => r.email === email);
    expect(recipient).toBeDefined();
    // Act
    const c = classifyBounce(recipient?.input ?? {});
    // Assess
    expect(c).toMatchObject(expected);
    expectWellFormed(c);
  });

  it('covers every bounced recipient of every sample, and the non-bounce samples have none', () => {
    const all = files.flatMap((f) => bouncedRecipients(f).map((r) => `${f.slice(0, 2)} ${r.email}`));
    expect(all.sort()).toEqual(cases.map(([p, e]) => `${p} ${e}`).sort());
    expect(files).toHaveLength(17);
  });

  it('never suppresses the destination that did not bounce (sample 09)', () => {
    const emails = bouncedRecipients(files.find((f) => f.startsWith('09-')) as string).map((r) => r.email);
    expect(emails).not.toContain('ceo@contoso.example');
  });
});

describe('evidence order: specific wording beats a generic or contradicting code', () => {
  it.each<[string, BounceInput, Category, 'hard' | 'soft']>([
    [
      'Yandex "No such user" under 5.7.1',
      { status: '5.7.1', diagnosticCode: 'smtp; 550 5.7.1 No such user!' },
      'unknown-recipient',
      'hard',
    ],
    [
      'rate wording under 5.1.1',
      { status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 <a@b.example>: too many recipients this hour' },
      'rate-limited',
      'soft',
    ],
    [
      '552 5.2.2 is a full mailbox, soft (RFC 3463: X.2.2 is persistent transient)',
      { status: '5.2.2', diagnosticCode: 'smtp; 552 5.2.2 Mailbox full', bounceType: 'Permanent' },
      'mailbox-full',
      'soft',
    ],
    [
      'a bare 5.2.2 is still soft',
      { status: '5.2.2', bounceType: 'Permanent', bounceSubType: 'General' },
      'mailbox-full',
      'soft',
    ],
  ])('%s', (_name, input, category, verdict) => {
    const c = classifyBounce(input);
    expect(c.category).toBe(category);
    expect(c.verdict).toBe(verdict);
    expect(c.evidence).toMatch(/^text rule |^code /);
  });

  it('recovers a more specific code from the text when status is generic', () => {
    const c = classifyBounce({
      status: '5.0.0',
      diagnosticCode: 'smtp; 550 5.1.1 <x@y.example>: recipient unknown',
    });
    expect(c.code).toBe('5.1.1');
    expect(c.codeTitle).toBe('Bad destination mailbox address');
  });

  it('reads Gmail continuation lines ("550-5.1.1") when status is missing', () => {
    const c = classifyBounce({
      diagnosticCode: 'smtp; 550-5.1.1 Please try\n550-5.1.1 double-checking\n550 5.1.1 gsmtp',
    });
    expect(c.code).toBe('5.1.1');
    expect(c).toMatchObject({ category: 'unknown-recipient', verdict: 'hard', suppress: true });
  });

  it('reads wording that wraps across continuation lines', () => {
    const c = classifyBounce({
      diagnosticCode:
        "550-5.7.1 [192.0.2.1] The IP you're using to send mail is not authorized\r\n550-5.7.1 to send email directly to our servers.",
    });
    expect(c).toMatchObject({ category: 'sender-blocked', code: '5.7.1' });
  });

  it('keeps a specific status over a different code inside the text', () => {
    const c = classifyBounce({
      status: '4.4.7',
      diagnosticCode:
        'smtp; 554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>',
    });
    expect(c).toMatchObject({ code: '4.4.7', category: 'expired', verdict: 'soft' });
  });

  it('reports a nested reason that says more than the expiry', () => {
    const c = classifyBounce({
      status: '4.4.7',
      diagnosticCode:
        'smtp; 554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints>',
    });
    expect(c).toMatchObject({
      category: 'sender-blocked',
      blame: 'sender',
      verdict: 'soft',
      suppress: false,
    });
  });

  it('treats Microsoft 5.4.1 "Recipient address rejected: Access denied" as a missing recipient, but not the same words under 5.7.1', () => {
    const text = 'Recipient address rejected: Access denied';
    expect(classifyBounce({ status: '5.4.1', diagnosticCode: `smtp; 550 5.4.1 ${text}` }).category).toBe(
      'unknown-recipient',
    );
    expect(
      classifyBounce({ status: '5.7.1', diagnosticCode: `smtp; 554 5.7.1 <a@b.example>: ${text}` }).category,
    ).toBe('policy-violation');
  });
});

describe('SES labels are a hint and the fallback', () => {
  it.each<[string, string, Category, 'hard' | 'soft']>([
    ['Permanent', 'OnAccountSuppressionList', 'ses-suppressed', 'hard'],
    ['Permanent', 'Suppressed', 'ses-suppressed', 'hard'],
    ['Permanent', 'NoEmail', 'unknown-recipient', 'hard'],
    ['Transient', 'MailboxFull', 'mailbox-full', 'soft'],
    ['Transient', 'MessageTooLarge', 'message-too-large', 'soft'],
    ['Transient', 'ContentRejected', 'content-rejected', 'soft'],
    ['Transient', 'AttachmentRejected', 'content-rejected', 'soft'],
    ['Transient', 'General', 'undetermined', 'soft'],
    ['Undetermined', 'Undetermined', 'undetermined', 'soft'],
    ['Permanent', 'General', 'undetermined', 'hard'],
  ])('%s/%s with nothing else to read', (bounceType, bounceSubType, category, verdict) => {
    const c = classifyBounce({ bounceType, bounceSubType });
    expect(c).toMatchObject({ category, verdict });
    expectWellFormed(c);
  });

  it('accepts SES labels in other casings (SESv2 writes PERMANENT)', () => {
    expect(classifyBounce({ bounceType: 'PERMANENT', bounceSubType: 'noemail' })).toMatchObject({
      category: 'unknown-recipient',
      verdict: 'hard',
    });
    expect(
      classifyBounce({ bounceType: ' transient ', bounceSubType: 'MAILBOXFULL', status: '5.0.0' }),
    ).toMatchObject({
      category: 'mailbox-full',
      verdict: 'soft',
    });
    expect(classifyBounce({ bounceType: 'permanent' })).toMatchObject({
      category: 'undetermined',
      verdict: 'hard',
    });
  });

  it('does not suppress on SES Permanent/General alone: nothing says the address is dead', () => {
    const c = classifyBounce({ bounceType: 'Permanent', bounceSubType: 'General' });
    expect(c.suppress).toBe(false);
    expect(c.evidence).toContain('SES labelled it Permanent');
  });

  it('SES suppression wins over any code or text', () => {
    const c = classifyBounce({
      bounceType: 'Permanent',
      bounceSubType: 'OnAccountSuppressionList',
      status: '4.2.2',
      diagnosticCode: 'mailbox full',
    });
    expect(c).toMatchObject({
      category: 'ses-suppressed',
      verdict: 'hard',
      suppress: true,
      blame: 'recipient',
    });
  });

  it('a 5.x code outranks SES calling it Transient (dead domain reported as Transient)', () => {
    const c = classifyBounce({ bounceType: 'Transient', bounceSubType: 'General', status: '5.4.4' });
    expect(c).toMatchObject({ category: 'unknown-domain', verdict: 'hard', suppress: true });
    expect(c.evidence).toContain('SES said Transient');
  });

  it('a 4.x code keeps a dead-address category soft even when SES says Permanent', () => {
    const c = classifyBounce({
      bounceType: 'Permanent',
      status: '4.1.1',
      diagnosticCode:
        'smtp; 450 4.1.1 <a@b.example>: Recipient address rejected: User unknown in local recipient table',
    });
    expect(c).toMatchObject({ category: 'unknown-recipient', verdict: 'soft', suppress: false });
    expect(c.evidence).toContain('reported as transient');
  });

  it('action "delayed" is never hard, whatever the text says', () => {
    const c = classifyBounce({
      bounceType: 'Permanent',
      action: 'delayed',
      status: '5.1.1',
      diagnosticCode: 'smtp; 550 5.1.1 user unknown',
    });
    expect(c).toMatchObject({ category: 'unknown-recipient', verdict: 'soft', suppress: false });
    expect(c.evidence).toContain('action delayed');
  });

  it('wording that says "temporarily" keeps a disabled mailbox soft under a 5.x code', () => {
    const c = classifyBounce({
      status: '5.2.1',
      diagnosticCode: '550 5.2.1 This account has been temporarily suspended',
    });
    expect(c).toMatchObject({ category: 'mailbox-disabled', verdict: 'soft', suppress: false });
  });

  it('a disabled mailbox with no sign of permanence is soft', () => {
    const c = classifyBounce({ diagnosticCode: 'This mailbox is disabled' });
    expect(c).toMatchObject({ category: 'mailbox-disabled', verdict: 'soft', suppress: false });
  });
});

describe('verdict, blame and suppress invariants', () => {
  // One input per category, so every category's policy is exercised through classifyBounce itself.
  const perCategory: Record<Category, BounceInput> = {
    'unknown-recipient': { status: '5.1.1' },
    'unknown-domain': { status: '5.1.2' },
    'mailbox-moved': { status: '5.1.6' },
    'domain-rejects-mail': { status: '5.1.10' },
    'mailbox-disabled': { status: '5.2.1' },
    'mailbox-full': { status: '5.2.2' },
    'recipient-filtered': { diagnosticCode: '550 You have been blocked by the recipient' },
    'message-too-large': { status: '5.3.4' },
    'content-rejected': { status: '5.6.1' },
    'policy-violation': { status: '5.7.1' },
    'sender-blocked': { status: '5.7.25' },
    'sender-authentication': { status: '5.7.26' },
    'sender-rejected': { status: '5.1.8' },
    'relay-denied': { diagnosticCode: '554 5.7.1 Relay access denied' },
    'rate-limited': { status: '4.5.3' },
    greylisted: { diagnosticCode: '450 4.2.0 Greylisted, see postgrey' },
    expired: { status: '4.4.7' },
    'network-error': { status: '4.4.1' },
    'remote-system-error': { status: '4.3.1' },
    'protocol-error': { status: '5.5.2' },
    'security-error': { status: '5.7.8' },
    'ses-suppressed': { bounceSubType: 'OnAccountSuppressionList' },
    undetermined: {},
  };

  it('has a policy and a reachable input for every category', () => {
    expect(Object.keys(CATEGORY_POLICY).sort()).toEqual([...CATEGORIES].sort());
    expect(Object.keys(perCategory).sort()).toEqual([...CATEGORIES].sort());
  });

  it.each(CATEGORIES.map((category) => [category]))('%s', (category) => {
    for (const bounceType of [undefined, 'Permanent', 'Transient', 'Undetermined']) {
      const c = classifyBounce({ ...perCategory[category], bounceType });
      expect(c.category).toBe(category);
      expectWellFormed(c);
      if (c.suppress) {
        expect(c.verdict).toBe('hard');
        expect(c.blame).toBe('recipient');
      }
      if (c.blame === 'sender') expect(c.suppress).toBe(false);
      if (SENDER_SIDE.includes(category)) expect(c.blame).toBe('sender');
      if (c.verdict === 'hard') expect([...DEAD_ADDRESS, 'undetermined']).toContain(category);
      if (category === 'undetermined') expect(c.suppress).toBe(false);
    }
  });

  it('is deterministic and does not depend on the previous call', () => {
    const inputs: BounceInput[] = [
      { status: '5.1.1', diagnosticCode: '550 5.1.1 user unknown' },
      { diagnosticCode: 'x'.repeat(5000) },
      { status: '4.2.2', diagnosticCode: 'mailbox full' },
    ];
    const first = inputs.map(classifyBounce);
    const again = [...inputs].reverse().map(classifyBounce).reverse();
    expect(again).toEqual(first);
  });
});

describe('malformed input gives a clear result, never a throw', () => {
  const weird: [string, unknown][] = [
    ['empty object', {}],
    ['null', null],
    ['undefined', undefined],
    ['a string', 'smtp; 550 5.1.1 user unknown'],
    ['an array', [1, 2]],
    [
      'null fields',
      { status: null, diagnosticCode: null, bounceType: null, bounceSubType: null, action: null },
    ],
    ['numbers instead of strings', { status: 5.11, diagnosticCode: 550, bounceType: 1 }],
    ['objects instead of strings', { status: { a: 1 }, diagnosticCode: ['550 user unknown'] }],
    ['status "5.1"', { status: '5.1' }],
    ['status "9.9.9"', { status: '9.9.9' }],
    ['status "5.1.1.1"', { status: '5.1.1.1' }],
    ['status with 4-digit detail', { status: '5.1.1000' }],
    ['empty strings', { status: '', diagnosticCode: '', bounceType: '', bounceSubType: '', action: '' }],
    ['control characters', { diagnosticCode: '\u0000\u0001\u0002\u001b[31m550\u0007 \u007f' }],
    ['lone surrogates', { diagnosticCode: '\ud800\udc00\ud800 user unknown \udfff' }],
    ['a replacement character (non-UTF-8 input)', { diagnosticCode: '550 \ufffd\ufffd user unknown' }],
    ['only whitespace', { diagnosticCode: ' \n\t\r ' }],
    ['unknown SES labels', { bounceType: 'Weird', bounceSubType: 'FutureSubtype' }],
  ];

  it.each(weird)('%s', (_name, input) => {
    const c = classifyBounce(input as BounceInput);
    expectWellFormed(c);
  });

  it('keeps every invariant on arbitrary input (property-based)', () => {
    const words = fc.constantFrom(
      'user unknown',
      '550',
      '5.1.1',
      '4.2.2',
      'spf',
      'mailbox full',
      'temporarily',
      '\n',
      ' ',
    );
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc
        .array(fc.oneof(words, fc.string({ maxLength: 8 })), { maxLength: 30 })
        .map((parts) => parts.join(' ')),
    );
    const label = fc.option(
      fc.oneof(fc.constantFrom('Permanent', 'Transient', 'Undetermined', 'NoEmail'), fc.string()),
    );
    const status = fc.option(
      fc.oneof(
        fc
          .tuple(fc.integer({ min: 0, max: 9 }), fc.nat(1200), fc.nat(1200))
          .map(([a, b, c]) => `${a}.${b}.${c}`),
        fc.string({ maxLength: 12 }),
      ),
    );
    fc.assert(
      fc.property(
        fc.record({
          status,
          diagnosticCode: fc.option(text),
          bounceType: label,
          bounceSubType: label,
          action: label,
        }),
        (input) => {
          const c = classifyBounce(input);
          expectWellFormed(c);
          if (c.blame === 'sender') expect(c.suppress).toBe(false);
          if (c.verdict === 'hard') expect([...DEAD_ADDRESS, 'undetermined']).toContain(c.category);
          expect(classifyBounce(input)).toEqual(c);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('says why a malformed status was ignored', () => {
    for (const status of ['5.1', '9.9.9', 'abc']) {
      const c = classifyBounce({ status });
      expect(c).toMatchObject({ category: 'undetermined', code: null, codeTitle: null, suppress: false });
      expect(c.evidence).toContain(`ignored status "${status}"`);
    }
  });

  it('still reads wording through control characters and lone surrogates', () => {
    const c = classifyBounce({ diagnosticCode: '550\u0000 \ud800user\u0001unknown\udfff' });
    expect(c.category).toBe('undetermined');
    expect(classifyBounce({ diagnosticCode: '\ud800 550 user unknown \u0000' }).category).toBe(
      'unknown-recipient',
    );
  });

  it('reads only the head of a 10 MB diagnostic', () => {
    const head = 'smtp; 550 5.1.1 The email account that you tried to reach does not exist.';
    const huge = head + ' filler'.repeat(1_500_000);
    expect(huge.length).toBeGreaterThan(10_000_000);
    expect(classifyBounce({ diagnosticCode: huge })).toMatchObject({
      category: 'unknown-recipient',
      code: '5.1.1',
    });
    const tail = `${'x'.repeat(MAX_SCANNED_CHARS)} 550 5.1.1 user unknown`;
    expect(classifyBounce({ diagnosticCode: tail })).toMatchObject({ category: 'undetermined', code: null });
  });
});
