// GET /bounces (events across recipients, filtered, newest first; JSON or CSV) and GET /bounces/{id}.
import * as z from 'zod';
import { toCsv } from './csv.ts';
import type { DataDeps } from './deps.ts';
import { NotFoundError } from './errors.ts';
import { listEvents } from './event-queries.ts';
import {
  EVENT_CSV_COLUMNS,
  eventDetailViewSchema,
  eventPageSchema,
  toCsvRow,
  toEventDetailView,
} from './event-view.ts';
import { jsonResponse } from './http.ts';
import {
  categoryParam,
  codeFilterParam,
  cursorParam,
  DEFAULT_LIMIT,
  domainParam,
  emailParam,
  instantParam,
  limitParam,
  typeParam,
  verdictParam,
} from './params.ts';
import { defineRoute, type Route } from './router.ts';

const bouncesQuerySchema = z
  .strictObject({
    email: emailParam.optional(),
    domain: domainParam.optional(),
    verdict: verdictParam.optional(),
    category: categoryParam.optional(),
    type: typeParam.optional(),
    code: codeFilterParam.optional(),
    messageId: z
      .string()
      .trim()
      .min(1)
      .max(256)
      .optional()
      .meta({ description: 'SES message id (mail.messageId)' }),
    source: z
      .string()
      .trim()
      .min(1)
      .max(320)
      .optional()
      .meta({ description: 'Sending identity (mail.source) or configuration set name' }),
    from: instantParam
      .optional()
      .meta({ description: 'Inclusive lower bound, ISO 8601 (default: retention)' }),
    to: instantParam.optional().meta({ description: 'Exclusive upper bound, ISO 8601 (default: now)' }),
    limit: limitParam.optional(),
    cursor: cursorParam.optional(),
  })
  .refine((query) => query.from === undefined || query.to === undefined || query.from < query.to, {
    message: 'must be later than from',
    path: ['to'],
  });

const eventIdParams = z.strictObject({
  id: z
    .string()
    .regex(/^[0-9a-f]{32}$/, 'must be an event id (32 lower-case hex characters)')
    .meta({ description: 'Event id' }),
});

function wantsCsv(accept: string | undefined): boolean {
  return accept !== undefined && /(^|,)\s*text\/csv\b/i.test(accept);
}

export function bounceRoutes(deps: DataDeps): Route[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/bounces',
      operationId: 'listBounces',
      summary: 'Events across recipients, newest first, filtered (JSON, or CSV with Accept: text/csv)',
      description:
        'Reads the sharded time index (or the domain index with `domain`, or the recipient partition with `email`) ' +
        'month by month and merges the shards. `verdict`, `category`, `code`, `messageId` and `source` are ' +
        'DynamoDB filter expressions: filtered-out items are read (and paid) too, so a very selective filter may ' +
        'answer a short page with a nextCursor. The window is clamped to what the table can hold (not before ' +
        'retention, not past a day after now), and a window of more than two months starts at the oldest day the ' +
        'daily counters count (months before the first event are not read). With `Accept: text/csv` the same rows ' +
        'come as CSV and the next cursor is in the `x-next-cursor` header.',
      cost:
        '≈ ½ RCU per 4 KB of events read: a page of N unfiltered events reads about N items plus one small Query ' +
        'per shard (8 per type and month on the time index, 4 on the domain index, 1 for a recipient); a window ' +
        'of more than two months first reads one item per counter shard and year (16 or 32 one-item Queries)',
      query: bouncesQuerySchema,
      responses: {
        200: { description: 'One page of events', schema: eventPageSchema, alsoAs: ['text/csv'] },
      },
      async handle({ query, request }) {
        const { limit, cursor, ...filters } = query;
        const page = await listEvents(
          deps.store,
          deps.cursors,
          filters,
          { includeAudit: false, limit: limit ?? DEFAULT_LIMIT, cursor, scope: 'bounces' },
          deps.now(),
          deps.retentionDays,
        );
        if (wantsCsv(request.headers.accept)) {
          return {
            status: 200,
            headers: {
              'content-type': 'text/csv; charset=utf-8',
              'content-disposition': 'attachment; filename="bounces.csv"',
              ...(page.nextCursor === null ? {} : { 'x-next-cursor': page.nextCursor }),
            },
            body: toCsv(EVENT_CSV_COLUMNS, page.items.map(toCsvRow)),
          };
        }
        return jsonResponse(200, page);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/bounces/{id}',
      operationId: 'getEvent',
      summary: 'One event in full, raw diagnostic included',
      cost: '1 RCU (GetItem of the id pointer, then GetItem of the event)',
      params: eventIdParams,
      responses: {
        200: { description: 'The event', schema: eventDetailViewSchema },
        404: { description: 'No such event (or erased, or expired)' },
      },
      async handle({ params }) {
        const stored = await deps.store.getEvent(params.id);
        if (stored === null) throw new NotFoundError(`No event with id ${params.id}`, 'id');
        return jsonResponse(200, toEventDetailView(stored));
      },
    }),
  ];
}
