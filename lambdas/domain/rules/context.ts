// Wording that changes what the words around it mean: a sentence that lists possible causes ("the address may not
// exist, or the mailbox may be full") is not a report that the address is dead, and a generic refusal prefix that
// gives no reason ("Recipient address rejected") says nothing about why.
import type { TextRule } from './types.ts';

export interface HedgeRule {
  readonly match: readonly string[];
  readonly source: string;
}

/** Seen anywhere in the deciding reply, these make dead-address wording one possible cause among others. */
export const HEDGE_RULES: readonly HedgeRule[] = [
  {
    match: [
      'may not exist',
      'might not exist',
      'may no longer exist',
      'may have been deleted',
      'possible causes',
      'possible reasons',
      'one of the following reasons',
      '可能性があります',
    ],
    source:
      'Bounce templates that enumerate causes ("may not exist, may be blocked, ..."; issue #11), as opposed to a server reporting what it found: Google Groups "が存在しないか、...権限がない可能性があります" ("may not exist, or you may not have permission", sisimai set-of-emails lhost-googlegroups-01)',
  },
];

/**
 * Seen anywhere in the deciding reply, these make the sentence's subject the sending side: the reader of a bounce is
 * the sender, so "your account" is the sender's, and a login or a sending permission is the sender's too. Dead-address
 * wording in such a reply ("message sending for this account is disabled") reports the sender's own account, never
 * the recipient's.
 */
export const SENDER_SUBJECT_RULES: readonly HedgeRule[] = [
  {
    match: [
      'sending for this account',
      'message sending',
      'sending from this account',
      'your account',
      'your email account',
      'your e-mail account',
      'user name or password',
      'username or password',
      'sender verify',
    ],
    source:
      'Exim\'s sender verification ("550-Verification failed for <sender>\n550-Unrouteable address\n550 Sender verify failed": the lines before the last say why the SENDER\'s address failed the callout; exim.org spec, ACL "verify = sender", and the Exim wiki\'s "Sender Verify Failed" ACL, github.com/Exim/exim/wiki/Verification); Mail.ru "550 message sending for this account is disabled" (the sender\'s account blocked for spam, mailout.ru), SES/ISP texts addressed to the sender ("your account"), SMTP authentication failures ("invalid user name or password"); issue #11: the subject is the sender ("sender", "your account", "MAIL FROM", "sending for this account")',
  },
];

/**
 * Said of a domain, these scope "no such domain" to the answering server: SES delivers to the recipient domain's own MX
 * (found in DNS, so the domain exists there), and an MX that says it has no such domain HERE no longer hosts it: the
 * relay case of policy.ts (`relay-denied`: soft, counts toward the streak), not a domain that does not exist.
 */
export const LOCAL_SCOPE_RULES: HedgeRule = {
  match: ['at this location', 'on this server', 'on this host', 'on this system', 'on this machine'],
  source:
    '"550 No such domain at this location" (Mail::DeliveryStatus::BounceParser t/corpus/no-such-domain.msg: that MX does not host the domain); RFC 5321 section 3.6 (a server that does not handle a domain refuses it as a relay) and 551 "User not local"',
};

// Session summaries ("554 5.5.1 Error: no valid recipients", Postfix's answer to DATA when every RCPT TO failed;
// Sendmail's "503 5.0.0 Need RCPT (recipient)") are about the session, not about one recipient: no rule reads them as
// a dead address (the reason is in the reply about the recipient, which decisiveReply in classify.ts picks), so alone
// they leave the bounce undetermined.

/**
 * The refusal named without its reason. Weak: any code or wording that says why decides first; alone it leaves the
 * bounce undetermined and soft (it is no evidence of a dead address).
 */
export const GENERIC_REFUSAL_RULES: readonly TextRule[] = [
  {
    id: 'generic-refusal',
    category: 'undetermined',
    weak: true,
    match: ['recipient address rejected', 'address rejected', 'recipient rejected'],
    source:
      'Postfix\'s generic prefix "Recipient address rejected:" (smtpd_check.c) is followed by the reason; alone, as in "550 5.1.5 Recipient address rejected" (issue #14), it names none',
  },
];
