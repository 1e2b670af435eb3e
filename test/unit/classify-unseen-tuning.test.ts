// Rules written from misses of the tuning half of the `unseen-*` corpus files (issue #11, closing step): each row is
// the real string the rule was written from, with its source. No rule here was written from a validation case.
import { describe, expect, it } from 'vitest';
import type { BounceInput, Category } from '../../lambdas/domain/classification.ts';
import { classifyBounce } from '../../lambdas/domain/classify.ts';

describe("structure: the reply code and the enhanced code where the reply starts after the MTA's own words", () => {
  it.each<[string, BounceInput, Category, 'hard' | 'soft']>([
    [
      // voku/PHPMailer-BMH phpmailer-bmh_rules.php (rule 0138 sample): no enhanced code; the basic reply code
      // follows Postfix's "host ... said:", not the start of the text
      'a 551 after "said:" reports the disabled mailbox as permanent',
      {
        diagnosticCode:
          'X-Postfix; host m2w-in1.domain.com[111.111.111.000] said: 551 <xxxxx@yourdomain.com> is a deactivated mailbox (in reply to RCPT TO command)',
      },
      'mailbox-disabled',
      'hard',
    ],
    [
      // voku/PHPMailer-BMH phpmailer-bmh_rules.php (rule 0239 sample): the reply starts on its own line after
      // Sendmail's preamble; its code 5.1.2 must survive the removal of continuation prefixes
      'the code of a reply on its own line after a preamble is read',
      {
        diagnosticCode:
          '----- The following addresses had permanent fatal errors -----\nTan XXXX SSSS <xxxxx@yourdomain..com>\n----- Transcript of session follows -----\n553 5.1.2 XXXX SSSS <xxxxx@yourdomain..com>... Invalid host name',
      },
      'unknown-domain',
      'hard',
    ],
  ])('%s', (_name, input, category, verdict) => {
    expect(classifyBounce(input)).toMatchObject({ category, verdict });
  });

  it('a reply code that is a port number is not a reply code', () => {
    // Hsn723/postfix_exporter#302 (Postfix smtp): ":25:" is the port
    const c = classifyBounce({ diagnosticCode: 'connect to domain.com[192.168.0.1]:25: Connection refused' });
    expect(c).toMatchObject({ category: 'network-error', verdict: 'soft' });
  });
});

