// The SMTP phase a reply answered, as MTAs write it in their bounce texts, and what the phase means for the reply.
// A reply before RCPT TO cannot be about the recipient: at MAIL FROM it is about the sender's address or domain
// ("No such domain" there is the sender's domain), at the greeting or HELO about the sending host. A "user unknown"
// at DATA comes after the server accepted the recipient at RCPT TO: sisimai reads it as a filter
// (reason/why-filtered.go: user-unknown wording after the commands before DATA is "filtered"); carriers answer so
// when the recipient has blocked the sender (au/EZweb, NTT docomo in sisimai's set-of-emails), and a back-end
// mailbox check sometimes does too, so it counts as dead only with a code that says so (X.1.1 "bad destination
// mailbox address", RFC 3463).
import type { Category } from '../classification.ts';

export const SMTP_PHASES = ['CONN', 'HELO', 'MAIL', 'RCPT', 'DATA', 'QUIT'] as const;
export type SmtpPhase = (typeof SMTP_PHASES)[number];

/** The `smtpCommand` values accepted as input (any case); EHLO is the HELO phase. */
export const SMTP_COMMANDS: Readonly<Record<string, SmtpPhase>> = {
  CONN: 'CONN',
  HELO: 'HELO',
  EHLO: 'HELO',
  MAIL: 'MAIL',
  RCPT: 'RCPT',
  DATA: 'DATA',
  QUIT: 'QUIT',
};

export interface PhaseRule {
  readonly phase: SmtpPhase;
  /** Wording that names the phase (matched like text-rule phrases: case, accents and whitespace folded). */
  readonly match: readonly string[];
  readonly source: string;
}

export const PHASE_RULES: readonly PhaseRule[] = [
  {
    phase: 'CONN',
    match: [
      'after initial connection',
      'while receiving the initial server greeting',
      'but greeting failed',
      'refused to talk to me',
    ],
    source:
      'Exim "SMTP error from remote mail server after initial connection", Postfix "refused to talk to me" / "while receiving the initial server greeting" (smtp_proto.c), qmail-remote.c "Connected to ... but greeting failed"',
  },
  {
    phase: 'HELO',
    match: [
      'in reply to helo command',
      'in reply to ehlo command',
      'after helo ',
      'after ehlo ',
      'while performing the helo handshake',
      'while performing the ehlo handshake',
      'but my name was rejected',
      '>>> helo ',
      '>>> ehlo ',
    ],
    source:
      'Postfix "(in reply to HELO command)", Exim "after EHLO", qmail-remote.c "Connected to ... but my name was rejected", Sendmail transcript ">>> EHLO" (sisimai smtp/command tests)',
  },
  {
    phase: 'MAIL',
    match: [
      'in reply to mail from command',
      'after mail from',
      'but sender was rejected',
      '>>> mail from',
      'server rejected mail from address',
    ],
    source:
      'Postfix "(in reply to MAIL FROM command)", Exim "SMTP error from remote mail server after MAIL FROM:", qmail-remote.c "Connected to ... but sender was rejected", Sendmail transcript ">>> MAIL From:" (sisimai smtp/command tests; lhost/via-qmail.go reads MAIL as "rejected")',
  },
  {
    phase: 'RCPT',
    match: [
      'in reply to rcpt to command',
      'after rcpt to',
      'after rcpt command',
      'most progress was rcpt to response',
      'does not like recipient',
      '>>> rcpt to',
      'in rcpt to',
    ],
    source:
      'Postfix "(in reply to RCPT TO command)", Exim "after RCPT TO:", GMX "after RCPT command", qmail-remote.c "does not like recipient" and "most progress was RCPT TO response", Sendmail/Courier ">>> RCPT TO:" (sisimai smtp/command tests, set-of-emails)',
  },
  {
    phase: 'DATA',
    match: [
      'in reply to end of data command',
      'in reply to data command',
      'after end of data',
      'after data',
      'failed after i sent the message',
      '>>> data',
      'refused to accept your message (data)',
    ],
    source:
      'Postfix "(in reply to end of DATA command)", Exim "after end of data", qmail-remote.c "failed after I sent the message", Sendmail/Courier ">>> DATA" (sisimai smtp/command tests, set-of-emails courier-02, email-postfix-03)',
  },
  {
    phase: 'QUIT',
    match: ['in reply to quit command'],
    source: 'Postfix "(in reply to QUIT command)"',
  },
];

/**
 * Replies whose own shape names the phase, when no wording does. A reply that opens with the verb of the command it
 * answers ("501 EHLO Invalid domain address.") answers that command; and a basic reply code that an MTA gives to one
 * phase only, and no RFC 5321 reply code is, names that phase.
 */
export const REPLY_SHAPE_PHASES = {
  /** The verb right after the reply code (and an enhanced code, if any), lower case, and the phase it names. */
  openingVerbs: { helo: 'HELO', ehlo: 'HELO' } as Readonly<Record<string, SmtpPhase>>,
  /** Basic reply codes given to one phase only. */
  replyCodes: { '517': 'MAIL' } as Readonly<Record<string, SmtpPhase>>,
  source:
    'hMailServer documentation, SMTP error messages ("501 EHLO Invalid domain address.", "501 HELO Invalid domain address.": the EHLO/HELO name has bad syntax); Courier MTA courier/submit.C: checkmx answers "517 HELO <name> does not match <ip>" / "517 HELO <name> does not exist.", and every 517 it writes answers MAIL FROM (checkdns on the sender: "Sender rejected", freemail relays, a blocked MX of the sender\'s domain, "Domain does not exist", MX records that violate RFC 1035, "Invalid domain"; checkmx on the HELO name, run when MAIL FROM arrives; SPF on HELO and MAIL FROM; sender syntax); RFC 5321 4.2.3 defines no 517',
} as const;

/** The categories that describe the recipient's mailbox: never the answer to a reply given before RCPT TO. */
export const MAILBOX_CATEGORIES: ReadonlySet<Category> = new Set<Category>([
  'unknown-recipient',
  'mailbox-moved',
  'mailbox-disabled',
  'mailbox-full',
  'recipient-filtered',
]);

/** ...and the recipient's domain: before RCPT TO, at MAIL FROM, such wording is about the sender's domain. */
export const DOMAIN_CATEGORIES: ReadonlySet<Category> = new Set<Category>([
  'unknown-domain',
  'domain-rejects-mail',
]);

/**
 * Mobile carriers that answer "Unknown user" both for an address that does not exist (at RCPT TO) and for a handset
 * whose owner blocks the sender (at DATA, or in the same reply text with no phase written): without the phase, their
 * "unknown" is no evidence of a dead address.
 */
export const PHASE_DEPENDENT_UNKNOWN_HOSTS = {
  hosts: ['@docomo.ne.jp', '@ezweb.ne.jp'],
  source:
    'NTT docomo answers "550 Unknown user" for an unknown address and for the handset\'s reception block alike (note.com/sendmagic/n/neb6bbe7e51cf); bouncehammer examples/17-messages.eml shows the RCPT (unknown address) and the DATA (domain filter) cases; au/EZweb and docomo user-unknown at DATA in sisimai\'s set-of-emails (reason/why-filtered.go)',
} as const;
