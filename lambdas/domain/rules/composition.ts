// The recipient's state, composed from a clause instead of listed as phrases: a noun naming the recipient's mailbox
// (user, mailbox, account, recipient, address, Empfänger, destinataire, ...) and a negative state (unknown, not found,
// does not exist, disabled, inactive, closed, ...) in the same clause, a few words apart, in either order. MTAs word
// the same judgement in countless ways ("User [x] does not exist", "not an active address at this host", "user not
// known", "Odbiorca nie istnieje"); a phrase table only knows the strings it was written from, while the composition
// knows the two parts every such sentence has. The same composition reads the mailbox's capacity (a store noun and
// "full", "not enough space", ...) and the message's size (a message noun and "too big", ...). Phrase rules still
// decide first; the composition is consulted after them and after a specific enhanced code (see classify.ts).
//
// The subject is decided structurally: a clause that names the sending side (the sender, MAIL FROM, the envelope,
// "your account", a login) is about the sender, whatever state it reports, and is skipped; so is an "IP address" or a
// "sender address". Clauses are cut at sentence ends, colons, semicolons and brackets, after e-mail addresses and
// bracketed tokens are blanked (their dots are not sentence ends).
import type { Category } from '../classification.ts';

interface SubjectWords {
  /** Single words (folded: lower case, Latin accents removed) that name the recipient's mailbox or account. */
  readonly words: readonly string[];
  /** A subject word right after one of these is not the recipient ("ip address", "sender address"). */
  readonly notAfter: readonly string[];
  /** ...nor one right before these: it names the recipient's host or domain ("recipient host", "recipient domain"). */
  readonly notBefore: readonly string[];
  readonly source: string;
}

export const RECIPIENT_SUBJECT: SubjectWords = {
  words: [
    'user',
    'username',
    'userid',
    'mailbox',
    'mailboxes',
    'account',
    'recipient',
    'rcpt',
    'address',
    'adress',
    'addressee',
    'adressee',
    'adresse',
    'adresa',
    'destinataire',
    'utilisateur',
    'empfanger',
    'benutzer',
    'postfach',
    'konto',
    'destinatario',
    'usuario',
    'utente',
    'casella',
    'odbiorca',
    'uzivatel',
    'schranka',
    'gebruiker',
    'ontvanger',
  ],
  notAfter: ['ip', 'sender', "sender's", 'from', 'return', 'reply', 'server', 'host', 'relay'],
  notBefore: [
    'host',
    'server',
    'domain',
    'mx',
    'system',
    'side',
    'mta',
    'organization',
    'organisation',
    'addresses',
  ],
  source:
    'The nouns MTAs use for the recipient: RFC 5321 ("mailbox"), Postfix ("Recipient address rejected", "User unknown"), Sendmail ("User unknown"), qmail ("no mailbox here"), Exchange ("recipient"), Gmail ("email account"); the localised nouns of the corpus\'s French, German, Spanish, Italian, Polish, Czech and Dutch replies (Orange "destinataire", GMX "Empfänger", Interia "Odbiorca", Seznam "uživatel"); the misspelt "adress" and "adressee" as replies write them (SBC/Pacific Bell "Adressee Unknown", quoted by Cybersalt\'s list-hygiene rules)',
};

/** Seen anywhere in a clause, these make it a statement about the sending side or a login, not about the recipient. */
export const SENDER_CLAUSE_MARKERS: { readonly words: readonly string[]; readonly source: string } = {
  words: [
    'sender',
    "sender's",
    'senders',
    'sending',
    'envelope',
    'return-path',
    'originator',
    'your',
    'password',
    'login',
    'authentication',
    'authenticated',
    'absender',
    'expediteur',
    'emetteur',
    'remitente',
    'mittente',
    'nadawca',
    'odesilatel',
  ],
  source:
    'Replies about the sender name it (and "MAIL FROM", checked as two words by the matcher: "from" alone is in Exim\'s own "SMTP error from remote mail server"): Postfix "Sender address rejected", Exim "sender verify failed", Mail.ru "message sending for this account is disabled", "your account" (the sender\'s provider speaking), authentication failures ("invalid user name or password"); localised: Orange "Emetteur invalide", GMX "Absender"',
};

/**
 * Right before the noun a dead-address phrase opens with ("domain does not exist", "user unknown"), these make the noun
 * the sending side's: "Sender domain does not exist" is the sender's domain, as the clause composition already reads
 * "sender address" and "sender domain" (the words come from its subjects' `notAfter` lists). The connection's own
 * names (HELO/EHLO, the client) are the sending host (`sender-blocked`); the rest the sender (`sender-rejected`).
 */
