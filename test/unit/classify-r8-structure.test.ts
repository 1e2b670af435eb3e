// Issue #11 round 8: the clause composition widened again, chosen by the held-out column of `npm run bench:accuracy`
// (harness/held-out.ts: each source's cases classified with the phrases only that source backs left out). Replies that
// only their own phrase decided are composed from a recipient noun and a general state word, and a reply that offers
// a full mailbox as an alternative to a dead address is a hedge. Every string is a real tuning string, with its source.
import { describe, expect, it } from 'vitest';
import type { Category } from '../../lambdas/domain/classification.ts';
import { classifierWithTextRules } from '../../lambdas/domain/classify.ts';
import { composeClauseState, offersAnotherCause } from '../../lambdas/domain/classify-composition.ts';
import { TEXT_RULES } from '../../lambdas/domain/rules/index.ts';

type Composed = readonly [string, string, Category];

describe('clause composition, widened (round 8)', () => {
  it.each<Composed>([
    // "locked": a state of the account, as "suspended" or "frozen"
    [
      'SMTP; 550 <xxxxx@yourdomain.com>: User status is locked.',
      'voku/PHPMailer-BMH phpmailer-bmh_rules.php (rule 0228 sample; tuning)',
      'mailbox-disabled',
    ],
    [
      '550 5.7.1 <kijitora@example.com>: Recipient address rejected: User kijitora@example.com temporary locked. Please try again later!',
      'sisimai/go-sisimai reason/02-includedin_test.go (Suspend; tuning)',
      'mailbox-disabled',
    ],
    // "not listed": the directory does not list the recipient
    [
      'X-Notes; User xxxxx (xxxxx@yourdomain.com) not listed in public Name & Address Book',
      'voku/PHPMailer-BMH phpmailer-bmh_rules.php (rule 0103 sample; tuning)',
      'unknown-recipient',
    ],
    // "does not have an account": "not have" right before the recipient's noun
    [
      "SMTP; 550-I'm sorry but xxxxx@yourdomain.com does not have an account here. I will not",
      'voku/PHPMailer-BMH phpmailer-bmh_rules.php (rule 0207 sample; tuning)',
      'unknown-recipient',
    ],
    // Italian "nessun" ("no") right before the recipient's noun, as "no user"
    [
      '550 nessun utente simile in questo indirizzo',
      'sisimai/go-sisimai reason/why-userunknown.go (Italian; tuning)',
      'unknown-recipient',
    ],
  ])('composes %j (%s) as %s', (text, _source, category) => {
    expect(composeClauseState(text)?.category).toBe(category);
  });

  it('composes no recipient state from the sender being locked out', () => {
    expect(composeClauseState('535 5.7.8 Your account is locked')).toBeNull();
  });
});

describe('a dead address offered with a full mailbox as the alternative', () => {
  // https://github.com/sisimai/p5-sisimai/issues/66 (latinmail; tuning)
  const HEDGE = {
    diagnosticCode:
      'SMTP error from remote mail server after RCPT TO:<sachp@latinmail.com>: host mx1.latinmail.com [62.37.236.140]: 550 <sachp@latinmail.com>: Destinatario desconocido o mailbox lleno',
  };

  it('finds the full mailbox only across a disjunction', () => {
    expect(offersAnotherCause(HEDGE.diagnosticCode)).toBe(true);
    expect(offersAnotherCause('550 Destinatario desconocido. Mailbox lleno')).toBe(false);
    expect(offersAnotherCause('550 5.1.1 User unknown or illegal alias')).toBe(false);
  });

  it('reads RFC 5321\'s 551 "not local" as the alternative of a relay refusal', () => {
    // https://eomatica.gal/gl/component/content/article/14-blogue/271-erros-frecuentes-nos-envios-de-email.html (tuning)
    const text = '550 Requested action not taken: mailbox unavailable or is not local';
    expect(offersAnotherCause(text)).toBe(true);
    // Arrange: the table without the relay phrase, as the held-out column classifies this source
    const withoutPhrase = TEXT_RULES.map((rule) => ({
      ...rule,
      match: rule.match.filter((p) => p !== 'or is not local'),
    }));
    // Act
    const c = classifierWithTextRules(withoutPhrase)({ diagnosticCode: text });
    // Assess: the RFC 5321 550 wording alone would suppress; offered with "not local", it does not
    expect(c).toMatchObject({ verdict: 'soft', category: 'undetermined', suppress: false });
  });

  it('suppresses nothing when the full-mailbox phrase is not in the table', () => {
    // Arrange: the table without "mailbox lleno", as the held-out column classifies this source
    const withoutPhrase = TEXT_RULES.map((rule) => ({
      ...rule,
      match: rule.match.filter((p) => p !== 'mailbox lleno'),
    }));
    // Act
    const c = classifierWithTextRules(withoutPhrase)(HEDGE);
    // Assess
    expect(c).toMatchObject({ verdict: 'soft', category: 'undetermined', suppress: false });
    expect(c.evidence).toContain('but the reply lists it among other possible causes');
  });
});
