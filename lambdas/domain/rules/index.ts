// The order in which the classifier consults the text rules: the first rule (in this order) that fits wins.
// Sender-side wording comes first because it often mentions the recipient too ("Sender address rejected: Domain
// not found", "too many invalid recipients"); mailbox states come before "does not exist"-style wording; expiry
// comes before network trouble so "Message expired ... <421 Connection timed out>" reads as expired, but after the
// recipient and sender rules so a nested "mailbox full" or "blocked" reason is reported instead of the expiry. A
// generic refusal prefix with no reason comes last of all.
import { GENERIC_REFUSAL_RULES } from './context.ts';
import { CONTENT_RULES, MESSAGE_SIZE_RULES, POLICY_RULES } from './message.ts';
import {
  DOMAIN_REJECTS_MAIL_RULES,
  MAILBOX_DISABLED_RULES,
  MAILBOX_FULL_RULES,
  MAILBOX_MOVED_RULES,
  RECEIVER_STORAGE_RULES,
  RECIPIENT_FILTER_RULES,
  UNKNOWN_DOMAIN_RULES,
  UNKNOWN_RECIPIENT_RULES,
} from './recipient.ts';
import {
  RATE_LIMIT_RULES,
  RELAY_RULES,
  SENDER_AUTHENTICATION_RULES,
  SENDER_BLOCKED_RULES,
  SENDER_REJECTED_RULES,
} from './sender.ts';
import { SES_TEXT_RULES } from './ses.ts';
import {
  EXPIRED_RULES,
  GREYLIST_RULES,
  NETWORK_RULES,
  PROTOCOL_RULES,
  REMOTE_SYSTEM_RULES,
  SECURITY_RULES,
} from './transport.ts';
import type { TextRule } from './types.ts';

export { CODE_RULES } from './codes.ts';
export { HEDGE_RULES, LOCAL_SCOPE_RULES, SENDER_SUBJECT_RULES } from './context.ts';
export { PHASE_RULES, SMTP_COMMANDS } from './phase.ts';
export { CATEGORY_POLICY } from './policy.ts';
export { SES_SUBTYPE_RULES } from './ses.ts';

export const TEXT_RULES: readonly TextRule[] = [
  ...SES_TEXT_RULES,
  ...SENDER_AUTHENTICATION_RULES,
  ...SENDER_REJECTED_RULES,
  ...SENDER_BLOCKED_RULES,
  ...RELAY_RULES,
  ...RATE_LIMIT_RULES,
  ...GREYLIST_RULES,
  ...RECEIVER_STORAGE_RULES,
  ...MAILBOX_FULL_RULES,
  ...MAILBOX_DISABLED_RULES,
  ...MAILBOX_MOVED_RULES,
  ...DOMAIN_REJECTS_MAIL_RULES,
  ...RECIPIENT_FILTER_RULES,
  ...UNKNOWN_DOMAIN_RULES,
  ...UNKNOWN_RECIPIENT_RULES,
  ...MESSAGE_SIZE_RULES,
  ...CONTENT_RULES,
  ...POLICY_RULES,
  ...EXPIRED_RULES,
  ...SECURITY_RULES,
  ...PROTOCOL_RULES,
  ...NETWORK_RULES,
  ...REMOTE_SYSTEM_RULES,
  ...GENERIC_REFUSAL_RULES,
];
