// The query API's recipient use cases: "can I send to this address?" (summary, SES's list, allowlist coverage,
// send status) and reactivation (lift a suppression, record who did it). They take their ports and return domain
// results; the routes (lambdas/api/recipient-routes.ts) only parse and present. Typed errors say what went wrong.
import { type AllowlistCoverage, allowlistCoverage } from './allowlist.ts';
import type { QueryStore, SesSuppressionEntry, SuppressionList } from './ports.ts';
import { eventIdOf } from './recipient-event.ts';
import type { EventRecord } from './records.ts';
import { type SendStatus, sendStatusOf } from './send-status.ts';
import type { RecipientSummary } from './suppression-policy.ts';

export interface RecipientDeps {
  store: QueryStore;
  ses: Pick<SuppressionList, 'get' | 'remove'>;
  now: () => Date;
  /** Events older than this have expired by TTL. */
  retentionDays: number;
  /** A summary expires this many days after the last event that touched it (a reactivation is one). */
  recipientRetentionDays: number;
}

/** How many of the latest events the recipient view carries. */
const LATEST_EVENTS = 10;

/** Neither our store nor SES knows the address. */
export class RecipientUnknownError extends Error {
  override readonly name = 'RecipientUnknownError';
  constructor(
    readonly email: string,
    readonly onSesList: boolean | null,
  ) {
    super(
      onSesList === null
        ? `Recipient ${email} has never been seen`
        : `Recipient ${email} is neither known nor on the SES suppression list`,
    );
  }
}

/** Lifting a complaint suppression needs an explicit force. */
export class ComplaintForceRequiredError extends Error {
  override readonly name = 'ComplaintForceRequiredError';
  constructor(readonly email: string) {
    super(`${email} was suppressed because of a complaint; repeat with force=true to reactivate it anyway`);
  }
}

/** The domain of a normalized address: everything after its last `@` (docs/data-model.md, "One identity per mailbox"). */
export function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1);
}

/** Our own suppression puts (or is putting) the address on SES's list. */
function ourSuppressionActive(summary: RecipientSummary | null): boolean {
  const suppression = summary?.suppression;
  return (
    suppression != null &&
    suppression.action === 'put' &&
    (suppression.state === 'pending' || suppression.state === 'confirmed')
  );
}

interface SesCheck {
  /** live: asked SES; skipped: not asked; unavailable: SES failed or throttled. */
  checked: 'live' | 'skipped' | 'unavailable';
  entry: SesSuppressionEntry | null;
}

async function checkSes(ses: RecipientDeps['ses'], email: string, wanted: boolean): Promise<SesCheck> {
  if (!wanted) return { checked: 'skipped', entry: null };
  try {
    return { checked: 'live', entry: await ses.get(email) };
  } catch {
    // The answer stays useful without SES (1 request/s quota shared with the suppression worker).
    return { checked: 'unavailable', entry: null };
  }
}

/**
 * The latest OnAccountSuppressionList event still in force: no delivery (SES sent) and no reactivation (an operator
 * removed the address) after it; a late older event does not undo a reactivation.
 */
function reportedListed(summary: RecipientSummary): string | null {
  const reportedAt = summary.sesSuppression?.reportedAt;
  if (reportedAt === undefined) return null;
  if (summary.lastDeliveryAt !== null && summary.lastDeliveryAt >= reportedAt) return null;
  const reactivated = summary.suppression?.cause === 'reactivation' ? summary.suppression.since : null;
  return reactivated !== null && reactivated >= reportedAt ? null : reportedAt;
}

export interface RecipientStatus {
  /**
   * Null when the store holds none but SES lists the address: a summary expires `recipientRetentionDays` after its
   * last event, and a suppressed address gets no more events, so SES's list is what is left of it.
   */
  summary: RecipientSummary | null;
  latestEvents: EventRecord[];
  ses: SesCheck;
  /** On SES's list (null: not checked). */
  listedBySes: boolean | null;
  /**
   * SES itself reported the address on its list (an OnAccountSuppressionList event, newer than any delivery and
   * the last reactivation): the time of that event, else null. Counts as listed when SES was not asked.
   */
  reportedListedAt: string | null;
  suppressedByUs: boolean;
  sendStatus: SendStatus;
  allowlisted: AllowlistCoverage;
}

/** Everything known about an address; RecipientUnknownError when it was never seen. */
export async function recipientStatus(
  deps: RecipientDeps,
  email: string,
  options: { askSes: boolean; maxQueries: number },
): Promise<RecipientStatus> {
  const [stored, history, ses, allowlisted] = await Promise.all([
    deps.store.getSummary(email),
    deps.store.readHistory(
      { filters: { email }, includeAudit: true, now: deps.now(), retentionDays: deps.retentionDays },
      null,
      {
        limit: LATEST_EVENTS,
        maxBytes: Number.POSITIVE_INFINITY,
        maxQueries: options.maxQueries,
        present: (record) => ({ value: record, bytes: 0 }),
      },
    ),
    checkSes(deps.ses, email, options.askSes),
    allowlistCoverage(
      async (kind, value) => (await deps.store.getAllowlistEntry(kind, value)) !== null,
      email,
      domainOf(email),
    ),
  ]);
  const listedBySes = ses.checked === 'live' ? ses.entry !== null : null;
  if (stored === null) {
    // Never seen, or its summary expired: SES's list (when asked) still says whether it may be mailed.
    if (listedBySes !== true) throw new RecipientUnknownError(email, listedBySes);
    return {
      summary: null,
      latestEvents: history.items,
      ses,
      listedBySes,
      reportedListedAt: null,
      suppressedByUs: false,
      allowlisted,
      sendStatus: 'suppressed',
    };
  }
  const { summary } = stored;
  const suppressedByUs = ourSuppressionActive(summary);
  const reportedListedAt = reportedListed(summary);
  const latestHardBounce =
    history.items.find((event) => event.type === 'bounce' && event.verdict === 'hard')?.occurredAt ?? null;
  return {
    summary,
    latestEvents: history.items,
    ses,
    listedBySes,
    reportedListedAt,
    suppressedByUs,
    allowlisted,
    sendStatus: sendStatusOf({
      suppressed: suppressedByUs,
      // SES's live answer wins; without one, an OnAccountSuppressionList event is proof enough.
      onSesSuppressionList: listedBySes ?? (reportedListedAt !== null ? true : null),
      softBounceStreak: summary.softStreak,
      hardBounces: summary.hard,
      complaints: summary.complaints,
      lastHardBounceAt: latestHardBounce ?? (summary.hard > 0 ? summary.firstEventAt : null),
      lastDeliveryAt: summary.lastDeliveryAt,
    }),
  };
}

