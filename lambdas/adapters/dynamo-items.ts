// The one codec per stored item kind of docs/data-model.md (event, audit event, summary, allowlist entry, daily
// counters): how the domain records become DynamoDB items and how items read back become domain records. Writer
// and reader (processor, worker, query API) use these and nothing else. Reading is strict: an item that lacks a
// field its writer always sets, or has one of the wrong type, is a CorruptItemError, never a silent default.
import { createHash } from 'node:crypto';
import { brotliCompressSync, brotliDecompressSync, constants as zlib } from 'node:zlib';
import { marshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod';
import type { CounterDelta, CounterWrite } from '../domain/counter-rollup.ts';
import type { CountedDelivery } from '../domain/delivery-history.ts';
import type { AuditEvent, StoredSummary } from '../domain/ports.ts';
import { notSentOnAccountList, type RecipientEvent } from '../domain/recipient-event.ts';
import { domainOf } from '../domain/recipients.ts';
import type { AllowlistEntry, AllowlistKind, DayCounter, EventRecord } from '../domain/records.ts';
import { codeTitle } from '../domain/registry.ts';
import {
  type Decision,
  type RecipientSummary,
  type SesSuppressionBelief,
  SUPPRESSION_CAUSES,
  SUPPRESSION_STATES,
  type SuppressionStatus,
} from '../domain/suppression-policy.ts';
import { itemSize, WRITE_UNIT_BYTES } from './dynamo-item-size.ts';
import {
  COUNTER_SHARDS,
  DELIVERY_LEDGER_PREFIX,
  DOMAIN_SHARDS,
  keys,
  MINUTE_LEDGER_SK,
  RECIPIENT_PK_PREFIX,
  SES_EVENT_TYPES,
  shardOf,
  TIME_SHARDS,
} from './table-definition.ts';

/** A DynamoDB item as the Document client reads and writes it. */
export type Item = Record<string, unknown>;

/** A stored item that does not have the shape its writer gives it. */
export class CorruptItemError extends Error {
  constructor(
    readonly kind: 'event' | 'summary' | 'allowlist' | 'counter' | 'ledger' | 'checkpoint' | 'pointer',
    readonly key: { pk: unknown; sk: unknown },
    readonly detail: string,
  ) {
    super(`corrupt ${kind} item (${String(key.pk).replace(/^R#.*/, 'R#…')} ${String(key.sk)}): ${detail}`);
    this.name = 'CorruptItemError';
  }
}

function decoder<T>(kind: CorruptItemError['kind'], schema: z.ZodType<T>) {
  return (item: Item): T => {
    const parsed = schema.safeParse(item);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new CorruptItemError(
      kind,
      { pk: item.pk, sk: item.sk },
      `${issue?.path.join('.') || '(item)'}: ${issue?.message}`,
    );
  };
}

/**
 * The items of a list read that decode: one corrupt item never hides its neighbours (reading it alone reports it).
 */
export function decodeEach<T>(items: readonly Item[], decode: (item: Item) => T): T[] {
  const records: T[] = [];
  for (const item of items) {
    try {
      records.push(decode(item));
    } catch (error) {
      if (!(error instanceof CorruptItemError)) throw error;
    }
  }
  return records;
}

// Attributes a writer leaves out when it has no value (DynamoDB stores no nulls for them): absent reads as null.
const optionalText = z
  .string()
  .nullish()
  .transform((value) => value ?? null);
const suppressionReason = z.enum(['BOUNCE', 'COMPLAINT']);

const DAY_SECONDS = 86_400;

function withoutNulls(item: Item): Item {
  return Object.fromEntries(
    Object.entries(item).filter(([, value]) => value !== null && value !== undefined),
  );
}

/**
 * TTL of an event: the retention period from its event time or from when it was recorded, whichever is later, so
 * even an event recorded long after it happened stays for the whole period (occurredAt is at most a few minutes
 * past recordedAt, see MAX_CLOCK_SKEW_MS).
 */
export function expiresAt(
  event: Pick<RecipientEvent, 'occurredAt' | 'recordedAt'>,
  retentionDays: number,
): number {
  const from = Math.max(Date.parse(event.occurredAt), Date.parse(event.recordedAt));
  return Math.floor(from / 1000) + retentionDays * DAY_SECONDS;
}

/**
 * The shape of an SES event item (docs/data-model.md, "Slim event items"): `full` stores every attribute, as every
 * release before issue #13 did; `slim` leaves out what the reader works out from what the item keeps; `short` is
 * slim, without `id` and `occurredAt` (both are in `sk`), and stores the attributes no filter, index projection or
 * erasure reads by name under short names (SHORT_NAMES), packed into one compressed attribute when that makes the
 * item take fewer write units (packedIfSmaller).
 */
export type EventItemShape = 'full' | 'slim' | 'short';

/**
 * The keys of the first model's indexes (docs/data-model.md, "Keys and indexes"): `eid` (byId), `gsi1sk` (byTime),
 * `gsi2sk` (byDomain). An event item carries the ones whose index the table still has.
 */
export type FirstModelIndexKey = 'eid' | 'gsi1sk' | 'gsi2sk';
export const FIRST_MODEL_INDEX_KEYS: readonly FirstModelIndexKey[] = ['eid', 'gsi1sk', 'gsi2sk'];

/**
 * An SES event as its item. `rollup`: how the counter rollup counts it: `event` (`rollup: true`, added when the
 * item is inserted), `ledger` (`rollup: false`: its delivery's ledger entry carries the count); absent for an item
 * as the model before the rollup wrote it (its transaction counted it). `indexKeys`: which keys of the first model's
 * indexes it carries (all of them by default).
 */
export function eventItem(
  event: RecipientEvent,
  decision: Decision,
  retentionDays: number,
  rollup?: 'event' | 'ledger',
  shape: EventItemShape = 'full',
  indexKeys: readonly FirstModelIndexKey[] = FIRST_MODEL_INDEX_KEYS,
): Item {
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
    statedOccurredAt: event.statedOccurredAt,
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
    expiresAt: expiresAt(event, retentionDays),
    rollup: rollup === undefined ? undefined : rollup === 'event',
  });
  // An explicit null says "SES sent no subtype", which differs from "not a complaint".
  if (event.complaint) item.complaintSubType = event.complaint.complaintSubType;
  for (const key of FIRST_MODEL_INDEX_KEYS) if (!indexKeys.includes(key)) delete item[key];
  if (shape === 'full') return item;
  return shape === 'slim' ? slimmed(item) : packedIfSmaller(shortened(slimmed(item)));
}

/** The account of an ARN (`arn:<partition>:<service>:<region>:<account>:…`); null when it names none. */
function accountOf(arn: unknown): string | null {
  if (typeof arn !== 'string') return null;
  const account = arn.split(':')[4];
  return account === undefined || account === '' ? null : account;
}

/**
 * What a slim SES event item leaves out because the reader works it out from what the item keeps, in the order the
 * reader restores it (emailDisplay from the restored email). An attribute the full item lacks stands for null.
 */
const DERIVED_ATTRIBUTES: readonly (readonly [string, (item: Item) => unknown])[] = [
  // The address is the partition key's (`R#<email>`).
  ['email', (item) => String(item.pk).slice(RECIPIENT_PK_PREFIX.length)],
  ['domain', (item) => domainOf(String(item.email))],
  ['emailDisplay', (item) => item.email],
  ['format', () => 'notification'],
  ['sendingAccountId', (item) => accountOf(item.sourceArn)],
  ['codeTitle', (item) => (typeof item.code === 'string' ? codeTitle(item.code) : null)],
  // A bounce's DSN action is nearly always `failed`, and its status the code the classifier used.
  ['action', (item) => (item.type === 'bounce' ? 'failed' : null)],
  ['status', (item) => (item.type === 'bounce' ? (item.code ?? null) : null)],
  // The classifier's suppress hint of a bounce; no reader uses it (the decision says what was done).
  ['suppressHint', (item) => (item.type === 'bounce' ? false : null)],
];

/** The decision's fields a slim item leaves out when they have these values. */
const DECISION_DEFAULTS: Readonly<Record<string, unknown>> = {
  suppressionReason: null,
  softStreak: 0,
  countsTowardStreak: false,
  sesMislabel: false,
  allowlisted: false,
  dryRun: false,
};

const isMap = (value: unknown): value is Item =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Set);

