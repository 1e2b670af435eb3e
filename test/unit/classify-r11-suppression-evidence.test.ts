// Issue #11 round 11: a dead-address code is one signal. Where the reply's own words speak of another subject and give
// no state, the code suppresses nothing. Chosen by the held-out column of `npm run bench:accuracy` (harness/held-out.ts):
// the reply is a real tuning string, classified as the held-out column does, with the phrase only its source backs left
// out of the table (`withoutPhrase`), so that the structure, not the source's own phrase, decides.
import { describe, expect, it } from 'vitest';
import type { BounceInput } from '../../lambdas/domain/classification.ts';
import { classifierWithTextRules, classifyBounce } from '../../lambdas/domain/classify.ts';
import { namesDomainOnly } from '../../lambdas/domain/classify-composition.ts';
import { TEXT_RULES } from '../../lambdas/domain/rules/index.ts';

/** The text-rule table without one alternative (a phrase, or the phrases of a conjunction joined by " + "). */
function withoutPhrase(phrase: string): (input: BounceInput) => ReturnType<typeof classifyBounce> {
  const table = TEXT_RULES.map((rule) => ({
    ...rule,
    match: rule.match.filter((p) => (typeof p === 'string' ? p : p.join(' + ')) !== phrase),
  })).filter((rule) => rule.match.length > 0);
  expect(table.flatMap((r) => r.match).length).toBe(TEXT_RULES.flatMap((r) => r.match).length - 1);
  return classifierWithTextRules(table);
}

// mjl-/mox smtpserver/server.go: the RCPT TO reply for a domain this server does not host (ErrDomainNotFound)
const MOX_NOT_HOSTED = { diagnosticCode: '550 5.1.1 not accepting email for domain' };
// voku/PHPMailer-BMH src/BounceMailHandler/phpmailer-bmh_rules.php (rule 0195 sample)
const DOMAIN_MAP = {
  diagnosticCode: 'SMTP; 550 5.1.1 <xxxxx@yourdomain.com>... email address lookup in domain map failed',
};
// voku/PHPMailer-BMH src/BounceMailHandler/phpmailer-bmh_rules.php (rule 0244 sample: a Domino report)
const DOMINO_REPORT = {
  diagnosticCode:
    '- These recipients of your message have been processed by the mail server:\nxxxxx@yourdomain.com; Failed; 5.1.1 (bad destination mailbox address)',
};

describe('a dead-address code against the reply it comes with (round 11)', () => {
  it('does not suppress on a mailbox code whose reply speaks only of the domain and gives no state', () => {
    // Act
    const c = withoutPhrase('not accepting + mail for domain')(MOX_NOT_HOSTED);
    // Assess
    expect(c).toMatchObject({ verdict: 'soft', category: 'undetermined', suppress: false, code: '5.1.1' });
    expect(c.evidence).toContain('speaks of the domain, not of the mailbox');
  });

  it("still lets mox's own relay phrase decide when it is in the table", () => {
    expect(classifyBounce(MOX_NOT_HOSTED)).toMatchObject({ category: 'relay-denied', suppress: false });
  });

  it('still suppresses when the reply names the mailbox too ("email address lookup in domain map failed")', () => {
    expect(classifyBounce(DOMAIN_MAP)).toMatchObject({
      verdict: 'hard',
      category: 'unknown-recipient',
      suppress: true,
    });
  });

  it('does not read the reporting "mail server" as the subject: a Domino report with the code alone suppresses', () => {
    expect(classifyBounce(DOMINO_REPORT)).toMatchObject({
      verdict: 'hard',
      category: 'unknown-recipient',
      suppress: true,
    });
  });

  it('leaves a code whose own subject is the domain alone: RFC 7293 X.7.18 "Domain owner has changed"', () => {
    // RFC 7293 section 5 (IANA registry entry X.7.18, "Domain owner has changed"): the registry's own wording as the reply
    const c = classifyBounce({ diagnosticCode: '550 5.7.18 Domain owner has changed' });
    expect(c).toMatchObject({ verdict: 'hard', category: 'mailbox-moved', suppress: true });
  });

  it('counts only domain nouns, and a recipient noun anywhere makes the reply about the mailbox', () => {
    expect(namesDomainOnly(MOX_NOT_HOSTED.diagnosticCode)).toBe(true);
    expect(namesDomainOnly(DOMAIN_MAP.diagnosticCode)).toBe(false);
    expect(namesDomainOnly(DOMINO_REPORT.diagnosticCode)).toBe(false);
  });
});
