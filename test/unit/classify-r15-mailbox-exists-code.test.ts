// Issue #11 round 15: RFC 3463 defines X.2.0 as "the mailbox exists, but something about the destination mailbox has
// caused the sending of this DSN". A reply that says "unknown user" under that code is the server refusing, not a
// report of a missing mailbox: recipient-filtered, soft, never suppressed (classify.ts, codeSaysMailboxExists). The
// string is the tuning split's one wrong suppression (the v7 batch), with its source; the controls are strings whose
// answers must not move.
import { describe, expect, it } from 'vitest';
import { classifyBounce } from '../../lambdas/domain/classify.ts';

// moneytimes.jp/archives/185548/2 (a Japanese list of bounce texts with their Status: field): with Status 5.2.0, the
// cause is the recipient's refusal settings (domain-specified rejection, spoofing rejection, mail from PCs refused)
const REFUSAL_UNDER_X20 = { status: '5.2.0', diagnosticCode: '550 Unknown user' };
// the same page: with Status 5.1.1, the address does not exist
const UNKNOWN_UNDER_X11 = { status: '5.1.1', diagnosticCode: '550 Unknown user' };
// Gmail (DisabledUser): X.2.1, a disabled mailbox, is a dead address of its own
const GMAIL_DISABLED = {
  diagnosticCode:
    '550 5.2.1 The email account that you tried to reach is disabled. Learn more at https://support.google.com/mail/?p=DisabledUser - gsmtp',
};
// Comcast: X.2.0 with wording about the sender's DMARC stays the sender's problem
const COMCAST_DMARC = {
  status: '5.2.0',
  diagnosticCode:
    'smtp;550 5.2.0 Message rejected due to DMARC. Please see http://postmaster.comcast.net/smtp-error-codes.php#DM000001',
};

describe('an X.2.0 code says the mailbox exists (round 15)', () => {
  it('reads "unknown user" under Status 5.2.0 as a refusal: nothing to suppress', () => {
    // Act
    const c = classifyBounce(REFUSAL_UNDER_X20);
    // Assess
    expect(c).toMatchObject({ verdict: 'soft', category: 'recipient-filtered', suppress: false });
    expect(c.evidence).toContain('X.2.0');
  });

  it('leaves "unknown user" under Status 5.1.1 a dead address', () => {
    // Act
    const c = classifyBounce(UNKNOWN_UNDER_X11);
    // Assess
    expect(c).toMatchObject({ verdict: 'hard', category: 'unknown-recipient', suppress: true });
  });

  it('leaves a disabled mailbox (X.2.1) dead', () => {
    // Act
    const c = classifyBounce(GMAIL_DISABLED);
    // Assess
    expect(c).toMatchObject({ verdict: 'hard', category: 'mailbox-disabled', suppress: true });
  });

  it('leaves other X.2.0 wording about the sender with the sender', () => {
    // Act
    const c = classifyBounce(COMCAST_DMARC);
    // Assess
    expect(c).toMatchObject({ verdict: 'soft', category: 'sender-authentication', suppress: false });
  });
});
