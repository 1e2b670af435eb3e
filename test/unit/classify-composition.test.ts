// Structural rules of issue #11's generalisation step (rules/composition.ts, rules/context.ts): the recipient's state
// composed from a clause, the sentence's subject decided structurally, session summaries never decisive. Each
// positive row is a real string of the corpus's tuning splits (v1, v2, v3) or of documented MTA behaviour, with its
// source; no rule here was written from a validation case.
import { describe, expect, it } from 'vitest';
import type { Category } from '../../lambdas/domain/classification.ts';
import { classifyBounce } from '../../lambdas/domain/classify.ts';
import { composeClauseState } from '../../lambdas/domain/classify-composition.ts';

type Expectation = readonly [string, string, Category, 'hard' | 'soft'];

describe('the recipient state, composed from a noun and a state in one clause', () => {
  it.each<Expectation>([
    // unseen-postmaster-pages.json (tuning): 01net's list of "User unknown" variants
    [
      "ERROR Mailbox doesn't exist",
      'https://01net.com/astuces/decryptez-votre-messagerie-272181.html',
      'unknown-recipient',
      'hard',
    ],
    [
      'smtp; 550-recipient@example.net is not an active address at this host (invalid FreeUK 550 username)',
      'Mail::DeliveryStatus::BounceParser t/corpus/user-unknown-not-active.msg (FreeUK)',
      'mailbox-disabled',
      'hard',
    ],
    [
      'recipient (User account is expired)',
      'BounceParser t/corpus/novell-no-rhs.msg (GroupWise, no code)',
      'mailbox-disabled',
      'soft',
    ],
    ['550 recipient e-mail adress unknown', 'strato.de FAQ (as written)', 'unknown-recipient', 'hard'],
    ['user not known', 'icoremail.vip (Coremail bounce tips)', 'unknown-recipient', 'hard'],
    [
      "local server don't exists that user",
      'icoremail.vip (Coremail, as written)',
      'unknown-recipient',
      'hard',
    ],
    ['Bad recipient address syntax', 'icoremail.vip (Coremail)', 'unknown-recipient', 'hard'],
    ['not user of this server', 'icoremail.vip (Coremail)', 'unknown-recipient', 'hard'],
    [
      'User ***@163.net is disabled',
      'help.szhot.com (no code: not reported as permanent)',
      'mailbox-disabled',
      'soft',
    ],
  ])('%s', (diagnosticCode, _source, category, verdict) => {
    expect(classifyBounce({ diagnosticCode })).toMatchObject({ category, verdict });
    expect(classifyBounce({ diagnosticCode }).evidence).toMatch(/^clause rule recipient-state-/);
  });

  it('reads the noun and the state on either side of an address ("User [x] does not exist")', () => {
    // The corpus's "smtp; 550 User [recipient@example.net] does not exist" (BounceParser doesnotexist.msg) is a phrase
    // rule's; the composition reads the same sentence with the address's dots not cutting the clause.
    expect(composeClauseState('550 User [someone@example.co.uk] does not exist')).toMatchObject({
      category: 'unknown-recipient',
    });
    expect(composeClauseState('550 Odbiorca <someone@example.pl> nie istnieje')).toMatchObject({
      category: 'unknown-recipient',
    });
  });

  it.each([
    // The subject is the sending side: Postfix "Sender address rejected", Mail.ru's sender-side block, a login
    ['550 5.1.0 Sender address rejected: address unknown', 'a sender clause'],
    ['550 message sending for this account is disabled', '"sending" names the sender'],
    ['535 Invalid user name or password', 'a login, not a mailbox'],
    // The noun names something else: an IP address, the recipient's host
    ['550 Invalid IP address', 'an IP address'],
    ['421 Connection closed by recipient host', "the recipient's host"],
    // The state qualifies something else
    ['451 4.3.0 unknown error processing recipient', '"unknown error"'],
    // A session summary: "recipients" of the session, no state of one recipient
    ['554 5.5.1 Error: no valid recipients', 'a session summary'],
  ])('does not compose %s (%s)', (text) => {
    expect(composeClauseState(text)).toBeNull();
  });

  it("reads the recipient's domain as a domain, not as the mailbox (round 6: the domain is a subject of its own)", () => {
    expect(composeClauseState('550 recipient domain unknown')?.category).toBe('unknown-domain');
    expect(composeClauseState('550 Recipient address rejected: Domain unknown')?.category).toBe(
      'unknown-domain',
    );
  });

  it('keeps a state the clause calls temporary soft', () => {
    const state = composeClauseState('450 user account temporarily disabled');
    expect(state).toMatchObject({ category: 'mailbox-disabled', transient: true });
    expect(
      classifyBounce({ diagnosticCode: '550 user account temporarily disabled, try later' }).verdict,
    ).toBe('soft');
  });

  it('decides after phrase rules and a specific code, not before', () => {
    // A specific code decides first: 5.2.2 is a full mailbox whatever the clause says
    expect(classifyBounce({ diagnosticCode: '552 5.2.2 user is not active' }).category).toBe('mailbox-full');
    // A reply at MAIL FROM is about the sender, composed or not
    expect(
      classifyBounce({ diagnosticCode: '550 user not known (in reply to MAIL FROM command)' }).category,
    ).toBe('sender-rejected');
  });
});

