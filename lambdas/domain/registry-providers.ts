// Well-documented provider codes outside the IANA registry (mostly Microsoft 365 / Exchange Online, which uses
// three-digit details). registry.ts uses them to explain codes the registry does not define. Pure data.
//
// Sources (read 2026-11-26 through the project's search tool):
// - MS_NDR: Microsoft, "Email non-delivery reports in Exchange Online" (table of NDR codes), in
//   MicrosoftDocs/OfficeDocs-Exchange: Exchange/ExchangeOnline/mail-flow-best-practices/
//   non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online.md
// - MS_700: "Fix email delivery issues for error codes 5.7.700 through 5.7.750 in Exchange Online".
// - MS_451: "Fix email delivery issues for error code 451 4.7.500-699 (ASxxx) in Exchange Online".
// - ACS: Microsoft Learn, "Improve sender reputation in Azure Communication Services email" (bounce tables).
// - OUTLOOK_650: the Outlook.com reply "451 4.7.650 The mail server [IP] has been temporarily rate limited
//   due to IP reputation. For e-mail delivery information, see https://postmaster.live.com"; not in Microsoft's
//   table, documented by Broadcom KB 438593 and catalogued by Sisimai's Exchange Online rules.
// No public source we could find documents 5.9.99 or any other subject-9 code; those get the generic explanation.

export interface ProviderCode {
  /** 4 or 5; null when the provider uses the detail with either failure class. */
  readonly klass: 4 | 5 | null;
  readonly subject: number;
  readonly detailFrom: number;
  readonly detailTo: number;
  readonly provider: string;
  readonly title: string;
  readonly meaning: string;
  readonly typicalCauses: readonly string[];
  readonly whatToDo: string;
  readonly source: string;
}

const MS = 'Microsoft 365 / Exchange Online';
const OUTLOOK = 'Outlook.com / Microsoft 365';
const NDR =
  'https://learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online';
const MS_NDR = `${NDR}/non-delivery-reports-in-exchange-online`;
const MS_700 = `${NDR}/fix-error-code-5-7-700-through-5-7-750`;
const MS_451 = `${NDR}/fix-error-code-451-4-7-500-699-asxxx-in-exchange-online`;
const ACS =
  'https://learn.microsoft.com/azure/communication-services/ ("Improve sender reputation in Azure Communication Services email")';
const OUTLOOK_650 =
  'https://knowledge.broadcom.com/external/article/438593 (reply text cites postmaster.live.com)';

const one = (klass: 4 | 5 | null, subject: number, detail: number) => ({
  klass,
  subject,
  detailFrom: detail,
  detailTo: detail,
});

/** One code from Microsoft's Exchange Online NDR table. */
const msNdr = (klass: 4 | 5 | null, subject: number, detail: number) => ({
  ...one(klass, subject, detail),
  provider: MS,
  source: MS_NDR,
});

