// The IANA SMTP Enhanced Status Codes registry (RFC 3463 and the RFCs that added to it, up to X.7.30),
// with meanings, causes and advice written for people who send email. Pure data; registry.ts explains with it.
//
// Sources checked (2026-11-26, through the project's search tool):
// - IANA registry CSV (copy of iana.org/assignments/smtp-enhanced-status-codes/smtp-enhanced-status-codes-3.csv
//   kept in github.com/janpoltan/email-classify): titles, associated basic reply codes, references.
//   It settles the doubtful rows of our reference:
//   * X.1.10: basic reply 556, references RFC 7505 and RFC 7504 (which defines the 556 reply).
//   * X.3.6: basic reply "250 or 251", reference RFC 6710 (a success detail, not a failure).
//   * X.3.2: references RFC 3463 and RFC 7504 (reply 521, a host that never accepts mail).
//   * X.7.25: references RFC 7372 and RFC 7601.
//   * X.7.28 "Mail flood detected": reference [draft-levine-mailbomb-header] (J. Levine), an Internet-Draft.
//     Not RFC 8098 (that RFC is about message disposition notifications and registers no status code).
//     The registration gives no basic reply code and no permanent/transient guidance.
// - X.7.29 (RFC 8617, ARC) and X.7.30 (RFC 8689, REQUIRETLS) appear in several registry-derived tables
//   (e.g. Stalwart's smtp-proto, Mailcow) with those titles; the IANA XML is updated to 2024-12-06.
// - "Usable as" follows the registry descriptions ("This code is only useful for permanent failures",
//   "should be used as a persistent transient failure", ...) and, where the description is silent but the
//   defining RFC lists only 5xx basic replies, permanent.
// - Provider reuse of registry codes (notes below) is from Microsoft's "Email non-delivery reports in
//   Exchange Online" (learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online)
//   and Google's "Gmail SMTP errors and codes" (support.google.com/a/answer/3726730).

/** What the defining RFC allows the code to report. */
export const USABLE_AS = ['permanent', 'transient', 'both', 'success', 'any', 'unspecified'] as const;
export type UsableAs = (typeof USABLE_AS)[number];

export interface RegistryEntry {
  readonly subject: number;
  readonly detail: number;
  /** The registry's title (IANA "Sample Text"). */
  readonly title: string;
  /** What the code means, in plain words. */
  readonly meaning: string;
  /** Defining document(s). */
  readonly rfc: string;
  /** IANA "Associated basic status code". */
  readonly basicReply: string;
  readonly usableAs: UsableAs;
  readonly typicalCauses: readonly string[];
  readonly whatToDo: string;
  /** How the code is used in practice, and what we found when checking the row. */
  readonly notes?: readonly string[];
}

const R3463 = 'RFC 3463';
const NOT_GIVEN = 'not given';

