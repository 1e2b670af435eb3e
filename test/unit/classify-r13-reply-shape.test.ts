// Issue #11 round 13: when no wording names the SMTP phase, the reply's own shape can. A reply that opens with the verb
// of the command it answers ("501 EHLO ...") answers that command, and a basic code that an MTA gives to one phase only
// (Courier's 517, every one of them a MAIL FROM check) names that phase. Before RCPT TO a reply is about the sender,
// never the recipient (rules/phase.ts). The strings are tuning-split cases of the v8 batch, each with its source.
import { describe, expect, it } from 'vitest';
import { classifyBounce } from '../../lambdas/domain/classify.ts';

// hMailServer documentation, SMTP error messages: the EHLO name has bad syntax (the sending client's)
const HMAIL_EHLO = { diagnosticCode: '501 EHLO Invalid domain address.' };
// Courier MTA courier/submit.C checkdns (BOFHCHECKDNS): the SENDER's domain has no DNS, answered to MAIL FROM
const COURIER_SENDER_DOMAIN = {
  diagnosticCode:
    '517-Domain does not exist: example.org.\n517 Invalid domain, see <URL:https://www.ietf.org/rfc/rfc1035.txt>',
};
// Courier MTA courier/submit.C checkmx (BOFHCHECKHELO): the HELO name does not resolve to the client's address
const COURIER_HELO = { diagnosticCode: '517 HELO mail.example.org does not match 192.0.2.10' };

describe('the phase named by the shape of the reply (round 13)', () => {
  it('reads a reply that opens with EHLO as the answer to EHLO: about the sending host, never the recipient', () => {
    // Act
    const c = classifyBounce(HMAIL_EHLO);
    // Assess
    expect(c).toMatchObject({
      verdict: 'soft',
      category: 'sender-blocked',
      blame: 'sender',
      suppress: false,
    });
    expect(c.evidence).toContain('SMTP phase HELO (from the text)');
  });

  it("reads Courier's 517 as its answer to MAIL FROM: a domain that does not exist there is the sender's", () => {
    // Act
    const c = classifyBounce(COURIER_SENDER_DOMAIN);
    // Assess
    expect(c).toMatchObject({
      verdict: 'soft',
      category: 'sender-rejected',
      blame: 'sender',
      suppress: false,
    });
    expect(c.evidence).toContain('SMTP phase MAIL (from the text)');
  });

  it("reads Courier's 517 HELO check as sender-side", () => {
    expect(classifyBounce(COURIER_HELO)).toMatchObject({ category: 'sender-rejected', suppress: false });
  });

  it('lets smtpCommand, when given, name the phase before the shape does', () => {
    // Act
    const c = classifyBounce({ ...HMAIL_EHLO, smtpCommand: 'MAIL' });
    // Assess
    expect(c).toMatchObject({ category: 'sender-rejected', suppress: false });
    expect(c.evidence).toContain('SMTP phase MAIL (smtpCommand)');
  });

  it('reads no phase from an opening word that is not a command verb, nor from other reply codes', () => {
    // Zimbra LMTP NO_SUCH_USER; qmail's badhelo (an opening word of another length); a 5.5.1 protocol reply
    expect(classifyBounce({ diagnosticCode: '550 5.1.1 No such user here' })).toMatchObject({
      verdict: 'hard',
      category: 'unknown-recipient',
      suppress: true,
    });
    expect(
      classifyBounce({ diagnosticCode: '553 sorry, your HELO/EHLO greeting is in my badhelo list (#5.7.1)' }),
    ).toMatchObject({ category: 'sender-blocked', suppress: false });
    expect(classifyBounce({ diagnosticCode: '550 5.5.1 RFC2821 HELO/EHLO needed' }).evidence).not.toContain(
      'SMTP phase',
    );
  });

  it('keeps a phase the wording names over the shape of the reply', () => {
    // A Postfix log posted to the Linode community forum (unseen-postfix-logs.json): the wording names RCPT TO
    const c = classifyBounce({
      diagnosticCode:
        'host marsoul.univ-paris5.fr[193.51.86.84] said: 550 <eberto.k@psycho.univ-paris5.fr>: Recipient address rejected: User unknown (in reply to RCPT TO command)',
    });
    expect(c).toMatchObject({ verdict: 'hard', category: 'unknown-recipient', suppress: true });
    expect(c.evidence).toContain('SMTP phase RCPT (from the text)');
  });
});
