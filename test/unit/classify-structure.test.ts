// The classifier's structural rules (issue #11), each on a real string with its source: the SMTP phase (from the
// text and from `smtpCommand`), the choice of the reply about this recipient, wording in context, and the generic
// refusal prefix of issue #14.
import { describe, expect, it } from 'vitest';
import { classifyBounce } from '../../lambdas/domain/classify.ts';
import { SMTP_COMMANDS } from '../../lambdas/domain/rules/index.ts';

const SISIMAI = 'sisimai/rb-sisimai set-of-emails/maildir/bsd';

describe('the SMTP phase read from the text', () => {
  it.each([
    [
      `${SISIMAI}/email-exim-51.eml`,
      '5.1.0',
      'host mail2.example.org [192.0.2.222] SMTP error from remote mail server after MAIL FROM:<sironeko-nyaan@neko.example.com> SIZE=1022: 553 5.1.0 neko22nyaan neko.example.com does not exist E2110',
      'MAIL',
      'sender-rejected',
    ],
    [
      `${SISIMAI}/email-exim-36.eml`,
      null,
      'host mail.example.edu [192.0.2.222] SMTP error from remote mail server after MAIL FROM:<sironeko-nyaan@neko.example.com> SIZE=1024: 550 Unroutable sender address',
      'MAIL',
      'sender-rejected',
    ],
    [
      'https://github.com/initLab/initLab/issues/87',
      '5.7.1',
      'host marla.ludost.net[79.98.105.18] said: 554 5.7.1 <bordjukov@<cutout>>: Relay access denied (in reply to RCPT TO command)',
      'RCPT',
      'relay-denied',
    ],
    [
      `${SISIMAI}/courier-02.eml`,
      '5.0.0',
      'mfsmax.example.jp [192.0.2.45]: >>> DATA <<< 550 Unknown user kijitora@example.jp',
      'DATA',
      'recipient-filtered',
    ],
  ])('%s: %s', (_source, status, diagnosticCode, phase, category) => {
    // Act
    const c = classifyBounce({ status, diagnosticCode, bounceType: 'Permanent' });
    // Assess
    expect(c).toMatchObject({ category, verdict: 'soft', suppress: false });
    expect(c.evidence).toContain(`SMTP phase ${phase} (from the text)`);
  });

  it('a "does not exist" after MAIL FROM is the sender\'s own address: soft, blamed on the sender', () => {
    const c = classifyBounce({
      status: '5.1.0',
      diagnosticCode:
        'SMTP error from remote mail server after MAIL FROM:<sironeko-nyaan@neko.example.com> SIZE=1022: 553 5.1.0 neko22nyaan neko.example.com does not exist E2110',
    });
    expect(c).toMatchObject({ category: 'sender-rejected', blame: 'sender', suppress: false });
  });

  it('"user unknown" at DATA stays a dead address when an X.1.1 code says so', () => {
    // sisimai set-of-emails email-courier-01.eml, the reply as given at DATA
    const c = classifyBounce({
      status: '5.0.0',
      diagnosticCode: '>>> DATA <<< 550 5.1.1 <kijitora@example.co.jp>... User Unknown',
      bounceType: 'Permanent',
    });
    expect(c).toMatchObject({ category: 'unknown-recipient', verdict: 'hard', suppress: true });
    expect(c.evidence).toContain('SMTP phase DATA');
  });
});

describe('no phase carried over from the previous call', () => {
  it('a record without text after one that named a phase shows no phase', () => {
    classifyBounce({
      diagnosticCode:
        'host mail.example.edu [192.0.2.222] SMTP error from remote mail server after MAIL FROM:<sironeko-nyaan@neko.example.com> SIZE=1024: 550 Unroutable sender address',
    });
    const c = classifyBounce({ status: '5.1.1', bounceType: 'Permanent' });
    expect(c).toMatchObject({ category: 'unknown-recipient', verdict: 'hard' });
    expect(c.evidence).not.toContain('SMTP phase');
  });
});

describe('the smtpCommand input field', () => {
  // sisimai set-of-emails email-exim-51.eml: the reply alone, its phase given as a field (as sisimai reports it).
  const reply = '553 5.1.0 neko22nyaan neko.example.com does not exist E2110';

  it('without it the reply reads as a dead recipient', () => {
    expect(classifyBounce({ status: '5.1.0', diagnosticCode: reply })).toMatchObject({
      category: 'unknown-recipient',
      verdict: 'hard',
    });
  });

  it.each([
    ['MAIL', 'sender-rejected'],
    ['mail', 'sender-rejected'],
    [' Mail ', 'sender-rejected'],
    ['EHLO', 'sender-blocked'],
    ['helo', 'sender-blocked'],
    ['CONN', 'sender-blocked'],
  ])('%s: the reply came before any recipient was named → %s', (smtpCommand, category) => {
    const c = classifyBounce({ status: '5.1.0', diagnosticCode: reply, smtpCommand });
    expect(c).toMatchObject({ category, verdict: 'soft', suppress: false });
    expect(c.evidence).toContain(
      `SMTP phase ${SMTP_COMMANDS[smtpCommand.trim().toUpperCase()]} (smtpCommand)`,
    );
  });

  it('RCPT keeps the recipient reading', () => {
    const c = classifyBounce({ status: '5.1.0', diagnosticCode: reply, smtpCommand: 'RCPT' });
    expect(c).toMatchObject({ category: 'unknown-recipient', verdict: 'hard', suppress: true });
    expect(c.evidence).toContain('SMTP phase RCPT (smtpCommand)');
  });

  it('overrides the phase written in the text', () => {
    const c = classifyBounce({
      status: '5.0.0',
      diagnosticCode: 'mfsmax.example.jp [192.0.2.45]: >>> DATA <<< 550 Unknown user kijitora@example.jp',
      smtpCommand: 'RCPT',
    });
    expect(c).toMatchObject({ category: 'unknown-recipient', verdict: 'hard' });
  });

  it.each([['FOO'], ['']])('an unknown command %j is ignored and said so', (smtpCommand) => {
    const c = classifyBounce({ status: '5.1.0', diagnosticCode: reply, smtpCommand });
    expect(c).toMatchObject({ category: 'unknown-recipient', verdict: 'hard' });
    expect(c.evidence).toContain('ignored smtpCommand');
  });
});

