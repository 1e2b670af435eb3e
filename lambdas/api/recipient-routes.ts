// Recipient routes: the summary with sendStatus, the history, reactivation (lifting a suppression) and erasure.
// One function per route: parse (the route's schemas), call the use case (lambdas/domain/recipients.ts), present.
import * as z from 'zod';
import {
  domainOf,
  eraseRecipient,
  type RecipientStatus,
  reactivateRecipient,
  recipientStatus,
} from '../domain/recipients.ts';
import { SEND_STATUSES } from '../domain/send-status.ts';
import { emptySummary, type RecipientSummary } from '../domain/suppression-policy.ts';
import { type DataDeps, MAX_QUERIES_PER_PAGE } from './deps.ts';
import { NotFoundError } from './errors.ts';
import { listEvents } from './event-queries.ts';
import { eventPageSchema, eventViewSchema, toEventView } from './event-view.ts';
import { jsonResponse } from './http.ts';
import { booleanParam, cursorParam, DEFAULT_LIMIT, emailParam, instantParam, limitParam } from './params.ts';
import { defineRoute, type Route } from './router.ts';

const nullableString = z.string().nullable();

const recipientViewSchema = z
  .object({
    email: z.string(),
    emailDisplay: nullableString,
    domain: z.string(),
    sendStatus: z.enum(SEND_STATUSES).meta({
      description:
        'ok: send; risky: sendable but the history says it may fail (open soft-bounce streak, complaint, or an ' +
        'unsuppressed hard bounce since the last delivery); suppressed: on the SES suppression list or being put there',
    }),
    counts: z.object({
      hard: z.number().int(),
      soft: z.number().int(),
      complaints: z.number().int(),
      deliveries: z.number().int(),
      onAccountSuppressionList: z
        .number()
        .int()
        .meta({
          description:
            'Bounces and complaints SES reported as OnAccountSuppressionList (not sent: already on its list); in no ' +
            'other count',
        }),
    }),
    firstEventAt: nullableString,
    lastEventAt: nullableString,
    lastEventType: nullableString,
    lastDeliveryAt: nullableString,
    softBounceStreak: z.number().int(),
    suppression: z
      .object({
        suppressed: z.boolean().meta({ description: 'We put (or are putting) the address on the SES list' }),
        state: z.string().meta({
          description:
            'pending | confirmed | failed | dry-run | cancelled (a late delivery withdrew a pending soft-bounce suppression)',
        }),
        action: z.string().meta({ description: 'put | delete' }),
        reason: nullableString,
        cause: nullableString,
        since: nullableString,
        eventId: nullableString,
        updatedAt: nullableString,
        error: nullableString,
      })
      .nullable()
      .meta({ description: 'Our own suppression record; null if we never requested anything' }),
    sesSuppression: z.object({
      checked: z.enum(['live', 'skipped', 'unavailable']).meta({
        description:
          'live: asked SES (GetSuppressedDestination); skipped: ses=false; unavailable: SES failed or throttled',
      }),
      listed: z
        .boolean()
        .nullable()
        .meta({ description: 'On the SES account suppression list (null: not checked)' }),
      reason: nullableString.meta({
        description:
          "SES's reason (BOUNCE | COMPLAINT): from SES when asked, else from the OnAccountSuppressionList event",
      }),
      reportedAt: nullableString.meta({
        description:
          'Time of the latest OnAccountSuppressionList event (SES did not send: the address is on its list), ' +
          'unless a delivery or a reactivation came later; sendStatus is suppressed while set, even with ses=false',
      }),
      lastUpdateTime: nullableString,
      messageId: nullableString,
      feedbackId: nullableString,
      likely: z
        .boolean()
        .meta({ description: 'SES most likely auto-suppressed the address (from the events we saw)' }),
      mislabel: z
        .boolean()
        .meta({ description: "SES suppressed after a Permanent bounce that was the sender's fault" }),
    }),
    allowlisted: z
      .enum(['address', 'domain'])
      .nullable()
      .meta({ description: 'Which allowlist entry protects the address from automatic suppression, if any' }),
    latestEvents: z.array(eventViewSchema),
  })
  .meta({ id: 'Recipient' });

const reactivationViewSchema = z
  .object({
    email: z.string(),
    removedFromSes: z.boolean(),
    previousSuppression: z
      .object({ source: z.enum(['ses', 'ours', 'both']), reason: nullableString })
      .nullable(),
    softBounceStreakReset: z.boolean(),
    auditEventId: z.string(),
    actor: z.string(),
    at: z.string(),
  })
  .meta({ id: 'Reactivation' });