/**
 * The slim item of a full SES event item: an attribute that equals what the reader works out is left out; one that
 * is null where the reader would work out a value is stored as an explicit null (a sendingAccountId SES did not
 * send, with a sourceArn that names an account). Nothing is renamed: filters and projections see the same names.
 */
function slimmed(full: Item): Item {
  const item: Item = { ...full };
  for (const [name, derive] of DERIVED_ATTRIBUTES) {
    const value = full[name] ?? null;
    const derived = derive(full) ?? null;
    if (value === derived) delete item[name];
    else item[name] = value;
  }
  if (isMap(full.decision))
    item.decision = Object.fromEntries(
      Object.entries(full.decision).filter(([name, value]) => DECISION_DEFAULTS[name] !== value),
    );
  return item;
}

/**
 * The stored names of a short SES event item (docs/data-model.md, "Short attribute names"): every attribute of an
 * SES event that no `FilterExpression`, index projection (INDEX_FILTER_ATTRIBUTES) or erasure's projection reads by
 * name. Those keep their names: the keys, `entity`, `type`, `domain`, `email`, the filter attributes, `bounceSubType`,
 * `complaintSubType`, `expiresAt` (the table's TTL attribute) and `rollup`.
 */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  recordedAt: 'ra',
  statedOccurredAt: 'so',
  emailDisplay: 'ed',
  feedbackId: 'fb',
  snsMessageId: 'sn',
  format: 'fm',
  sourceArn: 'sa',
  sendingAccountId: 'ac',
  subject: 'sj',
  bounceType: 'bt',
  action: 'ba',
  status: 'st',
  diagnosticCode: 'dc',
  reportingMta: 'rm',
  remoteMtaIp: 'ri',
  blame: 'bl',
  codeTitle: 'ct',
  evidence: 'ev',
  suppressHint: 'sh',
  complaintFeedbackType: 'cf',
  userAgent: 'ua',
  arrivalDate: 'ad',
  smtpResponse: 'sr',
  processingTimeMillis: 'pm',
  decision: 'dn',
};

/** The stored names of the decision's fields in a short item (inside `dn`). */
const SHORT_DECISION_NAMES: Readonly<Record<string, string>> = {
  action: 'a',
  reason: 'r',
  suppressionReason: 'sr',
  softStreak: 'ss',
  countsTowardStreak: 'cs',
  sesMislabel: 'sm',
  allowlisted: 'al',
  dryRun: 'dr',
};

const inverse = (names: Readonly<Record<string, string>>): Readonly<Record<string, string>> =>
  Object.fromEntries(Object.entries(names).map(([name, short]) => [short, name]));
const LONG_NAMES = inverse(SHORT_NAMES);
const LONG_DECISION_NAMES = inverse(SHORT_DECISION_NAMES);

/** A map with its attributes renamed by `names` (an attribute it does not name keeps its name). */
function renamed(map: Item, names: Readonly<Record<string, string>>): Item {
  return Object.fromEntries(Object.entries(map).map(([name, value]) => [names[name] ?? name, value]));
}

/** The short item of a slim SES event item: without `id` and `occurredAt` (both in `sk`), with SHORT_NAMES. */
function shortened(slim: Item): Item {
  const { id: _id, occurredAt: _occurredAt, ...kept } = slim;
  if (isMap(kept.decision)) kept.decision = renamed(kept.decision, SHORT_DECISION_NAMES);
  return renamed(kept, SHORT_NAMES);
}

/**
 * The slim item of a short one (an SES event item without `email` and without `id`; every full and slim item has an
 * `id`): the long names back, `occurredAt` and `id` from `sk` (`E#<occurredAt>#<id>`).
 */
function lengthened(short: Item): Item {
  const item = renamed(short, LONG_NAMES);
  if (isMap(item.decision)) item.decision = renamed(item.decision, LONG_DECISION_NAMES);
  if (typeof short.sk === 'string' && short.sk.startsWith('E#')) {
    const hash = short.sk.lastIndexOf('#');
    item.occurredAt = short.sk.slice(2, hash);
    item.id = short.sk.slice(hash + 1);
  }
  return item;
}

/**
 * The attribute of a packed short item (docs/data-model.md, "Packed event items"): a Binary holding the item's
 * short-named attributes (SHORT_NAMES: those nothing reads by name) as the Brotli-compressed UTF-8 JSON of a map
 * from short name to value. Every name a filter, projection, index or TTL reads stays outside it.
 */
const PACKED = 'z';

/**
 * Brotli for a text of a few hundred bytes: text mode, a 64 KB window (an item holds less), quality 9: tens of
 * microseconds a packed item. Quality 11 takes about 2 ms for some 6% fewer bytes (of the 80 diagnostics of the
 * classifier's corpus whose item is over 1 KB, 78 would fit rather than 76; BENCHMARKS.md, "bounce ≤ 8 WCU").
 */
const PACKING = {
  params: {
    [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
    [zlib.BROTLI_PARAM_QUALITY]: 9,
    [zlib.BROTLI_PARAM_LGWIN]: 16,
  },
};

const writeUnits = (item: Item) =>
  Math.ceil(itemSize(marshall(item, { removeUndefinedValues: true })) / WRITE_UNIT_BYTES);

/**
 * A short item as it is stored: packed (its SHORT_NAMES attributes in PACKED) when that takes fewer write units,
 * which is only ever the case for an item over 1 KB (a long diagnostic); else as it is, readable in the console.
 */
function packedIfSmaller(short: Item): Item {
  const units = writeUnits(short);
  if (units === 1) return short;
  const inside: Item = {};
  const outside: Item = {};
  for (const [name, value] of Object.entries(short)) {
    if (Object.hasOwn(LONG_NAMES, name)) inside[name] = value;
    else outside[name] = value;
  }
  const bytes = brotliCompressSync(JSON.stringify(inside), PACKING);
  const packed = { ...outside, [PACKED]: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) };
  return writeUnits(packed) < units ? packed : short;
}

/**
 * The short item of a packed one. A Binary reads as bytes through the SDK, and as base64 text from a Lambda
 * stream event's image (its JSON carries binaries so).
 */
function unpacked(item: Item): Item {
  const { [PACKED]: stored, ...outside } = item;
  const corrupt = (detail: string) =>
    new CorruptItemError('event', { pk: item.pk, sk: item.sk }, `${PACKED}: ${detail}`);
  const bytes =
    stored instanceof Uint8Array ? stored : typeof stored === 'string' ? Buffer.from(stored, 'base64') : null;
  if (bytes === null) throw corrupt('not a binary');
  let inside: unknown;
  try {
    inside = JSON.parse(brotliDecompressSync(bytes).toString('utf8'));
  } catch {
    throw corrupt('not packed attributes');
  }
  if (!isMap(inside)) throw corrupt('not a map');
  const stray = Object.keys(inside).find((name) => !Object.hasOwn(LONG_NAMES, name) || name in outside);
  if (stray !== undefined) throw corrupt(`holds ${stray}`);
  return { ...outside, ...inside };
}

/**
 * A slim, short or packed SES event item (no `email`; every full item has one) with what it left out restored, so
 * that one strict schema reads every shape; any other item as it is.
 */
function restoredEventItem(stored: Item): Item {
  if (
    stored.email !== undefined ||
    typeof stored.pk !== 'string' ||
    !stored.pk.startsWith(RECIPIENT_PK_PREFIX) ||
    !SES_EVENT_TYPES.some((type) => type === stored.type)
  )
    return stored;
  const item = stored[PACKED] === undefined ? stored : unpacked(stored);
  const full: Item = item.id === undefined ? lengthened(item) : { ...item };
  for (const [name, derive] of DERIVED_ATTRIBUTES) if (full[name] === undefined) full[name] = derive(full);
  if (isMap(full.decision)) full.decision = { ...DECISION_DEFAULTS, ...full.decision };
  return full;
}

/**
 * What an erasure leaves of an erased SES event (docs/data-model.md, "Erasure tombstones"): its key is the event id,
 * which the processor's transaction checks, and it holds nothing else but its expiry: no address, no subject.
 */