describe('the reply about this recipient', () => {
  it('follow-on session replies do not override it (Sendmail transcript with pipelining)', () => {
    // sisimai set-of-emails email-sendmail-01.eml (the transcript lines as Sendmail writes them)
    const c = classifyBounce({
      status: '5.1.1',
      diagnosticCode:
        '... while talking to mx.bouncehammer.jp.:\n>>> DATA\n<<< 550 5.1.1 <userunknown@bouncehammer.jp>... User Unknown\n550 5.1.1 <userunknown@bouncehammer.jp>... User unknown\n<<< 503 5.0.0 Need RCPT (recipient)',
    });
    expect(c).toMatchObject({ category: 'unknown-recipient', verdict: 'hard', code: '5.1.1' });
  });

  it('a reply quoted inside another is its cause, not a follow-on (Proofpoint)', () => {
    // ActiveCampaign/smtp-field-manual data/codes/421.json (Proofpoint)
    const c = classifyBounce({
      status: '4.1.1',
      diagnosticCode:
        'smtp;421 4.1.1 <email@example.com>: Recipient address rejected: unverified address: host example.com[x.xx.xx.xx] said: 450 4.1.1 <email@example.com>: Recipient address rejected: unverified address: lost connection with mail.example.com[x.xx.xx.xx] while sending RCPT TO (in reply to RCPT TO command)',
    });
    expect(c.category).toBe('network-error');
  });
});

describe('words in context', () => {
  it('a reply naming both an unknown user and a full mailbox is not a dead address', () => {
    // https://github.com/sisimai/p5-sisimai/issues/66 (latinmail.com, Spanish: "unknown recipient or mailbox full")
    const c = classifyBounce({
      status: '5.0.900',
      bounceType: 'Permanent',
      diagnosticCode:
        'SMTP error from remote mail server after RCPT TO:<sachp@latinmail.com>: host mx1.latinmail.com [62.37.236.140]: 550 <sachp@latinmail.com>: Destinatario desconocido o mailbox lleno',
    });
    expect(c).toMatchObject({ category: 'undetermined', verdict: 'soft', suppress: false });
    expect(c.evidence).toContain('other possible causes');
  });

  it('a list of possible causes is not a report (Google Groups, Japanese)', () => {
    // sisimai/p5-sisimai set-of-emails/maildir/bsd/lhost-googlegroups-01.eml
    const c = classifyBounce({
      bounceType: 'Permanent',
      diagnosticCode:
        '連絡しようとしたグループ（libsisimai）が存在しないか、グループにメッセージを投稿する権限がない可能性があります。',
    });
    expect(c).toMatchObject({ category: 'undetermined', verdict: 'soft', suppress: false });
  });

  it('a text we cannot read is soft even when SES says Permanent; no text at all takes the label', () => {
    // sisimai/go-sisimai reason/02-includedin_test.go (Suspend sample)
    const unread = classifyBounce({
      status: '5.0.0',
      bounceType: 'Permanent',
      diagnosticCode: '550 5.0.0 Recipient suspend the service',
    });
    expect(unread).toMatchObject({ category: 'undetermined', verdict: 'soft', suppress: false });
    const none = classifyBounce({ status: '5.0.0', bounceType: 'Permanent' });
    expect(none).toMatchObject({ category: 'undetermined', verdict: 'hard', suppress: false });
  });
});

describe('issue #14: the generic refusal prefix alone', () => {
  it('"550 5.1.5 Recipient address rejected" is not evidence of a dead address', () => {
    // The recipient of a realistic SES Permanent/General bounce as issue #14 reports it.
    const c = classifyBounce({
      status: '5.1.5',
      action: 'failed',
      bounceType: 'Permanent',
      bounceSubType: 'General',
      diagnosticCode: 'smtp; 550 5.1.5 Recipient address rejected',
    });
    expect(c).toMatchObject({ category: 'undetermined', verdict: 'soft', suppress: false });
    expect(c.evidence).toContain('generic-refusal');
  });

  it('the prefix with its reason still decides by the reason', () => {
    // sisimai/go-sisimai reason/02-includedin_test.go (Postfix): the reason follows the prefix.
    const c = classifyBounce({
      status: '5.1.1',
      diagnosticCode:
        ': 550 5.1.1 <kijitora@example.jp>: Recipient address rejected: User unknown in local recipient table',
    });
    expect(c).toMatchObject({ category: 'unknown-recipient', verdict: 'hard', suppress: true });
  });

  it('an SES subtype or a weak code still outranks the bare prefix', () => {
    expect(
      classifyBounce({ bounceSubType: 'NoEmail', diagnosticCode: '550 Recipient address rejected' }).category,
    ).toBe('unknown-recipient');
    expect(
      classifyBounce({ status: '5.7.1', diagnosticCode: '554 5.7.1 Recipient address rejected' }).category,
    ).toBe('policy-violation');
  });
});
