// GET /stats: served from the daily counters only, so its cost depends on days and shards, not on events.
import * as z from 'zod';
import type { DataDeps } from './deps.ts';
import { ValidationError } from './errors.ts';
import { jsonResponse } from './http.ts';
import { dayParam } from './params.ts';
import { defineRoute, type Route } from './router.ts';
import { computeStats, daysBetween, GROUP_BYS } from './stats.ts';

const MAX_STATS_DAYS = 366;
const DEFAULT_STATS_DAYS = 30;

const tallySchema = z.object({
  events: z.number().int(),
  deliveries: z.number().int(),
  bounces: z.number().int(),
  hardBounces: z.number().int(),
  softBounces: z.number().int(),
  complaints: z.number().int(),
  onAccountSuppressionList: z
    .number()
    .int()
    .meta({
      description:
        'Bounces and complaints SES reported as OnAccountSuppressionList: not sent (the address is on the account ' +
        'suppression list), so in no other count and no rate, as SES leaves them out of its own rates',
    }),
  bounceRate: z
    .number()
    .nullable()
    .meta({ description: 'bounces / (deliveries + bounces); null without deliveries' }),
  hardBounceRate: z.number().nullable(),
  complaintRate: z
    .number()
    .nullable()
    .meta({ description: 'complaints / deliveries; null without deliveries' }),
});

export const statsSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    groupBy: z.enum(GROUP_BYS),
    totals: tallySchema,
    items: z.array(
      z.object({
        key: z
          .string()
          .meta({ description: 'The day, verdict, category, type, code (none: no code) or domain' }),
        count: z.number().int(),
        breakdown: tallySchema.nullable().meta({ description: 'Counts per type and rates (day and domain)' }),
      }),
    ),
  })
  .meta({ id: 'Stats' });

const statsQuerySchema = z.strictObject({
  from: dayParam.optional().meta({ description: 'First UTC day, inclusive (default: 29 days before to)' }),
  to: dayParam.optional().meta({ description: 'Last UTC day, inclusive (default: today)' }),
  groupBy: z.enum(GROUP_BYS).optional().meta({ description: 'Grouping (default day)' }),
  top: z
    .string()
    .regex(/^\d{1,4}$/, 'must be an integer from 1 to 1000')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be from 1 to 1000').max(1000, 'must be from 1 to 1000'))
    .optional()
    .meta({
      description: 'Keep the N largest groups (default 10 for code and domain, all otherwise)',
      type: 'integer',
      minimum: 1,
      maximum: 1000,
    }),
});

function shiftDay(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export function statsRoutes(deps: DataDeps): Route[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/stats',
      operationId: 'getStats',
      summary:
        'Counts per day (or per verdict, category, type, code, top domains) and bounce/complaint rates',
      description:
        `At most ${MAX_STATS_DAYS} days. Rates appear where deliveries were recorded. Served from daily counters ` +
        'only: never reads events.',
      cost:
        'COUNTER_SHARDS (16) Queries per calendar year touched, reading one item per shard and day: 90 days ≈ ' +
        '1,440 items (≈ 20–180 RCU by item size, eventually consistent); groupBy=domain also reads the day × domain ' +
        'counters (one item per shard, day and domain seen that day)',
      query: statsQuerySchema,
      responses: { 200: { description: 'The statistics', schema: statsSchema } },
      async handle({ query }) {
        const to = query.to ?? deps.now().toISOString().slice(0, 10);
        const from = query.from ?? shiftDay(to, -(DEFAULT_STATS_DAYS - 1));
        if (from > to) {
          throw new ValidationError('invalid-parameter', 'to: must not be before from', 'to');
        }
        if (daysBetween(from, to).length > MAX_STATS_DAYS) {
          throw new ValidationError(
            'invalid-parameter',
            `to: the range may span at most ${MAX_STATS_DAYS} days`,
            'to',
          );
        }
        const groupBy = query.groupBy ?? 'day';
        const [dayItems, domainItems] = await Promise.all([
          deps.store.dayCounters(from, to),
          groupBy === 'domain' ? deps.store.domainDayCounters(from, to) : Promise.resolve([]),
        ]);
        const top = query.top ?? (groupBy === 'code' || groupBy === 'domain' ? 10 : null);
        return jsonResponse(200, computeStats({ from, to }, groupBy, top, dayItems, domainItems));
      },
    }),
  ];
}
