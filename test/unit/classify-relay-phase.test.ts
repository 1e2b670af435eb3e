// Issue #11: a reply given at MAIL FROM or earlier is never about the recipient, whatever its wording. Relay wording
// is `relay-denied` (blamed on the recipient's domain, counted toward the soft-bounce streak) only where a recipient
// can be its subject: at RCPT TO, or with no phase known. Before RCPT TO the server has seen no recipient, so it
// refuses the sender (hosting help pages list "the From address does not match the authenticated account" among the
// causes of "550 Relay Not Permitted"), and the answer must not count toward any streak. Found by a hand-written
// trial of the CLI (issue #11's closing note, stop 22).
import { describe, expect, it } from 'vitest';
import { classifyBounce } from '../../lambdas/domain/classify.ts';

// Webcentral's help page "Email Errors: 550 Relay Not Permitted" (support.webcentral.au): the reply as the page gives
// it, in Exim's report of a reply to MAIL FROM (the format of sisimai's email-exim-* set)
const EXIM_AFTER_MAIL_FROM = {
  diagnosticCode:
    'SMTP error from remote mail server after MAIL FROM:<news@sender.example> SIZE=2855: 550 Relay not permitted',
};
// Gordano knowledge base Q0475, "What does the error message "550 Mail Relay not allowed" mean?"
const GORDANO = '550 Mail Relay not allowed';
// crazydomains.sydney help "Email sending error - 550 Relay Not Permitted": its list of common messages
const RELAYING_DENIED = '550 5.7.1 Relaying denied';
// qmail-smtpd's rcpthosts refusal, given at RCPT TO: the recipient's MX does not host the domain (policy.ts)
const QMAIL_RCPTHOSTS = "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)";

describe('relay wording and the SMTP phase', () => {
  it('after MAIL FROM (Exim writes the phase): the sender is refused, not the recipient domain', () => {
    const c = classifyBounce(EXIM_AFTER_MAIL_FROM);
    expect(c).toMatchObject({
      category: 'sender-rejected',
      blame: 'sender',
      verdict: 'soft',
      suppress: false,
    });
    expect(c.evidence).toContain('SMTP phase MAIL (from the text)');
  });

  it.each([
    ['MAIL', 'sender-rejected'],
    ['HELO', 'sender-blocked'],
    ['CONN', 'sender-blocked'],
  ])('smtpCommand %s: %s', (smtpCommand, category) => {
    for (const diagnosticCode of [GORDANO, RELAYING_DENIED]) {
      const c = classifyBounce({ diagnosticCode, smtpCommand });
      expect(c, diagnosticCode).toMatchObject({ category, blame: 'sender', suppress: false });
      expect(c.evidence, diagnosticCode).toContain('before any recipient was named');
    }
  });

  it.each([
    ['RCPT', { diagnosticCode: QMAIL_RCPTHOSTS, smtpCommand: 'RCPT' }],
    ['no phase', { diagnosticCode: QMAIL_RCPTHOSTS }],
    ['no phase', { diagnosticCode: RELAYING_DENIED }],
  ])('at %s it stays the recipient domain: relay-denied', (_phase, input) => {
    expect(classifyBounce(input)).toMatchObject({
      category: 'relay-denied',
      blame: 'recipient',
      suppress: false,
    });
  });
});