describe('wording', () => {
  it.each<[string, string, Category, 'hard' | 'soft']>([
    // voku/PHPMailer-BMH phpmailer-bmh_rules.php, rule samples (number in the name)
    [
      '0999 Gmail as a sender',
      'Technical details of permanent failure:\nDNS Error: Domain name not found',
      'unknown-domain',
      'hard',
    ],
    [
      '0103 Domino',
      'X-Notes; User xxxxx (xxxxx@yourdomain.com) not listed in public Name & Address Book',
      'unknown-recipient',
      'hard',
    ],
    ['0111', 'SMTP; 550 <xxxxx@yourdomain.com>: Invalid User', 'unknown-recipient', 'hard'],
    [
      '0205 qmail, under a policy code',
      "SMTP; 550 sorry, that recipient doesn't exist (#5.7.1)",
      'unknown-recipient',
      'hard',
    ],
    [
      '0207',
      "SMTP; 550-I'm sorry but xxxxx@yourdomain.com does not have an account here. I will not",
      'unknown-recipient',
      'hard',
    ],
    ['0155', 'SMTP; 550 xxxxx@yourdomain.com Account Inactive', 'mailbox-disabled', 'hard'],
    ['0183', 'SMTP; 550 account expired', 'mailbox-disabled', 'hard'],
    ['0228', 'SMTP; 550 <xxxxx@yourdomain.com>: User status is locked.', 'mailbox-disabled', 'hard'],
    [
      '0145',
      'X-Postfix; host mta5.us4.domain.com.int[111.111.111.111] said: 552 recipient storage full, try again later (in reply to RCPT TO command)',
      'mailbox-full',
      'soft',
    ],
    ['0995 web.de', 'SMTP; 422 User has exhausted allowed storage space', 'mailbox-full', 'soft'],
    [
      '0192 Postfix local, mbox at its size limit',
      'X-Postfix; cannot append message to destination file /var/mail/dale.me89g: error writing message: File too large',
      'mailbox-full',
      'soft',
    ],
    ['0156', 'SMTP; 553 User refused to receive this mail.', 'recipient-filtered', 'soft'],
    [
      '0108',
      'SMTP; 550 relaying to <xxxxx@yourdomain.com> prohibited by administrator',
      'relay-denied',
      'soft',
    ],
    ['0204', 'SMTP; 550 not local host domain.com, not a gateway', 'relay-denied', 'soft'],
    ['0224', 'SMTP; 550 Local user only or Authentication mechanism', 'relay-denied', 'soft'],
    ['0206', 'SMTP; 501 xxxxx@yourdomain.com Sender email is not in my domain', 'sender-rejected', 'soft'],
    ['0210 NetEase', 'SMTP; 550 Verify mailfrom failed,blocked', 'sender-rejected', 'soft'],
    [
      '0229',
      "SMTP; 554 5.7.1 reject: Client host bypassing service provider's mail relay: ds176.domain.com",
      'sender-blocked',
      'soft',
    ],
    ['0165 NetEase', 'SMTP; 550 Content reject. FAAAANsG60M9BmDT.1', 'content-rejected', 'soft'],
    ['0212 MessageWall', 'SMTP; 552 MessageWall: MIME/REJECT: Invalid structure', 'content-rejected', 'soft'],
    ['0218', 'SMTP; 553 Mail data refused by AISP, rule [169648].', 'content-rejected', 'soft'],
    [
      '0231 CommuniGate',
      "Failed to deliver to 'xxxxx@yourdomain.com'\nSMTP module(domain domain.com) reports:\nconnection with mx1.mail.domain.com is broken",
      'network-error',
      'soft',
    ],
    [
      '0169 Sendmail delivery program',
      '"|/usr/local/bin/mailfilt -u #dkms"\n(reason: Can\'t create output)\n(expanded from: <xxxxx@yourdomain.com>)',
      'remote-system-error',
      'soft',
    ],
  ])('PHPMailer-BMH sample %s', (_name, diagnosticCode, category, verdict) => {
    expect(classifyBounce({ diagnosticCode })).toMatchObject({ category, verdict });
  });

  it.each<[string, BounceInput, Category]>([
    [
      // chatmail/relay#919: Postfix's own "delivery temporarily suspended" is about the destination host
      'Postfix "delivery temporarily suspended" is not a suspended mailbox',
      {
        status: '4.4.1',
        diagnosticCode:
          'delivery temporarily suspended: connect to staging1.pool.testrun.org[46.225.132.204]:25: Connection timed out',
      },
      'network-error',
    ],
    [
      // Linode community forum archive, "postfix spam. someone is using my server..." (2010): the sender's pace
      '"temporarily blocked ... retrying too fast" is a rate limit, not a blocked mailbox',
      {
        diagnosticCode:
          'host av.waw.cdp.pl[62.89.91.146] said: 550 5.7.1 <eberlein.tristian@naj.com.pl>: Recipient address rejected: temporarily blocked because of previous errors - retrying too fast. penalty: 30 seconds x 0 retries. (in reply to RCPT TO command)',
      },
      'rate-limited',
    ],
    [
      // postfix-logwatch "#TD" sample (milter-reject at END-OF-MESSAGE): a URL block list lists a link in the message
      'a URL block list is about the content, not the sending host',
      { smtpCommand: 'DATA', diagnosticCode: '5.7.1 black listed URL host sample.com by .black.uribl.com' },
      'content-rejected',
    ],
    [
      // postmaster.bellsouth.net/error.htm (AT&T/BellSouth e-mail error list)
      'BellSouth net 006: a message larger than the destination accepts',
      {
        diagnosticCode:
          'net 006: Your e-mail message is larger than the destination mail system is able to accept.',
      },
      'message-too-large',
    ],
  ])('%s', (_name, input, category) => {
    expect(classifyBounce(input)).toMatchObject({ category, verdict: 'soft', suppress: false });
  });
});