export const SENDER_QUALIFIERS: {
  readonly rejected: readonly string[];
  readonly blocked: readonly string[];
  readonly source: string;
} = {
  rejected: ['sender', "sender's", 'senders', 'envelope', 'from', 'return', 'your'],
  blocked: ['helo', 'ehlo', 'client'],
  source:
    'iridis mailRelay "SND-VFY: Sender domain does not exist" beside its "RPT-VFY: Recipient domain does not exist" (portal.iridis.uk knowledge base 254); qmail "your envelope sender domain must exist", Postfix "Helo command rejected: Host not found" and "Client host rejected" (the phrase\'s noun qualified by the sending side)',
};

/** The nouns a dead-address phrase may open with, whose qualifier (the word before) names whose they are. */
export const QUALIFIED_NOUNS: readonly string[] = [
  'domain',
  'host',
  'hostname',
  'user',
  'mailbox',
  'address',
  'account',
  'recipient',
];

/**
 * A DNS record named as the subject ("MX record", "PTR record"): a reply judging a record ("Illegal MX record for host
 * x") speaks of how some domain is published, not of whether the destination exists. SES reached the recipient's MX
 * through the recipient domain's own MX record, so an MX that calls a record illegal judges another domain's.
 */
export const DNS_RECORD_SUBJECT: {
  readonly types: readonly string[];
  readonly nouns: readonly string[];
  readonly source: string;
} = {
  types: ['mx', 'a', 'aaaa', 'ptr', 'spf', 'txt', 'dns'],
  nouns: ['record', 'records'],
  source:
    'Sendmail cf/m4/proto.m4 FEATURE(badmx): "550 5.1.2 Illegal MX record for host x" and "Invalid MX record for host x", said at MAIL FROM of the sender\'s domain under the destination-system code X.1.2',
};

export interface StateRule {
  readonly id: string;
  readonly category: Category;
  /** The nouns the state must be said of. */
  readonly subject: SubjectWords;
  /**
   * States, each a sequence of folded words; `*` stands for any one word ("not * active" matches "not an active").
   * Matched within a clause, at most `window` words from a subject word, on either side.
   */
  readonly states: readonly string[];
  /** ...except that these states must come right before the subject ("no such user", "not user of this server"). */
  readonly before?: readonly string[];
  readonly source: string;
}

/** How many words may stand between the state and the subject ("User [x] does not exist": one). */
export const STATE_WINDOW = 4;

/** A state word followed by one of these qualifies something else ("unknown error", "invalid command"). */
export const NOT_A_STATE_BEFORE: readonly string[] = [
  // "not enough" is a quantity, not a negation of the noun: JetMail "mail box space not enough, account=x"
  'enough',
  'error',
  'reason',
  'command',
  'cause',
  'problem',
  'status',
];

/** Wording in the clause that makes the state temporary: never grounds for a hard verdict. */
export const TRANSIENT_CLAUSE_WORDS: readonly string[] = ['temporarily', 'temporary', 'temporarly', 'later'];

/** The nouns of a domain, in the languages of the corpus. */
export const DOMAIN_SUBJECT_WORDS: readonly string[] = ['domain', 'domains', 'domaine', 'dominio', 'domena'];

/** The recipient's domain: said not to exist. A sender's domain is told apart by the clause's sender words. */
const RECIPIENT_DOMAIN_SUBJECT: SubjectWords = {
  words: DOMAIN_SUBJECT_WORDS,
  notAfter: [
    'sender',
    "sender's",
    'from',
    'return',
    'reply',
    'your',
    'helo',
    'ehlo',
    'client',
    'relay',
    'mail',
  ],
  notBefore: ['part', 'controller', 'admin', 'administrator', 'policy', 'key', 'keys'],
  source:
    'The noun of unknown-domain replies: RFC 3463 X.1.2, Postfix "Domain not found", sisimai "Domain does not exist", "No such domain"; localised: French "domaine", Spanish/Italian "dominio", Polish/Czech "domena"',
};

