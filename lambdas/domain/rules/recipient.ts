// Wording about the recipient's address or mailbox: it does not exist, its domain does not exist, it moved, it
// is disabled, full, or filters this sender. Only the first four (and a permanently disabled mailbox) are grounds
// for a hard verdict; see policy.ts.
// Sources as in sender.ts: SMTP Field Manual ("SFM"), sisimai's reason/ and rhost/ tables ("sisimai"), and the
// providers' own pages where named. Non-English wording is included only where a real bounce was found: French
// (Orange/La Poste and sisimai), Italian and Spanish (sisimai), German (an Exchange NDR quoted by sisimai).
import type { TextRule } from './types.ts';

/** Chinese nouns of the recipient's mailbox or account (simplified and traditional). */
const CJK_RECIPIENT_NOUNS: readonly string[] = [
  '用户',
  '用戶',
  '收件人',
  '收件者',
  '邮箱',
  '郵箱',
  '信箱',
  '账号',
  '帐号',
  '帳號',
  '账户',
  '帐户',
  '帳戶',
  '地址',
];
/** Chinese "does not exist". */
const CJK_DEAD_STATES: readonly string[] = ['不存在'];

export const MAILBOX_FULL_RULES: readonly TextRule[] = [
  {
    id: 'mailbox-full',
    category: 'mailbox-full',
    match: [
      'mailbox full',
      'mailbox is full',
      'mailbox size limit exceeded',
      'mailbox exceeds allowed size',
      'mailbox would exceed maximum allowed storage',
      'mailfolder is full',
      'over quota',
      'overquota',
      'quota exceeded',
      'quota violation',
      'exceeded storage allocation',
      'exceeded storage',
      'inbox is out of storage space',
      'out of storage space',
      'user has exceeded quota',
      'user has too many messages on the server',
      "user's space has been used up",
      'account storage limit',
      'not enough storage',
      'insufficient storage',
      'account disabled temporarly for exceeding receiving limits',
      ['mailbox', 'exceeded', 'limit'],
      ['disk', 'quota'],
      ['maildir', 'quota'],
      'boite du destinataire pleine',
      'mailbox lleno',
      'recipient storage full',
      'exhausted allowed storage',
      ['error writing message', 'file too large'],
    ],
    unless: ['sending quota', 'submission quota', 'queue quota', 'per hour', 'receive limit'],
    source:
      'Gmail 4.2.2/5.2.2 OverQuota, iCloud "user is over quota", Yandex "Mailbox size limit exceeded", Free, GMX "exceeded storage allocation", Comcast "quota violation", Orange OFR_417 "Boite du destinataire pleine", GoDaddy (SFM 452/552/554, sisimai), latinmail "mailbox lleno" (sisimai/p5-sisimai#66), "552 recipient storage full", web.de "User has exhausted allowed storage space", Postfix local "error writing message: File too large" (mbox at its size limit) (voku/PHPMailer-BMH rule samples 0145, 0995, 0192)',
  },
  {
    id: 'mailbox-full-quota-word',
    category: 'mailbox-full',
    weak: true,
    match: ['quota'],
    unless: ['sending', 'submission', 'daily', 'per hour', 'queue'],
    source: 'Generic "quota" wording of mailbox stores (sisimai reason/why-mailboxfull.go)',
  },
];

export const RECEIVER_STORAGE_RULES: readonly TextRule[] = [
  {
    id: 'receiver-out-of-space',
    category: 'remote-system-error',
    match: [
      'not enough free space',
      'insufficient system storage',
      'insufficient disk space',
      'no space left on device',
      'mail system full',
    ],
    source:
      'qmail-ldap "mailbox unavailable (not enough free space)", Sendmail "452 Insufficient disk space; try again later" (the server, not the mailbox; sisimai lhost/via-qmail.go)',
  },
];