describe("the mailbox's capacity and the message's size, composed the same way", () => {
  it.each<Expectation>([
    [
      'SMTP; 422 Mailbox quota usage exceeded',
      'voku/PHPMailer-BMH rule sample (tuning)',
      'mailbox-full',
      'soft',
    ],
    [
      'smtp; 552 Account(s) <agrisa@one.lv> does not have enough space',
      'crazy-max/CwsMailBounceHandler tests/emls/bounce_500_007.eml (one.lv)',
      'mailbox-full',
      'soft',
    ],
    [
      '552 Message body is too big',
      'riudoms.xarxa-omnia.org (Catalan help page)',
      'message-too-large',
      'soft',
    ],
    ['exceeded mailsize limit', 'emailhost.com.cn (bounce tips)', 'message-too-large', 'soft'],
  ])('%s', (diagnosticCode, _source, category, verdict) => {
    expect(classifyBounce({ diagnosticCode })).toMatchObject({ category, verdict, suppress: false });
  });

  it.each([
    ['421 4.7.0 Message rate limit exceeded', 'a sending rate, not a size'],
    ['550 5.7.1 The account has exceeded its daily sending limit', "the sender's limit"],
    ['452 4.2.2 daily quota exceeded for this sender', 'a sending quota'],
  ])('does not compose %s (%s)', (text) => {
    expect(composeClauseState(text)).toBeNull();
  });
});

describe("the sentence's subject: wording that names the sender's own account is never the recipient's", () => {
  it.each<Expectation>([
    [
      '550 message sending for this account is disabled',
      'Mail.ru: the sender\'s account blocked for spam (mailout.ru, "550 message sending for this account is disabled")',
      'sender-rejected',
      'soft',
    ],
    [
      '550 5.7.1 Your account has been disabled',
      'the bounce is read by the sender: "your account" is its own',
      'sender-rejected',
      'soft',
    ],
    [
      '535 5.7.8 Invalid user name or password',
      'SMTP AUTH failure (RFC 4954 535)',
      'sender-rejected',
      'soft',
    ],
  ])('%s', (diagnosticCode, _source, category, verdict) => {
    expect(classifyBounce({ diagnosticCode })).toMatchObject({ category, verdict, suppress: false });
  });

  it("leaves SES's own account-level suppression alone", () => {
    const c = classifyBounce({
      diagnosticCode:
        'Amazon SES did not send the message to this address because it is on the suppression list for your account.',
    });
    expect(c).toMatchObject({ category: 'ses-suppressed', suppress: true });
  });
});