const erasureViewSchema = z
  .object({ email: z.string(), erasedItems: z.number().int() })
  .meta({ id: 'Erasure' });

const emailParams = z.strictObject({ email: emailParam });

type RecipientView = z.infer<typeof recipientViewSchema>;

/** What the view says of an address the store holds no summary of (SES lists it): no counts, no history. */
function noSummary(email: string): RecipientSummary {
  return emptySummary({
    email,
    emailDisplay: email,
    domain: domainOf(email),
    firstEventAt: '',
    lastEventAt: '',
    lastEventId: '',
    lastEventType: '',
  });
}

function recipientView(email: string, status: RecipientStatus): RecipientView {
  const { ses } = status;
  const summary = status.summary ?? noSummary(email);
  const known = status.summary !== null;
  const { hard, soft, complaints, deliveries, onAccountList } = summary;
  const suppression = summary.suppression;
  return {
    email: summary.email,
    emailDisplay: known ? summary.emailDisplay : null,
    domain: summary.domain || domainOf(email),
    sendStatus: status.sendStatus,
    counts: { hard, soft, complaints, deliveries, onAccountSuppressionList: onAccountList },
    firstEventAt: known ? summary.firstEventAt : null,
    lastEventAt: known ? summary.lastEventAt : null,
    lastEventType: known ? summary.lastEventType : null,
    lastDeliveryAt: summary.lastDeliveryAt,
    softBounceStreak: summary.softStreak,
    suppression:
      suppression === null
        ? null
        : {
            suppressed: status.suppressedByUs,
            state: suppression.state,
            action: suppression.action,
            reason: suppression.reason ?? null,
            cause: suppression.cause,
            since: suppression.since,
            eventId: suppression.eventId,
            updatedAt: suppression.updatedAt,
            error: suppression.error ?? null,
          },
    sesSuppression: {
      checked: ses.checked,
      listed: status.listedBySes,
      reason:
        ses.entry?.reason ??
        (status.listedBySes === null && status.reportedListedAt !== null
          ? (summary.sesSuppression?.reason ?? null)
          : null),
      reportedAt: status.reportedListedAt,
      lastUpdateTime: ses.entry?.lastUpdateTime ?? null,
      messageId: ses.entry?.messageId ?? null,
      feedbackId: ses.entry?.feedbackId ?? null,
      likely: summary.sesSuppression?.likely ?? false,
      mislabel: summary.sesSuppression?.mislabel ?? false,
    },
    allowlisted: status.allowlisted,
    latestEvents: status.latestEvents.map(toEventView),
  };
}

function getRecipientRoute(deps: DataDeps): Route {
  return defineRoute({
    method: 'GET',
    path: '/recipients/{email}',
    operationId: 'getRecipient',
    summary:
      "Can I send to this address? Summary, suppression state (ours and SES's), latest events, sendStatus",
    description:
      'A summary expires `recipientRetentionDays` after the last event that touched it (bounce, complaint, delivery, ' +
      'reactivation). An address the store holds no summary of but SES lists answers 200 with sendStatus ' +
      '`suppressed`, zero counts and null event times (what SES says is all that is left of it).',
    cost:
      '≈ 2–3 RCU (bench:api measured 2.2–2.7 at 10k–100k events): GetItem summary (½), Query of the latest 10 ' +
      'events (½ per 4 KB read), GetItem allowlist for the address and each parent domain (½ each); ' +
      'plus one SES GetSuppressedDestination call unless ses=false',
    params: emailParams,
    query: z.strictObject({
      ses: booleanParam
        .optional()
        .meta({ description: 'Ask SES for its list entry (default true; SES allows ~1 request/s)' }),
    }),
    responses: {
      200: { description: 'The recipient', schema: recipientViewSchema },
      404: {
        description:
          'Never seen, or its summary expired (recipientRetentionDays after its last event), and SES does not ' +
          'list it (or was not asked)',
      },
    },
    async handle({ params, query }) {
      const status = await recipientStatus(deps, params.email, {
        askSes: query.ses ?? true,
        maxQueries: MAX_QUERIES_PER_PAGE,
      });
      return jsonResponse(200, recipientView(params.email, status));
    },
  });
}

