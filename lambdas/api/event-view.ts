// How recorded events (domain EventRecord, decoded by the one event codec in lambdas/adapters/dynamo-items.ts) are
// presented by the API: a list shape and a full shape (raw diagnostic included), fixed by the schemas below.
import * as z from 'zod';
import type { EventRecord } from '../domain/records.ts';
import { pageSchema } from './pages.ts';

const str = z.string().nullable();

const decisionViewSchema = z
  .object({
    action: z.string().meta({ description: 'none | suppress | repair-ses-suppression' }),
    reason: str,
    suppressionReason: str,
    allowlisted: z.boolean(),
    dryRun: z.boolean(),
    sesMislabel: z.boolean(),
  })
  .meta({ id: 'Decision', description: 'What the suppression policy decided for this event' });

const auditViewSchema = z
  .object({
    action: z
      .string()
      .meta({ description: 'reactivated | ses-suppression-removed | suppression-failed | ...' }),
    actor: str,
    detail: str,
    causeEventId: str,
  })
  .meta({ id: 'Audit' });

export const eventViewSchema = z
  .object({
    id: z.string(),
    type: z.string().meta({ description: 'bounce | complaint | delivery | audit' }),
    occurredAt: z.string().meta({
      description:
        'ISO 8601 UTC; the event time SES reported, or the receipt time when that lay more than 5 minutes in ' +
        'the future (see statedOccurredAt)',
    }),
    statedOccurredAt: str.meta({
      description:
        "SES's own event time when it lay more than 5 minutes after receipt and occurredAt is the receipt time; " +
        'null otherwise',
    }),
    recordedAt: str,
    email: z.string(),
    emailDisplay: str,
    domain: z.string(),
    messageId: str.meta({ description: 'SES message id (mail.messageId)' }),
    feedbackId: str,
    source: str.meta({ description: 'Sending identity (mail.source)' }),
    configurationSet: str,
    subject: str,
    bounceType: str,
    bounceSubType: str,
    verdict: str.meta({ description: 'hard | soft (bounces only)' }),
    category: str,
    blame: str,
    code: str,
    codeTitle: str,
    complaintFeedbackType: str,
    decision: decisionViewSchema.nullable(),
    audit: auditViewSchema.nullable(),
  })
  .meta({ id: 'Event' });
export type EventView = z.infer<typeof eventViewSchema>;

export const eventPageSchema = pageSchema(eventViewSchema, 'EventPage');

export const eventDetailViewSchema = eventViewSchema
  .extend({
    diagnosticCode: str.meta({ description: 'The raw DSN diagnostic, as received' }),
    dsnAction: str,
    dsnStatus: str,
    evidence: str,
    reportingMta: str,
    remoteMtaIp: str,
    complaintSubType: str,
    userAgent: str,
    arrivalDate: str,
    smtpResponse: str,
    processingTimeMillis: z.number().nullable(),
    sourceArn: str,
    sendingAccountId: str,
    format: str,
    snsMessageId: str,
  })
  .meta({ id: 'EventDetail' });
export type EventDetailView = z.infer<typeof eventDetailViewSchema>;

const orNull = <T>(value: T | null | undefined): T | null => value ?? null;

export function toEventView(event: EventRecord): EventView {
  const isAudit = event.type === 'audit';
  return {
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
    statedOccurredAt: orNull(event.statedOccurredAt),
    recordedAt: orNull(event.recordedAt),
    email: event.email,
    emailDisplay: orNull(event.emailDisplay),
    domain: event.domain,
    messageId: orNull(event.sesMessageId),
    feedbackId: orNull(event.feedbackId),
    source: orNull(event.source),
    configurationSet: orNull(event.configurationSet),
    subject: orNull(event.subject),
    bounceType: orNull(event.bounceType),
    bounceSubType: orNull(event.bounceSubType),
    verdict: orNull(event.verdict),
    category: orNull(event.category),
    blame: orNull(event.blame),
    code: orNull(event.code),
    codeTitle: orNull(event.codeTitle),
    complaintFeedbackType: orNull(event.complaintFeedbackType),
    decision:
      event.decision == null
        ? null
        : {
            action: event.decision.action,
            reason: orNull(event.decision.reason),
            suppressionReason: orNull(event.decision.suppressionReason),
            allowlisted: event.decision.allowlisted,
            dryRun: event.decision.dryRun,
            sesMislabel: event.decision.sesMislabel,
          },
    audit: isAudit
      ? {
          action: event.action ?? 'unknown',
          actor: orNull(event.actor),
          detail: orNull(event.detail),
          causeEventId: orNull(event.causeEventId),
        }
      : null,
  };
}

export function toEventDetailView(event: EventRecord): EventDetailView {
  const isBounce = event.type === 'bounce';
  return {
    ...toEventView(event),
    diagnosticCode: orNull(event.diagnosticCode),
    dsnAction: isBounce ? orNull(event.action) : null,
    dsnStatus: orNull(event.status),
    evidence: orNull(event.evidence),
    reportingMta: orNull(event.reportingMta),
    remoteMtaIp: orNull(event.remoteMtaIp),
    complaintSubType: orNull(event.complaintSubType),
    userAgent: orNull(event.userAgent),
    arrivalDate: orNull(event.arrivalDate),
    smtpResponse: orNull(event.smtpResponse),
    processingTimeMillis: orNull(event.processingTimeMillis),
    sourceArn: orNull(event.sourceArn),
    sendingAccountId: orNull(event.sendingAccountId),
    format: orNull(event.format),
    snsMessageId: orNull(event.snsMessageId),
  };
}

/** CSV columns of an event list, in order (the list shape flattened). */
export const EVENT_CSV_COLUMNS = [
  'id',
  'type',
  'occurredAt',
  'email',
  'domain',
  'messageId',
  'source',
  'configurationSet',
  'bounceType',
  'bounceSubType',
  'verdict',
  'category',
  'blame',
  'code',
  'codeTitle',
  'complaintFeedbackType',
  'decisionAction',
  'decisionReason',
] as const;

export function toCsvRow(view: EventView): Array<string | null> {
  return [
    view.id,
    view.type,
    view.occurredAt,
    view.email,
    view.domain,
    view.messageId,
    view.source,
    view.configurationSet,
    view.bounceType,
    view.bounceSubType,
    view.verdict,
    view.category,
    view.blame,
    view.code,
    view.codeTitle,
    view.complaintFeedbackType,
    view.decision?.action ?? view.audit?.action ?? null,
    view.decision?.reason ?? view.audit?.detail ?? null,
  ];
}
