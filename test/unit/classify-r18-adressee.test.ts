// Issue #11 round 18: a dead address in an old ISP's own spelling, from the v13 tuning half. "Adressee Unknown" (SBC and
// Pacific Bell, as Cybersalt's list-hygiene rules quote it) names the recipient with a misspelt noun, so the clause
// composition found no recipient noun beside "unknown" and the reply was left undetermined. rules/composition.ts takes
// "adressee" as a recipient noun, as it already takes the misspelt "adress"; the composition's own limits still hold:
// a clause about the sending side is skipped, and a temporary reply is not a report that the address is dead.
import { describe, expect, it } from 'vitest';
import { classifyBounce } from '../../lambdas/domain/classify.ts';

// cybersalt.org/funblog/bounce-management-policies (rule #55: sbcglobal.net and pacbell.net servers return it)
const SBC_ADRESSEE_UNKNOWN = { diagnosticCode: 'Adressee Unknown' };
// the same words under a permanent reply code
const ADRESSEE_UNKNOWN_550 = { diagnosticCode: '550 Adressee unknown' };
// controls written for the composition's limits: the sending side's address, and a temporary reply
const SENDER_ADRESSEE_UNKNOWN = { diagnosticCode: '550 Sender adressee unknown' };
const ADRESSEE_UNKNOWN_TEMPORARY = { diagnosticCode: '450 4.2.0 Adressee unknown, try again later' };

describe('the misspelt recipient noun "adressee" (round 18)', () => {
  it('suppresses SBC\'s "Adressee Unknown"', () => {
    // Act
    const c = classifyBounce(SBC_ADRESSEE_UNKNOWN);
    const coded = classifyBounce(ADRESSEE_UNKNOWN_550);
    // Assess
    expect(c).toMatchObject({ verdict: 'hard', category: 'unknown-recipient', suppress: true });
    expect(coded).toMatchObject({ verdict: 'hard', category: 'unknown-recipient', suppress: true });
  });

  it("never suppresses the sending side's address or a temporary reply", () => {
    // Act
    const sender = classifyBounce(SENDER_ADRESSEE_UNKNOWN);
    const temporary = classifyBounce(ADRESSEE_UNKNOWN_TEMPORARY);
    // Assess
    expect(sender.suppress).toBe(false);
    expect(temporary).toMatchObject({ verdict: 'soft', suppress: false });
  });
});
