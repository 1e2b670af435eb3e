// The classifier's public contract: what every bounced recipient is turned into.
// Category identifiers and field names are a public API (CLI, HTTP, stored events): never rename them.

export const VERDICTS = ['hard', 'soft'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const CATEGORIES = [
  'unknown-recipient',
  'unknown-domain',
  'mailbox-moved',
  'domain-rejects-mail',
  'mailbox-disabled',
  'mailbox-full',
  'recipient-filtered',
  'message-too-large',
  'content-rejected',
  'policy-violation',
  'sender-blocked',
  'sender-authentication',
  'sender-rejected',
  'relay-denied',
  'rate-limited',
  'greylisted',
  'expired',
  'network-error',
  'remote-system-error',
  'protocol-error',
  'security-error',
  'ses-suppressed',
  'undetermined',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const BLAMES = ['recipient', 'sender', 'unknown'] as const;
export type Blame = (typeof BLAMES)[number];

/** SES's own bounce labels, as they arrive in notifications (TitleCase). Kept as strings: SES may add values. */
export interface BounceInput {
  bounceType?: string | null;
  bounceSubType?: string | null;
  action?: string | null;
  status?: string | null;
  diagnosticCode?: string | null;
  /**
   * The SMTP command the failing reply answered, when the source says so (CONN, HELO, EHLO, MAIL, RCPT, DATA,
   * QUIT; any case). Optional: the phase is also read from the diagnostic's own wording.
   */
  smtpCommand?: string | null;
}

export interface Classification {
  verdict: Verdict;
  category: Category;
  blame: Blame;
  /** Whether this one event justifies suppressing the address. */
  suppress: boolean;
  /** The enhanced status code actually used (from `status`, or a more specific one recovered from the text). */
  code: string | null;
  codeTitle: string | null;
  /** Which rule decided, so a user can see why. */
  evidence: string;
}