export const REGISTRY_ENTRIES: readonly RegistryEntry[] = [
  // X.0.x: other or undefined
  {
    subject: 0,
    detail: 0,
    title: 'Other undefined Status',
    meaning:
      'Nothing more specific than the class is known: the server reports success, a temporary failure or a permanent failure without saying why.',
    rfc: R3463,
    basicReply: 'any',
    usableAs: 'any',
    typicalCauses: [
      'A server that does not map its errors to specific codes',
      'A spam or policy rejection reported with a generic code',
      'Some servers send 5.0.0 with "user unknown" text',
    ],
    whatToDo: 'Read the diagnostic text: it carries the real reason. Do not decide on a generic code alone.',
  },
  // X.1.x: addressing
  {
    subject: 1,
    detail: 0,
    title: 'Other address status',
    meaning:
      'Something about an address in the message (recipient or sender) caused this report; no more detail is given.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'unspecified',
    typicalCauses: [
      'Recipient address rejected without a specific reason',
      'Address could not be resolved by the receiving directory',
    ],
    whatToDo:
      'Check the address and the diagnostic text; many servers send 5.1.0 for unknown recipients, others for sender problems.',
    notes: [
      'Exchange Online sends 5.1.0 "Sender denied" when a reply goes to an address saved offline (legacyExchangeDN lookup fails).',
    ],
  },
  {
    subject: 1,
    detail: 1,
    title: 'Bad destination mailbox address',
    meaning:
      'The mailbox does not exist at the destination: the part of the address left of the "@" is not valid there.',
    rfc: R3463,
    basicReply: '451, 550',
    usableAs: 'permanent',
    typicalCauses: [
      'A typo in the local part of the address',
      'An account that was deleted or never existed',
      'An address collected long ago (list decay)',
    ],
    whatToDo:
      'Stop sending to this address: it will not work again. Suppress it, and fix the typo if you can reach the person another way.',
  },
  {
    subject: 1,
    detail: 2,
    title: 'Bad destination system address',
    meaning: 'The destination domain (right of the "@") does not exist or cannot accept mail at all.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'permanent',
    typicalCauses: [
      'A misspelt domain (gmial.com, hotmial.com)',
      'A domain that expired or was never registered',
      'A domain with no mail servers',
    ],
    whatToDo: 'Correct the domain if it is a typo; otherwise suppress the address.',
  },
  {
    subject: 1,
    detail: 3,
    title: 'Bad destination mailbox address syntax',
    meaning: 'The recipient address is not a syntactically valid email address.',
    rfc: R3463,
    basicReply: '501',
    usableAs: 'permanent',
    typicalCauses: [
      'Missing "@", spaces or illegal characters in the address',
      'Consecutive dots, unbalanced quotes or angle brackets',
      'An address pasted together with a display name or punctuation',
    ],
    whatToDo: 'Fix or drop the address, and validate addresses when you collect them.',
  },
  {
    subject: 1,
    detail: 4,
    title: 'Destination mailbox address ambiguous',
    meaning:
      'The address matched more than one mailbox at the destination, for example through fuzzy name matching.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'unspecified',
    typicalCauses: [
      'A destination that maps names heuristically to mailboxes',
      'Two people sharing the same alias',
    ],
    whatToDo: 'Ask the recipient for an exact address.',
  },
  {
    subject: 1,
    detail: 5,
    title: 'Destination address valid',
    meaning:
      'A positive report: the recipient address was accepted as valid. It is meant for success replies (250 2.1.5).',
    rfc: R3463,
    basicReply: '250',
    usableAs: 'success',
    typicalCauses: ['A normal "250 2.1.5 Ok" after RCPT TO'],
    whatToDo:
      'Nothing: this is not a failure. If it comes with a failure class, the server is non-standard and the text tells the real story.',
  },
  {
    subject: 1,
    detail: 6,
    title: 'Destination mailbox has moved, No forwarding address',
    meaning:
      'The address used to work, but the mailbox no longer accepts mail and no forwarding address is known.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'permanent',
    typicalCauses: ['The person left the organisation', 'The account was migrated or closed by the provider'],
    whatToDo: 'Suppress the address and ask the person for a new one through another channel.',
  },
  {
    subject: 1,
    detail: 7,
    title: "Bad sender's mailbox address syntax",
    meaning: 'The sender address (envelope MAIL FROM or From header) is not syntactically valid.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'unspecified',
    typicalCauses: [
      'A malformed return-path or From address in the sending configuration',
      'Non-ASCII characters in the sender address without SMTPUTF8',
    ],
    whatToDo:
      'Fix your sending configuration. The recipient is not at fault; do not suppress the recipient for this.',
  },
  {
    subject: 1,
    detail: 8,
    title: "Bad sender's system address",
    meaning:
      "The sender's domain does not exist or cannot receive replies and bounces, so the receiver refuses the message.",
    rfc: R3463,
    basicReply: '451, 501',
    usableAs: 'unspecified',
    typicalCauses: [
      'The MAIL FROM domain has no DNS or no MX records',
      'A typo in a custom MAIL FROM domain',
    ],
    whatToDo:
      'Fix the DNS of your sending (MAIL FROM) domain. The recipient is not at fault; do not suppress the recipient for this.',
    notes: [
      'Exchange Online uses 5.1.8 "Access denied, bad outbound sender" for a sending account blocked for spam, usually because it was compromised.',
    ],
  },
  {
    subject: 1,
    detail: 9,
    title: 'Message relayed to non-compliant mailer',
    meaning:
      'A positive report: the address was valid and the message was passed on to a system that does not support delivery status notifications, so no further reports will come.',
    rfc: 'RFC 3886',
    basicReply: NOT_GIVEN,
    usableAs: 'success',
    typicalCauses: ['Relay to a legacy gateway or a non-SMTP system'],
    whatToDo: 'Nothing to do.',
  },
  {
    subject: 1,
    detail: 10,
    title: 'Recipient address has null MX',
    meaning:
      'The recipient domain publishes a "null MX" record (MX 0 .): it declares that it accepts no email at all.',
    rfc: 'RFC 7505, RFC 7504',
    basicReply: '556',
    usableAs: 'permanent',
    typicalCauses: [
      'A parked domain or one used only for a website',
      'A placeholder domain such as example.com',
    ],
    whatToDo: 'Suppress the address: the domain says it will never receive mail.',
    notes: [
      'Checked: the IANA registry lists basic reply 556 (defined by RFC 7504) and references RFC 7505 and RFC 7504.',
      'Exchange Online reuses 5.1.10 for "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup": a recipient that does not exist. Either way the address is dead.',
    ],
  },
  // X.2.x: mailbox
  {
    subject: 2,
    detail: 0,
    title: 'Other or undefined mailbox status',
    meaning: 'The mailbox exists, but something about it caused this report; the code does not say what.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'unspecified',
    typicalCauses: [
      'A mailbox temporarily unavailable',
      'Some servers use it for a full or suspended mailbox, or a policy block',
    ],
    whatToDo:
      'Read the diagnostic text. Do not treat the address as dead on this code alone; retry if the class is 4.',
  },
  {
    subject: 2,
    detail: 1,
    title: 'Mailbox disabled, not accepting messages',
    meaning:
      'The mailbox exists but does not accept mail. Permanent if it will never be re-enabled, transient if it is only suspended for a while.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'both',
    typicalCauses: [
      'An account deactivated after long inactivity',
      'An account disabled by an administrator or for non-payment',
      'The owner left and the mailbox was locked',
    ],
    whatToDo:
      'With class 5, treat the address as inactive and suppress it. With class 4, retry later; the block may be lifted.',
    notes: [
      'Gmail sends "450 4.2.1" when a user is receiving mail too quickly: a rate limit, not a disabled mailbox.',
    ],
  },
  {
    subject: 2,
    detail: 2,
    title: 'Mailbox full',
    meaning:
      "The recipient's mailbox is over its quota. The recipient can free space, so RFC 3463 says this is a persistent transient failure, even when a server sends it as 5.2.2.",
    rfc: R3463,
    basicReply: '552',
    usableAs: 'transient',
    typicalCauses: ['A full inbox', 'An abandoned mailbox that keeps filling up and is never emptied'],
    whatToDo:
      'Retry later; do not suppress on one event. If the mailbox stays full for weeks, it is probably abandoned: count it as a soft bounce toward your threshold.',
    notes: [
      'Exchange Online uses 5.2.2 "Submission quota exceeded" for a sender who exceeded its own sending limits: a sender-side problem, not a full mailbox.',
    ],
  },
  {
    subject: 2,
    detail: 3,
    title: 'Message length exceeds administrative limit',
    meaning:
      "The message is larger than this mailbox's size limit, which is smaller than the system-wide limit.",
    rfc: R3463,
    basicReply: '552',
    usableAs: 'permanent',
    typicalCauses: ['Large attachments', 'A recipient with a low per-mailbox size limit'],
    whatToDo:
      'Send a smaller message (link to large files instead of attaching them). The address itself is fine.',
  },
  {
    subject: 2,
    detail: 4,
    title: 'Mailing list expansion problem',
    meaning: 'The address is a mailing list, and the list could not be expanded to its members.',
    rfc: R3463,
    basicReply: '450, 452',
    usableAs: 'both',
    typicalCauses: ['A broken or empty list', 'A failed member lookup on the list server'],
    whatToDo: "Retry if the class is 4; otherwise contact the list's owner.",
  },
  // X.3.x: mail system
  {
    subject: 3,
    detail: 0,
    title: 'Other or undefined mail system status',
    meaning:
      'The destination system exists and normally accepts mail, but something about it caused this report.',
    rfc: R3463,
    basicReply: '221, 250, 421, 451, 550, 554',
    usableAs: 'unspecified',
    typicalCauses: [
      'A generic server error',
      'Some servers use it for spam or content rejections',
      'Exchange uses 5.3.0 "Too many related errors" for a malformed message',
    ],
    whatToDo: 'Read the diagnostic text for the actual reason; retry if the class is 4.',
  },
  {
    subject: 3,
    detail: 1,
    title: 'Mail system full',
    meaning:
      "The destination system's storage is exhausted; unlike a full mailbox, the recipient cannot fix it by deleting mail.",
    rfc: R3463,
    basicReply: '452',
    usableAs: 'transient',
    typicalCauses: ["A full disk or queue on the recipient's mail server"],
    whatToDo: "Retry later. Only the receiving system's administrators can fix it.",
  },
  {
    subject: 3,
    detail: 2,
    title: 'System not accepting network messages',
    meaning:
      'The destination host is not accepting mail: for now (shutdown, overload, maintenance) or, with reply 521, never.',
    rfc: 'RFC 3463, RFC 7504',
    basicReply: '453, 521',
    usableAs: 'both',
    typicalCauses: [
      'Maintenance or overload at the destination',
      'A host configured to never accept mail (reply 521)',
    ],
    whatToDo:
      "Retry if the class is 4. With class 5 and reply 521 the host does not take mail: check the domain's MX records.",
    notes: [
      'Checked: the IANA registry references RFC 7504 here as well, which standardises reply 521 ("does not accept mail").',
    ],
  },
  {
    subject: 3,
    detail: 3,
    title: 'System not capable of selected features',
    meaning:
      'The message asks for features the destination cannot provide, typically at a gateway between different mail systems.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'unspecified',
    typicalCauses: ['A gateway that cannot map a requested feature or SMTP extension'],
    whatToDo: 'Send the message without the special feature, or through another route.',
  },
  {
    subject: 3,
    detail: 4,
    title: 'Message too big for system',
    meaning: "The message is larger than the receiving system's size limit.",
    rfc: R3463,
    basicReply: '552, 554',
    usableAs: 'permanent',
    typicalCauses: [
      'Large attachments (base64 encoding adds about a third to their size)',
      'A receiving system with a small size limit',
    ],
    whatToDo: 'Reduce the message size. The address itself is fine.',
  },
  {
    subject: 3,
    detail: 5,
    title: 'System incorrectly configured',
    meaning: 'The destination system is configured in a way that prevents it from accepting this message.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'unspecified',
    typicalCauses: ['A misconfigured receiving server, alias or routing table'],
    whatToDo: "Let the recipient's administrators know; retry later.",
  },
  {
    subject: 3,
    detail: 6,
    title: 'Requested priority was changed',
    meaning:
      'A positive report: the message was accepted, but the requested priority (MT-PRIORITY) was not honoured. The reply text carries the new priority.',
    rfc: 'RFC 6710',
    basicReply: '250 or 251',
    usableAs: 'success',
    typicalCauses: ['A server that lowers or ignores the requested MT-PRIORITY'],
    whatToDo: 'Nothing, unless the priority matters to you.',
    notes: [
      'Checked: the IANA registry gives reference RFC 6710 and basic reply "250 or 251": a success detail.',
    ],
  },
  // X.4.x: network and routing
  {
    subject: 4,
    detail: 0,
    title: 'Other or undefined network or routing status',
    meaning: 'Something went wrong in networking or routing, but the code does not say what.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'unspecified',
    typicalCauses: ['DNS or connection problems', 'A route that could not be established'],
    whatToDo: 'Retry if the class is 4; read the diagnostic text.',
  },
  {
    subject: 4,
    detail: 1,
    title: 'No answer from host',
    meaning: 'The connection attempt to the destination server was not answered.',
    rfc: R3463,
    basicReply: '451',
    usableAs: 'transient',
    typicalCauses: [
      'The destination server is down or overloaded',
      'A firewall drops connections to port 25',
      'An MX record pointing to a wrong address',
    ],
    whatToDo:
      "Retry later. If it persists for days, the domain's mail service is broken; the address may be dead.",
    notes: [
      'Exchange Online reuses 5.4.1 for "Relay Access Denied" and for "Recipient address rejected: Access denied" (Directory Based Edge Blocking: the recipient does not exist).',
    ],
  },
  {
    subject: 4,
    detail: 2,
    title: 'Bad connection',
    meaning: 'The connection was made, but the transaction could not complete (time-out or poor connection).',
    rfc: R3463,
    basicReply: '421',
    usableAs: 'transient',
    typicalCauses: [
      'Dropped connections and time-outs',
      'TLS handshake failures',
      'Throttling by disconnect',
    ],
    whatToDo: 'Retry later.',
  },
  {
    subject: 4,
    detail: 3,
    title: 'Directory server failure',
    meaning:
      'A directory server needed to route the message (typically DNS) could not be reached; temporary by definition.',
    rfc: R3463,
    basicReply: '451, 550',
    usableAs: 'transient',
    typicalCauses: [
      'A DNS server time-out or SERVFAIL',
      'An LDAP or recipient-directory lookup failure at the destination',
      'An SPF lookup error (older servers; RFC 7372 now uses X.7.24)',
    ],
    whatToDo: 'Retry later: a lookup failed, the address is not proven bad.',
  },
  {
    subject: 4,
    detail: 4,
    title: 'Unable to route',
    meaning:
      'The system could not find the next hop because the routing information (MX or address records) was not available.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'both',
    typicalCauses: [
      'A domain with no MX and no address records',
      'A DNS answer with only an SOA record',
      'A domain that does not exist (Amazon SES reports invalid domains as 5.4.4)',
    ],
    whatToDo: 'Check the domain. If it really has no mail records, the address will not work: suppress it.',
  },
  {
    subject: 4,
    detail: 5,
    title: 'Mail system congestion',
    meaning: 'The mail system was too congested to deliver the message.',
    rfc: R3463,
    basicReply: '451',
    usableAs: 'transient',
    typicalCauses: ['Overload at the destination', 'Rate limiting ("server busy")'],
    whatToDo: 'Retry later, and slow down if you send a lot to this domain.',
  },
  {
    subject: 4,
    detail: 6,
    title: 'Routing loop detected',
    meaning:
      'The message was forwarded too many times, because of wrong routing tables or a forwarding loop.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'transient',
    typicalCauses: [
      'Two mailboxes forwarding to each other',
      'Misconfigured MX or relay settings at the destination',
    ],
    whatToDo: "The recipient's administrators must fix the forwarding; retry after that.",
    notes: ['Exchange Online reports its own routing loops as 5.4.14; on-premises Exchange as 5.4.6.'],
  },
  {
    subject: 4,
    detail: 7,
    title: 'Delivery time expired',
    meaning:
      'The message was too old: it waited in a queue too long, or its time-to-live ran out. The registry asks servers to report the actual problem instead where they can.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'unspecified',
    typicalCauses: [
      'A destination unreachable for hours',
      'Repeated temporary failures (greylisting, rate limits) until the sender gave up',
      'Amazon SES stops retrying after some hours and reports the message as expired',
    ],
    whatToDo:
      'Look at the earlier deferrals for the real reason. The address is not proven bad; retry later.',
    notes: [
      'Exchange Online: 4.4.7 "Message expired" usually indicates a problem at the receiving server (see Microsoft\'s NDR reference).',
    ],
  },
  // X.5.x: mail delivery protocol
  {
    subject: 5,
    detail: 0,
    title: 'Other or undefined protocol status',
    meaning:
      'Something was wrong in the SMTP exchange with the next hop, not covered by a more specific code.',
    rfc: R3463,
    basicReply: '220, 250, 251, 252, 253, 451, 452, 454, 458, 459, 501, 502, 503, 554',
    usableAs: 'unspecified',
    typicalCauses: [
      'Protocol errors between sending and receiving servers',
      'Some providers use 5.5.0 for an unknown recipient',
    ],
    whatToDo: 'Read the diagnostic text; it often names the real reason.',
    notes: [
      'Outlook.com and Hotmail answer "550 5.5.0 Requested action not taken: mailbox unavailable" for a recipient that does not exist (Microsoft NDR reference).',
    ],
  },
  {
    subject: 5,
    detail: 1,
    title: 'Invalid command',
    meaning: 'An SMTP command was sent out of sequence or is not supported.',
    rfc: R3463,
    basicReply: '430, 500, 501, 503, 530, 550, 554, 555',
    usableAs: 'permanent',
    typicalCauses: ['A client bug or an unsupported extension command', 'STARTTLS required before MAIL'],
    whatToDo: 'A sending-software problem; the recipient is not at fault.',
  },
  {
    subject: 5,
    detail: 2,
    title: 'Syntax error',
    meaning: 'An SMTP command could not be understood: wrong syntax or an unknown command.',
    rfc: R3463,
    basicReply: '500, 501, 502, 550, 555',
    usableAs: 'permanent',
    typicalCauses: ['A client bug', 'A line too long or with illegal characters'],
    whatToDo: 'A sending-software problem; the recipient is not at fault.',
  },
  {
    subject: 5,
    detail: 3,
    title: 'Too many recipients',
    meaning:
      'More recipients than the server accepts in one transaction. The sender is expected to split the message and send the rest later.',
    rfc: R3463,
    basicReply: '451',
    usableAs: 'unspecified',
    typicalCauses: [
      'Too many RCPT TO in one message (Exchange Online: more than 200 from one domain)',
      'Some servers use it for per-hour sending limits',
    ],
    whatToDo: 'Send to fewer recipients per message, or slow down. The addresses are fine.',
  },
  {
    subject: 5,
    detail: 4,
    title: 'Invalid command arguments',
    meaning: 'A valid SMTP command had invalid arguments (out of range or an unknown feature).',
    rfc: R3463,
    basicReply: '451, 501, 502, 503, 504, 550, 555',
    usableAs: 'permanent',
    typicalCauses: ['Bad MAIL FROM or RCPT TO parameters', 'An invalid domain name in an address'],
    whatToDo: 'Check the address format and the sending software.',
  },
  {
    subject: 5,
    detail: 5,
    title: 'Wrong protocol version',
    meaning: 'The two systems speak protocol versions that cannot be reconciled automatically.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'unspecified',
    typicalCauses: ['Very old or non-standard mail software'],
    whatToDo: "Contact the recipient's administrators.",
  },
  {
    subject: 5,
    detail: 6,
    title: 'Authentication Exchange line is too long',
    meaning:
      "SMTP AUTH failed because the client's encoded response was longer than the server's buffer for that mechanism.",
    rfc: 'RFC 4954',
    basicReply: '500',
    usableAs: 'both',
    typicalCauses: ['Very long tokens (for example OAuth) on a server with a small buffer'],
    whatToDo: 'Use another authentication mechanism; a sending-side problem.',
  },
  // X.6.x: message content or media
  {
    subject: 6,
    detail: 0,
    title: 'Other or undefined media error',
    meaning: 'Something about the message content made it undeliverable, without more detail.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'unspecified',
    typicalCauses: ['Content filters', 'Malformed MIME structure', 'A virus or banned attachment'],
    whatToDo: 'Review the message content and format; the address is fine.',
  },
  {
    subject: 6,
    detail: 1,
    title: 'Media not supported',
    meaning: 'The type of content is not supported by the delivery protocol or the next system on the path.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'permanent',
    typicalCauses: ['An attachment or content type the destination refuses'],
    whatToDo: 'Send the content in another format.',
  },
  {
    subject: 6,
    detail: 2,
    title: 'Conversion required and prohibited',
    meaning:
      'The content must be converted to be delivered, but conversion is forbidden by the message or by the sending host.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'unspecified',
    typicalCauses: ['8-bit or binary content toward a 7-bit path with conversion forbidden'],
    whatToDo: 'Encode the message so that no conversion is needed (for example quoted-printable or base64).',
  },
  {
    subject: 6,
    detail: 3,
    title: 'Conversion required but not supported',
    meaning:
      'The content must be converted at some hop, but that hop cannot do it; for example an 8-bit message for a 7-bit-only next hop.',
    rfc: R3463,
    basicReply: '554',
    usableAs: 'unspecified',
    typicalCauses: ['8BITMIME or SMTPUTF8 content toward a server without that extension'],
    whatToDo: 'Encode the message in 7-bit form.',
  },
  {
    subject: 6,
    detail: 4,
    title: 'Conversion with loss performed',
    meaning:
      'Delivered, but a conversion on the way lost some data. If the sender had forbidden lossy conversion, it is a permanent failure instead.',
    rfc: R3463,
    basicReply: '250',
    usableAs: 'success',
    typicalCauses: ['A gateway converting to a more limited format'],
    whatToDo: 'Nothing unless fidelity matters; then send in a simpler format.',
  },
  {
    subject: 6,
    detail: 5,
    title: 'Conversion Failed',
    meaning: 'A required conversion was attempted and failed.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'both',
    typicalCauses: ['Corrupt or unusual encodings'],
    whatToDo: 'Check the message encoding; retry if the class is 4.',
  },
  {
    subject: 6,
    detail: 6,
    title: 'Message content not available',
    meaning: 'The message content could not be fetched from a remote system (submission by reference, BURL).',
    rfc: 'RFC 4468',
    basicReply: '554',
    usableAs: 'both',
    typicalCauses: ['An IMAP URL that the submission server cannot fetch'],
    whatToDo: 'A sending-side problem; check the submission setup.',
  },
  {
    subject: 6,
    detail: 7,
    title: 'Non-ASCII addresses not permitted for that sender/recipient',
    meaning: 'A MAIL or RCPT command with an internationalised (non-ASCII) address was refused.',
    rfc: 'RFC 6531',
    basicReply: '553, 550',
    usableAs: 'permanent',
    typicalCauses: ['An internationalised address toward a server without SMTPUTF8'],
    whatToDo: 'Use an ASCII address for this recipient if one exists.',
  },
  {
    subject: 6,
    detail: 8,
    title: 'UTF-8 string reply is required, but not permitted by the SMTP client',
    meaning:
      'The server needs to answer with UTF-8 (for example to show a mailbox name), but the client did not allow it.',
    rfc: 'RFC 6531',
    basicReply: '252, 553, 550',
    usableAs: 'permanent',
    typicalCauses: ['A client that did not negotiate SMTPUTF8'],
    whatToDo: 'Use sending software with SMTPUTF8 support.',
  },
  {
    subject: 6,
    detail: 9,
    title:
      'UTF-8 header message cannot be transferred to one or more recipients, so the message must be rejected',
    meaning:
      'The message has UTF-8 header fields and the next hop does not support SMTPUTF8, so it was rejected after DATA.',
    rfc: 'RFC 6531',
    basicReply: '550',
    usableAs: 'permanent',
    typicalCauses: ['UTF-8 headers toward a server without SMTPUTF8'],
    whatToDo: 'Encode headers as ASCII (RFC 2047 encoded words) for such recipients.',
  },
  {
    subject: 6,
    detail: 10,
    title: 'Deprecated (duplicate of X.6.8)',
    meaning: 'Registered by mistake as a duplicate of X.6.8 and deprecated; the registry gives it no title.',
    rfc: 'RFC 6531',
    basicReply: NOT_GIVEN,
    usableAs: 'unspecified',
    typicalCauses: ['Software that still emits the deprecated duplicate'],
    whatToDo: 'Treat it as X.6.8.',
  },
  // X.7.x: security or policy
  {
    subject: 7,
    detail: 0,
    title: 'Other or undefined security status',
    meaning:
      'A security or policy reason, not further described; sometimes deliberately, because the policy forbids saying more.',
    rfc: R3463,
    basicReply: '220, 235, 450, 454, 500, 501, 503, 504, 530, 535, 550',
    usableAs: 'unspecified',
    typicalCauses: ['Spam or reputation blocks', 'TLS required by the receiver', 'IP not on an allow list'],
    whatToDo: 'Read the diagnostic text; it is usually a sender-side problem, not a dead address.',
    notes: [
      'Gmail uses "421 4.7.0" for an unusual rate of unsolicited mail, for TLS required and for an IP not on the domain\'s allow list (Google Workspace: Gmail SMTP errors and codes).',
      'Yahoo and AOL defer with "421 4.7.0 [TSS04] ... temporarily deferred due to unexpected volume or user complaints" (postmaster.yahooinc.com/error-codes): slow down and review complaints; the recipient is fine.',
    ],
  },
  {
    subject: 7,
    detail: 1,
    title: 'Delivery not authorized, message refused',
    meaning:
      'The sender is not allowed to send to this destination: a per-host or per-recipient filter refused it.',
    rfc: R3463,
    basicReply: '451, 454, 502, 503, 533, 550, 551',
    usableAs: 'permanent',
    typicalCauses: [
      'The sending IP or domain is on a blocklist',
      'Content judged as spam',
      'A recipient or group that only accepts mail from certain senders',
      'Relaying denied',
    ],
    whatToDo:
      'Read the text: 5.7.1 covers both "this recipient refuses you" and "your IP is blocklisted". Fix reputation or authentication; do not suppress a good address for a blocklisting.',
    notes: [
      'In practice 4.7.1 is widely used for greylisting and throttling, although the registry defines X.7.1 for permanent failures.',
      'Exchange Online sends 5.7.1 for "Delivery not authorized", "Unable to relay" and "Client was not authenticated".',
      'Yahoo sends "421 4.7.1 [TS03] All messages from <IP> permanently deferred" for volume typical of unsolicited bulk mail: temporary in form, but Yahoo advises not to resend before fixing list practices.',
    ],
  },
  {
    subject: 7,
    detail: 2,
    title: 'Mailing list expansion prohibited',
    meaning: 'The sender is not allowed to post to this mailing list.',
    rfc: R3463,
    basicReply: '550',
    usableAs: 'permanent',
    typicalCauses: ['A members-only or moderated list'],
    whatToDo: 'Ask the list owner for permission; the list address itself works.',
  },
  {
    subject: 7,
    detail: 3,
    title: 'Security conversion required but not possible',
    meaning: 'Delivery needed a conversion between secure messaging protocols, and it was not possible.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'permanent',
    typicalCauses: ['Encrypted or signed content toward a gateway that cannot convert it'],
    whatToDo: 'Send the message in a form the destination can handle.',
  },
  {
    subject: 7,
    detail: 4,
    title: 'Security features not supported',
    meaning:
      'The message used security features (such as secure authentication) that the delivery protocol cannot support.',
    rfc: R3463,
    basicReply: '504',
    usableAs: 'permanent',
    typicalCauses: ['An AUTH mechanism or security extension the server does not offer'],
    whatToDo: 'Use a supported mechanism; a sending-side problem.',
    notes: ['Exim used "530 5.7.4 REQUIRETLS support required" before RFC 8689 registered X.7.30.'],
  },
  {
    subject: 7,
    detail: 5,
    title: 'Cryptographic failure',
    meaning:
      'A system entitled to validate or decrypt the message could not, because a key was missing or invalid.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'unspecified',
    typicalCauses: ['A missing or expired key or certificate'],
    whatToDo: 'Check keys and certificates on the sending side.',
  },
  {
    subject: 7,
    detail: 6,
    title: 'Cryptographic algorithm not supported',
    meaning:
      'A system entitled to validate or decrypt the message could not, because it does not support the algorithm used.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'unspecified',
    typicalCauses: ['An outdated or unusual signing or encryption algorithm'],
    whatToDo: 'Use a widely supported algorithm.',
  },
  {
    subject: 7,
    detail: 7,
    title: 'Message integrity failure',
    meaning:
      'A system entitled to validate the message could not, because it was corrupted or altered on the way.',
    rfc: R3463,
    basicReply: NOT_GIVEN,
    usableAs: 'any',
    typicalCauses: ['A relay that modified a signed message'],
    whatToDo: 'Find the hop that alters messages; a sender or path problem.',
  },
  {
    subject: 7,
    detail: 8,
    title: 'Authentication credentials invalid',
    meaning: 'SMTP authentication failed because the credentials are wrong or insufficient.',
    rfc: 'RFC 4954',
    basicReply: '535, 554',
    usableAs: 'permanent',
    typicalCauses: ['A wrong or rotated SMTP password', 'SMTP credentials for the wrong region or account'],
    whatToDo: 'Fix the sending credentials. Recipients are not involved.',
  },
  {
    subject: 7,
    detail: 9,
    title: 'Authentication mechanism is too weak',
    meaning: 'The chosen AUTH mechanism is weaker than the server allows for this user.',
    rfc: 'RFC 4954',
    basicReply: '534',
    usableAs: 'permanent',
    typicalCauses: ['PLAIN or LOGIN where the server requires a stronger mechanism'],
    whatToDo: 'Use a stronger mechanism.',
  },
  {
    subject: 7,
    detail: 10,
    title: 'Encryption Needed',
    meaning:
      'A strong privacy layer (such as TLS) is needed before the requested authentication mechanism can be used.',
    rfc: 'RFC 5248',
    basicReply: '523',
    usableAs: 'permanent',
    typicalCauses: ['Authenticating in clear text without STARTTLS'],
    whatToDo: 'Start TLS before authenticating.',
  },
  {
    subject: 7,
    detail: 11,
    title: 'Encryption required for requested authentication mechanism',
    meaning: 'This mechanism may only be used over an encrypted connection (kept for historical reasons).',
    rfc: 'RFC 4954',
    basicReply: '524, 538',
    usableAs: 'permanent',
    typicalCauses: ['Authenticating without TLS'],
    whatToDo: 'Start TLS before authenticating.',
  },
  {
    subject: 7,
    detail: 12,
    title: 'A password transition is needed',
    meaning: 'The user must move to the selected mechanism, usually by authenticating once with PLAIN.',
    rfc: 'RFC 4954',
    basicReply: '422, 432',
    usableAs: 'transient',
    typicalCauses: ['A server migrating its users to a new authentication mechanism'],
    whatToDo: 'Authenticate once with PLAIN over TLS, then retry.',
    notes: [
      'Exchange Online uses 5.7.12 "Sender was not authenticated by organization": the recipient only accepts mail from inside its organisation.',
    ],
  },
  {
    subject: 7,
    detail: 13,
    title: 'User Account Disabled',
    meaning:
      'Authentication succeeded, but the account is disabled (non-payment, abuse, a break-in); permanent until an administrator re-enables it.',
    rfc: 'RFC 5248',
    basicReply: '525',
    usableAs: 'permanent',
    typicalCauses: [
      'A disabled sending account (the registry meaning)',
      'Some receivers use it for a disabled recipient mailbox',
    ],
    whatToDo:
      'If it is your sending account, contact the provider. If the text says the recipient is disabled, treat the address as inactive.',
    notes: [
      'Exchange Online uses 5.7.13 and 5.7.135 for a public folder that rejects senders from outside the organisation.',
    ],
  },
  {
    subject: 7,
    detail: 14,
    title: 'Trust relationship required',
    meaning:
      'The submission server needs a configured trust relationship with a third-party server to fetch the message content.',
    rfc: 'RFC 5248',
    basicReply: '535, 554',
    usableAs: 'permanent',
    typicalCauses: ['Submission by reference (BURL) without a configured trust'],
    whatToDo: 'A sending-side configuration problem.',
  },
  {
    subject: 7,
    detail: 15,
    title: 'Priority Level is too low',
    meaning:
      'The requested priority is below what the server accepts; possibly temporary, while it takes only higher priorities.',
    rfc: 'RFC 6710',
    basicReply: '450, 550 (other 4XX or 5XX codes are allowed)',
    usableAs: 'both',
    typicalCauses: ['A server in a high-priority-only mode'],
    whatToDo: 'Retry later or with a higher MT-PRIORITY.',
  },
  {
    subject: 7,
    detail: 16,
    title: 'Message is too big for the specified priority',
    meaning: 'The message is too large for the priority it was sent with; possibly temporary.',
    rfc: 'RFC 6710',
    basicReply: '552 (other 4XX or 5XX codes are allowed)',
    usableAs: 'both',
    typicalCauses: ['A server that limits message size per priority level'],
    whatToDo: 'Send a smaller message or change its priority.',
  },
  {
    subject: 7,
    detail: 17,
    title: 'Mailbox owner has changed',
    meaning:
      'With RRVS (Require-Recipient-Valid-Since), the receiver says the mailbox has not belonged to the same person since the date the sender gave: it has been reassigned.',
    rfc: 'RFC 7293',
    basicReply: '5XX',
    usableAs: 'permanent',
    typicalCauses: ['A recycled address now used by someone else'],
    whatToDo: 'Suppress the address: it now belongs to someone else.',
  },
  {
    subject: 7,
    detail: 18,
    title: 'Domain owner has changed',
    meaning:
      "With RRVS, the receiver says the recipient domain's owner changed since the date the sender gave.",
    rfc: 'RFC 7293',
    basicReply: '5XX',
    usableAs: 'permanent',
    typicalCauses: ['A domain that expired and was registered by someone else'],
    whatToDo: 'Suppress the address.',
  },
  {
    subject: 7,
    detail: 19,
    title: 'RRVS test cannot be completed',
    meaning:
      'The RRVS check could not be done because the receiver did not record the needed timestamp; the sender decides whether to resend without RRVS.',
    rfc: 'RFC 7293',
    basicReply: '5XX',
    usableAs: 'permanent',
    typicalCauses: ['A receiver without ownership history for the mailbox'],
    whatToDo: 'Resend without RRVS if delivery matters more than the ownership check.',
  },
  {
    subject: 7,
    detail: 20,
    title: 'No passing DKIM signature found',
    meaning: 'The message carried no DKIM signature that verified, and the receiver requires one.',
    rfc: 'RFC 7372',
    basicReply: '550',
    usableAs: 'permanent',
    typicalCauses: ['No DKIM signing configured', 'A signature broken by a relay that altered the message'],
    whatToDo: 'Set up DKIM signing for your sending domain (Easy DKIM in SES). The recipient is fine.',
  },
  {
    subject: 7,
    detail: 21,
    title: 'No acceptable DKIM signature found',
    meaning: "The message had passing DKIM signatures, but none was acceptable under the receiver's policy.",
    rfc: 'RFC 7372',
    basicReply: '550',
    usableAs: 'permanent',
    typicalCauses: ["A signature from an unrelated domain (for example only the provider's)", 'A weak key'],
    whatToDo: 'Sign with your own domain and a 2048-bit key.',
  },
  {
    subject: 7,
    detail: 22,
    title: 'No valid author-matched DKIM signature found',
    meaning: 'None of the passing DKIM signatures is from the domain in the From header (no alignment).',
    rfc: 'RFC 7372',
    basicReply: '550',
    usableAs: 'permanent',
    typicalCauses: ['Signing with a domain different from the From domain'],
    whatToDo: 'Sign with the same domain as the From address.',
  },
  {
    subject: 7,
    detail: 23,
    title: 'SPF validation failed',
    meaning:
      'The SPF check gave "fail" (the sending IP is not allowed by the domain), and the receiver rejects such mail.',
    rfc: 'RFC 7372',
    basicReply: '550',
    usableAs: 'permanent',
    typicalCauses: ['An SPF record that does not include the sending service', 'Forwarding that breaks SPF'],
    whatToDo:
      'Add your sending service to the SPF record of your MAIL FROM domain (a custom MAIL FROM domain in SES).',
  },
  {
    subject: 7,
    detail: 24,
    title: 'SPF validation error',
    meaning: 'Evaluating SPF produced an error (temporary or permanent), for example a DNS failure.',
    rfc: 'RFC 7372',
    basicReply: '451, 550',
    usableAs: 'both',
    typicalCauses: [
      'Too many DNS lookups in SPF (more than 10)',
      'A syntax error in the SPF record',
      'A DNS time-out',
    ],
    whatToDo: 'Fix the SPF record; retry if the class is 4.',
  },
  {
    subject: 7,
    detail: 25,
    title: 'Reverse DNS validation failed',
    meaning:
      "The sending IP address failed the receiver's reverse DNS check (no PTR record, or one that does not map back).",
    rfc: 'RFC 7372, RFC 7601',
    basicReply: '550',
    usableAs: 'permanent',
    typicalCauses: ['A sending IP without a PTR record', 'A PTR name that does not resolve back to the IP'],
    whatToDo: 'Fix reverse DNS of the sending IP; a sender infrastructure problem.',
    notes: [
      'Gmail refuses mail from IP addresses without a PTR record with 5.7.25; 4.7.25 is also seen in practice. Exchange Online requires reverse DNS for mail over IPv6 (5.7.25).',
    ],
  },
  {
    subject: 7,
    detail: 26,
    title: 'Multiple authentication checks failed',
    meaning: 'The message failed more than one authentication check; which ones is not said.',
    rfc: 'RFC 7372',
    basicReply: '550',
    usableAs: 'permanent',
    typicalCauses: ['SPF and DKIM both failing or not aligned (DMARC failure)'],
    whatToDo: 'Set up SPF, DKIM and DMARC alignment for your sending domain. The recipient is fine.',
    notes: [
      'Gmail rejects unauthenticated mail with "550 5.7.26". Exchange Online uses 4.7.26 for mail over IPv6 that passes neither SPF nor DKIM.',
    ],
  },
  {
    subject: 7,
    detail: 27,
    title: 'Sender address has null MX',
    meaning:
      "The sender's domain publishes a null MX, so bounces could not be returned; the receiver refuses such mail.",
    rfc: 'RFC 7505',
    basicReply: '550',
    usableAs: 'permanent',
    typicalCauses: ['Sending from a domain that declares it receives no mail'],
    whatToDo: 'Send from a domain that can receive bounces.',
  },
  {
    subject: 7,
    detail: 28,
    title: 'Mail flood detected',
    meaning: 'The message appears to be part of a flood of similar, abusive messages (mail bombing).',
    rfc: 'draft-levine-mailbomb-header (Internet-Draft)',
    basicReply: NOT_GIVEN,
    usableAs: 'unspecified',
    typicalCauses: ['Sending many similar messages quickly', 'Sign-up forms abused to bomb a victim'],
    whatToDo: 'Slow down and check for abuse of your forms; retry later if the class is 4.',
    notes: [
      'Checked: IANA references draft-levine-mailbomb-header (J. Levine), not RFC 8098, and gives no basic reply code.',
      'Gmail uses "421 4.7.28" to rate-limit senders, notably those not meeting its bulk-sender requirements.',
    ],
  },
  {
    subject: 7,
    detail: 29,
    title: 'ARC validation failure',
    meaning: 'The message failed ARC (Authenticated Received Chain) validation.',
    rfc: 'RFC 8617',
    basicReply: '550',
    usableAs: 'permanent',
    typicalCauses: ['A forwarder or mailing list with a broken ARC chain'],
    whatToDo: 'A forwarding-path problem; the original recipient address is fine.',
  },
  {
    subject: 7,
    detail: 30,
    title: 'REQUIRETLS support required',
    meaning: 'The message requires TLS on every hop (REQUIRETLS), and the next hop cannot provide it.',
    rfc: 'RFC 8689',
    basicReply: '550',
    usableAs: 'permanent',
    typicalCauses: ['REQUIRETLS requested toward a server without TLS or without the extension'],
    whatToDo: 'Send without REQUIRETLS, or choose another route.',
  },
];

