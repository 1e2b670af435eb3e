// What the store hands back when it is read (docs/data-model.md): a recorded event or audit entry, an allowlist
// entry and a daily counter. The summary is the policy's own RecipientSummary. Pure types; the one codec per item
// kind is lambdas/adapters/dynamo-items.ts.
import type { SuppressionReason } from './suppression-policy.ts';

/** The policy's decision as stored with an event (older events may lack the streak fields). */
interface RecordedDecision {
  action: string;
  reason: string | null;
  suppressionReason: SuppressionReason | null;
  allowlisted: boolean;
  dryRun: boolean;
  sesMislabel: boolean;
}

/**
 * One item of a recipient's history: an SES event (bounce, complaint, delivery) or an audit entry. Fields an event
 * of its type does not carry are null.
 */
export interface EventRecord {
  id: string;
  type: 'bounce' | 'complaint' | 'delivery' | 'audit';
  occurredAt: string;
  /** SES's own event time when it lay too far in the future and occurredAt is the receipt time instead. */
  statedOccurredAt: string | null;
  email: string;
  domain: string;
  recordedAt: string | null;
  emailDisplay: string | null;
  sesMessageId: string | null;
  feedbackId: string | null;
  snsMessageId: string | null;
  format: string | null;
  source: string | null;
  sourceArn: string | null;
  configurationSet: string | null;
  sendingAccountId: string | null;
  subject: string | null;
  bounceType: string | null;
  bounceSubType: string | null;
  /** The DSN action of a bounce, or the audit action of an audit entry. */
  action: string | null;
  status: string | null;
  diagnosticCode: string | null;
  reportingMta: string | null;
  remoteMtaIp: string | null;
  verdict: string | null;
  category: string | null;
  blame: string | null;
  code: string | null;
  codeTitle: string | null;
  evidence: string | null;
  complaintFeedbackType: string | null;
  complaintSubType: string | null;
  userAgent: string | null;
  arrivalDate: string | null;
  smtpResponse: string | null;
  processingTimeMillis: number | null;
  decision: RecordedDecision | null;
  actor: string | null;
  detail: string | null;
  causeEventId: string | null;
}

export type AllowlistKind = 'address' | 'domain';

export interface AllowlistEntry {
  kind: AllowlistKind;
  value: string;
  note: string | null;
  createdAt: string;
  createdBy: string | null;
}

/** One shard's counts of one UTC day (and, for the per-domain counters, one domain). */
export interface DayCounter {
  day: string;
  domain: string | null;
  /** Counter name (`events`, `type:bounce`, `verdict:hard`, ...) → count. */
  counts: Record<string, number>;
}
