// Classifies one bounced recipient: dead address, worth retrying, or the sender's problem.
// First cut (enhanced code and SES labels only); the diagnostic-text rule tables replace it shortly.
import type { BounceInput, Category, Classification } from './classification.ts';

const HARD: ReadonlySet<Category> = new Set([
  'unknown-recipient',
  'unknown-domain',
  'mailbox-moved',
  'domain-rejects-mail',
  'mailbox-disabled',
  'ses-suppressed',
]);

const SENDER: ReadonlySet<Category> = new Set([
  'message-too-large',
  'content-rejected',
  'sender-blocked',
  'sender-authentication',
  'sender-rejected',
  'relay-denied',
  'rate-limited',
]);

const BY_CODE: Readonly<Record<string, Category>> = {
  '1.1': 'unknown-recipient',
  '1.2': 'unknown-domain',
  '1.6': 'mailbox-moved',
  '1.10': 'domain-rejects-mail',
  '2.1': 'mailbox-disabled',
  '2.2': 'mailbox-full',
  '3.4': 'message-too-large',
  '4.7': 'expired',
  '7.26': 'sender-authentication',
};

const BY_SUBTYPE: Readonly<Record<string, Category>> = {
  Suppressed: 'ses-suppressed',
  OnAccountSuppressionList: 'ses-suppressed',
  NoEmail: 'unknown-recipient',
  MailboxFull: 'mailbox-full',
  MessageTooLarge: 'message-too-large',
  ContentRejected: 'content-rejected',
  AttachmentRejected: 'content-rejected',
};

const CODE = /^([245])\.(\d{1,3})\.(\d{1,3})$/;

export function classifyBounce(input: BounceInput): Classification {
  const status = typeof input?.status === 'string' ? input.status.trim() : '';
  const m = CODE.exec(status);
  const code = m ? status : null;
  const subType = typeof input?.bounceSubType === 'string' ? input.bounceSubType : '';
  let category: Category = 'undetermined';
  let evidence = 'nothing to go on';
  const bySubtype = BY_SUBTYPE[subType];
  if (subType === 'Suppressed' || subType === 'OnAccountSuppressionList') {
    category = 'ses-suppressed';
    evidence = `ses subtype ${subType}`;
  } else if (m && BY_CODE[`${m[2]}.${m[3]}`]) {
    category = BY_CODE[`${m[2]}.${m[3]}`] ?? 'undetermined';
    evidence = `code ${status}`;
  } else if (bySubtype) {
    category = bySubtype;
    evidence = `ses subtype ${subType}`;
  }
  const permanent = m ? m[1] === '5' : input?.bounceType === 'Permanent';
  const hard = HARD.has(category) && permanent && input?.action !== 'delayed';
  return {
    verdict: hard ? 'hard' : 'soft',
    category,
    blame: SENDER.has(category)
      ? 'sender'
      : HARD.has(category) || category === 'mailbox-full'
        ? 'recipient'
        : 'unknown',
    suppress: hard,
    code,
    codeTitle: null,
    evidence,
  };
}