describe('session summaries and locality', () => {
  it('a session summary alone says nothing about the address', () => {
    // Postfix smtpd answers DATA with this when every RCPT TO failed
    expect(classifyBounce({ diagnosticCode: '554 Error: no valid recipients' })).toMatchObject({
      verdict: 'soft',
      suppress: false,
    });
  });

  it.each<Expectation>([
    [
      'smtp; 550 No such domain at this location (recipient@example.net)',
      'Mail::DeliveryStatus::BounceParser t/corpus/no-such-domain.msg: the MX does not host the domain',
      'relay-denied',
      'soft',
    ],
    [
      '550 Requested action not taken: mailbox unavailable or is not local',
      'eomatica.gal: the address is not hosted on that server (RFC 5321 551 "user not local")',
      'relay-denied',
      'soft',
    ],
  ])('the domain not hosted at that MX: %s', (diagnosticCode, _source, category, verdict) => {
    expect(classifyBounce({ diagnosticCode })).toMatchObject({ category, verdict });
  });
});

describe('suppression on strong evidence only (issue #11, round 4: rules written from the v4 tuning half)', () => {
  it('reads "space not enough" as a full mailbox, not "not" as a negated noun', () => {
    // unseen-v4-mailman-bounces.json (tuning): JetMail's reason, Mailman 2 tests/bounces/bounce_01.txt
    const c = classifyBounce({
      diagnosticCode: 'dylan "(0), ErrMsg=mail box space not enough, account=dylan "',
    });
    expect(c).toMatchObject({ category: 'mailbox-full', verdict: 'soft', suppress: false });
    expect(c.evidence).toMatch(/^clause rule mailbox-state-full/);
    // "not enough" never negates the noun after it
    expect(composeClauseState('not enough account space')).not.toMatchObject({
      category: 'unknown-recipient',
    });
  });

  it.each([
    [
      '\tRecipient: [SMTP:userx@example.com]\n\tReason: Remote SMTP Server Returned: 550 Requested action not taken: mailbox unavailable or not local.',
      'unseen-v4-mailman-bounces.json (tuning): MailEnable, Mailman 2 tests/bounces/simple_41.txt',
    ],
    [
      'host mail.dublinia.ie[82.195.156.10] said: 550 Requested action not taken: mailbox unavailable or not local (in reply to RCPT TO command)',
      'unseen-postfix-logs.json (tuning): the same two readings at RCPT',
    ],
  ])(
    'does not suppress on "mailbox unavailable or not local" (a missing mailbox or a domain not hosted there): %s',
    (diagnosticCode) => {
      expect(classifyBounce({ diagnosticCode })).toMatchObject({ verdict: 'soft', suppress: false });
    },
  );

  it('keeps the plain Outlook.com "mailbox unavailable" a dead address', () => {
    // the corpus's tuning case (Exchange Online Protection's reply for an address the tenant does not host)
    expect(
      classifyBounce({
        diagnosticCode:
          'smtp;550 5.5.0 Requested action not taken: mailbox unavailable. [#.eop-nam12.prod.protection.outlook.com]',
      }),
    ).toMatchObject({ category: 'unknown-recipient', suppress: true });
  });

  it('does not suppress a docomo "Unknown user" whose phase is not known', () => {
    // unseen-issue-threads.json (tuning): note.com/sendmagic — NTT docomo answers so for a blocked sender too
    const unknownPhase = classifyBounce({ diagnosticCode: '550 Unknown user xxx@docomo.ne.jp' });
    expect(unknownPhase).toMatchObject({ category: 'undetermined', verdict: 'soft', suppress: false });
    // ...at RCPT it is the unknown address (bouncehammer examples/17-messages.eml), at DATA the domain filter
    const atRcpt =
      '... while talking to mfsmax.docomo.ne.jp.:\n>>> RCPT To:<recipient-address-does-not-exist@docomo.ne.jp>\n<<< 550 Unknown user recipient-address-does-not-exist@docomo.ne.jp';
    expect(classifyBounce({ diagnosticCode: atRcpt })).toMatchObject({
      category: 'unknown-recipient',
      suppress: true,
    });
    expect(
      classifyBounce({ diagnosticCode: '550 Unknown user xxx@docomo.ne.jp', smtpCommand: 'DATA' }),
    ).toMatchObject({ category: 'recipient-filtered', suppress: false });
  });
});
