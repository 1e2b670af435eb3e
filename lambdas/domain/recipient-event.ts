// The record model: one event per recipient per SES notification, with the deterministic id that makes every
// redelivery land on the same key. Bounced recipients are classified here; only bounced/complained/delivered
// recipients become events, never `mail.destination`.
import { createHash } from 'node:crypto';
import { normalizeAddress, redactOtherAddresses } from './address.ts';
import type { BounceInput, Classification } from './classification.ts';
import type { NotificationFormat, SesNotification } from './ses-notification.ts';

type EventType = 'bounce' | 'complaint' | 'delivery';

interface BounceDetails {
  bounceType: string;
  bounceSubType: string;
  action: string | null;
  status: string | null;
  diagnosticCode: string | null;
  reportingMta: string | null;
  remoteMtaIp: string | null;
}

interface ComplaintDetails {
  complaintSubType: string | null;
  feedbackType: string | null;
  userAgent: string | null;
  arrivalDate: string | null;
}

interface DeliveryDetails {
  smtpResponse: string | null;
  processingTimeMillis: number | null;
  reportingMta: string | null;
  remoteMtaIp: string | null;
}

export interface RecipientEvent {
  id: string;
  type: EventType;
  email: string;
  emailDisplay: string;
  domain: string;
  /** The event time: SES's, unless that lay more than MAX_CLOCK_SKEW_MS after receipt (then the receipt time). */
  occurredAt: string;
  /** SES's event time when occurredAt is the receipt time instead (it lay too far in the future). */
  statedOccurredAt?: string;
  recordedAt: string;
  sesMessageId: string;
  feedbackId: string | null;
  snsMessageId: string | null;
  format: NotificationFormat;
  source: string | null;
  sourceArn: string | null;
  configurationSet: string | null;
  sendingAccountId: string | null;
  subject: string | null;
  bounce: BounceDetails | null;
  classification: Classification | null;
  complaint: ComplaintDetails | null;
  delivery: DeliveryDetails | null;
}

/**
 * SES accepted the message but did not send it, because the address is on the account-level suppression list
 * (bounceSubType or complaintSubType `OnAccountSuppressionList`). SES leaves these out of the sender's bounce and
 * complaint rates; the event itself proves the address is on that list.
 */
export function notSentOnAccountList(event: Pick<RecipientEvent, 'bounce' | 'complaint'>): boolean {
  return (
    event.bounce?.bounceSubType === 'OnAccountSuppressionList' ||
    event.complaint?.complaintSubType === 'OnAccountSuppressionList'
  );
}

export interface InvalidRecipient {
  index: number;
  reason: string;
}

/** Longest diagnostic we store; real ones are far shorter, this only bounds a hostile payload. */
const MAX_DIAGNOSTIC_LENGTH = 4096;

export function eventIdOf(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32);
}

function idempotencyKey(type: EventType, feedbackOrMessageId: string, email: string): string {
  return `${type}|${feedbackOrMessageId}|${email}`;
}

/** How far in the future an event time may lie (clocks differ between the ISP, SES and us) before it is replaced. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * The event time to record: SES's, or, when it lies more than MAX_CLOCK_SKEW_MS after the notification was received,
 * the receipt time (SES's is kept as statedOccurredAt). A future time would otherwise sort the history wrongly, mask
 * later deliveries in the streak and outlive its retention.
 */
function eventTime(
  stated: string,
  receivedAt: string,
): Pick<RecipientEvent, 'occurredAt' | 'statedOccurredAt'> {
  return Date.parse(stated) - Date.parse(receivedAt) > MAX_CLOCK_SKEW_MS
    ? { occurredAt: receivedAt, statedOccurredAt: stated }
    : { occurredAt: stated };
}

export interface BuildContext {
  recordedAt: string;
  /**
   * When the notification reached AWS's pipeline (SNS's publish time) or us (default: recordedAt): the clock a future
   * event time is judged by.
   */
  receivedAt?: string;
  snsMessageId: string | null;
  classify: (input: BounceInput) => Classification;
}

