// Mapping between the domain records and the DynamoDB items of docs/data-model.md: event, audit event, summary
// and the two daily counter updates. Plain objects for the DynamoDB Document client.
import type { AuditEvent } from '../domain/ports.ts';
import type { RecipientEvent } from '../domain/recipient-event.ts';
import type {
  Decision,
  RecipientSummary,
  SesSuppressionBelief,
  SuppressionStatus,
} from '../domain/suppression-policy.ts';
import { COUNTER_SHARDS, DOMAIN_SHARDS, keys, shardOf, TIME_SHARDS } from './table-definition.ts';

export type Item = Record<string, unknown>;

const DAY_SECONDS = 86_400;

function withoutNulls(item: Item): Item {
  return Object.fromEntries(
    Object.entries(item).filter(([, value]) => value !== null && value !== undefined),
  );
}

export function eventItem(event: RecipientEvent, decision: Decision, retentionDays: number): Item {
  const month = event.occurredAt.slice(0, 7);
  const timeSk = keys.timeSk(event.occurredAt, event.id);
  const c = event.classification;
  const item: Item = withoutNulls({
    pk: keys.recipientPk(event.email),
    sk: keys.eventSk(event.occurredAt, event.id),
    entity: 'event',
    id: event.id,
    eid: event.id,
    gsi1pk: keys.byTimePk(event.type, month, shardOf(event.id, TIME_SHARDS)),
    gsi1sk: timeSk,
    gsi2pk: keys.byDomainPk(event.domain, event.type, month, shardOf(event.id, DOMAIN_SHARDS)),
    gsi2sk: timeSk,
    type: event.type,
    email: event.email,
    emailDisplay: event.emailDisplay,
    domain: event.domain,
    occurredAt: event.occurredAt,
    recordedAt: event.recordedAt,
    sesMessageId: event.sesMessageId,
    feedbackId: event.feedbackId,
    snsMessageId: event.snsMessageId,
    format: event.format,
    source: event.source,
    sourceArn: event.sourceArn,
    configurationSet: event.configurationSet,
    sendingAccountId: event.sendingAccountId,
    subject: event.subject,
    bounceType: event.bounce?.bounceType,
    bounceSubType: event.bounce?.bounceSubType,
    action: event.bounce?.action,
    status: event.bounce?.status,
    diagnosticCode: event.bounce?.diagnosticCode,
    reportingMta: event.bounce?.reportingMta ?? event.delivery?.reportingMta,
    remoteMtaIp: event.bounce?.remoteMtaIp ?? event.delivery?.remoteMtaIp,
    verdict: c?.verdict,
    category: c?.category,
    blame: c?.blame,
    code: c?.code,
    codeTitle: c?.codeTitle,
    evidence: c?.evidence,
    suppressHint: c?.suppress,
    complaintFeedbackType: event.complaint?.feedbackType,
    userAgent: event.complaint?.userAgent,
    arrivalDate: event.complaint?.arrivalDate,
    smtpResponse: event.delivery?.smtpResponse,
    processingTimeMillis: event.delivery?.processingTimeMillis,
    decision,
    expiresAt: Math.floor(Date.parse(event.occurredAt) / 1000) + retentionDays * DAY_SECONDS,
  });
  // An explicit null says "SES sent no subtype", which differs from "not a complaint".
  if (event.complaint) item.complaintSubType = event.complaint.complaintSubType;
  return item;
}

export function auditItem(audit: AuditEvent): Item {
  return {
    pk: keys.recipientPk(audit.email),
    sk: keys.eventSk(audit.occurredAt, audit.id),
    entity: 'event',
    type: 'audit',
    id: audit.id,
    eid: audit.id,
    email: audit.email,
    domain: audit.domain,
    occurredAt: audit.occurredAt,
    recordedAt: audit.recordedAt,
    action: audit.action,
    actor: audit.actor,
    requestId: audit.requestId,
    ...(audit.causeEventId ? { causeEventId: audit.causeEventId } : {}),
    detail: audit.detail,
  };
}

export function summaryItem(summary: RecipientSummary, version: number): Item {
  return withoutNulls({
    ...keys.summary(summary.email),
    entity: 'summary',
    email: summary.email,
    emailDisplay: summary.emailDisplay,
    domain: summary.domain,
    hard: summary.hard,
    soft: summary.soft,
    complaints: summary.complaints,
    deliveries: summary.deliveries,
    firstEventAt: summary.firstEventAt,
    lastEventAt: summary.lastEventAt,
    lastEventId: summary.lastEventId,
    lastEventType: summary.lastEventType,
    softStreak: summary.softStreak,
    softBounceTimes: summary.softBounceTimes,
    deliveryTimes: summary.deliveryTimes,
    streakForgottenUntil: summary.streakForgottenUntil,
    lastDeliveryAt: summary.lastDeliveryAt,
    suppression: summary.suppression,
    sesSuppression: summary.sesSuppression,
    version,
  });
}