export const PROVIDER_CODES: readonly ProviderCode[] = [
  {
    ...msNdr(4, 4, 316),
    title: 'Connection refused by the destination server',
    meaning:
      'Exchange Online could not connect to the external destination server ("Connection refused", socket error 10061).',
    typicalCauses: [
      "A network problem or firewall at the recipient's side",
      'The destination server is down',
    ],
    whatToDo:
      'Temporary: Exchange Online retries. The problem is at the receiving server; the IP address in the text tells whose.',
  },
  {
    klass: 4,
    subject: 7,
    detailFrom: 500,
    detailTo: 699,
    provider: MS,
    title: 'Access denied, please try again later (temporary restriction)',
    meaning:
      'Microsoft detected suspicious activity from the sending IP or account and temporarily restricted it; often because the IP sends far more than its history (IP throttling, "ASxxx").',
    typicalCauses: ['A sudden rise in volume from a new or changed IP', 'Suspicious or spam-like traffic'],
    whatToDo:
      'Retry later and warm up sending volume. If your mail enters Microsoft 365 through a third-party gateway, configure a connector.',
    source: MS_451,
  },
  {
    klass: 4,
    subject: 7,
    detailFrom: 650,
    detailTo: 651,
    provider: OUTLOOK,
    title: 'Temporarily rate limited due to IP reputation',
    meaning:
      'Outlook.com is deferring mail from the sending IP because of its reputation; it throttles the IP, it does not judge the recipient.',
    typicalCauses: [
      'Spam complaints or spam-trap hits from the IP',
      'A sudden increase in volume',
      'A shared IP with a poor neighbour',
    ],
    whatToDo:
      'Slow down and retry later; improve list hygiene and engagement. Check the IP in Microsoft SNDS (postmaster.live.com). Never suppress the recipient for this.',
    source: OUTLOOK_650,
  },
  {
    klass: 4,
    subject: 7,
    detailFrom: 850,
    detailTo: 899,
    provider: MS,
    title: 'Access denied, please try again later (IP under evaluation)',
    meaning:
      'Suspicious activity was seen from the sending IP, which is temporarily restricted while Microsoft evaluates it.',
    typicalCauses: ['Suspicious traffic from the IP'],
    whatToDo: 'Retry later; if the traffic is legitimate, the restriction is lifted shortly.',
    source: MS_NDR,
  },
  {
    ...msNdr(5, 0, 350),
    title: 'Generic error from the recipient organisation',
    meaning:
      'A catch-all code for many non-specific errors from the recipient\'s organisation, such as "x-dg-ref header is too long" or a policy violation for nested attachments (AS345).',
    typicalCauses: [
      'Rich-text (TNEF) messages with an over-long x-dg-ref header',
      'Nested attachments blocked by policy',
    ],
    whatToDo: 'Read the text; send as HTML or plain text, without nested attachments.',
  },
  {
    ...msNdr(5, 1, 90),
    title: 'Daily recipient limit reached',
    meaning: 'The sending Microsoft 365 account reached its daily limit of message recipients.',
    typicalCauses: ['Bulk sending from a user mailbox', 'A compromised account sending spam'],
    whatToDo:
      'A sender-side limit: send bulk mail through a bulk service, and check the account for compromise.',
  },
  {
    ...msNdr(5, 2, 121),
    title: "Recipient's per-hour limit for messages from this sender exceeded",
    meaning: 'The sender sent more messages per hour to this Microsoft 365 recipient than allowed.',
    typicalCauses: ['An automated system sending many messages to one recipient'],
    whatToDo: 'Retry later and send fewer messages per hour to this recipient. The address works.',
  },
  {
    ...msNdr(5, 2, 122),
    title: "Recipient's per-hour receive limit exceeded",
    meaning: 'This Microsoft 365 recipient received more messages per hour, from all senders, than allowed.',
    typicalCauses: ['A mail storm toward the recipient'],
    whatToDo: 'Retry later. The address works.',
  },
  {
    ...msNdr(5, 3, 190),
    title: 'Journaling to Microsoft 365 not supported',
    meaning:
      'On-premises journaling to Microsoft 365 is not supported for this organisation because Journaling Archive is off.',
    typicalCauses: ['A journaling rule pointing to Microsoft 365 with Journaling Archive disabled'],
    whatToDo: "The recipient organisation's administrator must change the journaling setup.",
  },
  {
    ...msNdr(5, 4, 14),
    title: 'Routing loop detected (Exchange Online)',
    meaning: 'Exchange Online stopped a mail loop (its equivalent of X.4.6).',
    typicalCauses: ['Forwarding rules or connectors that send mail in a circle'],
    whatToDo: "The recipient's administrators must fix forwarding or connectors.",
  },
  {
    ...msNdr(5, 4, 300),
    title: 'Message expired',
    meaning:
      'Delivery took too long: the destination never answered, or an NDR for the message could not be returned.',
    typicalCauses: ['An unreachable destination server'],
    whatToDo: 'Treat like an expired delivery (X.4.7): the address is not proven bad.',
  },
  {
    ...one(5, 4, 310),
    provider: MS,
    title: 'DNS domain does not exist',
    meaning: "The recipient's domain does not exist in DNS, or its DNS is misconfigured.",
    typicalCauses: ['A misspelt or expired domain'],
    whatToDo: 'Correct the domain if it is a typo; otherwise suppress the address.',
    source: ACS,
  },
  {
    ...msNdr(5, 6, 11),
    title: 'Invalid characters (bare line feeds)',
    meaning: 'The sending program put bare line-feed characters into the message.',
    typicalCauses: ['Sending software that does not use CRLF line endings'],
    whatToDo: 'Fix the sending software; the address is fine.',
  },
  {
    ...one(5, 7, 51),
    provider: MS,
    title: 'Rejected by inbound connector (tenant attribution)',
    meaning:
      'The recipient tenant attributes the message to an inbound connector whose restrictions (by IP address or certificate) it did not meet.',
    typicalCauses: ['A partner connector restricted to certain IP addresses or certificates'],
    whatToDo: "The recipient organisation's administrator must check its inbound connectors.",
    source: ACS,
  },
  {
    ...msNdr(5, 7, 57),
    title: 'Client was not authenticated to send anonymous mail',
    meaning: 'An application or device tried to send through smtp.office365.com without authenticating.',
    typicalCauses: ['A device or app relaying through Microsoft 365 with the wrong settings'],
    whatToDo: 'Configure SMTP authentication on the sending application.',
  },
  {
    ...msNdr(5, 7, 64),
    title: 'TenantAttribution; Relay Access Denied',
    meaning:
      "An inbound connector from the organisation's on-premises environment no longer matches how mail arrives.",
    typicalCauses: [
      'A change in the on-premises environment (IP, certificate) not reflected in the connector',
    ],
    whatToDo: 'Fix the inbound connector configuration.',
  },
  {
    ...msNdr(5, 7, 124),
    title: "Sender not in the group's allowed-senders list",
    meaning: 'The recipient is a distribution group that accepts mail only from listed senders.',
    typicalCauses: ['A restricted distribution group'],
    whatToDo: "Ask the group's owner to allow you; the group address itself works.",
  },
  {
    ...msNdr(5, 7, 133),
    title: 'Sender not authenticated for group',
    meaning: 'The recipient group rejects mail from outside its organisation.',
    typicalCauses: ['An internal-only distribution group'],
    whatToDo: "Only the recipient organisation's administrator or the group's owner can change this.",
  },
  {
    ...msNdr(5, 7, 134),
    title: 'Sender was not authenticated for mailbox',
    meaning: 'The recipient mailbox rejects mail from outside its organisation.',
    typicalCauses: ['An internal-only mailbox'],
    whatToDo: "Only the recipient organisation's administrator can change this.",
  },
  {
    ...msNdr(5, 7, 135),
    title: 'Sender was not authenticated for public folder',
    meaning: 'The recipient public folder rejects mail from outside its organisation.',
    typicalCauses: ['An internal-only public folder'],
    whatToDo: "Only the recipient organisation's administrator can change this.",
  },
  {
    ...msNdr(5, 7, 136),
    title: 'Sender was not authenticated',
    meaning: 'The recipient mail user rejects mail from outside its organisation.',
    typicalCauses: ['An internal-only mail user'],
    whatToDo: "Only the recipient organisation's administrator can change this.",
  },
  {
    ...msNdr(null, 7, 321),
    title: 'starttls-not-supported: destination must support TLS',
    meaning:
      'DNSSEC checks passed, but the destination server did not answer STARTTLS or the TLS handshake failed (DANE).',
    typicalCauses: ['A destination server with broken TLS'],
    whatToDo: 'A problem at the destination server; its administrators must fix TLS.',
  },
  {
    ...msNdr(null, 7, 322),
    title: "certificate-expired: destination server's certificate is expired",
    meaning: 'The destination server presented an expired certificate under DANE.',
    typicalCauses: ['An expired X.509 certificate at the destination'],
    whatToDo: 'The destination must renew its certificate.',
  },
  {
    ...msNdr(null, 7, 323),
    title: 'tlsa-invalid: the domain failed DANE validation',
    meaning:
      "The destination's certificate does not match its DNSSEC-authentic TLSA record, or the record is misconfigured.",
    typicalCauses: [
      'A certificate changed without updating TLSA records',
      'An attack on the destination domain',
    ],
    whatToDo: 'The destination must fix its TLSA records or certificate.',
  },
  {
    ...msNdr(null, 7, 324),
    title: 'dnssec-invalid: destination domain returned invalid DNSSEC records',
    meaning: 'The destination claimed DNSSEC but Exchange Online could not verify it.',
    typicalCauses: ['Broken DNSSEC signing at the destination domain'],
    whatToDo: 'The destination must fix its DNSSEC.',
  },
  {
    ...msNdr(5, 7, 501),
    title: 'Access denied, spam abuse detected',
    meaning: 'The sending Microsoft 365 account is banned because spam was detected from it.',
    typicalCauses: ['A compromised account sending spam'],
    whatToDo: 'Secure the account, reset its credentials and ask Microsoft support to restore sending.',
  },
  {
    ...msNdr(5, 7, 502),
    title: 'Access denied, banned sender',
    meaning: 'The sending account is banned because spam was detected from it.',
    typicalCauses: ['A compromised account sending spam'],
    whatToDo: 'Secure the account, reset its credentials and contact Microsoft support.',
  },
  {
    ...msNdr(5, 7, 503),
    title: 'Access denied, banned sender',
    meaning: 'The sending account is banned because spam was detected from it.',
    typicalCauses: ['A compromised account sending spam'],
    whatToDo: 'Secure the account, reset its credentials and contact Microsoft support.',
  },
  {
    ...msNdr(5, 7, 504),
    title: 'Recipient address rejected: Access denied',
    meaning: 'The recipient address is not valid at the destination.',
    typicalCauses: ['A recipient that does not exist'],
    whatToDo: 'Check the address; if it is right, it does not exist: suppress it.',
  },
  {
    ...msNdr(5, 7, 505),
    title: 'Access denied, banned recipient',
    meaning: 'The recipient you are writing to is not valid (banned at Microsoft).',
    typicalCauses: ['A recipient banned by the service'],
    whatToDo: 'Stop sending to this recipient; contact Microsoft support if you believe it is wrong.',
  },
  {
    ...msNdr(5, 7, 506),
    title: 'Access Denied, Bad HELO',
    meaning:
      'The sending server introduced itself (HELO/EHLO) with the name of the server it was connecting to instead of its own, typical of spam bots.',
    typicalCauses: ['A misconfigured HELO name'],
    whatToDo: 'Configure the sending server to use its own fully qualified domain name in HELO.',
  },
  {
    ...msNdr(5, 7, 507),
    title: 'Access denied, rejected by recipient',
    meaning: "The sending IP is blocked by the recipient's organisation.",
    typicalCauses: ["The recipient organisation's own block"],
    whatToDo: 'Contact the recipient to be unblocked; the address itself works.',
  },
  {
    ...msNdr(5, 7, 508),
    title: 'Access denied, permitted limits exceeded for IPv6 range',
    meaning: "The sender's IPv6 range sent too many messages in too short a time.",
    typicalCauses: ['High volume over IPv6'],
    whatToDo: 'Slow down, or send over IPv4.',
  },
  {
    ...msNdr(5, 7, 509),
    title: 'Access denied, sending domain does not pass DMARC verification',
    meaning: 'The domain in the From header (RFC 5322.From) failed DMARC.',
    typicalCauses: ['SPF and DKIM not aligned with the From domain', 'A strict DMARC policy (p=reject)'],
    whatToDo: 'Align SPF or DKIM with your From domain. The recipient is fine.',
  },
  {
    ...msNdr(5, 7, 510),
    title: 'Access denied, recipient does not accept email over IPv6',
    meaning: 'The message was sent over IPv6 to a recipient that only accepts IPv4.',
    typicalCauses: ['Sending over IPv6'],
    whatToDo: 'Send over IPv4.',
  },
  {
    ...msNdr(5, 7, 511),
    title: 'Access denied, banned sender (IP)',
    meaning: 'The IP address you send from is banned by Microsoft.',
    typicalCauses: ['Poor IP reputation', 'Spam sent from the IP'],
    whatToDo:
      'Email delist@messaging.microsoft.com with the full NDR and the IP address to be delisted. Never suppress the recipient for this.',
  },
  {
    ...msNdr(5, 7, 512),
    title: 'Access denied, message must be RFC 5322 section 3.6.2 compliant',
    meaning: 'The message has no valid From header address.',
    typicalCauses: ['A missing From header or one without angle brackets'],
    whatToDo: 'Send with a valid From header such as "Name <sender@example.com>".',
  },
  {
    ...msNdr(5, 7, 513),
    title: "Client host blocked by the recipient domain's customer block list",
    meaning: 'The recipient domain added your sending IP address to its own block list.',
    typicalCauses: ["The recipient organisation's custom IP block"],
    whatToDo: 'Contact the recipient organisation to be removed from its block list.',
  },
  {
    klass: 5,
    subject: 7,
    detailFrom: 606,
    detailTo: 649,
    provider: MS,
    title: 'Access denied, banned sending IP',
    meaning: "The IP address you send from is on Microsoft's blocked senders list.",
    typicalCauses: [
      'Poor IP reputation from spam, compromise or malicious traffic',
      'A shared IP with a poor neighbour',
    ],
    whatToDo:
      'Request delisting at https://sender.office.com and follow email best practices. Never suppress the recipient for this.',
    source: MS_NDR,
  },
  {
    klass: 5,
    subject: 7,
    detailFrom: 700,
    detailTo: 749,
    provider: MS,
    title: 'Access denied, tenant banned from sending',
    meaning:
      'Most traffic from the sending Microsoft 365 tenant was judged suspicious, so the tenant may not send (for example 5.7.705 "tenant has exceeded threshold", 5.7.708 "traffic not accepted from this IP").',
    typicalCauses: [
      'Compromised accounts or servers sending spam through the tenant',
      'A newly created tenant on low-reputation IPs',
    ],
    whatToDo:
      'Fix compromises and open relays, then contact Microsoft support. The recipient is not at fault.',
    source: MS_700,
  },
  {
    ...one(5, 7, 705),
    provider: MS,
    title: 'Access denied, tenant has exceeded threshold',
    meaning: 'The sending tenant sent too much spam or bulk mail, so Microsoft blocked its outgoing mail.',
    typicalCauses: [
      'Compromised on-premises servers or admin accounts',
      'A renewed subscription not yet synchronised',
    ],
    whatToDo: 'Find and fix the cause, then contact Microsoft support to lift the block.',
    source: MS_700,
  },
  {
    ...one(5, 7, 708),
    provider: MS,
    title: 'Access denied, traffic not accepted from this IP',
    meaning: 'Mail is sent from a known low-reputation IP typically used by new tenants.',
    typicalCauses: ['A new tenant without licences sending volume'],
    whatToDo: 'Contact Microsoft support for an exception until licences are bought.',
    source: MS_700,
  },
  {
    ...one(5, 7, 750),
    provider: MS,
    title: 'Client blocked from sending from unregistered domains',
    meaning: 'The tenant sent many messages from domains it has not added and verified in Microsoft 365.',
    typicalCauses: ['Sending from domains that are not accepted domains of the tenant'],
    whatToDo: 'Add and verify every domain you send from as an accepted domain.',
    source: MS_700,
  },
];
