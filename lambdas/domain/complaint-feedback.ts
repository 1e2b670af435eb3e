// What a complaint's ARF feedback type (SES `complaintFeedbackType`, the report's `Feedback-Type`) means, and whether
// the policy suppresses for it. Registered types: RFC 5965 §7.3 (abuse, fraud, not-spam, other, virus) and RFC 6591
// (auth-failure). Pure.

const ARF_FEEDBACK_TYPES = ['abuse', 'auth-failure', 'fraud', 'not-spam', 'other', 'virus'] as const;
type ArfFeedbackType = (typeof ARF_FEEDBACK_TYPES)[number];

export interface FeedbackHandling {
  /** The complaint puts the address on the SES list (with reason COMPLAINT) when SUPPRESS_ON_COMPLAINT is on. */
  suppresses: boolean;
  /** What the report says, in the RFC's terms. */
  meaning: string;
}

/** The handling of each registered feedback type (README and docs/data-model.md say the same). */
const FEEDBACK_HANDLING: Readonly<Record<ArfFeedbackType, FeedbackHandling>> = {
  abuse: { suppresses: true, meaning: 'unsolicited or otherwise abusive mail' },
  'auth-failure': {
    suppresses: false,
    meaning:
      "an authentication failure report (SPF/DKIM) about the sender's domain, not the recipient's wish",
  },
  fraud: { suppresses: true, meaning: 'the message was reported as fraud or phishing' },
  'not-spam': {
    suppresses: false,
    meaning: 'the reporter does not consider the message spam (corrects an earlier spam report)',
  },
  other: { suppresses: true, meaning: 'a complaint of no registered kind' },
  virus: { suppresses: true, meaning: 'the message was reported as carrying a virus' },
};

/** How the policy treats one complaint: no type (a feedback loop without a report) or an unregistered one = abuse. */
export function complaintHandling(feedbackType: string | null): FeedbackHandling & { type: string } {
  const type = feedbackType?.trim().toLowerCase() ?? '';
  const known = (ARF_FEEDBACK_TYPES as readonly string[]).includes(type)
    ? FEEDBACK_HANDLING[type as ArfFeedbackType]
    : null;
  if (known) return { ...known, type };
  return {
    suppresses: true,
    meaning: 'a complaint without a registered feedback type',
    type: type || 'none',
  };
}