export const MAILBOX_DISABLED_RULES: readonly TextRule[] = [
  {
    id: 'mailbox-temporarily-disabled',
    category: 'mailbox-disabled',
    transient: true,
    match: [
      'temporarily suspended',
      'temporarily inactive',
      'temporarily disabled',
      'temporary locked',
      'temporarily locked',
      'temporarily blocked',
    ],
    // Postfix's "delivery temporarily suspended: connect to ...: Connection timed out" is about the destination
    // host, and "temporarily blocked ... retrying too fast" about the sender's pace, not the mailbox.
    unless: [' ip ', 'ip address', 'spam', 'sender', 'delivery temporarily suspended', 'retrying too fast'],
    source:
      'sisimai reason/why-suspend.go ("this account has been temporarily suspended", "temporarily inactive"); unless: Postfix "delivery temporarily suspended" (chatmail/relay#919), "retrying too fast" (a Postfix log in the Linode forum archive, 2010)',
  },
  {
    id: 'mailbox-disabled',
    category: 'mailbox-disabled',
    match: [
      'account that you tried to reach is disabled',
      'account that you tried to reach is inactive',
      'this mailbox is disabled',
      'mailbox disabled',
      'mailbox is disabled',
      'mailbox has been disabled',
      'account is disabled',
      'account has been disabled',
      'account disabled',
      'user account disabled',
      'account is inactive',
      'inactive account',
      'mailbox is inactive',
      'mailbox inactive',
      'invalid/inactive user',
      'is a deactivated mailbox',
      'account has been deactivated',
      'account deactivated',
      'mailbox is frozen',
      'mailbox currently suspended',
      'account has been suspended',
      'account is suspended',
      'is currently suspended',
      'user suspended',
      'user is terminated',
      'disabled or discontinued',
      'user or domain is disabled',
      'mailbox cannot be accessed',
      'mailbox unavailable or access denied',
      'this address no longer accepts mail',
      'is no longer valid',
      'archived recipient',
      'boite du destinataire archivee',
      'recipient account isblocked',
      'recipient account is blocked',
      'le compte du destinataire est bloque',
      'address rejected: inactive',
      'banned recipient',
      'mailaddress is administrativ',
      'account inactive',
      'account expired',
      'user status is locked',
    ],
    source:
      'Gmail 5.2.1 DisabledUser, Yahoo "This mailbox is disabled (554.30)" and "is no longer valid", Mail.ru "account is disabled", QQ "deactivated mailbox"/"mailbox is frozen", Orange/La Poste 420/426, Rambler 540 "Inactive", Microsoft 5.7.505 (SFM 540/550/554, sisimai); "550 ... Account Inactive", "550 account expired", "User status is locked" (voku/PHPMailer-BMH rule samples 0155, 0183, 0228)',
  },
];

export const MAILBOX_MOVED_RULES: readonly TextRule[] = [
  {
    id: 'mailbox-moved',
    category: 'mailbox-moved',
    match: [
      'mailbox has moved',
      'has moved to',
      'no forwarding address',
      'has been replaced by',
      'no longer on server',
      'user not local; please try',
      'mailbox owner has changed',
      'domain owner has changed',
    ],
    source:
      'iCloud 5.1.6 "recipient no longer on server", RFC 5321 551 "User not local; please try", sisimai hasmoved, RFC 7293',
  },
];

export const DOMAIN_REJECTS_MAIL_RULES: readonly TextRule[] = [
  {
    id: 'null-mx',
    category: 'domain-rejects-mail',
    match: [
      'null mx',
      'nullmx',
      'host/domain does not accept mail',
      'domain does not accept mail',
      'host does not accept mail',
      'domain does not accept email',
      'mail receiving disabled',
      'indicated no smtp service',
    ],
    unless: ['ipv6', 'sender'],
    source:
      'RFC 7505 "556 5.1.10 Recipient address has null MX", iCloud "host/domain does not accept mail" (sisimai notaccept)',
  },
];

export const RECIPIENT_FILTER_RULES: readonly TextRule[] = [
  {
    id: 'recipient-blocks-sender',
    category: 'recipient-filtered',
    match: [
      'blocked by the recipient',
      'blocked by recipient',
      'rejected by recipient',
      'rejected by the recipient',
      'message rejected due to user rules',
      'user refuses to receive',
      'recipient refuses to accept your mail',
      'refused due to recipient preferences',
      'recipient is only accepting mail from specific email addresses',
      "isn't on the recipient's list of senders",
      'sender not pre-approved',
      'envelope blocked',
      'blocked senders',
      'block policy for header from',
      'block policy for envelope from',
      'mail is rejected by recipients',
      'recipient address rejected: block-send-er',
      'user reject',
      'is not accepting any mail',
      'restrictedtorecipientspermission',
      'user refused to receive',
      "doesn't want your mail",
      'does not want your mail',
    ],
    source:
      'Mimecast "Envelope blocked - User Entry" and "Blocked Senders", Trend Micro "BLOCK-SEND-ER", AOL, Facebook, QQ (SFM 550/554, sisimai reason/why-filtered.go), "553 User refused to receive this mail." (voku/PHPMailer-BMH rule sample 0156), Interia "550 5.7.1 Recipient doesn\'t want your mail" (= the recipient blocked you, pomoc.poczta.interia.pl), "554 5.7.1 The recipient definitively does not want your mail" (smtp-field-manual issue #11)',
  },
  {
    // The recipient's own permission to receive is refused: a mailbox that can be unauthorized exists. Specific wording,
    // so it decides over a dead-address code the server put in front of it (LBBS answers 550 5.1.1).
    id: 'recipient-not-permitted-to-receive',
    category: 'recipient-filtered',
    match: ['unauthorized to receive'],
    source:
      'LBBS "550 5.1.1 User unauthorized to receive external mail" (InterLinked1/lbbs modules/mod_smtp_delivery_local.c exists(): the mailbox exists, its owner\'s privilege level does not allow mail from external senders)',
  },
];

