// The allowlist: addresses and domains the processor never suppresses automatically (it records what it would
// have done instead). One partition (`pk = ALLOW`), read with Query/GetItem.
import * as z from 'zod';
import { queryFingerprint } from './cursor.ts';
import type { DataDeps } from './deps.ts';
import { NotFoundError } from './errors.ts';
import { jsonResponse, noContent } from './http.ts';
import { pageSchema } from './pages.ts';
import { cursorParam, DEFAULT_LIMIT, domainParam, emailParam, limitParam } from './params.ts';
import { defineRoute, type Route } from './router.ts';

const allowlistEntrySchema = z
  .object({
    kind: z.enum(['address', 'domain']),
    value: z.string().meta({ description: 'The normalized address or domain' }),
    note: z.string().nullable(),
    createdAt: z.string(),
    createdBy: z.string().nullable().meta({ description: 'The caller who added it' }),
  })
  .meta({ id: 'AllowlistEntry' });

const entryParams = z.strictObject({
  entry: z
    .string()
    .transform((raw, ctx) => {
      const isAddress = raw.includes('@');
      const parsed = (isAddress ? emailParam : domainParam).safeParse(raw);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: parsed.error.issues[0]?.message ?? 'invalid' });
        return z.NEVER;
      }
      return { kind: isAddress ? ('address' as const) : ('domain' as const), value: parsed.data };
    })
    .meta({ description: 'An email address (jane@example.com) or a domain (example.com)' }),
});

const putBodySchema = z.strictObject({
  note: z
    .string()
    .max(500)
    .optional()
    .meta({ description: 'Why the entry exists (free text, ≤ 500 characters)' }),
});

const ENTRY_SORT_KEY = /^(?:ADDR|DOMAIN)#[^\s]{1,320}$/;

export function allowlistRoutes(deps: DataDeps): Route[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/allowlist',
      operationId: 'listAllowlist',
      summary: 'Addresses and domains never suppressed automatically',
      cost: '½ RCU per 4 KB of entries (one Query on the ALLOW partition)',
      query: z.strictObject({ limit: limitParam.optional(), cursor: cursorParam.optional() }),
      responses: {
        200: {
          description: 'One page of entries',
          schema: pageSchema(allowlistEntrySchema, 'AllowlistPage'),
        },
      },
      async handle({ query }) {
        const fingerprint = queryFingerprint('allowlist', {});
        const after =
          query.cursor === undefined
            ? null
            : String(
                deps.cursors.decode(
                  query.cursor,
                  fingerprint,
                  (key) => typeof key.sk === 'string' && ENTRY_SORT_KEY.test(key.sk),
                ).sk,
              );
        const page = await deps.store.listAllowlist(query.limit ?? DEFAULT_LIMIT, after);
        return jsonResponse(200, {
          items: page.items,
          nextCursor:
            page.lastSortKey === null ? null : deps.cursors.encode(fingerprint, { sk: page.lastSortKey }),
        });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/allowlist/{entry}',
      operationId: 'getAllowlistEntry',
      summary: 'One allowlist entry',
      cost: '½ RCU (GetItem)',
      params: entryParams,
      responses: {
        200: { description: 'The entry', schema: allowlistEntrySchema },
        404: { description: 'Not on the allowlist' },
      },
      async handle({ params }) {
        const entry = await deps.store.getAllowlistEntry(params.entry.kind, params.entry.value);
        if (entry === null) throw new NotFoundError(`${params.entry.value} is not on the allowlist`, 'entry');
        return jsonResponse(200, entry);
      },
    }),
    defineRoute({
      method: 'PUT',
      path: '/allowlist/{entry}',
      operationId: 'putAllowlistEntry',
      summary: 'Add (or update the note of) an allowlist entry',
      description: `Idempotent. The processor caches the allowlist for up to ALLOWLIST_CACHE_SECONDS (default 60).`,
      cost: '1 WCU (UpdateItem)',
      params: entryParams,
      body: putBodySchema,
      bodyOptional: true,
      responses: { 200: { description: 'The entry as stored', schema: allowlistEntrySchema } },
      async handle({ params, body, request }) {
        const entry = await deps.store.putAllowlistEntry({
          kind: params.entry.kind,
          value: params.entry.value,
          note: body.note ?? null,
          createdAt: deps.now().toISOString(),
          createdBy: request.caller,
        });
        return jsonResponse(200, entry);
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/allowlist/{entry}',
      operationId: 'deleteAllowlistEntry',
      summary: 'Remove an allowlist entry',
      cost: '1 WCU (DeleteItem)',
      params: entryParams,
      responses: { 204: { description: 'Removed' }, 404: { description: 'Not on the allowlist' } },
      async handle({ params }) {
        const removed = await deps.store.deleteAllowlistEntry(params.entry.kind, params.entry.value);
        if (!removed) throw new NotFoundError(`${params.entry.value} is not on the allowlist`, 'entry');
        return noContent();
      },
    }),
  ];
}
