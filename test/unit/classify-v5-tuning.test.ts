// Rules written from misses of the tuning half of the `unseen-v5-*` corpus files (issue #11, round 5): each row is the
// real string the rule was written from, with its source. No rule here was written from a validation case.
import { describe, expect, it } from 'vitest';
import type { Category } from '../../lambdas/domain/classification.ts';
import { classifyBounce } from '../../lambdas/domain/classify.ts';

describe('structure: a specific enhanced code over generic session wording', () => {
  it('"syntax error" under X.1.3 is the recipient address, not the session', () => {
    // indimail/indimail-mta indimail-mta-x/smtpd.c, err_syntax: RFC 3463 X.1.3 "bad destination mailbox address
    // syntax"; the corpus reads a malformed recipient address as unknown-recipient
    const c = classifyBounce({ diagnosticCode: '555 syntax error in address (#5.1.3)' });
    expect(c).toMatchObject({ category: 'unknown-recipient', verdict: 'hard', suppress: true });
  });

  it('"syntax error" with no X.1.3 code stays a protocol error', () => {
    // ActiveCampaign/smtp-field-manual data/codes/501.json (Verizon)
    const c = classifyBounce({ diagnosticCode: 'smtp;501 Syntax error in parameters or arguments' });
    expect(c).toMatchObject({ category: 'protocol-error', verdict: 'soft', suppress: false });
  });
});

describe('wording', () => {
  it.each<[string, string, Category]>([
    [
      // indimail-mta-x/smtpd.c err_relay
      'IndiMail: we do not relay',
      "550 we don't relay (#5.7.1)",
      'relay-denied',
    ],
    [
      // indimail-mta-x/smtpd.c err_nogateway: the recipient domain is not local to this MTA
      'IndiMail: not allowed to be relayed',
      "553 sorry, that domain isn't allowed to be relayed thru this MTA without authentication #5.7.1",
      'relay-denied',
    ],
    [
      // success.trendmicro.com/solution/1097055 (Trend Micro Email Reputation Services)
      'Trend Micro ERS: refused by the RBL+ list',
      '550 Mail from <IP adress> refused by rbl-plus.mail-abuse.org.\nPlease refer to http://mail-abuse.org/rbl+ for an explanation',
      'sender-blocked',
    ],
    [
      // knowledge.broadcom.com/external/article/169925 (Email Security.cloud: recipients' gateways)
      'the sending IP on a block list',
      '5.7.1 Recipient not authorized, your IP has been found on a block list',
      'sender-blocked',
    ],
    [
      // indimail-mta-x/smtpd.c err_badhelo: the sending host's HELO name
      'IndiMail: HELO in the badhelo list',
      '553 sorry, your HELO/EHLO greeting is in my badhelo list (#5.7.1)',
      'sender-blocked',
    ],
    [
      // web-ref/responses-by-message.md (Momentum): a header of the message, not an SMTP command line
      'Momentum: header line too long',
      '550 5.6.0 Header line too long (see RFC2822 section 3.5)',
      'content-rejected',
    ],
    [
      // web-ref/responses-by-message.md (Momentum)
      'Momentum: concurrency limit',
      '421 4.4.5 Service unavailable, concurrency limit reached',
      'rate-limited',
    ],
    [
      // web-ref/responses-by-message.md (Momentum): reported as temporary, so soft
      'Momentum: no MX or A record',
      '454 4.4.4 [internal] no MX or A for domain',
      'unknown-domain',
    ],
  ])('%s', (_name, diagnosticCode, category) => {
    const c = classifyBounce({ diagnosticCode });
    expect(c).toMatchObject({ category, verdict: 'soft', suppress: false });
  });
});

describe("the recipient's refusal and a DNSBL named by host (tuning strings of the v3 and v5 files)", () => {
  it.each<[string, string, Category]>([
    [
      // pomoc.poczta.interia.pl (Interia: the recipient has put the sender on their blocked list)
      'Interia: the recipient does not want your mail',
      "550 5.7.1 Recipient doesn't want your mail",
      'recipient-filtered',
    ],
    [
      // ActiveCampaign/smtp-field-manual issue #11: the blacklist is what the recipient may do next, not a listing
      'a blacklist the recipient may feed is not a listing of the sender',
      '554 5.7.1 The recipient definitively does not want your mail. It will not be delivered but analyzed again.  We may feed it to a spam blacklist.',
      'recipient-filtered',
    ],
    [
      // wiki.ubiquityhosting.com Delivery_Status_Notification (qmail form): the DNSBL named by its host
      'a host "listed at" a DNS block list',
      'Remote host said: 550 5.7.1 Rejected: mail.mycompany.com listed at relays.ordb.org',
      'sender-blocked',
    ],
  ])('%s', (_name, diagnosticCode, category) => {
    const c = classifyBounce({ diagnosticCode });
    expect(c).toMatchObject({ category, verdict: 'soft', suppress: false });
  });
});
