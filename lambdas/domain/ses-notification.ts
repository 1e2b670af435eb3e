// The one parsing layer: whatever carried it in the SQS body (SNS's envelope, or the SES document itself under raw
// message delivery), a message becomes a typed SES notification, an explicitly ignored event, or a rejection
// with a specific reason. Schemas accept unknown keys (SES adds fields) and require only what we use.
import * as z from 'zod';

export type NotificationFormat = 'notification' | 'event';

interface MailInfo {
  messageId: string;
  /** Null when malformed: the bounce, complaint or delivery carries its own time. */
  timestamp: string | null;
  source: string | null;
  sourceArn: string | null;
  sendingAccountId: string | null;
  subject: string | null;
  configurationSet: string | null;
}

interface BouncedRecipient {
  emailAddress: string;
  action: string | null;
  status: string | null;
  diagnosticCode: string | null;
}

interface BounceNotification {
  type: 'bounce';
  format: NotificationFormat;
  mail: MailInfo;
  bounce: {
    feedbackId: string;
    bounceType: string;
    bounceSubType: string;
    timestamp: string;
    reportingMta: string | null;
    remoteMtaIp: string | null;
    recipients: BouncedRecipient[];
  };
}

interface ComplaintNotification {
  type: 'complaint';
  format: NotificationFormat;
  mail: MailInfo;
  complaint: {
    feedbackId: string;
    complaintSubType: string | null;
    feedbackType: string | null;
    userAgent: string | null;
    arrivalDate: string | null;
    timestamp: string;
    recipients: string[];
  };
}

interface DeliveryNotification {
  type: 'delivery';
  format: NotificationFormat;
  mail: MailInfo;
  delivery: {
    timestamp: string;
    recipients: string[];
    smtpResponse: string | null;
    processingTimeMillis: number | null;
    reportingMta: string | null;
    remoteMtaIp: string | null;
  };
}

export type SesNotification = BounceNotification | ComplaintNotification | DeliveryNotification;

type RejectionCode =
  | 'not-json'
  | 'not-an-object'
  | 'invalid-sns-envelope'
  | 'not-ses'
  | 'missing-or-invalid-fields'
  | 'invalid-recipient-address';

export interface Rejection {
  code: RejectionCode;
  /** Names fields and rules, never values: safe to log. */
  detail: string;
}

export type ParsedMessage =
  | {
      kind: 'notification';
      notification: SesNotification;
      snsMessageId: string | null;
      /** When SNS published the notification (the envelope's `Timestamp`), if it came in one. */
      snsPublishedAt: string | null;
    }
  | { kind: 'ignored'; eventType: string; snsMessageId: string | null }
  | { kind: 'rejected'; rejection: Rejection; snsMessageId: string | null };

/** Lenient timestamp: ISO with or without milliseconds, `Z` or an offset, and AWS's doc style `… +0000`. */
export function parseTimestamp(value: string): string | null {
  const direct = Date.parse(value);
  if (!Number.isNaN(direct) && /^\d{4}-\d{2}-\d{2}T/.test(value)) return new Date(direct).toISOString();
  const repaired = value.trim().replace(/\s*([+-])(\d{2}):?(\d{2})$/, '$1$2:$3');
  const parsed = Date.parse(repaired);
  if (Number.isNaN(parsed) || !/^\d{4}-\d{2}-\d{2}T/.test(repaired)) return null;
  return new Date(parsed).toISOString();
}

const timestamp = z.string().transform((value, ctx) => {
  const iso = parseTimestamp(value);
  if (iso === null) {
    ctx.addIssue({ code: 'custom', message: 'not a timestamp' });
    return z.NEVER;
  }
  return iso;
});
const text = z.string().min(1);
// Fields we only display: a malformed one is dropped, it never rejects the message.
const optionalText = z.string().nullish().catch(null);
const optionalTimestamp = timestamp.nullish().catch(null);