export const UNKNOWN_DOMAIN_RULES: readonly TextRule[] = [
  {
    id: 'domain-not-found-temporary',
    category: 'network-error',
    match: [
      'host not found, try again',
      'domain not found, try again',
      'temporary failure in name resolution',
    ],
    source:
      'Postfix "Host or domain name not found. Name service error ... Host not found, try again" (a DNS failure, not NXDOMAIN)',
  },
  {
    id: 'unknown-domain',
    category: 'unknown-domain',
    match: [
      'domain not found',
      'host not found',
      'host unknown',
      'unknown host',
      'unknown domain',
      'no such domain',
      'domain does not exist',
      "domain doesn't exist",
      'nonexistent domain',
      'non-existent domain',
      'unrouteable address',
      'unroutable address',
      'unrouteable mail domain',
      'host or domain name not found',
      'name or service not known',
      "we weren't able to find the recipient domain",
      "couldn't find any host named",
      "couldn't find a mail exchanger",
      'no mx record found for domain',
      'domain lookup failed',
      'recipient domain must exist',
      'mail domain mentioned in email address is unknown',
      'nxdomain',
      'all host address lookups failed permanently',
      'dns error: domain name not found',
      'mx records point to non-existent hosts',
      ['dns domain', 'does not exist'],
      'no mx or a for domain',
    ],
    source:
      'Gmail 5.1.2 BadRcptDomain, Exchange "SMTPSEND.DNS.NonExistentDomain", Exim "Unrouteable address", qmail "couldn\'t find any host named", Sendmail "Host unknown", Postfix "Host or domain name not found" (sisimai reason/why-hostunknown.go), Gmail as a sender "DNS Error: Domain name not found" (voku/PHPMailer-BMH rule sample 0999), Momentum "454 4.4.4 [internal] no MX or A for domain" (SparkPost web-ref/responses-by-message.md)',
  },
];

