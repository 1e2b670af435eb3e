// Issue #11 round 12: a code that says the recipient's mailbox exists (RFC 3463 X.2.0) beside wording that says the
// address is unknown. The code is the server's own judgement of the subject: the mailbox is there, something about it
// refused the message (Japanese carriers' reception settings: sisimai reason/filtered). The strings are real: the v7
// tuning case, and controls from the corpus whose codes say the address is dead (X.1.1) or the mailbox disabled (X.2.1).
import { describe, expect, it } from 'vitest';
import { classifyBounce } from '../../lambdas/domain/classify.ts';
import { MAILBOX_EXISTS_CODES } from '../../lambdas/domain/rules/phase.ts';

// moneytimes.jp/archives/185548/2: "550 Unknown user" with Status 5.2.0 = the recipient's refusal settings
const REFUSAL_SETTINGS = { diagnosticCode: '550 Unknown user', status: '5.2.0' };
// the same page: with Status 5.1.1 the address does not exist
const UNKNOWN_ADDRESS = { diagnosticCode: '550 Unknown user', status: '5.1.1' };
// sisimai set-of-emails (a Japanese host): 5.2.1 with "User Unknown" at RCPT, labelled a dead address in the corpus
const DISABLED_AND_UNKNOWN = {
  diagnosticCode:
    'SMTP error from remote mail server after RCPT TO:<sabatora@example.jp>: host mx.example.jp [192.0.2.153]: 550 5.2.1 <sabatora@example.jp>... User Unknown',
  status: '5.2.1',
};

describe('a code that says the mailbox exists, beside "unknown user" (round 12)', () => {
  it('has a source and names X.2.0 only', () => {
    expect(MAILBOX_EXISTS_CODES.codes).toEqual(['X.2.0']);
    expect(MAILBOX_EXISTS_CODES.source).toContain('RFC 3463');
  });

  it('does not suppress "550 Unknown user" reported with Status 5.2.0: the mailbox refused the sender', () => {
    // Act
    const c = classifyBounce(REFUSAL_SETTINGS);
    // Assess
    expect(c).toMatchObject({ verdict: 'soft', category: 'recipient-filtered', suppress: false, code: '5.2.0' });
    expect(c.evidence).toContain('says the mailbox exists');
  });

  it('reads the code written in the reply the same way', () => {
    expect(classifyBounce({ diagnosticCode: '550 5.2.0 user unknown' })).toMatchObject({
      category: 'recipient-filtered',
      suppress: false,
    });
  });

  it('still suppresses the same words with Status 5.1.1 (the address does not exist)', () => {
    expect(classifyBounce(UNKNOWN_ADDRESS)).toMatchObject({
      verdict: 'hard',
      category: 'unknown-recipient',
      suppress: true,
    });
  });

  it('still suppresses "User Unknown" beside X.2.1 (mailbox disabled: dead either way)', () => {
    expect(classifyBounce(DISABLED_AND_UNKNOWN)).toMatchObject({
      verdict: 'hard',
      category: 'unknown-recipient',
      suppress: true,
    });
  });
});