function listRecipientEventsRoute(deps: DataDeps): Route {
  return defineRoute({
    method: 'GET',
    path: '/recipients/{email}/events',
    operationId: 'listRecipientEvents',
    summary: "The recipient's history (SES events and audit entries), newest first, paginated",
    description: 'An address never seen (or erased) answers an empty page.',
    cost: '≈ ½ RCU per 4 KB of events read (one Query on the recipient partition per page)',
    params: emailParams,
    query: z
      .strictObject({
        type: z
          .enum(['bounce', 'complaint', 'delivery', 'audit'])
          .optional()
          .meta({ description: 'Event type' }),
        from: instantParam.optional(),
        to: instantParam.optional(),
        limit: limitParam.optional(),
        cursor: cursorParam.optional(),
      })
      .refine((query) => query.from === undefined || query.to === undefined || query.from < query.to, {
        message: 'must be later than from',
        path: ['to'],
      }),
    responses: {
      200: { description: 'One page of events', schema: eventPageSchema },
    },
    async handle({ params, query }) {
      const { limit, cursor, ...rest } = query;
      const page = await listEvents(
        deps.store,
        deps.cursors,
        { email: params.email, ...rest },
        { includeAudit: true, limit: limit ?? DEFAULT_LIMIT, cursor, scope: 'recipient-events' },
        deps.now(),
        deps.retentionDays,
      );
      return jsonResponse(200, page);
    },
  });
}

function reactivateRecipientRoute(deps: DataDeps): Route {
  return defineRoute({
    method: 'DELETE',
    path: '/recipients/{email}/suppression',
    operationId: 'reactivateRecipient',
    summary:
      'Reactivate: remove from the SES suppression list, reset the soft-bounce streak, record who did it',
    description:
      'Calls SES DeleteSuppressedDestination directly (503 if SES throttles; retry), then writes an audit event ' +
      '(`reactivated`, actor = the IAM caller) and resets the summary in one transaction. An address suppressed ' +
      'for a complaint needs `force=true` (409 otherwise).',
    cost: 'GetItem summary (1 RCU) + SES Get and Delete + TransactWriteItems of 2 items (≈ 4 WCU)',
    params: emailParams,
    query: z.strictObject({
      force: booleanParam.optional().meta({ description: 'Required to lift a complaint suppression' }),
    }),
    responses: {
      200: { description: 'Reactivated', schema: reactivationViewSchema },
      404: { description: 'Neither we nor SES know the address' },
      409: {
        description: 'Suppressed for a complaint and force=true missing, or the recipient changed meanwhile',
      },
      503: { description: 'SES throttled or unavailable; retry' },
    },
    async handle({ params, query, request }) {
      const reactivation = await reactivateRecipient(deps, {
        email: params.email,
        force: query.force === true,
        actor: request.caller ?? 'unauthenticated (local)',
        requestId: request.requestId,
      });
      return jsonResponse(200, reactivation satisfies z.infer<typeof reactivationViewSchema>);
    },
  });
}

function eraseRecipientRoute(deps: DataDeps): Route {
  return defineRoute({
    method: 'DELETE',
    path: '/recipients/{email}',
    operationId: 'eraseRecipient',
    summary:
      "Erase the recipient's personal data (history, audit entries, summary, its share of domain counters); an " +
      'erased marker per event keeps redeliveries out',
    description:
      'For data-protection requests (docs/api.md, "Erasure"). Each SES event leaves an erased marker (its pointer ' +
      'marked erased, or a tombstone before eventIndexes v2: its id and expiry, no address) so that a redelivery or replay of its notification neither brings it back nor counts it again; ' +
      'the day × domain counters lose the erased events (a counter left empty is shown nowhere and expires within ' +
      'a day), the day totals keep ' +
      'them (anonymous). The SES suppression list and allowlist entries are left as they are (they protect the ' +
      'address from being mailed again); remove them with their own routes if required.',
    cost:
      'Query the recipient partition (keys only, ≈ ½ RCU per 4 KB) + per SES event one TransactWriteItems ' +
      '(erased pointer or tombstone + domain counter, ≈ 4 WCU) + 1 WCU per item deleted (BatchWriteItem) + one conditional ' +
      'UpdateItem per domain counter touched (its short expiry when left empty)',
    params: emailParams,
    responses: {
      200: { description: 'Erased', schema: erasureViewSchema },
      404: { description: 'Nothing stored for this address' },
    },
    async handle({ params }) {
      const erasedItems = await eraseRecipient(deps, params.email);
      if (erasedItems === 0) throw new NotFoundError(`Nothing is stored for ${params.email}`, 'email');
      return jsonResponse(200, { email: params.email, erasedItems });
    },
  });
}

export function recipientRoutes(deps: DataDeps): Route[] {
  return [
    getRecipientRoute(deps),
    listRecipientEventsRoute(deps),
    reactivateRecipientRoute(deps),
    eraseRecipientRoute(deps),
  ];
}