const mailSchema = z.object({
  messageId: text,
  // Only a fallback for the event's own time: a malformed one must not cost a bounce whose time is known.
  timestamp: optionalTimestamp,
  destination: z.array(z.string()),
  source: optionalText,
  sourceArn: optionalText,
  sendingAccountId: optionalText,
  commonHeaders: z.object({ subject: optionalText }).nullish().catch(null),
  tags: z.record(z.string(), z.array(z.string())).nullish().catch(null),
});

const bounceSchema = z.object({
  feedbackId: text,
  bounceType: text,
  bounceSubType: text,
  timestamp: optionalTimestamp,
  reportingMTA: optionalText,
  remoteMtaIp: optionalText,
  bouncedRecipients: z
    .array(
      z.object({
        emailAddress: text,
        action: optionalText,
        status: optionalText,
        diagnosticCode: optionalText,
      }),
    )
    .min(1),
});

const complaintSchema = z.object({
  feedbackId: text,
  complaintSubType: optionalText,
  complaintFeedbackType: optionalText,
  userAgent: optionalText,
  arrivalDate: optionalTimestamp,
  timestamp: optionalTimestamp,
  complainedRecipients: z.array(z.object({ emailAddress: text })).min(1),
});

const deliverySchema = z.object({
  timestamp: optionalTimestamp,
  recipients: z.array(text).min(1),
  smtpResponse: optionalText,
  processingTimeMillis: z.number().nullish().catch(null),
  reportingMTA: optionalText,
  remoteMtaIp: optionalText,
});

const bounceMessage = z.object({ mail: mailSchema, bounce: bounceSchema });
const complaintMessage = z.object({ mail: mailSchema, complaint: complaintSchema });
const deliveryMessage = z.object({ mail: mailSchema, delivery: deliverySchema });

const snsEnvelope = z.object({
  Type: z.string(),
  MessageId: z.string().min(1),
  Message: z.string(),
  Timestamp: z.string().nullish().catch(null),
});

const PROCESSED = new Set(['Bounce', 'Complaint', 'Delivery']);

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mailInfo(mail: z.infer<typeof mailSchema>): MailInfo {
  return {
    messageId: mail.messageId,
    timestamp: mail.timestamp ?? null,
    source: mail.source ?? null,
    sourceArn: mail.sourceArn ?? null,
    sendingAccountId: mail.sendingAccountId ?? null,
    subject: mail.commonHeaders?.subject ?? null,
    configurationSet: mail.tags?.['ses:configuration-set']?.[0] ?? null,
  };
}

