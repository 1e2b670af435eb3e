// What each category means for the address: who is to blame, whether it marks the address as dead, and whether a
// soft bounce in it counts toward the soft-bounce streak.
// The verdict/suppress rules built on this table are documented in classify.ts.
//
// Blame, where it is a judgement call:
// - content-rejected and message-too-large → sender: the sender chose the content and the size, and can change them.
// - policy-violation → unknown: the receiving organisation's rule ("local policy", internal-only groups, transport
//   rules) can be about the sender, the message or the recipient; it proves nothing about the address.
// - remote-system-error → recipient: the receiving side's systems are failing (full disks, loops, misconfiguration);
//   it is not the sender's fault, but not a dead address either.
// - greylisted, expired, network-error, protocol-error, security-error → unknown: the path, not either party.
// - rate-limited → sender: the sender sends too much or too fast, even when the limit is per recipient.
// - relay-denied → recipient: SES always delivers to the recipient domain's own MX, so "relaying denied" / "not in my
//   list of rcpthosts" means that MX no longer handles the domain (moved away, expired hosting, broken MX record).
//   Not a dead address on one event (a domain in migration recovers), but it counts toward the soft-bounce streak,
//   so a destination that stays dead is suppressed after the streak instead of being mailed forever.
import type { Blame, Category } from '../classification.ts';

export interface CategoryPolicy {
  readonly blame: Blame;
  /**
   * The address (or its whole domain) will not work again when the failure is permanent: the only grounds to
   * call a bounce hard and to suppress on one event. Sisimai draws the same line (userunknown, hostunknown,
   * hasmoved, notaccept); we add a permanently disabled mailbox and SES's own suppression.
   */
  readonly deadAddress: boolean;
  /**
   * A soft bounce in this category can count toward the soft-bounce streak (suppression-policy.ts). False where the
   * failure says nothing about the address: the sender's content, size, reputation, authentication or rate, and the
   * receiving organisation's policy. True for relay-denied: from the recipient's own MX it says the domain's mail
   * route is broken (see above). A bounce the classifier blames on the sender never counts, whatever its category.
   */
  readonly countsTowardStreak: boolean;
  readonly summary: string;
}

export const CATEGORY_POLICY: Readonly<Record<Category, CategoryPolicy>> = {
  'unknown-recipient': {
    blame: 'recipient',
    deadAddress: true,
    countsTowardStreak: true,
    summary: 'the mailbox does not exist',
  },
  'unknown-domain': {
    blame: 'recipient',
    deadAddress: true,
    countsTowardStreak: true,
    summary: 'the domain does not exist or has no mail route',
  },
  'mailbox-moved': {
    blame: 'recipient',
    deadAddress: true,
    countsTowardStreak: true,
    summary: 'the mailbox moved or changed owner',
  },
  'domain-rejects-mail': {
    blame: 'recipient',
    deadAddress: true,
    countsTowardStreak: true,
    summary: 'the domain publishes a null MX',
  },
  'mailbox-disabled': {
    blame: 'recipient',
    deadAddress: true,
    countsTowardStreak: true,
    summary: 'the mailbox is disabled or suspended',
  },
  'mailbox-full': {
    blame: 'recipient',
    deadAddress: false,
    countsTowardStreak: true,
    summary: 'the mailbox is over quota',
  },
  'recipient-filtered': {
    blame: 'recipient',
    deadAddress: false,
    countsTowardStreak: true,
    summary: "the recipient's own rules refuse this sender",
  },
  'message-too-large': {
    blame: 'sender',
    deadAddress: false,
    countsTowardStreak: false,
    summary: 'the message is too big for the receiver',
  },
  'content-rejected': {
    blame: 'sender',
    deadAddress: false,
    countsTowardStreak: false,
    summary: 'spam, virus, attachment or malformed message',
  },
  'policy-violation': {
    blame: 'unknown',
    deadAddress: false,
    countsTowardStreak: false,
    summary: "the receiving organisation's policy refused the message",
  },
  'sender-blocked': {
    blame: 'sender',
    deadAddress: false,
    countsTowardStreak: false,
    summary: 'blocklist, reputation or missing reverse DNS',
  },
  'sender-authentication': {
    blame: 'sender',
    deadAddress: false,
    countsTowardStreak: false,
    summary: 'SPF/DKIM/DMARC/ARC or required TLS failed',
  },
  'sender-rejected': {
    blame: 'sender',
    deadAddress: false,
    countsTowardStreak: false,
    summary: 'the MAIL FROM address or domain was refused',
  },
  'relay-denied': {
    blame: 'recipient',
    deadAddress: false,
    countsTowardStreak: true,
    summary: "the recipient domain's MX does not accept mail for it",
  },
  'rate-limited': {
    blame: 'sender',
    deadAddress: false,
    countsTowardStreak: false,
    summary: 'too much mail, too fast',
  },
  greylisted: {
    blame: 'unknown',
    deadAddress: false,
    countsTowardStreak: true,
    summary: 'greylisting: retry later',
  },
  expired: {
    blame: 'unknown',
    deadAddress: false,
    countsTowardStreak: true,
    summary: 'retries ran out before delivery',
  },
  'network-error': {
    blame: 'unknown',
    deadAddress: false,
    countsTowardStreak: true,
    summary: 'connection or DNS trouble on the way',
  },
  'remote-system-error': {
    blame: 'recipient',
    deadAddress: false,
    countsTowardStreak: true,
    summary: 'the receiving system is failing or misconfigured',
  },
  'protocol-error': {
    blame: 'unknown',
    deadAddress: false,
    countsTowardStreak: true,
    summary: 'SMTP protocol or syntax trouble',
  },
  'security-error': {
    blame: 'unknown',
    deadAddress: false,
    countsTowardStreak: true,
    summary: 'TLS, certificate or authentication trouble',
  },
  'ses-suppressed': {
    blame: 'recipient',
    deadAddress: true,
    countsTowardStreak: true,
    summary: 'SES did not send: the address is on a suppression list',
  },
  undetermined: {
    blame: 'unknown',
    deadAddress: false,
    countsTowardStreak: true,
    summary: 'nothing says why',
  },
};