/**
 * An existing summary as an update of its known attributes: attributes other writers add (the query API, later
 * versions) survive, and the write happens only at the version the summary was read.
 */
export function summaryUpdate(
  summary: RecipientSummary,
  expectedVersion: number,
): CounterUpdate & {
  ConditionExpression: string;
} {
  const { pk, sk, ...attributes } = summaryItem(summary, expectedVersion + 1);
  const names: Record<string, string> = { '#version': 'version' };
  const values: Record<string, unknown> = { ':expected': expectedVersion };
  const sets = Object.entries(attributes).map(([name, value], i) => {
    names[`#a${i}`] = name;
    values[`:a${i}`] = value;
    return `#a${i} = :a${i}`;
  });
  return {
    Key: { pk: String(pk), sk: String(sk) },
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: '#version = :expected',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

const str = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function summaryFromItem(item: Item): { summary: RecipientSummary; version: number } {
  const suppression = isRecord(item.suppression) ? (item.suppression as unknown as SuppressionStatus) : null;
  const sesSuppression = isRecord(item.sesSuppression)
    ? (item.sesSuppression as unknown as SesSuppressionBelief)
    : null;
  return {
    version: num(item.version),
    summary: {
      email: str(item.email),
      emailDisplay: str(item.emailDisplay, str(item.email)),
      domain: str(item.domain),
      hard: num(item.hard),
      soft: num(item.soft),
      complaints: num(item.complaints),
      deliveries: num(item.deliveries),
      firstEventAt: str(item.firstEventAt),
      lastEventAt: str(item.lastEventAt),
      lastEventId: str(item.lastEventId),
      lastEventType: str(item.lastEventType),
      softStreak: num(item.softStreak),
      softBounceTimes: Array.isArray(item.softBounceTimes)
        ? item.softBounceTimes.filter((t): t is string => typeof t === 'string')
        : [],
      // Summaries written before deliveryTimes existed remember their latest delivery only.
      deliveryTimes: Array.isArray(item.deliveryTimes)
        ? item.deliveryTimes.filter((t): t is string => typeof t === 'string')
        : typeof item.lastDeliveryAt === 'string'
          ? [item.lastDeliveryAt]
          : [],
      streakForgottenUntil: typeof item.streakForgottenUntil === 'string' ? item.streakForgottenUntil : null,
      lastDeliveryAt: typeof item.lastDeliveryAt === 'string' ? item.lastDeliveryAt : null,
      suppression,
      sesSuppression,
    },
  };
}

export interface CounterUpdate {
  Key: { pk: string; sk: string };
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

function addCounters(names: string[], set: Record<string, string> = {}): Omit<CounterUpdate, 'Key'> {
  const attributeNames: Record<string, string> = {};
  const adds = names.map((name, i) => {
    attributeNames[`#c${i}`] = name;
    return `#c${i} :one`;
  });
  const values: Record<string, unknown> = { ':one': 1 };
  const sets = Object.entries(set).map(([name, value], i) => {
    attributeNames[`#s${i}`] = name;
    values[`:s${i}`] = value;
    return `#s${i} = :s${i}`;
  });
  return {
    UpdateExpression: `${sets.length ? `SET ${sets.join(', ')} ` : ''}ADD ${adds.join(', ')}`,
    ExpressionAttributeNames: attributeNames,
    ExpressionAttributeValues: values,
  };
}

/** The counter names one event adds 1 to (docs/data-model.md, "Daily counters"). */
export function dayCounterNames(event: RecipientEvent, decision: Decision): string[] {
  const names = ['events', `type:${event.type}`];
  const c = event.classification;
  if (c)
    names.push(
      `verdict:${c.verdict}`,
      `category:${c.category}`,
      `code:${c.code ?? 'none'}`,
      `blame:${c.blame}`,
    );
  if (decision.sesMislabel) names.push('sesMislabel');
  if (decision.action === 'suppress' && !decision.dryRun) names.push('suppress:requested');
  return names;
}

export function counterUpdates(event: RecipientEvent, decision: Decision): [CounterUpdate, CounterUpdate] {
  const day = event.occurredAt.slice(0, 10);
  const shard = shardOf(event.id, COUNTER_SHARDS);
  const domainNames = ['events', `type:${event.type}`];
  if (event.classification) domainNames.push(`verdict:${event.classification.verdict}`);
  return [
    { Key: keys.dayCounter(day, shard), ...addCounters(dayCounterNames(event, decision)) },
    {
      Key: keys.domainDayCounter(day, event.domain, shard),
      ...addCounters(domainNames, { domain: event.domain, day }),
    },
  ];
}
