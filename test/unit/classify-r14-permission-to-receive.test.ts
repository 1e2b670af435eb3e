// Issue #11 round 14: a reply that refuses the recipient's own permission to receive speaks of a mailbox that exists.
// LBBS answers it with 550 5.1.1, the code of a dead address, but its words are specific and name a filter: they
// decide over the code (rules/recipient.ts, recipient-not-permitted-to-receive). The string is the v9 batch's tuning
// case, with its source; the controls are corpus strings whose answers must not move.
import { describe, expect, it } from 'vitest';
import { classifyBounce } from '../../lambdas/domain/classify.ts';

// InterLinked1/lbbs modules/mod_smtp_delivery_local.c exists(): the mailbox exists, but its owner's privilege level
// does not allow mail from external senders
const LBBS_UNAUTHORIZED = { diagnosticCode: '550 5.1.1 User unauthorized to receive external mail' };
// Postfix smtpd: the local recipient table does not know the address (a dead address under the same code)
const POSTFIX_UNKNOWN = {
  diagnosticCode:
    '550 5.1.1 <jane@example.com>: Recipient address rejected: User unknown in local recipient table',
};
// goneo.de help: the SENDER is not allowed to use its From address (an authorization, about the sending side)
const GONEO_NOT_OWNED = {
  diagnosticCode: '553 mail@example.com: Sender address rejected: not owned by user ihre-e-mail@beigoneo.de',
};

describe("a refusal of the recipient's permission to receive (round 14)", () => {
  it('reads "unauthorized to receive" under 550 5.1.1 as a filter on a live mailbox: nothing to suppress', () => {
    // Act
    const c = classifyBounce(LBBS_UNAUTHORIZED);
    // Assess
    expect(c).toMatchObject({ verdict: 'soft', category: 'recipient-filtered', suppress: false });
    expect(c.evidence).toContain('recipient-not-permitted-to-receive');
  });

  it('leaves a dead address under the same code dead', () => {
    // Act
    const c = classifyBounce(POSTFIX_UNKNOWN);
    // Assess
    expect(c).toMatchObject({ verdict: 'hard', category: 'unknown-recipient', suppress: true });
  });

  it("leaves a refusal of the sender's authorization with the sender", () => {
    // Act
    const c = classifyBounce(GONEO_NOT_OWNED);
    // Assess
    expect(c).toMatchObject({ verdict: 'soft', blame: 'sender', suppress: false });
  });
});
