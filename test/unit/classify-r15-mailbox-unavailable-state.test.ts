// Issue #11 round 15: "unavailable" said of the recipient's mailbox or user is a state the composition reads, like
// "unknown" (rules/composition.ts, recipient-state-unknown): RFC 5321's "mailbox unavailable", which the corpus already
// reads as a dead address in its usual wording, also comes with the address between the noun and the state, or before
// the noun. The strings are the tuning split's two misses of that shape, with their sources; the controls must not
// move (a temporary wording stays soft, a hedge stays undetermined, a service is not the recipient).
import { describe, expect, it } from 'vitest';
import { classifyBounce } from '../../lambdas/domain/classify.ts';

// icoremail.vip Coremail bounce tips (ZH): the recipient does not exist
const COREMAIL = { diagnosticCode: 'unavailable mail user' };
// crisp-oss/email-bounce-parser test/fixtures/expected/550_no_such_recipient_variant_7 (as stored, with the
// mis-decoded Chinese text)
const OWEB = {
  diagnosticCode:
    '<carol@gnail.com>: host mx1.oweb.cn[222.37.137.89] said: 550 mailbox carol@gnail.com unavailable (???䲻�???) (in reply to RCPT TO command)',
};
// Comcast (smtp-field-manual): a temporary condition of a live mailbox
const COMCAST_TEMPORARY = {
  status: '4.2.0',
  diagnosticCode: 'smtp;450 4.2.0 <example@comcast.net> - Recipient temporarily unavailable',
};
// MailEnable: a missing mailbox or a domain that MX does not host; the reply does not say which
const MAILENABLE_HEDGE = {
  diagnosticCode: '550 Requested action not taken: mailbox unavailable or not local',
};
// a DNSBL refusal: the service, not the recipient, is unavailable
const DNSBL = {
  diagnosticCode:
    '554 Service unavailable; Client host [192.0.2.1] blocked using rbl.orbitrbl.com - IP Black Listed',
};

describe('"unavailable" composed with the recipient (round 15)', () => {
  it.each([
    ['Coremail', COREMAIL],
    ['a 550 with the address between noun and state', OWEB],
  ])('reads %s as an unknown recipient', (_name, input) => {
    // Act
    const c = classifyBounce(input);
    // Assess
    expect(c).toMatchObject({ verdict: 'hard', category: 'unknown-recipient', suppress: true });
    expect(c.evidence).toContain('recipient-state-unknown');
  });

  it('leaves a temporarily unavailable recipient soft', () => {
    // Act
    const c = classifyBounce(COMCAST_TEMPORARY);
    // Assess
    expect(c).toMatchObject({ verdict: 'soft', category: 'remote-system-error', suppress: false });
  });

  it('leaves "mailbox unavailable or not local" undetermined', () => {
    // Act
    const c = classifyBounce(MAILENABLE_HEDGE);
    // Assess
    expect(c).toMatchObject({ verdict: 'soft', category: 'undetermined', suppress: false });
  });

  it('leaves an unavailable service with the sender', () => {
    // Act
    const c = classifyBounce(DNSBL);
    // Assess
    expect(c).toMatchObject({ verdict: 'soft', category: 'sender-blocked', suppress: false });
  });
});