export interface ClassInfo {
  readonly title: string;
  readonly meaning: string;
}

export const CLASS_INFO: Readonly<Record<2 | 4 | 5, ClassInfo>> = {
  2: {
    title: 'Success',
    meaning: 'The report is about a delivery that succeeded; the detail may describe something noteworthy.',
  },
  4: {
    title: 'Persistent transient failure',
    meaning:
      'The message is valid, but a temporary condition stopped delivery. Sending again later may succeed.',
  },
  5: {
    title: 'Permanent failure',
    meaning:
      'Resending the message unchanged will not succeed: something about the message or the destination must change.',
  },
};

export interface SubjectInfo {
  readonly title: string;
  readonly meaning: string;
  readonly typicalCauses: readonly string[];
  readonly whatToDo: string;
}

export const SUBJECT_INFO: Readonly<Record<number, SubjectInfo>> = {
  0: {
    title: 'Other or undefined status',
    meaning: 'No information about the area of the problem.',
    typicalCauses: ['A server that reports only the class'],
    whatToDo: 'Read the diagnostic text for the actual reason.',
  },
  1: {
    title: 'Addressing status',
    meaning: "About the sender's or the recipient's address: its syntax or whether it exists.",
    typicalCauses: [
      'An address that does not exist or is malformed',
      'A sender address the receiver refuses',
    ],
    whatToDo: 'Check the address; find out from the text whether it is the recipient or the sender.',
  },
  2: {
    title: 'Mailbox status',
    meaning: "About the recipient's mailbox, which is under the recipient's control.",
    typicalCauses: ['A full, disabled or over-limit mailbox'],
    whatToDo: 'Usually temporary: retry later, and suppress only if the mailbox stays unusable.',
  },
  3: {
    title: 'Mail system status',
    meaning: "About the destination mail system, under its administrators' control.",
    typicalCauses: ['Storage, size limits or configuration at the receiving system'],
    whatToDo: 'Retry later or adapt the message; the address is usually fine.',
  },
  4: {
    title: 'Network and routing status',
    meaning: 'About the delivery infrastructure: DNS, routing, connections and queues.',
    typicalCauses: ['DNS failures, unreachable servers, time-outs'],
    whatToDo: 'Usually temporary: retry later and check the domain.',
  },
  5: {
    title: 'Mail delivery protocol status',
    meaning: 'About the SMTP exchange itself: commands, syntax and protocol errors.',
    typicalCauses: ['Sending-software or protocol problems'],
    whatToDo: 'Check the sending software; the recipient is rarely at fault.',
  },
  6: {
    title: 'Message content or media status',
    meaning: 'About the message content: formats, encodings and conversions.',
    typicalCauses: ['Unsupported content, encodings or conversions', 'Content filters'],
    whatToDo: 'Change the message format or content; the address is fine.',
  },
  7: {
    title: 'Security or policy status',
    meaning:
      'About security and policy: authentication, filtering, reputation and encryption, under the control of the sender, the recipient or both.',
    typicalCauses: ['Blocklists and reputation', 'SPF, DKIM or DMARC failures', 'Recipient-side filtering'],
    whatToDo:
      'Usually a sender-side problem: fix authentication or reputation rather than dropping the address.',
  },
};

