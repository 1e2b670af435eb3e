// Issue #11 round 16: two sender-side replies in dead-address words that suppressed a good address, both from the v11
// tuning half. (1) A dead-address phrase whose noun the word right before it gives to the sending side ("Sender domain
// does not exist") is the sender's, as the clause composition already reads "sender domain" (classify.ts with
// rules/composition.ts SENDER_QUALIFIERS). (2) An X.1.2 code whose reply judges a DNS record and names no mailbox
// ("550 5.1.2 Illegal MX record for host x") decides nothing (rules/composition.ts DNS_RECORD_SUBJECT). The strings are
// the sources' own; the controls must not move.
import { describe, expect, it } from 'vitest';
import { classifyBounce } from '../../lambdas/domain/classify.ts';

// portal.iridis.uk knowledge base 254 (mailRelay/mailFeed responses): the SENDER's domain does not resolve in DNS
const IRIDIS_SENDER_DOMAIN = { diagnosticCode: '550 SND-VFY: Sender domain does not exist' };
// the same table: the RECIPIENT's domain does not resolve (a dead domain: must stay one)
const IRIDIS_RECIPIENT_DOMAIN = { diagnosticCode: '550 RPT-VFY: Recipient domain does not exist' };
// sisimai reason/why-hostunknown.go's wording with no qualifier (a dead domain)
const PLAIN_DOMAIN = { diagnosticCode: '550 5.1.2 Domain does not exist' };

// deepin-community/sendmail cf/m4/proto.m4, FEATURE(badmx): the MAIL FROM domain's MX is forbidden
const SENDMAIL_ILLEGAL_MX = { diagnosticCode: '550 5.1.2 Illegal MX record for host badmx.example' };
// Exim routers/dnslookup.c (sisimai lhost/via-exim.go): the recipient domain's MX records point nowhere, under X.4.4
const EXIM_MX_NOWHERE = {
  diagnosticCode: 'all relevant MX records point to non-existent hosts',
  status: '5.4.4',
};
// Sendmail's "Host unknown" under X.1.2: the destination system is dead
const SENDMAIL_HOST_UNKNOWN = { diagnosticCode: '550 5.1.2 <jane@example.org>... Host unknown' };

describe("a dead-address phrase whose noun is the sending side's (round 16)", () => {
  it('reads "Sender domain does not exist" as the sender\'s domain', () => {
    // Act
    const c = classifyBounce(IRIDIS_SENDER_DOMAIN);
    // Assess
    expect(c).toMatchObject({ verdict: 'soft', category: 'sender-rejected', suppress: false });
    expect(c.evidence).toContain('sending side');
  });

  it("keeps the recipient's dead domain (qualified by the recipient) and an unqualified one dead", () => {
    // Act
    const recipient = classifyBounce(IRIDIS_RECIPIENT_DOMAIN);
    const plain = classifyBounce(PLAIN_DOMAIN);
    // Assess
    expect(recipient).toMatchObject({ verdict: 'hard', category: 'unknown-domain', suppress: true });
    expect(plain).toMatchObject({ verdict: 'hard', category: 'unknown-domain', suppress: true });
  });
});

describe('an X.1.2 code whose reply judges a DNS record (round 16)', () => {
  it('does not suppress on "Illegal MX record for host x"', () => {
    // Act
    const c = classifyBounce(SENDMAIL_ILLEGAL_MX);
    // Assess
    expect(c).toMatchObject({ verdict: 'soft', category: 'undetermined', suppress: false });
    expect(c.evidence).toContain('DNS record');
  });

  it('leaves records that point nowhere under X.4.4, and "Host unknown" under X.1.2, dead', () => {
    // Act
    const nowhere = classifyBounce(EXIM_MX_NOWHERE);
    const hostUnknown = classifyBounce(SENDMAIL_HOST_UNKNOWN);
    // Assess
    expect(nowhere).toMatchObject({ verdict: 'hard', category: 'unknown-domain', suppress: true });
    expect(hostUnknown).toMatchObject({ verdict: 'hard', category: 'unknown-domain', suppress: true });
  });
});