/** Parses a decoded SES document (the object SNS carries in `Message`). */
export function parseSesDocument(
  document: unknown,
  snsMessageId: string | null = null,
  snsPublishedAt: string | null = null,
): ParsedMessage {
  const rejected = (code: RejectionCode, detail: string): ParsedMessage => ({
    kind: 'rejected',
    rejection: { code, detail },
    snsMessageId,
  });
  const noTime = (field: string) =>
    rejected('missing-or-invalid-fields', `${field}.timestamp and mail.timestamp: neither is a timestamp`);
  if (!isObject(document)) return rejected('not-an-object', 'the SES message is not a JSON object');
  const notificationType = document.notificationType;
  const eventType = document.eventType;
  const kind =
    typeof notificationType === 'string'
      ? notificationType
      : typeof eventType === 'string'
        ? eventType
        : null;
  if (kind === null) {
    return rejected('not-ses', 'neither notificationType nor eventType is a string: not an SES notification');
  }
  const format: NotificationFormat = typeof notificationType === 'string' ? 'notification' : 'event';
  if (!PROCESSED.has(kind)) return { kind: 'ignored', eventType: kind, snsMessageId };

  if (kind === 'Bounce') {
    const parsed = bounceMessage.safeParse(document);
    if (!parsed.success) return rejected('missing-or-invalid-fields', describeIssues(parsed.error));
    const { mail, bounce } = parsed.data;
    const timestamp = bounce.timestamp ?? mail.timestamp;
    if (!timestamp) return noTime('bounce');
    return {
      kind: 'notification',
      snsMessageId,
      snsPublishedAt,
      notification: {
        type: 'bounce',
        format,
        mail: mailInfo(mail),
        bounce: {
          feedbackId: bounce.feedbackId,
          bounceType: bounce.bounceType,
          bounceSubType: bounce.bounceSubType,
          timestamp,
          reportingMta: bounce.reportingMTA ?? null,
          remoteMtaIp: bounce.remoteMtaIp ?? null,
          recipients: bounce.bouncedRecipients.map((r) => ({
            emailAddress: r.emailAddress,
            action: r.action ?? null,
            status: r.status ?? null,
            diagnosticCode: r.diagnosticCode ?? null,
          })),
        },
      },
    };
  }
  if (kind === 'Complaint') {
    const parsed = complaintMessage.safeParse(document);
    if (!parsed.success) return rejected('missing-or-invalid-fields', describeIssues(parsed.error));
    const { mail, complaint } = parsed.data;
    const timestamp = complaint.timestamp ?? mail.timestamp;
    if (!timestamp) return noTime('complaint');
    return {
      kind: 'notification',
      snsMessageId,
      snsPublishedAt,
      notification: {
        type: 'complaint',
        format,
        mail: mailInfo(mail),
        complaint: {
          feedbackId: complaint.feedbackId,
          complaintSubType: complaint.complaintSubType ?? null,
          feedbackType: complaint.complaintFeedbackType ?? null,
          userAgent: complaint.userAgent ?? null,
          arrivalDate: complaint.arrivalDate ?? null,
          timestamp,
          recipients: complaint.complainedRecipients.map((r) => r.emailAddress),
        },
      },
    };
  }
  const parsed = deliveryMessage.safeParse(document);
  if (!parsed.success) return rejected('missing-or-invalid-fields', describeIssues(parsed.error));
  const { mail, delivery } = parsed.data;
  const timestamp = delivery.timestamp ?? mail.timestamp;
  if (!timestamp) return noTime('delivery');
  return {
    kind: 'notification',
    snsMessageId,
    snsPublishedAt,
    notification: {
      type: 'delivery',
      format,
      mail: mailInfo(mail),
      delivery: {
        timestamp,
        recipients: delivery.recipients,
        smtpResponse: delivery.smtpResponse ?? null,
        processingTimeMillis: delivery.processingTimeMillis ?? null,
        reportingMta: delivery.reportingMTA ?? null,
        remoteMtaIp: delivery.remoteMtaIp ?? null,
      },
    },
  };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * Parses a message body as SQS holds it: an SNS envelope (`Type`, `MessageId`, `Message`) around the SES JSON, or
 * the SES JSON itself (raw message delivery).
 */
export function parseMessageBody(body: string): ParsedMessage {
  const json = parseJson(body);
  if (!json.ok) {
    return {
      kind: 'rejected',
      rejection: { code: 'not-json', detail: 'the body is not JSON' },
      snsMessageId: null,
    };
  }
  const value = json.value;
  if (isObject(value) && 'Type' in value && !('notificationType' in value) && !('eventType' in value)) {
    const envelope = snsEnvelope.safeParse(value);
    if (!envelope.success) {
      return {
        kind: 'rejected',
        rejection: { code: 'invalid-sns-envelope', detail: describeIssues(envelope.error) },
        snsMessageId: null,
      };
    }
    const { Type, MessageId, Message, Timestamp } = envelope.data;
    if (Type !== 'Notification')
      return { kind: 'ignored', eventType: `SNS ${Type}`, snsMessageId: MessageId };
    return parseSnsMessage(Message, MessageId, Timestamp);
  }
  return parseSesDocument(value, null);
}

/** Parses `Message` of an SNS envelope: the SES JSON as a string. */
function parseSnsMessage(
  message: string,
  snsMessageId: string | null,
  snsTimestamp: string | null = null,
): ParsedMessage {
  const json = parseJson(message);
  if (!json.ok) {
    return {
      kind: 'rejected',
      rejection: { code: 'not-json', detail: 'the SNS Message is not JSON' },
      snsMessageId,
    };
  }
  return parseSesDocument(json.value, snsMessageId, snsTimestamp ? parseTimestamp(snsTimestamp) : null);
}