export function tombstoneItem(eventId: string, expiresAt: number): Item {
  return { ...keys.erased(eventId), entity: 'tombstone', expiresAt };
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

/**
 * Summary attributes the codec leaves out when they hold what the reader derives or defaults (docs/data-model.md,
 * "Recipient summary", slim summaries): the address (the key holds it), its display when it is the address, its domain
 * when it is the address's, zero counts, `firstEventAt` equal to `lastEventAt`, an empty soft-bounce memory, a delivery
 * memory of the latest delivery alone, and whatever is null. An update removes those it leaves out, so an attribute
 * an earlier write (or a summary written before slim summaries) stored never outlives its value.
 */
const DERIVED_SUMMARY_ATTRIBUTES = [
  'email',
  'emailDisplay',
  'domain',
  'hard',
  'soft',
  'complaints',
  'deliveries',
  'onAccountList',
  'firstEventAt',
  'softStreak',
  'softBounceTimes',
  'deliveryTimes',
  'streakForgottenUntil',
  'lastDeliveryAt',
  'suppression',
  'sesSuppression',
] as const;

const nonZero = (count: number) => (count === 0 ? undefined : count);

/** The delivery memory a summary without `deliveryTimes` is read with: its latest delivery, if any. */
const rememberedDeliveries = (lastDeliveryAt: string | null | undefined) =>
  lastDeliveryAt ? [lastDeliveryAt] : [];

const sameTimes = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((time, i) => time === b[i]);

/** Our suppression record without what the reader defaults: `eventId` equal to `requestId`, `updatedAt` to `since`. */
function slimSuppression(suppression: SuppressionStatus): Item {
  const { eventId, updatedAt, ...kept } = suppression;
  return withoutNulls({
    ...kept,
    eventId: eventId === suppression.requestId ? undefined : eventId,
    updatedAt: updatedAt === suppression.since ? undefined : updatedAt,
  });
}

/**
 * What SES most likely holds, without what the reader defaults: a false `mislabel`, and, while SES likely lists the
 * address, `since` and `eventId` equal to the summary's latest event (the event that made SES list it, mostly).
 */
function slimSesBelief(belief: SesSuppressionBelief, summary: RecipientSummary): Item {
  const ofLatest = (value: string | undefined, latest: string) =>
    belief.likely && value === latest ? undefined : value;
  return withoutNulls({
    ...belief,
    since: ofLatest(belief.since, summary.lastEventAt),
    eventId: ofLatest(belief.eventId, summary.lastEventId),
    mislabel: belief.mislabel ? true : undefined,
  });
}

/**
 * A summary as its item, slim: what the reader derives or defaults is left out (DERIVED_SUMMARY_ATTRIBUTES).
 * `expiresAt` (epoch seconds): when DynamoDB's TTL may remove it, set by every event that touches it
 * (summaryExpiresAt); undefined writes a summary as versions before summaries expired did (none).
 */
export function summaryItem(summary: RecipientSummary, version: number, expiresAt?: number): Item {
  const { email, sesSuppression } = summary;
  return withoutNulls({
    ...keys.summary(email),
    entity: 'summary',
    emailDisplay: summary.emailDisplay === email ? undefined : summary.emailDisplay,
    domain: summary.domain === domainOf(email) ? undefined : summary.domain,
    hard: nonZero(summary.hard),
    soft: nonZero(summary.soft),
    complaints: nonZero(summary.complaints),
    deliveries: nonZero(summary.deliveries),
    onAccountList: nonZero(summary.onAccountList),
    firstEventAt: summary.firstEventAt === summary.lastEventAt ? undefined : summary.firstEventAt,
    lastEventAt: summary.lastEventAt,
    lastEventId: summary.lastEventId,
    lastEventType: summary.lastEventType,
    softStreak: nonZero(summary.softStreak),
    softBounceTimes: summary.softBounceTimes.length === 0 ? undefined : summary.softBounceTimes,
    deliveryTimes: sameTimes(summary.deliveryTimes, rememberedDeliveries(summary.lastDeliveryAt))
      ? undefined
      : summary.deliveryTimes,
    streakForgottenUntil: summary.streakForgottenUntil,
    lastDeliveryAt: summary.lastDeliveryAt,
    suppression: summary.suppression === null ? undefined : slimSuppression(summary.suppression),
    sesSuppression: sesSuppression === null ? undefined : slimSesBelief(sesSuppression, summary),
    version,
    expiresAt,
  });
}

/**
 * TTL of a recipient summary touched by `event` (bounce, complaint, a delivery applied to it, a reactivation): the
 * recipient retention from the event's time or from when it was recorded, whichever is later, as for events
 * (expiresAt). Every touch moves it on, so a summary goes only after `retentionDays` without any event; with the
 * retention at least the event retention, it outlives every event of its address.
 */
export function summaryExpiresAt(
  event: Pick<RecipientEvent, 'occurredAt' | 'recordedAt'>,
  retentionDays: number,
): number {
  return expiresAt(event, retentionDays);
}

/**
 * An existing summary as an update of its known attributes: those the slim item leaves out are removed (they may be
 * there from an earlier write, or from a summary written before slim summaries), attributes other writers add (the
 * query API, later versions) survive, and the write happens only at the version the summary was read.
 */
export function summaryUpdate(
  summary: RecipientSummary,
  expectedVersion: number,
  expiresAt: number,
): CounterUpdate & {
  ConditionExpression: string;
} {
  const { pk, sk, ...attributes } = summaryItem(summary, expectedVersion + 1, expiresAt);
  const names: Record<string, string> = { '#version': 'version' };
  const values: Record<string, unknown> = { ':expected': expectedVersion };
  const sets = Object.entries(attributes).map(([name, value], i) => {
    names[`#a${i}`] = name;
    values[`:a${i}`] = value;
    return `#a${i} = :a${i}`;
  });
  const removes = DERIVED_SUMMARY_ATTRIBUTES.filter((name) => !(name in attributes)).map((name, i) => {
    names[`#r${i}`] = name;
    return `#r${i}`;
  });
  return {
    Key: { pk: String(pk), sk: String(sk) },
    UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
    ConditionExpression: '#version = :expected',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * Reactivation as an update of the summary: our suppression becomes a confirmed delete, SES no longer lists the
 * address, and the soft-bounce streak starts afresh (soft bounces at or before it never count again). A touch like
 * any event: the summary's expiry moves on by `retentionDays` from it, never closer than `storedExpiresAt`.
 */
export function reactivationUpdate(
  record: {
    email: string;
    eventId: string;
    requestId: string;
    occurredAt: string;
    storedExpiresAt?: number | null;
  },
  retentionDays: number,
) {
  return {
    Key: keys.summary(record.email),
    UpdateExpression:
      'SET #suppression = :suppression, #softStreak = :zero, #softBounceTimes = :empty, ' +
      '#streakForgottenUntil = :now, #sesSuppression = :sesSuppression, #expiresAt = :expiresAt ADD #version :one',
    ExpressionAttributeNames: {
      '#suppression': 'suppression',
      '#softStreak': 'softStreak',
      '#softBounceTimes': 'softBounceTimes',
      '#streakForgottenUntil': 'streakForgottenUntil',
      '#sesSuppression': 'sesSuppression',
      '#expiresAt': 'expiresAt',
      '#version': 'version',
    },
    ExpressionAttributeValues: {
      ':suppression': {
        state: 'confirmed',
        action: 'delete',
        cause: 'reactivation',
        since: record.occurredAt,
        eventId: record.eventId,
        requestId: record.requestId,
        updatedAt: record.occurredAt,
      },
      ':sesSuppression': { likely: false, mislabel: false },
      ':expiresAt': Math.max(
        summaryExpiresAt({ occurredAt: record.occurredAt, recordedAt: record.occurredAt }, retentionDays),
        record.storedExpiresAt ?? 0,
      ),
      ':zero': 0,
      ':now': record.occurredAt,
      ':empty': [],
      ':one': 1,
    },
  };
}

const suppressionStatusSchema = z
  .object({
    state: z.enum(SUPPRESSION_STATES),
    action: z.enum(['put', 'delete']),
    // Reactivation (the query API) writes no reason.
    reason: suppressionReason.nullish(),
    cause: z.enum(SUPPRESSION_CAUSES),
    since: z.string(),
    // A slim summary leaves out an eventId equal to the requestId and an updatedAt equal to since.
    eventId: z.string().optional(),
    requestId: z.string(),
    updatedAt: z.string().optional(),
    error: z.string().optional(),
  })
  .transform(
    ({ eventId, updatedAt, ...status }): SuppressionStatus => ({
      ...status,
      eventId: eventId ?? status.requestId,
      updatedAt: updatedAt ?? status.since,
    }),
  );

const sesSuppressionSchema = z.object({
  likely: z.boolean(),
  // Reactivation records only that SES no longer lists the address.
  reason: suppressionReason.optional(),
  since: z.string().optional(),
  eventId: z.string().optional(),
  // A slim summary leaves out a false mislabel, and since and eventId of its latest event (sesBeliefOf).
  mislabel: z.boolean().default(false),
  reportedAt: z.string().optional(),
});

const count = z.number().int().nonnegative();
// A slim summary leaves out a zero count (summaryItem).
const countOrZero = count.default(0);

/**
 * A summary item in either shape: as summaryItem writes it now (slim: the address from the key, what is derived or
 * zero left out) or as versions before slim summaries wrote it (every attribute).
 */
const summarySchema = z
  .looseObject({
    pk: z.string().startsWith(RECIPIENT_PK_PREFIX),
    email: z.string().min(1).optional(),
    emailDisplay: z.string().optional(),
    domain: z.string().optional(),
    hard: countOrZero,
    soft: countOrZero,
    complaints: countOrZero,
    deliveries: countOrZero,
    // Summaries written before this count existed counted such events as hard bounces or complaints.
    onAccountList: countOrZero,
    firstEventAt: z.string().optional(),
    lastEventAt: z.string(),
    lastEventId: z.string(),
    lastEventType: z.string(),
    softStreak: countOrZero,
    softBounceTimes: z.array(z.string()).optional(),
    deliveryTimes: z.array(z.string()).optional(),
    streakForgottenUntil: z.string().nullish(),
    lastDeliveryAt: z.string().nullish(),
    suppression: suppressionStatusSchema.nullish(),
    sesSuppression: sesSuppressionSchema.nullish(),
    version: z.number().int().positive(),
    expiresAt: z.number().int().optional(),
  })
  .refine((item) => item.pk.length > RECIPIENT_PK_PREFIX.length, { path: ['pk'], message: 'no address' })
  .transform((item): StoredSummary => {
    const email = item.email ?? item.pk.slice(RECIPIENT_PK_PREFIX.length);
    return {
      version: item.version,
      ...(item.expiresAt !== undefined ? { expiresAt: item.expiresAt } : {}),
      summary: {
        email,
        emailDisplay: item.emailDisplay ?? email,
        domain: item.domain ?? domainOf(email),
        hard: item.hard,
        soft: item.soft,
        complaints: item.complaints,
        deliveries: item.deliveries,
        onAccountList: item.onAccountList,
        firstEventAt: item.firstEventAt ?? item.lastEventAt,
        lastEventAt: item.lastEventAt,
        lastEventId: item.lastEventId,
        lastEventType: item.lastEventType,
        softStreak: item.softStreak,
        softBounceTimes: item.softBounceTimes ?? [],
        // Left out: the latest delivery alone (summaries written before deliveryTimes existed remember only it).
        deliveryTimes: item.deliveryTimes ?? rememberedDeliveries(item.lastDeliveryAt),
        streakForgottenUntil: item.streakForgottenUntil ?? null,
        lastDeliveryAt: item.lastDeliveryAt ?? null,
        suppression: item.suppression ?? null,
        sesSuppression: item.sesSuppression ? sesBeliefOf(item.sesSuppression, item) : null,
      },
    };
  });

/** A stored SES belief with what a slim summary left out: while SES likely lists the address, its latest event. */
function sesBeliefOf(
  belief: SesSuppressionBelief,
  latest: { lastEventAt: string; lastEventId: string },
): SesSuppressionBelief {
  if (!belief.likely) return belief;
  return {
    ...belief,
    since: belief.since ?? latest.lastEventAt,
    eventId: belief.eventId ?? latest.lastEventId,
  };
}

/** A summary item read back; throws CorruptItemError when it is not one the processor wrote. */
export const summaryFromItem: (item: Item) => StoredSummary = decoder('summary', summarySchema);

const decisionSchema = z.object({
  action: z.string(),
  reason: optionalText,
  suppressionReason: suppressionReason.nullish().transform((value) => value ?? null),
  allowlisted: z.boolean(),
  dryRun: z.boolean(),
  sesMislabel: z.boolean(),
});

const eventSchema = z
  .looseObject({
    id: z.string().min(1),
    type: z.enum(['bounce', 'complaint', 'delivery', 'audit']),
    occurredAt: z.string(),
    statedOccurredAt: optionalText,
    email: z.string().min(1),
    domain: z.string(),
    recordedAt: optionalText,
    emailDisplay: optionalText,
    sesMessageId: optionalText,
    feedbackId: optionalText,
    snsMessageId: optionalText,
    format: optionalText,
    source: optionalText,
    sourceArn: optionalText,
    configurationSet: optionalText,
    sendingAccountId: optionalText,
    subject: optionalText,
    bounceType: optionalText,
    bounceSubType: optionalText,
    action: optionalText,
    status: optionalText,
    diagnosticCode: optionalText,
    reportingMta: optionalText,
    remoteMtaIp: optionalText,
    verdict: optionalText,
    category: optionalText,
    blame: optionalText,
    code: optionalText,
    codeTitle: optionalText,
    evidence: optionalText,
    complaintFeedbackType: optionalText,
    complaintSubType: optionalText,
    userAgent: optionalText,
    arrivalDate: optionalText,
    smtpResponse: optionalText,
    processingTimeMillis: z
      .number()
      .nullish()
      .transform((value) => value ?? null),
    decision: decisionSchema.nullish().transform((value) => value ?? null),
    actor: optionalText,
    detail: optionalText,
    causeEventId: optionalText,
  })
  .transform(({ pk: _pk, sk: _sk, ...record }): EventRecord => pickEventRecord(record));

// The looseObject keeps attributes the record does not name (keys, index keys, TTL): leave them out.
function pickEventRecord(record: EventRecord & Item): EventRecord {
  const {
    entity: _entity,
    eid: _eid,
    gsi1pk: _gsi1pk,
    gsi1sk: _gsi1sk,
    gsi2pk: _gsi2pk,
    gsi2sk: _gsi2sk,
    expiresAt: _expiresAt,
    requestId: _requestId,
    suppressHint: _suppressHint,
    rollup: _rollup,
    ...rest
  } = record;
  return rest;
}

const decodeEvent = decoder('event', eventSchema);

/**
 * An event or audit item read back, full or slim (an SES event item written by a release before issue #13 is full);
 * throws CorruptItemError when it is not one a writer of ours wrote.
 */
export function eventFromItem(item: Item): EventRecord {
  return decodeEvent(restoredEventItem(item));
}

const allowlistSchema = z.looseObject({
  kind: z.enum(['address', 'domain']),
  value: z.string().min(1),
  note: optionalText,
  createdAt: z.string(),
  createdBy: optionalText,
});

/** The key of an allowlist entry. */
export function allowlistKey(kind: AllowlistKind, value: string): { pk: string; sk: string } {
  return kind === 'address' ? keys.allowlistAddress(value) : keys.allowlistDomain(value);
}

/** An allowlist entry as an UpdateItem that keeps the first creation time and author (a re-put replaces the note). */
export function allowlistUpdate(entry: AllowlistEntry) {
  return {
    Key: allowlistKey(entry.kind, entry.value),
    UpdateExpression:
      'SET #entity = :entity, #kind = :kind, #value = :value, #note = :note, ' +
      '#createdAt = if_not_exists(#createdAt, :createdAt), #createdBy = if_not_exists(#createdBy, :createdBy)',
    ExpressionAttributeNames: {
      '#entity': 'entity',
      '#kind': 'kind',
      '#value': 'value',
      '#note': 'note',
      '#createdAt': 'createdAt',
      '#createdBy': 'createdBy',
    },
    ExpressionAttributeValues: {
      ':entity': 'allowlist',
      ':kind': entry.kind,
      ':value': entry.value,
      ':note': entry.note,
      ':createdAt': entry.createdAt,
      ':createdBy': entry.createdBy,
    },
  };
}

/** An allowlist item read back; throws CorruptItemError when it is not one the API wrote. */
export const allowlistFromItem: (item: Item) => AllowlistEntry = decoder(
  'allowlist',
  allowlistSchema.transform(({ kind, value, note, createdAt, createdBy }) => ({
    kind,
    value,
    note,
    createdAt,
    createdBy,
  })),
);

/** Which entry an allowlist sort key names (`ADDR#<address>`, `DOMAIN#<domain>`); null for any other key. */
export function allowlistKeyOf(sk: unknown): { kind: AllowlistKind; value: string } | null {
  if (typeof sk !== 'string') return null;
  if (sk.startsWith('ADDR#')) return { kind: 'address', value: sk.slice(5) };
  if (sk.startsWith('DOMAIN#')) return { kind: 'domain', value: sk.slice(7) };
  return null;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

const counterSchema = z
  .looseObject({
    sk: z.string(),
    // Day × domain counters carry their day and domain; day-total counters name the day in their key (`D#<day>`).
    day: z.string().regex(DAY).optional(),
    domain: z.string().optional(),
  })
  .transform((item, context): DayCounter => {
    const day = item.day ?? (item.sk.startsWith('D#') ? item.sk.slice(2, 12) : '');
    if (!DAY.test(day)) {
      context.addIssue({ code: 'custom', message: 'names no day', path: ['sk'] });
      return z.NEVER;
    }
    const counts: Record<string, number> = {};
    for (const [name, value] of Object.entries(item)) {
      if (typeof value === 'number' && name !== 'expiresAt') counts[name] = value;
    }
    return { day, domain: item.domain ?? null, counts };
  });

/** A daily counter item read back (either kind); throws CorruptItemError when it names no day. */
export const counterFromItem: (item: Item) => DayCounter = decoder('counter', counterSchema);

export interface CounterUpdate {
  Key: { pk: string; sk: string };
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

function addCounters(
  names: string[],
  set: Record<string, string | number> = {},
  amount = 1,
): Omit<CounterUpdate, 'Key'> {
  const attributeNames: Record<string, string> = {};
  const adds = names.map((name, i) => {
    attributeNames[`#c${i}`] = name;
    return `#c${i} :one`;
  });
  const values: Record<string, unknown> = { ':one': amount };
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

/** What an event adds to the type counters: its type and verdict, or only that SES never sent it. */
interface TypeCounted {
  type: string;
  /** Null for an event without a classification (deliveries, complaints). */
  verdict: string | null;
  /** A bounce or complaint SES reported as OnAccountSuppressionList. */
  onAccountList: boolean;
}

/** What one SES event adds to the daily counters: read from the event being recorded or from its stored item. */
interface Counted extends TypeCounted {
  category: string | null;
  code: string | null;
  blame: string | null;
  sesMislabel: boolean;
  /** The policy requested a suppression (not a dry run). */
  suppressRequested: boolean;
}

/**
 * The type and verdict counters of an event. A bounce or complaint SES reported as OnAccountSuppressionList was
 * never sent: it counts apart (`onAccountList:<type>`), in no bounce or complaint count and no rate, as SES leaves
 * it out of the sender's bounce and complaint rates.
 */
function typeCounterNames(counted: TypeCounted): string[] {
  if (counted.onAccountList) return [`onAccountList:${counted.type}`];
  return counted.verdict !== null
    ? [`type:${counted.type}`, `verdict:${counted.verdict}`]
    : [`type:${counted.type}`];
}

/** The day-total counter names one event adds 1 to (docs/data-model.md, "Daily counters"). */
function dayCounterNamesOf(counted: Counted): string[] {
  const names = ['events', ...typeCounterNames(counted)];
  if (counted.verdict !== null)
    names.push(`category:${counted.category}`, `code:${counted.code ?? 'none'}`, `blame:${counted.blame}`);
  if (counted.sesMislabel) names.push('sesMislabel');
  if (counted.suppressRequested) names.push('suppress:requested');
  return names;
}

function countedOf(event: RecipientEvent, decision: Decision): Counted {
  const c = event.classification;
  return {
    type: event.type,
    verdict: c?.verdict ?? null,
    category: c?.category ?? null,
    code: c?.code ?? null,
    blame: c?.blame ?? null,
    onAccountList: notSentOnAccountList(event),
    sesMislabel: decision.sesMislabel,
    suppressRequested: decision.action === 'suppress' && !decision.dryRun,
  };
}

/** The counter names one event adds 1 to (docs/data-model.md, "Daily counters"). */
export function dayCounterNames(event: RecipientEvent, decision: Decision): string[] {
  return dayCounterNamesOf(countedOf(event, decision));
}

/**
 * DynamoDB's TTL ignores an expiry time more than five years in the past (Developer Guide, "Computing time to live");
 * an expiry a month inside that horizon is still acted on (deleted within days).
 */
export const TTL_HORIZON_SECONDS = 5 * 365 * DAY_SECONDS;
const EARLIEST_ACTED_ON_EXPIRY = TTL_HORIZON_SECONDS - 30 * DAY_SECONDS;

/**
 * TTL of the day × domain counter of `day` (`yyyy-mm-dd`): the end of that UTC day plus the event retention. The
 * counter rollup sets it with every update; `ses-bounce backfill-expiry` gives it to counters written before it existed.
 */
export function domainCounterExpiresAt(day: string, retentionDays: number): number {
  return Date.parse(`${day}T00:00:00Z`) / 1000 + (retentionDays + 1) * DAY_SECONDS;
}

/**
 * One event's counter updates, as the model before the counter rollup wrote them (bench/api.ts seeds with it). The
 * day totals are kept for good (they name no one); a day × domain counter names a domain, which may be one
 * person's, so it expires with the events it counts: at the end of its day plus the event retention.
 */
export function counterUpdates(
  event: RecipientEvent,
  decision: Decision,
  retentionDays: number,
): [CounterUpdate, CounterUpdate] {
  const day = event.occurredAt.slice(0, 10);
  const shard = shardOf(event.id, COUNTER_SHARDS);
  const expiresAt = domainCounterExpiresAt(day, retentionDays);
  const counted = countedOf(event, decision);
  return [
    { Key: keys.dayCounter(day, shard), ...addCounters(dayCounterNamesOf(counted)) },
    {
      Key: keys.domainDayCounter(day, event.domain, shard),
      ...addCounters(['events', ...typeCounterNames(counted)], {
        domain: event.domain,
        day,
        expiresAt,
      }),
    },
  ];
}

/** What erasure needs to know of a stored SES event: its key fields and what it added to its domain counter. */
export interface ErasedEvent extends TypeCounted {
  id: string;
  occurredAt: string;
  domain: string;
  /** The event's TTL (epoch seconds); null when it had none. */
  expiresAt: number | null;
  /**
   * The counter rollup counted it (the item has `rollup`, true or false): its day × domain count is in the domain's
   * rollup shard (domainCounterShard); otherwise its own transaction counted it in the event id's shard.
   */
  countedByRollup: boolean;
}

/**
 * The SES event a row of an erasure's key-only read holds (`sk = E#<occurredAt>#<id>`), or null for audit entries
 * and the summary.
 */
export function erasedEventOf(row: Item): ErasedEvent | null {
  const { pk, sk, type, verdict, expiresAt, bounceSubType, complaintSubType, rollup } = row;
  // A slim event item has no domain: it is its address's (`pk = R#<email>`).
  const domain =
    row.domain ?? (typeof pk === 'string' ? domainOf(pk.slice(RECIPIENT_PK_PREFIX.length)) : undefined);
  if (typeof sk !== 'string' || !sk.startsWith('E#') || typeof domain !== 'string') return null;
  if (type !== 'bounce' && type !== 'complaint' && type !== 'delivery') return null;
  const hash = sk.lastIndexOf('#');
  return {
    id: sk.slice(hash + 1),
    occurredAt: sk.slice(2, hash),
    type,
    domain,
    verdict: typeof verdict === 'string' ? verdict : null,
    onAccountList:
      bounceSubType === 'OnAccountSuppressionList' || complaintSubType === 'OnAccountSuppressionList',
    expiresAt: typeof expiresAt === 'number' ? expiresAt : null,
    countedByRollup: typeof rollup === 'boolean',
  };
}

/**
 * The shard of a domain's day × domain counters as the counter rollup writes them: one per domain (so an erasure
 * finds the item the rollup added an event to), spread over the shards by the domain's hash.
 */
function domainCounterShard(domain: string): number {
  return shardOf(createHash('sha256').update(domain).digest('hex'), COUNTER_SHARDS);
}

/**
 * Takes an erased event back out of its day × domain counter (the day totals keep it: they name no one). Its `day` and
 * `domain` are set too: an erasure that runs ahead of the counter rollup creates the item (`events` -1), and readers
 * take a counter's day from it.
 */
export function domainCounterErasure(event: ErasedEvent): CounterUpdate {
  const day = event.occurredAt.slice(0, 10);
  return {
    Key: keys.domainDayCounter(
      day,
      event.domain,
      event.countedByRollup ? domainCounterShard(event.domain) : shardOf(event.id, COUNTER_SHARDS),
    ),
    ...addCounters(['events', ...typeCounterNames(event)], { domain: event.domain, day }, -1),
  };
}

/**
 * The mark of a day × domain counter an erasure left at zero events or below (docs/data-model.md, "Erasure within
 * the rollup's window"): `true`, with `expiresAt` moved to the end of the hold. The counter rollup keeps both while
 * its writes leave the item at zero or below, and gives the item its day's expiry back (removing the mark) when
 * they bring it above.
 */
export const EMPTIED_ATTRIBUTE = 'emptied';

/**
 * After an erasure's `ADD -1`: a day × domain counter left at zero events or below is kept (with its guards, so a
 * retried rollup batch finds them, and a late `+1` of the rollup brings it back to zero instead of recreating it) and
 * expires at `untilSeconds` instead of its day's end + retention. Readers never show it (lambdas/api/stats.ts).
 * Refused (ConditionalCheckFailed) when other events keep the counter above zero.
 */
export function emptiedCounterHold(
  key: { pk: string; sk: string },
  untilSeconds: number,
): { Key: { pk: string; sk: string } } & Omit<CounterUpdate, 'Key'> & { ConditionExpression: string } {
  return {
    Key: key,
    UpdateExpression: 'SET #expiresAt = :until, #emptied = :true',
    ConditionExpression: '#events <= :zero',
    ExpressionAttributeNames: {
      '#expiresAt': 'expiresAt',
      '#emptied': EMPTIED_ATTRIBUTE,
      '#events': 'events',
    },
    ExpressionAttributeValues: { ':until': Math.ceil(untilSeconds), ':true': true, ':zero': 0 },
  };
}

/**
 * How long a delivery-ledger item outlives its second (or minute): longer than SQS keeps a message (at most 14 days,
 * dead letters included), so every redelivered or redriven copy of a delivery still finds its entry.
 */
const DELIVERY_LEDGER_DAYS = 15;

/** 8 hex characters of SHA-256 of the address: finds an address's entries without storing the address. */
function addressHash(email: string): string {
  return createHash('sha256').update(email).digest('hex').slice(0, 8);
}

type LedgerDelivery = Pick<RecipientEvent, 'id' | 'email' | 'occurredAt' | 'domain'>;

/**
 * A delivery's entry in the ledger item of its second: event id (32 hex), address hash (8 hex) and the
 * milliseconds of the event time (3 digits).
 */
export function ledgerEntry(event: Pick<RecipientEvent, 'id' | 'email' | 'occurredAt'>): string {
  return `${event.id}${addressHash(event.email)}${event.occurredAt.slice(20, 23)}`;
}

/**
 * A delivery's entry in the ledger item of its minute: event id, address hash, then the seconds and milliseconds of
 * the event time (5 digits).
 */
export function minuteLedgerEntry(event: Pick<RecipientEvent, 'id' | 'email' | 'occurredAt'>): string {
  return `${event.id}${addressHash(event.email)}${event.occurredAt.slice(17, 19)}${event.occurredAt.slice(20, 23)}`;
}

/** Prefix of a ledger item's per-domain count attributes (`n:<domain>`): what its updates newly added. */
const LEDGER_COUNT_PREFIX = 'n:';

/**
 * Most domains one ledger update counts: the counter rollup applies one stream record in one transaction (one day
 * counter, one per domain, its checkpoint), so a record's counters must stay well within DynamoDB's 100 items.
 */
export const LEDGER_DOMAINS_PER_UPDATE = 48;

/**
 * Most entries a minute's ledger item takes (≈ 9 KB). Below it, a writer enters deliveries there only while the item
 * after the update costs no more write units than the items of their seconds would (`minuteLedgerRoom`).
 */
const MINUTE_LEDGER_MAX_ENTRIES = 200;
/** Entries of a minute's ledger item that fit in one write unit (1 KB) with the item's other attributes. */
const MINUTE_ENTRIES_PER_WRITE_UNIT = 18;

/**
 * How many entries a minute's ledger item may hold before an update that enters `deliveries` (negative: none, the
 * minute is to be closed). An update costs a write unit per KB of the item, and the same deliveries entered in their
 * seconds' items cost about one unit per distinct second: so the minute takes them while its item stays within that
 * many KB, and never more than MINUTE_LEDGER_MAX_ENTRIES. Any rule would do for exactly-once (a closed minute stays
 * closed); this one keeps both low rates (one item for a minute's deliveries) and high ones (small items) cheap.
 */
export function minuteLedgerRoom(deliveries: readonly Pick<RecipientEvent, 'occurredAt'>[]): number {
  const seconds = new Set(deliveries.map((d) => d.occurredAt.slice(0, 19))).size;
  return Math.min(MINUTE_LEDGER_MAX_ENTRIES, seconds * MINUTE_ENTRIES_PER_WRITE_UNIT) - deliveries.length;
}

/** The `SET … ADD …` of a ledger update: the entries and, per domain, how many it enters. */
function ledgerAdd(
  deliveries: readonly LedgerDelivery[],
  entries: readonly string[],
  expiresAt: number,
): { update: string; absent: string[]; names: Record<string, string>; values: Record<string, unknown> } {
  const perDomain = new Map<string, number>();
  for (const delivery of deliveries)
    perDomain.set(delivery.domain, (perDomain.get(delivery.domain) ?? 0) + 1);
  if (perDomain.size > LEDGER_DOMAINS_PER_UPDATE)
    throw new Error(`one ledger update counts at most ${LEDGER_DOMAINS_PER_UPDATE} domains`);
  const names: Record<string, string> = { '#entries': 'entries', '#expiresAt': 'expiresAt' };
  const values: Record<string, unknown> = { ':entries': new Set(entries), ':expiresAt': expiresAt };
  const absent = entries.map((entry, i) => {
    values[`:e${i}`] = entry;
    return `NOT contains(#entries, :e${i})`;
  });
  const adds = [...perDomain].map(([domain, n], i) => {
    names[`#n${i}`] = `${LEDGER_COUNT_PREFIX}${domain}`;
    values[`:n${i}`] = n;
    return `#n${i} :n${i}`;
  });
  return {
    update: `SET #expiresAt = if_not_exists(#expiresAt, :expiresAt) ADD ${['#entries :entries', ...adds].join(', ')}`,
    absent,
    names,
    values,
  };
}

const epochSecondOf = (occurredAt: string) => Math.floor(Date.parse(`${occurredAt.slice(0, 19)}Z`) / 1000);

/**
 * Enters deliveries of one second in its ledger item, only if none of them is there yet (the condition makes a
 * counted delivery a duplicate of itself), and adds how many it entered per domain (`n:<domain>`): the counter
 * rollup turns the growth of these numbers into the daily counters. Deliveries go to their second's item only once
 * their minute's item is closed (`minuteLedgerUpdate`).
 */
export function ledgerUpdate(
  occurredAt: string,
  deliveries: readonly LedgerDelivery[],
): CounterUpdate & { ConditionExpression: string } {
  const add = ledgerAdd(
    deliveries,
    deliveries.map(ledgerEntry),
    epochSecondOf(occurredAt) + DELIVERY_LEDGER_DAYS * DAY_SECONDS,
  );
  return {
    Key: keys.deliveryLedger(occurredAt),
    UpdateExpression: add.update,
    ConditionExpression: add.absent.join(' AND '),
    ExpressionAttributeNames: add.names,
    ExpressionAttributeValues: add.values,
  };
}

/**
 * Enters deliveries of one minute in the minute's ledger item: only while it is open (not `closed`), holds at most
 * `room` entries, and has none of these (a copy of a counted delivery is refused, as in a second's item).
 */
export function minuteLedgerUpdate(
  deliveries: readonly LedgerDelivery[],
  room: number,
): CounterUpdate & { ConditionExpression: string } {
  const first = deliveries[0];
  if (first === undefined) throw new Error('a ledger update enters at least one delivery');
  const add = ledgerAdd(
    deliveries,
    deliveries.map(minuteLedgerEntry),
    epochSecondOf(`${first.occurredAt.slice(0, 16)}:00`) + DELIVERY_LEDGER_DAYS * DAY_SECONDS,
  );
  return {
    Key: keys.minuteDeliveryLedger(first.occurredAt),
    UpdateExpression: add.update,
    ConditionExpression: [
      'attribute_not_exists(#closed)',
      '(attribute_not_exists(#entries) OR size(#entries) <= :room)',
      ...add.absent,
    ].join(' AND '),
    ExpressionAttributeNames: { ...add.names, '#closed': 'closed' },
    ExpressionAttributeValues: { ...add.values, ':room': room },
  };
}

/**
 * Closes a minute's ledger item for good (creating it closed if there is none): from then on that minute's
 * deliveries go to their seconds' items. Nothing enters a closed minute item, so its entries are final.
 */
export function minuteLedgerClose(occurredAt: string): CounterUpdate {
  return {
    Key: keys.minuteDeliveryLedger(occurredAt),
    UpdateExpression: 'SET #closed = :closed, #expiresAt = if_not_exists(#expiresAt, :expiresAt)',
    ExpressionAttributeNames: { '#closed': 'closed', '#expiresAt': 'expiresAt' },
    ExpressionAttributeValues: {
      ':closed': true,
      ':expiresAt': epochSecondOf(`${occurredAt.slice(0, 16)}:00`) + DELIVERY_LEDGER_DAYS * DAY_SECONDS,
    },
  };
}

const SECOND_ENTRY = /^[0-9a-f]{40}\d{3}$/;
const MINUTE_ENTRY = /^[0-9a-f]{40}\d{5}$/;

const ledgerSchema = z
  .looseObject({
    pk: z.string().regex(/^DLV#\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/),
    sk: z.union([z.string().regex(/^\d{2}$/), z.literal(MINUTE_LEDGER_SK)]),
    entries: z.set(z.string()).optional(),
    closed: z.literal(true).optional(),
  })
  .superRefine((item, context) => {
    const minute = item.sk === MINUTE_LEDGER_SK;
    if (!minute && (item.entries === undefined || item.closed !== undefined))
      context.addIssue({ code: 'custom', message: "a second's ledger item has entries and is never closed" });
    for (const entry of item.entries ?? [])
      if (!(minute ? MINUTE_ENTRY : SECOND_ENTRY).test(entry))
        context.addIssue({ code: 'custom', path: ['entries'], message: `not a ledger entry: ${entry}` });
  });

/** A ledger item read back: its entries and whether it is a closed minute; CorruptItemError when not one we wrote. */
export const ledgerItemOf: (item: Item) => { entries: Set<string>; closed: boolean } = decoder(
  'ledger',
  ledgerSchema.transform((item) => ({
    entries: item.entries ?? new Set<string>(),
    closed: item.closed === true,
  })),
);

/** The entries of a ledger item read back; throws CorruptItemError when it is not one the processor wrote. */
export const ledgerEntriesFromItem = (item: Item): Set<string> => ledgerItemOf(item).entries;

/** The deliveries to this address among a ledger item's entries (all of them for null). */
export function countedDeliveriesIn(item: Item, email: string | null): CountedDelivery[] {
  const hash = email === null ? null : addressHash(email);
  const minute = String(item.pk).slice(DELIVERY_LEDGER_PREFIX.length);
  const second = (entry: string) => (item.sk === MINUTE_LEDGER_SK ? entry.slice(40, 42) : String(item.sk));
  return [...ledgerEntriesFromItem(item)]
    .filter((entry) => hash === null || entry.slice(32, 40) === hash)
    .map((entry) => ({
      id: entry.slice(0, 32),
      occurredAt: `${minute}:${second(entry)}.${entry.slice(-3)}Z`,
    }));
}

// --- Counter rollup (docs/data-model.md, "Daily counters"): what a stream record adds to the counters. ---

/** Checkpoints outlive their stream shard (DynamoDB keeps stream records 24 hours). */
const CHECKPOINT_DAYS = 2;

function countedOfRecord(record: EventRecord): Counted {
  return {
    type: record.type,
    verdict: record.verdict,
    category: record.category,
    code: record.code,
    blame: record.blame,
    onAccountList:
      record.bounceSubType === 'OnAccountSuppressionList' ||
      record.complaintSubType === 'OnAccountSuppressionList',
    sesMislabel: record.decision?.sesMislabel ?? false,
    suppressRequested: record.decision?.action === 'suppress' && !record.decision.dryRun,
  };
}

function ones(names: readonly string[]): Record<string, number> {
  return Object.fromEntries(names.map((name) => [name, 1]));
}

/**
 * What one change of the table adds to the daily counters: an SES event item this version wrote for the rollup to
 * count (`rollup: true`), when inserted; the growth of a ledger item's per-domain counts. Nothing else counts:
 * removals (TTL, erasure), summaries, items written before the rollup existed (their transaction counted them).
 * Throws CorruptItemError for an event or ledger image that is not one the processor wrote.
 */
export function counterDeltasOf(before: Item | null, after: Item | null): CounterDelta[] {
  if (after === null) return [];
  if (String(after.pk).startsWith(DELIVERY_LEDGER_PREFIX)) {
    ledgerEntriesFromItem(after);
    const day = String(after.pk).slice(DELIVERY_LEDGER_PREFIX.length, DELIVERY_LEDGER_PREFIX.length + 10);
    const deltas: CounterDelta[] = [];
    let total = 0;
    for (const [name, value] of Object.entries(after)) {
      if (!name.startsWith(LEDGER_COUNT_PREFIX) || typeof value !== 'number') continue;
      const previous = before?.[name];
      const n = value - (typeof previous === 'number' ? previous : 0);
      if (n === 0) continue;
      total += n;
      const domain = name.slice(LEDGER_COUNT_PREFIX.length);
      deltas.push({ day, domain, counts: { events: n, 'type:delivery': n } });
    }
    return total === 0
      ? deltas
      : [{ day, domain: null, counts: { events: total, 'type:delivery': total } }, ...deltas];
  }
  if (before !== null || after.entity !== 'event' || after.rollup !== true) return [];
  const record = eventFromItem(after);
  const counted = countedOfRecord(record);
  const day = record.occurredAt.slice(0, 10);
  return [
    { day, domain: null, counts: ones(dayCounterNamesOf(counted)) },
    { day, domain: record.domain, counts: ones(['events', ...typeCounterNames(counted)]) },
  ];
}

/** The counter shard of a rollup writer's day totals (a stream shard, or a redrive's own id): one per writer. */
export function writerCounterShard(writer: string): number {
  return shardOf(createHash('sha256').update(writer).digest('hex'), COUNTER_SHARDS);
}

/**
 * The attribute of a counter item that holds how far a rollup writer added to it (its guard): `r:` and 12 hex
 * characters of SHA-256 of the writer (a stream shard id, or a redrive's own id). Its value is binary, so the
 * readers, which sum every number of a counter item, never count it.
 */
export function rollupGuardName(writer: string): string {
  return `r:${createHash('sha256').update(writer).digest('hex').slice(0, 12)}`;
}

/**
 * A guard's value: the sequence number (21 to 40 decimal digits, so below 2^133) as 17 bytes, big-endian. DynamoDB
 * compares binary values byte by byte, unsigned, so fixed-width values compare as the numbers do (a Number holds
 * only 38 digits; a 40-digit string would take 40 bytes).
 */
const GUARD_BYTES = 17;

function guardValue(sequence: string): Uint8Array {
  const bytes = new Uint8Array(GUARD_BYTES);
  let rest = BigInt(sequence);
  for (let i = GUARD_BYTES - 1; i >= 0; i -= 1) {
    bytes[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return bytes;
}

function sequenceOfGuard(bytes: Uint8Array): string {
  return bytes.reduce((n, byte) => (n << 8n) | BigInt(byte), 0n).toString();
}

/**
 * A writer's sum for one counter item as an update of that item: day totals in the writer's shard
 * (writerCounterShard), a day × domain counter in its domain's shard (domainCounterShard, where an erasure finds it),
 * with its day, domain and expiry. `ADD` of every count, and the writer's guard moved to the sum's last record, on
 * the condition that the guard is below its first: an update whose records (some of them) are on the item already
 * is refused whole. The expiry is never earlier than TTL still acts on (EARLIEST_ACTED_ON_EXPIRY before
 * `nowSeconds`): DynamoDB's TTL ignores expiry times more than five years in the past, so the counter of a day that
 * old (a hand-made notification dated years back) would otherwise keep its domain's name for good.
 *
 * A day × domain counter an erasure emptied (EMPTIED_ATTRIBUTE) refuses the plain update; the rollup reads its
 * `events` and writes again with `emptied` = what it read, on the condition that `events` is still that: a sum that
 * leaves the item at zero or below keeps the erasure's short expiry and mark; one that brings it above sets the
 * day's expiry and removes the mark (the item counts other recipients' events again).
 */
export function rolledUpCounterUpdate(
  write: CounterWrite,
  writer: string,
  retentionDays: number,
  nowSeconds: number,
  emptied: { events: number | null } | null = null,
): CounterUpdate & { ConditionExpression: string } {
  const names: Record<string, string> = { '#guard': rollupGuardName(writer) };
  const values: Record<string, unknown> = {
    ':first': guardValue(write.first),
    ':last': guardValue(write.last),
  };
  const adds = Object.entries(write.counts).map(([name, n], i) => {
    names[`#c${i}`] = name;
    values[`:c${i}`] = n;
    return `#c${i} :c${i}`;
  });
  const sets = ['#guard = :last'];
  let remove = '';
  let condition = 'attribute_not_exists(#guard) OR #guard < :first';
  if (write.domain !== null) {
    names['#domain'] = 'domain';
    names['#day'] = 'day';
    names['#emptied'] = EMPTIED_ATTRIBUTE;
    values[':domain'] = write.domain;
    values[':day'] = write.day;
    sets.push('#domain = :domain', '#day = :day');
    // An item an erasure emptied keeps its short expiry while the sum leaves it at zero or below; above zero it
    // counts other events again and expires with its day.
    const above = emptied === null || (emptied.events ?? 0) + (write.counts.events ?? 0) > 0;
    if (above) {
      names['#expiresAt'] = 'expiresAt';
      values[':expiresAt'] = Math.max(
        domainCounterExpiresAt(write.day, retentionDays),
        Math.floor(nowSeconds) - EARLIEST_ACTED_ON_EXPIRY,
      );
      sets.push('#expiresAt = :expiresAt');
    }
    if (emptied === null) condition = `(${condition}) AND attribute_not_exists(#emptied)`;
    else {
      names['#events'] = 'events';
      values[':true'] = true;
      let seen = 'attribute_not_exists(#events)';
      if (emptied.events !== null) {
        values[':seen'] = emptied.events;
        seen = '#events = :seen';
      }
      condition = `(${condition}) AND #emptied = :true AND ${seen}`;
      if (above) remove = ' REMOVE #emptied';
    }
  }
  return {
    Key:
      write.domain === null
        ? keys.dayCounter(write.day, writerCounterShard(writer))
        : keys.domainDayCounter(write.day, write.domain, domainCounterShard(write.domain)),
    UpdateExpression: `SET ${sets.join(', ')}${remove} ADD ${adds.join(', ')}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * A writer's guard on a counter item read back (see rolledUpCounterUpdate), as a sequence number; null when the item
 * has none.
 */
export function rollupGuardOf(item: Item | undefined, writer: string): string | null {
  const guard = item?.[rollupGuardName(writer)];
  return guard instanceof Uint8Array && guard.length === GUARD_BYTES ? sequenceOfGuard(guard) : null;
}

/**
 * The checkpoint item of a writer: the transactional rollup of the version before kept `sequence` there (every
 * record at or below it counted); this version replaces it once by a mark that keeps that value as `countedBefore`
 * (absent: the writer had none) and has no `sequence`, so a transaction of the version before, conditioned on the
 * `sequence` it read or on there being no item, can never commit after it.
 */
export type RollupCheckpoint =
  | { kind: 'none' }
  | { kind: 'before'; sequence: string }
  | { kind: 'marked'; countedBefore: string | null };

const sequenceString = z.string().regex(/^\d+$/);

const checkpointSchema = z
  .looseObject({ sequence: sequenceString.optional(), countedBefore: sequenceString.optional() })
  .transform((item, context): RollupCheckpoint => {
    if (item.sequence !== undefined) return { kind: 'before', sequence: item.sequence };
    if (item.marked === true) return { kind: 'marked', countedBefore: item.countedBefore ?? null };
    context.addIssue({ code: 'custom', message: 'neither a checkpoint nor its mark', path: ['sequence'] });
    return z.NEVER;
  });

const decodeCheckpoint = decoder('checkpoint', checkpointSchema);

/** The checkpoint item of a writer read back; throws CorruptItemError when the rollup did not write it. */
export function checkpointFromItem(item: Item | undefined): RollupCheckpoint {
  return item === undefined ? { kind: 'none' } : decodeCheckpoint(item);
}

/** The mark that replaces what `read` found (see RollupCheckpoint), on the condition that it is still that. */
export function checkpointMarkPut(
  writer: string,
  read: Exclude<RollupCheckpoint, { kind: 'marked' }>,
  now: Date,
) {
  return {
    Item: {
      ...keys.rollupCheckpoint(writer),
      entity: 'checkpoint',
      marked: true,
      ...(read.kind === 'before' ? { countedBefore: read.sequence } : {}),
      expiresAt: Math.floor(now.getTime() / 1000) + CHECKPOINT_DAYS * DAY_SECONDS,
    },
    ...(read.kind === 'none'
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : {
          ConditionExpression: '#sequence = :sequence',
          ExpressionAttributeNames: { '#sequence': 'sequence' },
          ExpressionAttributeValues: { ':sequence': read.sequence },
        }),
  };
}

/**
 * What a batch of a writer the rollup failed on (records `first` through `last`) has on the counters: `guards`, per
 * counter item the batch touches (counterKeyOf), the item's guard when it is inside the batch (the records up to it
 * are on the item), and `through`, the checkpoint of the version before when it is inside the batch (the records up
 * to it are on every item). What `ses-bounce redrive-counters` must not count again. Overwritten by each failed
 * attempt (guards only grow).
 */
export interface FailedBatchNote {
  first: string;
  last: string;
  through: string | null;
  guards: Record<string, string>;
}

export function failedBatchPut(writer: string, note: FailedBatchNote, now: Date) {
  return {
    Item: withoutNulls({
      ...keys.rollupFailedBatch(writer, note.first),
      entity: 'rollup-failure',
      first: note.first,
      last: note.last,
      through: note.through,
      guards: note.guards,
      expiresAt: Math.floor(now.getTime() / 1000) + CHECKPOINT_DAYS * DAY_SECONDS,
    }),
  };
}

/**
 * A failed batch's range and how far it was counted; notes of the version before have only `through` (its
 * checkpoint). Throws CorruptItemError when the rollup did not write it.
 */
export const failedBatchFromItem: (item: Item) => FailedBatchNote = decoder(
  'checkpoint',
  z
    .looseObject({
      first: sequenceString,
      last: sequenceString,
      through: sequenceString.optional(),
      guards: z.record(z.string(), sequenceString).optional(),
    })
    .transform(({ first, last, through, guards }) => ({
      first,
      last,
      through: through ?? null,
      guards: guards ?? {},
    })),
);

/**
 * The pointer item of an event or audit entry (`ID#<id>`, stages from `v2-readers` on; docs/data-model.md,
 * "Pointers"): the key of the item it points to, so GET /bounces/{id} is two GetItems instead of a byId index. An
 * erased event's pointer keeps only `erased` and its expiry: no address. Written in the event's own transaction,
 * on the condition that it is not erased, so a redelivered erased event is refused.
 */
export function pointerItem(target: { pk: string; sk: string; id: string }, expiresAt: number | null): Item {
  return withoutNulls({
    ...keys.pointer(target.id),
    entity: 'pointer',
    epk: target.pk,
    esk: target.sk,
    expiresAt,
  });
}

/** The pointer of an erased event: it refuses the event's redelivery until it expires, and names nothing. */
export function erasedPointerItem(eventId: string, expiresAt: number): Item {
  return { ...keys.pointer(eventId), entity: 'pointer', erased: true, expiresAt };
}

/** A pointer's condition in an event's transaction: it may replace a pointer, never an erased one. */
export const POINTER_NOT_ERASED = {
  ConditionExpression: 'attribute_not_exists(#erased)',
  ExpressionAttributeNames: { '#erased': 'erased' },
} as const;

const pointerSchema = z
  .looseObject({
    erased: z.literal(true).optional(),
    epk: z.string().min(1).optional(),
    esk: z.string().min(1).optional(),
  })
  .transform(({ erased, epk, esk }, context) => {
    if (erased === true) return null;
    if (epk !== undefined && esk !== undefined) return { pk: epk, sk: esk };
    context.addIssue({ code: 'custom', message: 'a pointer names its event (epk, esk) unless erased' });
    return z.NEVER;
  });

/** A pointer read back: the key of its event, or null when the event was erased. */
export const pointerFromItem: (item: Item) => { pk: string; sk: string } | null = decoder(
  'pointer',
  pointerSchema,
);