/**
 * The shortest life of an erasure tombstone, in days after the erasure. A tombstone lives as long as the erased event
 * would have (occurredAt + EVENT_RETENTION_DAYS: the horizon within which the processor recognises any redelivery),
 * and never less than this: longer than any way SQS can hand a notification back (work queue 4 days, then its
 * dead-letter queue 14 days, SQS's maximum: 18 days even if a redrive restarted the clock; SNS's retries to SQS
 * end well within that), so a short EVENT_RETENTION_DAYS cannot let a redelivery outlive the tombstone.
 */
const ERASURE_TOMBSTONE_MIN_DAYS = 30;

/**
 * How long a day × domain counter an erasure left at zero or below is kept (shown by no reader), in hours after the
 * erasure: longer than the counter rollup can still add an erased event to it. The erased events' stream records
 * were written before the erasure (it found the events) and DynamoDB Streams trims records after 24 hours; the rollup
 * (60 s timeout) and `ses-bounce redrive-counters` read only what the stream holds; one hour more covers an
 * invocation or redrive still writing what it read in the records' last minutes (docs/data-model.md, "Erasure within
 * the rollup's window").
 */
const EMPTIED_COUNTER_HOLD_HOURS = 25;

/**
 * Erases what the store holds about an address (history, audit entries, summary), leaving a tombstone per SES event
 * so that no redelivery or replay brings it back. Returns how many items were erased (0: nothing was stored).
 */
export function eraseRecipient(deps: Pick<RecipientDeps, 'store' | 'now'>, email: string): Promise<number> {
  const now = deps.now().getTime();
  return deps.store.eraseRecipient(email, {
    tombstonesUntil: new Date(now + ERASURE_TOMBSTONE_MIN_DAYS * 86_400_000),
    emptiedCountersUntil: new Date(now + EMPTIED_COUNTER_HOLD_HOURS * 3_600_000),
  });
}

export interface Reactivation {
  email: string;
  removedFromSes: boolean;
  previousSuppression: { source: 'ses' | 'ours' | 'both'; reason: string | null } | null;
  softBounceStreakReset: boolean;
  auditEventId: string;
  actor: string;
  at: string;
}

/**
 * Removes the address from SES's list (when listed), then records an audit event and resets the summary in one
 * transaction. RecipientUnknownError when nobody knows it, ComplaintForceRequiredError for a complaint without
 * force; the store's ReactivationConflictError and the list's throttling errors pass through.
 */
export async function reactivateRecipient(
  deps: RecipientDeps,
  input: { email: string; force: boolean; actor: string; requestId: string },
): Promise<Reactivation> {
  const { email, actor } = input;
  const [stored, sesEntry] = await Promise.all([deps.store.getSummary(email), deps.ses.get(email)]);
  const summary = stored?.summary ?? null;
  const ours = ourSuppressionActive(summary);
  if (summary === null && sesEntry === null) throw new RecipientUnknownError(email, false);
  const complaint =
    sesEntry?.reason === 'COMPLAINT' || (ours && summary?.suppression?.reason === 'COMPLAINT');
  if (complaint && !input.force) throw new ComplaintForceRequiredError(email);
  const removedFromSes = sesEntry === null ? false : (await deps.ses.remove(email)) === 'removed';
  const at = deps.now().toISOString();
  const auditEventId = eventIdOf(`audit|reactivated|${input.requestId}`);
  await deps.store.recordReactivation({
    email,
    domain: domainOf(email),
    eventId: auditEventId,
    requestId: input.requestId,
    occurredAt: at,
    actor,
    detail: removedFromSes
      ? `Removed from the SES suppression list (was ${sesEntry?.reason ?? 'listed'}) by ${actor}`
      : `Reactivated by ${actor} (not on the SES suppression list)`,
    summaryExists: summary !== null,
    retentionDays: deps.recipientRetentionDays,
    storedExpiresAt: stored?.expiresAt ?? null,
  });
  const source = sesEntry !== null && ours ? 'both' : sesEntry !== null ? 'ses' : ours ? 'ours' : null;
  return {
    email,
    removedFromSes,
    previousSuppression:
      source === null ? null : { source, reason: sesEntry?.reason ?? summary?.suppression?.reason ?? null },
    softBounceStreakReset: summary !== null,
    auditEventId,
    actor,
    at,
  };
}
