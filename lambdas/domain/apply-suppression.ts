// Use case of the suppression worker: drain suppression requests into the SES account list at a fixed rate,
// idempotently (only a request the summary still waits for is sent), and move the summary from pending to
// confirmed or failed. Throttling stops the batch so it comes back later; a refusal is final and reported.

import * as z from 'zod';
import type { AuditEvent, SuppressionList, SuppressionStateStore } from './ports.ts';
import { SuppressionListRejectedError, SuppressionListThrottledError } from './ports.ts';
import { eventIdOf } from './recipient-event.ts';
import { type AttemptResult, again, done, retry } from './retry.ts';
import { SUPPRESSION_CAUSES, type SuppressionRequest } from './suppression-policy.ts';

const requestSchema = z.object({
  v: z.literal(1),
  requestId: z.string().min(1),
  action: z.enum(['put', 'delete']),
  email: z
    .string()
    .min(3)
    .refine((e) => e === e.trim().toLowerCase() && e.includes('@'), 'not a normalized address'),
  reason: z.enum(['BOUNCE', 'COMPLAINT']).optional(),
  cause: z.enum(SUPPRESSION_CAUSES),
  eventId: z.string().min(1),
  requestedAt: z.string().min(1),
  actor: z.string().optional(),
});

type ParsedRequest = { ok: true; request: SuppressionRequest } | { ok: false; reason: string };

function parseSuppressionRequest(body: string): ParsedRequest {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'the body is not JSON' };
  }
  const parsed = requestSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
    };
  }
  const request = parsed.data;
  if (request.action === 'put' && !request.reason) return { ok: false, reason: 'reason: required for put' };
  return { ok: true, request: request as SuppressionRequest };
}

export interface WorkerDependencies {
  store: SuppressionStateStore;
  list: SuppressionList;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  ratePerSecond: number;
  dryRun: boolean;
}

type RequestOutcome =
  | { status: 'confirmed'; request: SuppressionRequest; alreadyAbsent: boolean }
  | { status: 'failed'; request: SuppressionRequest; error: string }
  | { status: 'stale'; request: SuppressionRequest }
  | { status: 'dry-run'; request: SuppressionRequest }
  | { status: 'invalid'; reason: string };

async function applySuppressionRequest(
  request: SuppressionRequest,
  deps: Pick<WorkerDependencies, 'store' | 'list' | 'now' | 'dryRun'>,
): Promise<RequestOutcome> {
  const stored = await deps.store.getSummary(request.email);
  const pending = stored?.summary.suppression;
  // Reactivations come from the query API, which writes its own summary state and audit event.
  const waiting = pending && pending.state === 'pending' && pending.requestId === request.requestId;
  if (!waiting) return { status: 'stale', request };
  if (deps.dryRun) return { status: 'dry-run', request };

  let alreadyAbsent = false;
  try {
    if (request.action === 'put') await deps.list.put(request.email, request.reason ?? 'BOUNCE');
    else alreadyAbsent = (await deps.list.remove(request.email)) === 'not-found';
  } catch (error) {
    if (!(error instanceof SuppressionListRejectedError)) throw error;
    const at = deps.now().toISOString();
    await deps.store.completeSuppression({
      email: request.email,
      requestId: request.requestId,
      state: 'failed',
      at,
      error: error.message,
      audit: audit(
        request,
        stored.summary.domain,
        at,
        'suppression-failed',
        `SES refused ${request.action}: ${error.message}`,
      ),
    });
    return { status: 'failed', request, error: error.message };
  }

  const at = deps.now().toISOString();
  const repaired = request.action === 'delete' && request.cause === 'ses-mislabel-repair';
  const revoked = request.action === 'delete' && request.cause === 'soft-bounce-streak-revoked';
  const belief = stored.summary.sesSuppression;
  await deps.store.completeSuppression({
    email: request.email,
    requestId: request.requestId,
    state: 'confirmed',
    at,
    error: null,
    ...(request.action === 'delete' && belief ? { sesSuppression: { ...belief, likely: false } } : {}),
    audit: repaired
      ? audit(
          request,
          stored.summary.domain,
          at,
          'ses-suppression-removed',
          alreadyAbsent
            ? 'SES false suppression repair: the address was not on the account suppression list'
            : 'SES false suppression repaired: removed from the account suppression list',
        )
      : revoked
        ? audit(
            request,
            stored.summary.domain,
            at,
            'ses-suppression-removed',
            'soft-bounce suppression lifted: a delivery that arrived late lies inside the soft-bounce run',
          )
        : null,
  });
  return { status: 'confirmed', request, alreadyAbsent };
}

function audit(
  request: SuppressionRequest,
  domain: string,
  at: string,
  action: AuditEvent['action'],
  detail: string,
): AuditEvent {
  return {
    id: eventIdOf(`audit|${action}|${request.requestId}`),
    email: request.email,
    domain,
    // The request's time, not now: a retried audit write lands on the same key.
    occurredAt: request.requestedAt,
    recordedAt: at,
    action,
    actor: 'suppression-worker',
    requestId: request.requestId,
    causeEventId: request.eventId,
    detail,
  };
}

export interface QueuedMessage {
  id: string;
  body: string;
}

export interface DrainResult {
  outcomes: { id: string; outcome: RequestOutcome }[];
  /** Messages to hand back to the queue (throttled, or not reached after throttling, or a transient error). */
  retry: { id: string; error: Error }[];
}

/** Pauses after SES still throttles once the SDK's own retries are spent: then the batch goes back to the queue. */
const THROTTLE_BACKOFF_MS: readonly number[] = [1000, 2000];

/**
 * Applies queued requests one after another, no faster than `ratePerSecond` SES calls. When SES still throttles
 * after the SDK's retries, the worker backs off (THROTTLE_BACKOFF_MS) and tries the same request again; if that
 * does not help either, the rest of the batch goes back to the queue untouched: hammering a throttled API only
 * extends the throttling.
 */
export async function drainSuppressionRequests(
  messages: QueuedMessage[],
  deps: WorkerDependencies,
  backoffMs: readonly number[] = THROTTLE_BACKOFF_MS,
): Promise<DrainResult> {
  const result: DrainResult = { outcomes: [], retry: [] };
  const interval = 1000 / deps.ratePerSecond;
  let nextCallAt = 0;
  let lastThrottle: SuppressionListThrottledError | null = null;
  for (const [index, message] of messages.entries()) {
    const parsed = parseSuppressionRequest(message.body);
    if (!parsed.ok) {
      result.outcomes.push({ id: message.id, outcome: { status: 'invalid', reason: parsed.reason } });
      continue;
    }
    const throttled = await retry(
      {
        attempts: backoffMs.length + 1,
        pauseMs: (attempt) => backoffMs[attempt - 1] ?? 0,
        sleep: deps.sleep,
      },
      async (): Promise<AttemptResult<SuppressionListThrottledError | null>> => {
        const wait = nextCallAt - deps.now().getTime();
        if (wait > 0) await deps.sleep(wait);
        nextCallAt = deps.now().getTime() + interval;
        try {
          result.outcomes.push({
            id: message.id,
            outcome: await applySuppressionRequest(parsed.request, deps),
          });
        } catch (error) {
          if (error instanceof SuppressionListThrottledError) {
            lastThrottle = error;
            return again();
          }
          result.retry.push({ id: message.id, error: asError(error) });
        }
        return done(null);
      },
      () => lastThrottle,
    );
    if (throttled !== null) {
      for (const rest of messages.slice(index)) result.retry.push({ id: rest.id, error: throttled });
      return result;
    }
  }
  return result;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