/** The mailbox as a store: its capacity, not its existence. */
const MAILBOX_STORE_SUBJECT: SubjectWords = {
  words: [
    'mailbox',
    'mailboxes',
    'inbox',
    'box',
    'quota',
    'storage',
    'postfach',
    'casella',
    'buzon',
    'boite',
    'bustia',
    'skrzynka',
    'schranka',
    'caixa',
  ],
  notAfter: [
    'ip',
    'sender',
    "sender's",
    'server',
    'host',
    'system',
    'disk',
    'daily',
    'hourly',
    'submission',
    'queue',
    'rate',
    'message',
    'connection',
  ],
  notBefore: ['host', 'server', 'domain', 'system'],
  source:
    'The nouns of full-mailbox replies: RFC 3463 X.2.2 "mailbox full", Gmail "The recipient\'s inbox is out of storage space", one.lv "552 Account(s) <x> does not have enough space", Exim "mailbox is full: retry timeout exceeded" (BounceParser and CwsMailBounceHandler corpora); localised: Libero "casella piena", Orange "boîte pleine", the Catalan "bústia plena", Interia "skrzynka przepełniona"',
};

/** The recipient's account, of which only a lack of space is said here ("exceeded" alone may be a sending rate). */
const ACCOUNT_STORE_SUBJECT: SubjectWords = {
  words: ['account', 'accounts', 'user'],
  notAfter: ['ip', 'sender', "sender's"],
  notBefore: [],
  source: 'one.lv "552 Account(s) <x> does not have enough space" (CwsMailBounceHandler bounce_500_007.eml)',
};

/** The message itself: its size. */
const MESSAGE_SUBJECT: SubjectWords = {
  words: [
    'message',
    'mail',
    'email',
    'e-mail',
    'body',
    'attachment',
    'attachments',
    'mailsize',
    'messagesize',
    'size',
  ],
  notAfter: ['sender', 'from'],
  notBefore: [],
  source:
    'The nouns of size replies: RFC 3463 X.3.4 "message too big for system", X.2.3 "message length exceeds administrative limit", riudoms.xarxa-omnia.org "552 Message body is too big", emailhost.com.cn "exceeded mailsize limit", Postfix "message size ... exceeds size limit"',
};