export function buildRecipientEvents(
  notification: SesNotification,
  context: BuildContext,
): { events: RecipientEvent[]; invalid: InvalidRecipient[] } {
  const events: RecipientEvent[] = [];
  const invalid: InvalidRecipient[] = [];
  const seen = new Set<string>();
  const { mail } = notification;
  const receivedAt = context.receivedAt ?? context.recordedAt;
  const base = {
    recordedAt: context.recordedAt,
    sesMessageId: mail.messageId,
    snsMessageId: context.snsMessageId,
    format: notification.format,
    source: mail.source,
    sourceArn: mail.sourceArn,
    configurationSet: mail.configurationSet,
    sendingAccountId: mail.sendingAccountId,
    subject: mail.subject,
  };

  const add = (
    index: number,
    raw: string,
    make: (address: ReturnType<typeof addressOf>) => RecipientEvent,
  ) => {
    const normalized = normalizeAddress(raw);
    if (!normalized.ok) {
      invalid.push({ index, reason: normalized.reason });
      return;
    }
    const event = make(addressOf(normalized.address));
    // One notification may list the same mailbox twice (case or display-name variants): one event.
    if (seen.has(event.id)) return;
    seen.add(event.id);
    events.push(withoutOtherAddresses(event));
  };

  if (notification.type === 'bounce') {
    const { bounce } = notification;
    bounce.recipients.forEach((recipient, index) => {
      add(index, recipient.emailAddress, (address) => {
        const details: BounceDetails = {
          bounceType: bounce.bounceType,
          bounceSubType: bounce.bounceSubType,
          action: recipient.action,
          status: recipient.status,
          diagnosticCode: recipient.diagnosticCode?.slice(0, MAX_DIAGNOSTIC_LENGTH) ?? null,
          reportingMta: bounce.reportingMta,
          remoteMtaIp: bounce.remoteMtaIp,
        };
        return {
          ...base,
          ...address,
          id: eventIdOf(idempotencyKey('bounce', bounce.feedbackId, address.email)),
          type: 'bounce',
          ...eventTime(bounce.timestamp, receivedAt),
          feedbackId: bounce.feedbackId,
          bounce: details,
          classification: context.classify({
            bounceType: details.bounceType,
            bounceSubType: details.bounceSubType,
            action: details.action,
            status: details.status,
            diagnosticCode: details.diagnosticCode,
          }),
          complaint: null,
          delivery: null,
        };
      });
    });
  } else if (notification.type === 'complaint') {
    const { complaint } = notification;
    complaint.recipients.forEach((raw, index) => {
      add(index, raw, (address) => ({
        ...base,
        ...address,
        id: eventIdOf(idempotencyKey('complaint', complaint.feedbackId, address.email)),
        type: 'complaint',
        ...eventTime(complaint.timestamp, receivedAt),
        feedbackId: complaint.feedbackId,
        bounce: null,
        classification: null,
        complaint: {
          complaintSubType: complaint.complaintSubType,
          feedbackType: complaint.feedbackType,
          userAgent: complaint.userAgent,
          arrivalDate: complaint.arrivalDate,
        },
        delivery: null,
      }));
    });
  } else {
    const { delivery } = notification;
    delivery.recipients.forEach((raw, index) => {
      add(index, raw, (address) => ({
        ...base,
        ...address,
        id: eventIdOf(idempotencyKey('delivery', mail.messageId, address.email)),
        type: 'delivery',
        ...eventTime(delivery.timestamp, receivedAt),
        feedbackId: null,
        bounce: null,
        classification: null,
        complaint: null,
        delivery: {
          smtpResponse: delivery.smtpResponse,
          processingTimeMillis: delivery.processingTimeMillis,
          reportingMta: delivery.reportingMta,
          remoteMtaIp: delivery.remoteMtaIp,
        },
      }));
    });
  }
  return { events, invalid };
}

/**
 * The event as stored: its subject, SMTP reply and evidence quote no address but its recipient's own (the subject
 * is the whole message's, and may name any of its recipients), so an erasure of one recipient leaves no copy of
 * its address in the events of the others. Classification has already read the reply as it came.
 */
function withoutOtherAddresses(event: RecipientEvent): RecipientEvent {
  const scrub = (text: string | null) => (text === null ? null : redactOtherAddresses(text, event.email));
  return {
    ...event,
    subject: scrub(event.subject),
    bounce: event.bounce && { ...event.bounce, diagnosticCode: scrub(event.bounce.diagnosticCode) },
    classification: event.classification && {
      ...event.classification,
      evidence: redactOtherAddresses(event.classification.evidence, event.email),
    },
    delivery: event.delivery && { ...event.delivery, smtpResponse: scrub(event.delivery.smtpResponse) },
  };
}

function addressOf(address: { email: string; display: string; domain: string }) {
  return { email: address.email, emailDisplay: address.display, domain: address.domain };
}