export const UNKNOWN_RECIPIENT_RULES: readonly TextRule[] = [
  {
    id: 'microsoft-recipient-access-denied',
    category: 'unknown-recipient',
    match: ['recipient address rejected: access denied'],
    codes: ['X.4.1', 'X.7.504'],
    source:
      'Microsoft 5.4.1 "Recipient address rejected: Access denied" = directory-based edge blocking, recipient not found (Exchange Online NDR reference)',
  },
  {
    id: 'unknown-recipient',
    category: 'unknown-recipient',
    match: [
      'user unknown',
      'unknown user',
      'userunknown',
      'no such user',
      'no such mailbox',
      'no such recipient',
      'no such address',
      'no such person',
      'no such local user',
      'unknown recipient',
      'recipient unknown',
      'addressee unknown',
      'address unknown',
      'unknown mailbox',
      'mailbox unknown',
      'unknown address',
      'unknown local part',
      'unknown e-mail address',
      'unknown or illegal alias',
      'user not found',
      'recipient not found',
      'mailbox not found',
      'address not found',
      'no mailbox here by that name',
      'no mailbox by that name',
      'no mailbox found',
      'no account by that name',
      'account does not exist',
      'user does not exist',
      "user doesn't exist",
      'user not exist',
      'mailbox does not exist',
      'recipient does not exist',
      'recipient not exist',
      'address does not exist',
      'email account that you tried to reach does not exist',
      "this user doesn't have a",
      'not a valid mailbox',
      'is not a valid user',
      'not a valid recipient',
      'not a valid user here',
      'is not a known user',
      'invalid recipient',
      'invalid mailbox',
      'mailbox invalid',
      'bad destination mailbox address',
      'bad address syntax',
      ['recipient address', 'is not a valid rfc'],
      'recipnotfound',
      'recipientnotfound',
      'recipient notfound',
      'not our customer',
      'recipient mailbox unallocated',
      'inactive email address',
      'marked as invalid',
      'mailbox not found or access denied',
      'not in recipient list',
      'address not present in directory',
      'mailbox not present',
      'not listed in domino directory',
      'not listed in public name & address book',
      "recipient doesn't exist",
      'does not have an account here',
      'invalid user ',
      'no mail box available for this user',
      'there is no one at this address',
      'this email address is wrong or no longer valid',
      "the user's email name is not found",
      'email address could not be found',
      'vdeliver: invalid or unknown virtual user',
      'badrcptto',
      'badrecipientto',
      'validrcptto',
      '550 address invalid',
      'recipient address rejected: invalid',
      'nicht gefunden wurde oder keine e-mails empfangen kann',
      'utilisateur inconnu',
      'destinataire invalide',
      'no existe dicha persona',
      'no existe ese usuario',
      'nessun utente simile',
      'destinatario desconocido',
      '#5.1.0 address rejected',
    ],
    source:
      'Gmail 5.1.1 NoSuchUser, Yahoo "dd This user doesn\'t have a ... account", Exchange "RESOLVER.ADR.RecipNotFound", Postfix "User unknown in local recipient table", qmail "no mailbox here by that name", Comcast "Not our Customer", iCloud, Zoho, Proofpoint, Barracuda cuda_nsu, Symantec, Orange OFR_416 (SFM 550/552/554, sisimai reason/why-userunknown.go), Cisco IronPort "#5.1.0 Address rejected" (sisimai), latinmail "Destinatario desconocido" (sisimai/p5-sisimai#66), Domino "not listed in public Name & Address Book", qmail "sorry, that recipient doesn\'t exist (#5.7.1)", "does not have an account here", "<x>: Invalid User" (voku/PHPMailer-BMH rule samples 0103, 0205, 0207, 0111)',
  },
  {
    id: 'mailbox-unavailable',
    category: 'unknown-recipient',
    match: ['requested action not taken: mailbox unavailable', 'invalid mailbox. local mailbox'],
    notCodes: ['X.2', 'X.3', 'X.4', 'X.7'],
    // The standard 550 text with a reason appended ("(ip blocked)", "Try again later") is about that reason. "...
    // unavailable or not local" offers two readings, a missing mailbox or a domain that MX does not host (MailEnable
    // answers it for both): no evidence of a dead address on its own, so not suppressed on it.
    unless: ['try again', 'block', 'spam', 'polic', 'reputation', ' rate ', 'or not local'],
    source:
      'Outlook.com 5.5.0 "Requested action not taken: mailbox unavailable" (= not found by address lookup), web.de/GMX, Mail.ru "invalid mailbox" (SFM 550); MailEnable "mailbox unavailable or not local" (Mailman 2 tests/bounces/simple_41.txt)',
  },
  {
    id: 'invalid-address',
    category: 'unknown-recipient',
    match: ['invalid address'],
    notCodes: ['X.1.7', 'X.1.8'],
    unless: ['sender'],
    source:
      'AT&T "blank mailhost - invalid address", Microsoft 5.1.3 "Invalid address", Mimecast 501 (SFM 501/550)',
  },
  {
    id: 'unknown-recipient-loose',
    category: 'unknown-recipient',
    weak: true,
    match: ['does not exist', "doesn't exist", 'mailbox unavailable', 'が存在しない'],
    notCodes: ['X.1.7', 'X.1.8', 'X.2', 'X.3', 'X.4', 'X.7'],
    // "unavailable or not local": two readings, see mailbox-unavailable above
    unless: [
      'sender',
      'temporar',
      'try again',
      'block',
      'spam',
      'polic',
      'reputation',
      ' rate ',
      'or not local',
    ],
    source:
      'Loose "does not exist"/"mailbox unavailable" wording of many MTAs (sisimai reason/why-userunknown.go), Japanese "が存在しない" (Google Groups, sisimai set-of-emails lhost-googlegroups-01); a bare "Recipient address rejected" names no reason (see context.ts)',
  },
  {
    // The clause composition (composition.ts) finds a recipient noun and a state a few WORDS apart; Chinese writes
    // without spaces between words, so a noun and its state form one run the word window cannot take apart. The same
    // composition, written out: each noun directly followed by the state. Consulted where composed states are, after
    // a specific enhanced code (weak).
    id: 'unknown-recipient-cjk',
    category: 'unknown-recipient',
    weak: true,
    match: CJK_RECIPIENT_NOUNS.flatMap((noun) => CJK_DEAD_STATES.map((state) => `${noun}${state}`)),
    notCodes: ['X.1.7', 'X.1.8', 'X.2', 'X.3', 'X.4', 'X.7'],
    // a clause about the sender (发件人, 发信人) is skipped, as in the composition; "可能" (may) lists a possible cause
    unless: ['发件', '发信', '可能'],
    source:
      'QQ Mail\'s bounce help "该用户不存在" (this user does not exist; qqmailbox.com/transceivers/169.html), emailhost.com.cn "[退信] 收件人不存在" (recipient does not exist): a recipient noun (用户/用戶 user, 收件人/收件者 recipient, 邮箱/郵箱/信箱 mailbox, 账号/帐号/帳號/账户/帐户/帳戶 account, 地址 address) directly followed by 不存在 (does not exist)',
  },
];
