// Issue #11 round 7: a specific dead-address code does not suppress on its own when the reply's loose words name a
// condition that is not a dead address (the policy: never suppress on weak or contradicted evidence). Found by the
// held-out column of `npm run bench:accuracy` (harness/held-out.ts): with the Comcast reply's own phrase ("quota
// violation") held out, code 5.1.1 alone suppressed it. The string is a real tuning string, with its source.
import { describe, expect, it } from 'vitest';
import { classifierWithTextRules, classifyBounce } from '../../lambdas/domain/classify.ts';
import { TEXT_RULES } from '../../lambdas/domain/rules/index.ts';

// ActiveCampaign/smtp-field-manual data/codes/552.json (Comcast; tuning)
const QUOTA = {
  status: '5.1.1',
  diagnosticCode: 'smtp;552 5.1.1 <example@comcast.net> recipient rejected - extended quota violation',
};

describe('a dead-address code contradicted by the words', () => {
  it('lets loose non-dead wording decide over the code: no suppression', () => {
    // Arrange: the table without the specific phrase, as the held-out column classifies this source
    const withoutPhrase = TEXT_RULES.map((rule) =>
      rule.id === 'mailbox-full'
        ? { ...rule, match: rule.match.filter((p) => p !== 'quota violation') }
        : rule,
    );
    // Act
    const c = classifierWithTextRules(withoutPhrase)(QUOTA);
    // Assess
    expect(c).toMatchObject({ verdict: 'soft', category: 'mailbox-full', suppress: false, code: '5.1.1' });
    expect(c.evidence).toContain('text rule mailbox-full-quota-word ("quota")');
  });

  it('leaves the specific phrase deciding when it is there', () => {
    const c = classifyBounce(QUOTA);
    expect(c).toMatchObject({ verdict: 'soft', category: 'mailbox-full', suppress: false });
    expect(c.evidence).toContain('text rule mailbox-full ("quota violation")');
  });

  it('still suppresses on the code when no words contradict it', () => {
    // sisimai/go-sisimai rhost/for-cox.go, quoting cox.com's postmaster error codes (tuning)
    const c = classifyBounce({
      status: '5.1.1',
      diagnosticCode: '550 5.1.1 <someone@cox.net> recipient rejected',
    });
    expect(c).toMatchObject({ verdict: 'hard', category: 'unknown-recipient', suppress: true });
  });
});
