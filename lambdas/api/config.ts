// Configuration of the query API function, parsed once at cold start; a missing or bad variable fails with its name.
// Variables (the infra helper sets these):
//   TABLE_NAME              required  the single DynamoDB table
//   EVENT_RETENTION_DAYS    optional  default 400; the default lower bound of time-window queries (older events
//                                     have expired by TTL). Same variable and meaning as the processor's.
//   CURSOR_SIGNING_SECRET   optional  ≥ 32 chars; when set, pagination cursors are sealed with HMAC-SHA256 under it
//                                     (without it they carry a plain digest and are still bound to their query)
//   CORS_ALLOW_ORIGINS      optional  comma-separated browser origins (https://app.example.com) that may read
//                                     responses; API Gateway answers the preflight, the function adds the
//                                     Access-Control-Allow-Origin header to real responses. Unset: no CORS headers.
//   POWERTOOLS_SERVICE_NAME / POWERTOOLS_LOG_LEVEL  read by Powertools itself
import * as z from 'zod';

export interface QueryApiConfig {
  tableName: string;
  cursorSigningSecret: string | null;
  eventRetentionDays: number;
  corsAllowOrigins: string[];
}

export class ConfigurationError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigurationError';
  }
}

const schema = z.object({
  TABLE_NAME: z.string().trim().min(1, 'is required'),
  CURSOR_SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters when set').optional(),
  EVENT_RETENTION_DAYS: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number of days')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be between 1 and 36500').max(36500, 'must be between 1 and 36500'))
    .optional(),
  CORS_ALLOW_ORIGINS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin !== ''),
    )
    .pipe(
      z.array(
        z.union([
          z.literal('*'),
          z.string().regex(/^https?:\/\/[^/\s]+$/, 'must list origins like https://app.example.com'),
        ]),
      ),
    )
    .optional(),
});

export function loadQueryApiConfig(env: Readonly<Record<string, string | undefined>>): QueryApiConfig {
  const parsed = schema.safeParse({
    TABLE_NAME: env.TABLE_NAME ?? '',
    CURSOR_SIGNING_SECRET: env.CURSOR_SIGNING_SECRET === '' ? undefined : env.CURSOR_SIGNING_SECRET,
    EVENT_RETENTION_DAYS: env.EVENT_RETENTION_DAYS === '' ? undefined : env.EVENT_RETENTION_DAYS,
    CORS_ALLOW_ORIGINS: env.CORS_ALLOW_ORIGINS,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigurationError(String(issue?.path[0] ?? 'environment'), issue?.message ?? 'invalid');
  }
  return {
    tableName: parsed.data.TABLE_NAME,
    cursorSigningSecret: parsed.data.CURSOR_SIGNING_SECRET ?? null,
    eventRetentionDays: parsed.data.EVENT_RETENTION_DAYS ?? 400,
    corsAllowOrigins: parsed.data.CORS_ALLOW_ORIGINS ?? [],
  };
}