/**
 * Where the popular "85+ bounce codes" guide contradicts the registry, keyed by the exact code it lists.
 * The registry wins; each text says what the guide claimed and why that is wrong.
 */
export const GUIDE_CORRECTIONS: Readonly<Record<string, string>> = {
  '4.1.5':
    'The guide calls 4.1.5 "destination mailbox address valid, but mailbox not accepting". In the registry X.1.5 means only "destination address valid": a success detail for positive reports (250 2.1.5). It says nothing about a mailbox refusing mail, so a failure carrying X.1.5 is contradictory and the diagnostic text must decide.',
  '5.1.5':
    'The guide calls 5.1.5 "destination mailbox address valid, but mailbox not accepting". In the registry X.1.5 means only "destination address valid": a success detail for positive reports (250 2.1.5). It says nothing about a mailbox refusing mail, so a failure carrying X.1.5 is contradictory and the diagnostic text must decide.',
  '4.2.0':
    'The guide calls 4.2.0 "mailbox full". In the registry X.2.0 is "other or undefined mailbox status": it gives no reason. A full mailbox is X.2.2.',
  '4.2.2':
    'The guide calls 4.2.2 "mailbox not accepting messages". In the registry X.2.2 is "mailbox full"; a mailbox that does not accept messages is X.2.1 (mailbox disabled).',
  '5.2.0':
    'The guide calls 5.2.0 "mailbox disabled". In the registry X.2.0 is "other or undefined mailbox status": it gives no reason. A disabled mailbox is X.2.1.',
  '5.2.1':
    'The guide calls 5.2.1 "mailbox full". In the registry X.2.1 is "mailbox disabled, not accepting messages"; a full mailbox is X.2.2.',
  '5.2.2':
    'The guide calls 5.2.2 "mailbox not accepting messages" and lists it as a hard bounce. In the registry X.2.2 is "mailbox full", and RFC 3463 says it should be used as a persistent transient failure: the recipient can free space, so even 5.2.2 is a soft bounce.',
  '4.3.0':
    'The guide calls 4.3.0 "mail system storage full". In the registry X.3.0 is "other or undefined mail system status": it gives no reason. Full storage is X.3.1 (mail system full).',
  '5.3.0':
    'The guide calls 5.3.0 "mail system full". In the registry X.3.0 is "other or undefined mail system status": it gives no reason. A full mail system is X.3.1.',
  '4.4.3':
    'The guide calls 4.4.3 "routing server failure". In the registry X.4.3 is "directory server failure": a directory lookup (usually DNS) could not be made. The registry defines it as transient only.',
  '5.4.3':
    'The guide calls 5.4.3 "routing server failure". In the registry X.4.3 is "directory server failure": a directory lookup (usually DNS) could not be made. The registry defines it as transient only, so a 5.4.3 still describes a temporary lookup problem, not a dead address.',
  '4.7.25':
    'The guide calls 4.7.25 "spam filter triggered". In the registry X.7.25 (RFC 7372) is "reverse DNS validation failed": the sending IP address has no valid reverse DNS (PTR) record. It is about the sender\'s infrastructure, not the message content.',
};
