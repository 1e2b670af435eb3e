// Issue #11 round 15: Postfix's null-MX reply names the domain between the noun and the state ("Domain example.org does
// not accept mail"), so the phrase "domain does not accept mail" never matches it; the v10 tuning case was right only
// because its test domain happens to be called "nullmx", and wrong in the held-out column. The recipient's domain is
// composed like its existence ("Domain <x> does not exist"): rules/composition.ts, domain-state-rejects-mail. The
// strings are Postfix's own smtpd_check outputs with the test domain renamed; the controls must not move.
import { describe, expect, it } from 'vitest';
import { classifyBounce } from '../../lambdas/domain/classify.ts';

// vdukhovni/postfix src/smtpd/smtpd_nullmx.ref: reject_unknown_recipient_domain on a domain with a null MX (RFC 7505)
const POSTFIX_NULL_MX_RECIPIENT = {
  diagnosticCode:
    '556 5.1.0 <jane@example.org>: Recipient address rejected: Domain example.org does not accept mail',
};
// the same file: reject_unknown_sender_domain on the SENDER's null-MX domain (the sender's problem)
const POSTFIX_NULL_MX_SENDER = {
  diagnosticCode:
    '556 5.7.0 <jane@example.org>: Sender address rejected: Domain example.org does not accept mail',
};
// a domain that "does not accept mail" from a client, said of the sender's own domain ("your domain"): not the recipient's
const YOUR_DOMAIN = { diagnosticCode: '550 5.7.1 Your domain example.org does not accept mail from us' };

describe('the recipient\'s domain composed with "does not accept mail" (round 15)', () => {
  it('reads a null-MX recipient domain as a domain that rejects mail, whatever its name', () => {
    // Act
    const c = classifyBounce(POSTFIX_NULL_MX_RECIPIENT);
    // Assess
    expect(c).toMatchObject({ verdict: 'hard', category: 'domain-rejects-mail', suppress: true });
    expect(c.evidence).toContain('domain-state-rejects-mail');
  });

  it("leaves the sender's null-MX domain with the sender", () => {
    // Act
    const c = classifyBounce(POSTFIX_NULL_MX_SENDER);
    // Assess
    expect(c).toMatchObject({ verdict: 'soft', category: 'sender-rejected', suppress: false });
  });

  it('does not compose "your domain" as the recipient\'s', () => {
    // Act
    const c = classifyBounce(YOUR_DOMAIN);
    // Assess
    expect(c.suppress).toBe(false);
    expect(c.category).not.toBe('domain-rejects-mail');
  });
});
