// What Amazon SES itself says: its bounce subtypes, and the diagnostics it writes when it never reached a server.
// Subtypes from the SES Developer Guide, "Amazon SNS notification contents for Amazon SES" (bounce types table);
// SES-authored texts as observed in real notifications (see ../shared/reference/ses-notifications.md §1.8).
import type { SesRule, TextRule } from './types.ts';

const DG = 'SES Developer Guide, bounce types';

export const SES_SUBTYPE_RULES: readonly SesRule[] = [
  {
    bounceSubType: 'OnAccountSuppressionList',
    category: 'ses-suppressed',
    authoritative: true,
    source: `${DG}: on the account-level suppression list, not sent`,
  },
  {
    bounceSubType: 'Suppressed',
    category: 'ses-suppressed',
    authoritative: true,
    source: `${DG}: on the SES global suppression list, not sent`,
  },
  { bounceSubType: 'NoEmail', category: 'unknown-recipient', source: `${DG}: the address does not exist` },
  { bounceSubType: 'MailboxFull', category: 'mailbox-full', source: `${DG}: the inbox is full` },
  {
    bounceSubType: 'MessageTooLarge',
    category: 'message-too-large',
    source: `${DG}: the message is too large`,
  },
  { bounceSubType: 'ContentRejected', category: 'content-rejected', source: `${DG}: content not accepted` },
  {
    bounceSubType: 'AttachmentRejected',
    category: 'content-rejected',
    source: `${DG}: attachment not accepted`,
  },
];

export const SES_TEXT_RULES: readonly TextRule[] = [
  {
    id: 'ses-account-suppression-list',
    category: 'ses-suppressed',
    match: ['amazon ses did not send the message to this address because it is on the suppression list'],
    source: 'SES-authored diagnostic of OnAccountSuppressionList bounces (real payloads 2020-2025)',
  },
  {
    id: 'ses-global-suppression-list',
    category: 'ses-suppressed',
    match: ['amazon ses has suppressed sending to this address'],
    source: 'SES-authored diagnostic of Suppressed bounces (real payloads 2014, 2020)',
  },
  {
    id: 'ses-invalid-domain',
    category: 'unknown-domain',
    match: ['5.4.4 invalid domain'],
    source: 'SES "550 5.4.4 Invalid domain", labelled Transient (knadh/listmonk#1463)',
  },
];