export const STATE_RULES: readonly StateRule[] = [
  {
    id: 'recipient-state-disabled',
    category: 'mailbox-disabled',
    subject: RECIPIENT_SUBJECT,
    states: [
      'disabled',
      'deactivated',
      'locked',
      'no longer accepts',
      'no longer accepting',
      'inactive',
      'not active',
      'not * active',
      'suspended',
      'closed',
      'expired',
      'is expired',
      'frozen',
      'terminated',
      'discontinued',
      'cancelled',
      'canceled',
      'desactive',
      'deaktiviert',
      'gesperrt',
      'disattivata',
      'disattivato',
      'zablokowane',
      'nieaktywne',
    ],
    source:
      'RFC 3463 X.2.1 "mailbox disabled, not accepting messages"; Gmail 5.2.1 "The email account that you tried to reach is disabled", Yahoo "account has been disabled or discontinued", mail2world "is a deactivated mailbox", GroupWise "User account is expired", AT&T "Mailbox currently suspended" (BounceParser corpus), "User status is locked", "This address no longer accepts mail" (voku/PHPMailer-BMH rule samples 0228, 0235), "User x temporary locked" (sisimai reason tests, Suspend); localised: Orange "désactivé", GMX/web.de "deaktiviert"/"gesperrt", Libero "disattivata", Interia "zablokowane"',
  },
  {
    id: 'recipient-state-unknown',
    category: 'unknown-recipient',
    subject: RECIPIENT_SUBJECT,
    states: [
      'unknown',
      'not known',
      'not found',
      'does not exist',
      "doesn't exist",
      'do not exist',
      "don't exist",
      "don't exists",
      'not exist',
      'not exists',
      'no longer exists',
      'no longer exist',
      'nonexistent',
      'non-existent',
      'inexistent',
      'invalid',
      'not valid',
      'not * valid',
      'no longer valid',
      'deleted',
      'removed',
      'not registered',
      'not listed',
      'not in my * list',
      'inconnu',
      'inconnue',
      "n'existe pas",
      'inexistant',
      'unbekannt',
      'existiert nicht',
      'nicht gefunden',
      'desconocido',
      'no existe',
      'inesistente',
      'sconosciuto',
      'non esiste',
      'nie istnieje',
      'neexistuje',
      'bestaat niet',
      'onbekend',
    ],
    before: ['no such', 'not', 'not a', 'bad', 'no', 'not have', 'nessun'],
    source:
      'RFC 3463 X.1.1 "bad destination mailbox address"; Postfix "User unknown in local recipient table", Sendmail "User unknown", qmail "no mailbox here by that name", Exchange "The recipient name is not recognized ... Unknown Recipient", "User [x] does not exist", FreeUK "is not an active address", GroupWise "user not found" (BounceParser corpus), Coremail "user not known", "local server don\'t exists that user", "not user of this server", "Bad recipient address syntax" (icoremail.vip), Lotus Notes "User x not listed in public Name & Address Book", "x does not have an account here" (voku/PHPMailer-BMH rule samples 0103, 0207); localised: Italian "nessun utente" (no user; sisimai why-userunknown.go), Orange "utilisateur inconnu", GMX "unbekannt", latinmail "desconocido", Libero "inesistente", Interia/o2 "nie istnieje", Seznam "neexistuje"',
  },
  {
    id: 'domain-state-unknown',
    category: 'unknown-domain',
    subject: RECIPIENT_DOMAIN_SUBJECT,
    states: [
      'not found',
      'does not exist',
      "doesn't exist",
      'not exist',
      'nonexistent',
      'non-existent',
      'unknown',
    ],
    before: ['no such', 'unknown'],
    source:
      'RFC 3463 X.1.2 "bad destination system address"; Postfix reject_unknown_recipient_domain "Recipient address rejected: Domain not found" (smtpd_check.c), Exim "unrouteable mail domain", Gmail "DNS Error: Domain name not found", sisimai "Domain does not exist", "No such domain"',
  },
  {
    id: 'domain-state-rejects-mail',
    category: 'domain-rejects-mail',
    subject: RECIPIENT_DOMAIN_SUBJECT,
    states: ['does not accept mail', 'does not accept email', 'accepts no mail'],
    source:
      'RFC 7504 (556 "Domain does not accept mail") and RFC 7505 (null MX); Postfix reject_unknown_recipient_domain on a null MX, "556 5.1.0 <x>: Recipient address rejected: Domain <domain> does not accept mail" (vdukhovni/postfix src/smtpd/smtpd_nullmx.ref), where the domain name stands between the noun and the state',
  },
  {
    id: 'mailbox-state-full',
    category: 'mailbox-full',
    subject: MAILBOX_STORE_SUBJECT,
    states: [
      'full',
      'is full',
      'over quota',
      'quota exceeded',
      'exceeded',
      'exceeds',
      'not have enough space',
      'not enough space',
      'space not enough',
      'no space',
      'out of space',
      'out of storage',
      'plena',
      'pleine',
      'lleno',
      'llena',
      'piena',
      'voll',
      'przepelniona',
      'plna',
      'cheia',
    ],
    source:
      'RFC 3463 X.2.2 "mailbox full"; one.lv "552 Account(s) <x> does not have enough space" (CwsMailBounceHandler bounce_500_007.eml), Exim "mailbox is full: retry timeout exceeded" (bounce_422_002.eml), "Mailbox quota usage exceeded" (bounce_422_001.eml), IMail "User mailbox exceeds allowed size" (BounceParser quota.msg), JetMail "ErrMsg=mail box space not enough" (Mailman 2 tests/bounces/bounce_01.txt); localised: "bústia plena" (riudoms.xarxa-omnia.org), Orange "boîte pleine", latinmail "lleno", Libero "piena", GMX "voll", Interia "przepełniona"',
  },
  {
    id: 'account-state-no-space',
    category: 'mailbox-full',
    subject: ACCOUNT_STORE_SUBJECT,
    states: ['not have enough space', 'not enough space', 'no space', 'out of space', 'out of storage'],
    source:
      'one.lv "552 Account(s) <x> does not have enough space" (CwsMailBounceHandler bounce_500_007.eml); RFC 3463 X.2.2',
  },
  {
    id: 'message-state-too-large',
    category: 'message-too-large',
    subject: MESSAGE_SUBJECT,
    states: ['too big', 'too large', 'exceeds size', 'size limit exceeded'],
    // "exceeded" only after a size noun: "message rate limit exceeded" is a sending rate
    before: [],
    source:
      'RFC 3463 X.3.4 "message too big for system" and X.2.3 "message length exceeds administrative limit"; "552 Message body is too big" (riudoms.xarxa-omnia.org), "exceeded mailsize limit" (emailhost.com.cn), Exchange "message too large for this organization" (BounceParser message-too-large-5.msg)',
  },
  {
    id: 'message-size-exceeded',
    category: 'message-too-large',
    subject: {
      words: ['mailsize', 'messagesize'],
      notAfter: [],
      notBefore: [],
      source: 'emailhost.com.cn "exceeded mailsize limit"',
    },
    states: ['exceeded', 'exceeds'],
    source:
      '"exceeded mailsize limit" (emailhost.com.cn): "exceeded" is said of the message size only after a size noun',
  },
];
