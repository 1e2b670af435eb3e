// The one configuration module of the five functions (processor, suppression worker, query API, events publisher,
// counter rollup): every environment variable's name, default, bounds and parser live here, parsed once at cold
// start with zod. The CDK constructs (infra/) import the names and `environmentOf` to set them, so a variable is
// written and read in one place; a missing or malformed variable fails fast with its name.
import * as z from 'zod';
import {
  DEFAULT_EVENT_INDEXES,
  EVENT_INDEX_STAGES,
  type EventIndexStage,
} from './adapters/table-definition.ts';
import {
  API_AUTHORIZATION_TYPES,
  type ApiAuthorizationType,
  type QueryApiAuthorization,
} from './api/authorization.ts';
import {
  DEFAULT_DELIVERY_HISTORY,
  DELIVERY_HISTORY_MODES,
  type DeliveryHistory,
} from './domain/delivery-history.ts';
import { DEFAULT_POLICY_SETTINGS, type PolicySettings } from './domain/suppression-policy.ts';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** The environment variable of each setting. */
export const ENV = {
  tableName: 'TABLE_NAME',
  suppressionQueueUrl: 'SUPPRESSION_QUEUE_URL',
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  eventRetentionDays: 'EVENT_RETENTION_DAYS',
  recipientRetentionDays: 'RECIPIENT_RETENTION_DAYS',
  allowlistCacheSeconds: 'ALLOWLIST_CACHE_SECONDS',
  deliveryHistory: 'DELIVERY_HISTORY',
  eventIndexes: 'EVENT_INDEXES',
  recordsAtOnce: 'RECORDS_AT_ONCE',
  softBounceThreshold: 'SOFT_BOUNCE_THRESHOLD',
  softBounceWindowDays: 'SOFT_BOUNCE_WINDOW_DAYS',
  suppressOnComplaint: 'SUPPRESS_ON_COMPLAINT',
  repairSesFalseSuppressions: 'REPAIR_SES_FALSE_SUPPRESSIONS',
  dryRun: 'DRY_RUN',
  suppressionRatePerSecond: 'SUPPRESSION_RATE_PER_SECOND',
  cursorSigningSecret: 'CURSOR_SIGNING_SECRET',
  corsAllowOrigins: 'CORS_ALLOW_ORIGINS',
  apiAuthorization: 'API_AUTHORIZATION',
  apiReadScopes: 'API_READ_SCOPES',
  apiAdminScopes: 'API_ADMIN_SCOPES',
  eventBus: 'EVENT_BUS',
  // Read by Powertools itself; the defaults below apply when the deployment sets none.
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
} as const;
export type Setting = keyof typeof ENV;

/** Defaults of the optional variables (the CDK settings start from the same values). */
export const CONFIG_DEFAULTS = {
  ...DEFAULT_POLICY_SETTINGS,
  /**
   * Older events have expired by TTL; also the default lower bound of the API's time-window queries. 60 days (issue
   * #13): the storage target at 1 M and 50 M sent a month, longer than the event logs of comparable services keep
   * (infra/README.md, "Default retention: 60 days"); 400 before.
   */
  eventRetentionDays: 60,
  allowlistCacheSeconds: 60,
  deliveryHistory: DEFAULT_DELIVERY_HISTORY,
  /** The stage of the event indexes' migration (table-definition.ts); a new table starts at the last. */
  eventIndexes: DEFAULT_EVENT_INDEXES,
  recordsAtOnce: 10,
  suppressionRatePerSecond: 1,
  metricsNamespace: 'SesBounceProcessor',
  eventBus: 'default',
  /** API Gateway authenticates the query API with SigV4 unless the deployment names a Cognito user pool. */
  apiAuthorization: 'iam' satisfies ApiAuthorizationType,
} as const;

/** Inclusive bounds of the whole-number settings (the CDK settings validate against the same bounds). */
export const SETTING_BOUNDS = {
  eventRetentionDays: { min: 1, max: 36_500 },
  /** Never below eventRetentionDays nor softBounceWindowDays either (recipientRetentionProblem). */
  recipientRetentionDays: { min: 1, max: 36_500 },
  /** 0 turns soft-bounce suppression off: soft bounces are recorded and counted, never suppress. */
  softBounceThreshold: { min: 0, max: 100 },
  softBounceWindowDays: { min: 1, max: 365 },
  allowlistCacheSeconds: { min: 0, max: 86_400 },
  recordsAtOnce: { min: 1, max: 100 },
} as const;

/**
 * Days a recipient summary stays after the last event that touched it, when RECIPIENT_RETENTION_DAYS is not set:
 * the longer of the event retention and the soft-bounce window, the least it may be (recipientRetentionProblem).
 */
export function defaultRecipientRetentionDays(settings: {
  eventRetentionDays: number;
  softBounceWindowDays: number;
}): number {
  return Math.max(settings.eventRetentionDays, settings.softBounceWindowDays);
}

/**
 * Why a recipient retention is too short, or null. A summary expires `recipientRetentionDays` after its last event;
 * shorter than the event retention, events would outlive the summary of their address (the history listed, the
 * recipient unknown); shorter than the soft-bounce window, a streak's soft bounces a window apart could lose the
 * summary that counts them.
 */
export function recipientRetentionProblem(settings: {
  recipientRetentionDays: number;
  eventRetentionDays: number;
  softBounceWindowDays: number;
}): string | null {
  const least = defaultRecipientRetentionDays(settings);
  return settings.recipientRetentionDays >= least
    ? null
    : `must be at least eventRetentionDays (${settings.eventRetentionDays}) and softBounceWindowDays ` +
        `(${settings.softBounceWindowDays}), got ${settings.recipientRetentionDays}`;
}

/** The most suppression-list calls per second the worker accepts (SES itself allows 1; the local stack goes faster). */
const MAX_SUPPRESSION_RATE = 100;

/** A browser origin the query function may answer (`https://app.example.com`), or `*`. */
export function isCorsOrigin(origin: string): boolean {
  return origin === '*' || /^https?:\/\/[^/\s]+$/.test(origin);
}
export const CORS_ORIGIN_MESSAGE = 'origins like https://app.example.com (scheme and host, no path), or *';

/** An EventBridge event bus ARN (`arn:aws:events:<region>:<account>:event-bus/<name>`). */
const EVENT_BUS_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[A-Za-z0-9._\-/]{1,256}$/;
/** Where state-change events go: the account's default bus, an existing bus, or nowhere (no publisher deployed). */
export function isEventBusSetting(value: string): boolean {
  return value === 'default' || value === 'none' || EVENT_BUS_ARN.test(value);
}
export const EVENT_BUS_MESSAGE =
  'default, none, or an event bus ARN (arn:aws:events:<region>:<account>:event-bus/<name>)';

/** Comma-separated list, blanks dropped: how CORS_ALLOW_ORIGINS is written and read. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

type PolicyConfig = PolicySettings;

export interface ProcessorConfig extends PolicyConfig {
  tableName: string;
  suppressionQueueUrl: string;
  /** Where poison messages are parked with their reason; without it, SQS's redrive policy parks them. */
  deadLetterQueueUrl: string | null;
  eventRetentionDays: number;
  /** Days a recipient summary stays after the last event that touched it (its TTL moves on with every event). */
  recipientRetentionDays: number;
  allowlistCacheSeconds: number;
  /** Which deliveries are kept as events (lambdas/domain/delivery-history.ts). */
  deliveryHistory: DeliveryHistory;
  /**
   * Records of an SQS batch processed at once; the deliveries among them that are only counted share one
   * transaction (the stack sets the batch size, at most 100).
   */
  recordsAtOnce: number;
  /** The stage of the event indexes: whether events get an `ID#<id>` pointer, and tombstones are checked. */
  eventIndexes: EventIndexStage;
}

export interface WorkerConfig {
  tableName: string;
  /** The stage of the event indexes: whether an audit entry gets an `ID#<id>` pointer. */
  eventIndexes: EventIndexStage;
  suppressionRatePerSecond: number;
  dryRun: boolean;
}

export interface QueryApiConfig {
  tableName: string;
  /** ≥ 32 characters; when set, pagination cursors are sealed with HMAC-SHA256 under it (else a plain digest). */
  cursorSigningSecret: string | null;
  eventRetentionDays: number;
  /** A reactivation moves the summary's expiry on by this many days. */
  recipientRetentionDays: number;
  /** Origins the function adds Access-Control-Allow-Origin for (API Gateway answers the preflight). */
  corsAllowOrigins: string[];
  /** The stage of the event indexes: which indexes the routes read, pointers or byId, tombstones or not. */
  eventIndexes: EventIndexStage;
  /** How API Gateway authenticates callers (and with which scopes), as GET /openapi.json states it. */
  authorization: QueryApiAuthorization;
}

export interface PublisherConfig {
  tableName: string;
  /** `default` or a bus ARN: the PutEvents EventBusName. */
  eventBus: string;
}

export interface TelemetryConfig {
  serviceName: string;
  metricsNamespace: string;
}

type Env = Readonly<Record<string, string | undefined>>;

// Every variable arrives as text; a blank one counts as unset.
const text = z.string().trim().min(1, 'is required');
const url = text.refine((value) => URL.canParse(value), {
  error: (issue) => `must be a URL, got "${issue.input}"`,
});
const wholeNumber = (setting: keyof typeof SETTING_BOUNDS) => {
  const { min, max } = SETTING_BOUNDS[setting];
  return text
    .regex(/^\d+$/, { error: (issue) => `must be a whole number, got "${issue.input}"` })
    .transform(Number)
    .refine((value) => value >= min && value <= max, {
      error: (issue) => `must be between ${min} and ${max}, got ${issue.input}`,
    });
};
const rate = text.refine(
  (raw) => /^\d+(\.\d+)?$/.test(raw) && Number(raw) > 0 && Number(raw) <= MAX_SUPPRESSION_RATE,
  { error: (issue) => `must be a number above 0 and at most ${MAX_SUPPRESSION_RATE}, got "${issue.input}"` },
);
const boolean = text.transform((raw, context) => {
  const lowered = raw.toLowerCase();
  if (lowered === 'true' || lowered === '1') return true;
  if (lowered === 'false' || lowered === '0') return false;
  context.addIssue({ code: 'custom', message: `must be true or false, got "${raw}"` });
  return z.NEVER;
});
const secret = z.string().min(32, 'must be at least 32 characters when set');
const origins = z
  .string()
  .transform(splitList)
  .pipe(z.array(z.string().refine(isCorsOrigin, 'must list origins like https://app.example.com')));
/** OAuth scope names (RFC 6749 §3.3: printable ASCII without space, `"` or `\`), comma-separated here. */
const scopes = z
  .string()
  .transform(splitList)
  .pipe(
    z.array(
      z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, {
        error: (issue) => `must list OAuth scopes like bounces/read, got "${issue.input}"`,
      }),
    ),
  );

/** The parser of each setting's variable (Powertools' own variables are read by Powertools). */
const PARSERS = {
  tableName: text,
  suppressionQueueUrl: url,
  deadLetterQueueUrl: url,
  eventRetentionDays: wholeNumber('eventRetentionDays'),
  recipientRetentionDays: wholeNumber('recipientRetentionDays'),
  allowlistCacheSeconds: wholeNumber('allowlistCacheSeconds'),
  recordsAtOnce: wholeNumber('recordsAtOnce'),
  deliveryHistory: text.pipe(
    z.enum(DELIVERY_HISTORY_MODES, {
      error: (issue) => `must be one of ${DELIVERY_HISTORY_MODES.join(', ')}, got "${issue.input}"`,
    }),
  ),
  eventIndexes: text.pipe(
    z.enum(EVENT_INDEX_STAGES, {
      error: (issue) => `must be one of ${EVENT_INDEX_STAGES.join(', ')}, got "${issue.input}"`,
    }),
  ),
  softBounceThreshold: wholeNumber('softBounceThreshold'),
  softBounceWindowDays: wholeNumber('softBounceWindowDays'),
  suppressOnComplaint: boolean,
  repairSesFalseSuppressions: boolean,
  dryRun: boolean,
  suppressionRatePerSecond: rate.transform(Number),
  cursorSigningSecret: secret,
  corsAllowOrigins: origins,
  apiAuthorization: text.pipe(
    z.enum(API_AUTHORIZATION_TYPES, {
      error: (issue) => `must be one of ${API_AUTHORIZATION_TYPES.join(', ')}, got "${issue.input}"`,
    }),
  ),
  apiReadScopes: scopes,
  apiAdminScopes: scopes,
  eventBus: text.refine((value) => value !== 'none' && isEventBusSetting(value), {
    error: (issue) => `must be default or an event bus ARN, got "${issue.input}"`,
  }),
  serviceName: text,
  metricsNamespace: text,
} satisfies Partial<Record<Setting, z.ZodType<unknown, string>>>;
type Parsed<S extends keyof typeof PARSERS> = z.output<(typeof PARSERS)[S]>;

function raw(env: Env, setting: Setting): string | undefined {
  const value = env[ENV[setting]];
  return value === undefined || value.trim() === '' ? undefined : value;
}

function parse<S extends keyof typeof PARSERS>(env: Env, setting: S): Parsed<S> | undefined {
  const value = raw(env, setting);
  if (value === undefined) return undefined;
  const parsed = PARSERS[setting].safeParse(value);
  if (!parsed.success) throw new ConfigError(ENV[setting], parsed.error.issues[0]?.message ?? 'is invalid');
  return parsed.data as Parsed<S>;
}

function required<S extends keyof typeof PARSERS>(env: Env, setting: S): Parsed<S> {
  const value = parse(env, setting);
  if (value === undefined) throw new ConfigError(ENV[setting], 'is required');
  return value;
}

function loadPolicyConfig(env: Env): PolicyConfig {
  return {
    softBounceThreshold: parse(env, 'softBounceThreshold') ?? CONFIG_DEFAULTS.softBounceThreshold,
    softBounceWindowDays: parse(env, 'softBounceWindowDays') ?? CONFIG_DEFAULTS.softBounceWindowDays,
    suppressOnComplaint: parse(env, 'suppressOnComplaint') ?? CONFIG_DEFAULTS.suppressOnComplaint,
    repairSesFalseSuppressions:
      parse(env, 'repairSesFalseSuppressions') ?? CONFIG_DEFAULTS.repairSesFalseSuppressions,
    dryRun: parse(env, 'dryRun') ?? CONFIG_DEFAULTS.dryRun,
  };
}

/** RECIPIENT_RETENTION_DAYS, or its default; a ConfigError when shorter than recipientRetentionProblem allows. */
function loadRecipientRetention(env: Env, eventRetentionDays: number, softBounceWindowDays: number): number {
  const recipientRetentionDays =
    parse(env, 'recipientRetentionDays') ??
    defaultRecipientRetentionDays({ eventRetentionDays, softBounceWindowDays });
  const problem = recipientRetentionProblem({
    recipientRetentionDays,
    eventRetentionDays,
    softBounceWindowDays,
  });
  if (problem !== null) throw new ConfigError(ENV.recipientRetentionDays, problem);
  return recipientRetentionDays;
}

export function loadProcessorConfig(env: Env): ProcessorConfig {
  const tableName = required(env, 'tableName');
  const suppressionQueueUrl = required(env, 'suppressionQueueUrl');
  const policy = loadPolicyConfig(env);
  const eventRetentionDays = parse(env, 'eventRetentionDays') ?? CONFIG_DEFAULTS.eventRetentionDays;
  return {
    ...policy,
    tableName,
    suppressionQueueUrl,
    deadLetterQueueUrl: parse(env, 'deadLetterQueueUrl') ?? null,
    eventRetentionDays,
    recipientRetentionDays: loadRecipientRetention(env, eventRetentionDays, policy.softBounceWindowDays),
    allowlistCacheSeconds: parse(env, 'allowlistCacheSeconds') ?? CONFIG_DEFAULTS.allowlistCacheSeconds,
    deliveryHistory: parse(env, 'deliveryHistory') ?? CONFIG_DEFAULTS.deliveryHistory,
    recordsAtOnce: parse(env, 'recordsAtOnce') ?? CONFIG_DEFAULTS.recordsAtOnce,
    eventIndexes: loadEventIndexes(env),
  };
}

export function loadWorkerConfig(env: Env): WorkerConfig {
  return {
    tableName: required(env, 'tableName'),
    eventIndexes: loadEventIndexes(env),
    suppressionRatePerSecond:
      parse(env, 'suppressionRatePerSecond') ?? CONFIG_DEFAULTS.suppressionRatePerSecond,
    dryRun: parse(env, 'dryRun') ?? CONFIG_DEFAULTS.dryRun,
  };
}

export function loadQueryApiConfig(env: Env): QueryApiConfig {
  const eventRetentionDays = parse(env, 'eventRetentionDays') ?? CONFIG_DEFAULTS.eventRetentionDays;
  return {
    tableName: required(env, 'tableName'),
    cursorSigningSecret: parse(env, 'cursorSigningSecret') ?? null,
    eventRetentionDays,
    recipientRetentionDays: loadRecipientRetention(
      env,
      eventRetentionDays,
      parse(env, 'softBounceWindowDays') ?? CONFIG_DEFAULTS.softBounceWindowDays,
    ),
    corsAllowOrigins: parse(env, 'corsAllowOrigins') ?? [],
    eventIndexes: loadEventIndexes(env),
    authorization: loadApiAuthorization(env),
  };
}

/**
 * API_AUTHORIZATION and, with `cognito`, its scopes: the same rules the stack's settings enforce (admin scopes
 * required and distinct from the read scopes; no scopes with `iam`), so the function never describes an
 * authorization API Gateway could not have.
 */
function loadApiAuthorization(env: Env): QueryApiAuthorization {
  const type = parse(env, 'apiAuthorization') ?? CONFIG_DEFAULTS.apiAuthorization;
  const readScopes = parse(env, 'apiReadScopes') ?? [];
  const adminScopes = parse(env, 'apiAdminScopes') ?? [];
  if (type === 'iam') {
    for (const [setting, list] of [
      ['apiReadScopes', readScopes],
      ['apiAdminScopes', adminScopes],
    ] as const) {
      if (list.length > 0)
        throw new ConfigError(ENV[setting], `is set but ${ENV.apiAuthorization} is iam; scopes need cognito`);
    }
    return { type };
  }
  if (adminScopes.length === 0)
    throw new ConfigError(ENV.apiAdminScopes, `is required when ${ENV.apiAuthorization} is cognito`);
  const shared = adminScopes.filter((scope) => readScopes.includes(scope));
  if (shared.length > 0)
    throw new ConfigError(
      ENV.apiAdminScopes,
      `${shared.join(', ')} is also a read scope (${ENV.apiReadScopes})`,
    );
  return { type, readScopes, adminScopes };
}

/** The stage of the event indexes an environment names (the local stack creates its table with these indexes). */
export function loadEventIndexes(env: Env): EventIndexStage {
  return parse(env, 'eventIndexes') ?? CONFIG_DEFAULTS.eventIndexes;
}

export function loadPublisherConfig(env: Env): PublisherConfig {
  return {
    tableName: required(env, 'tableName'),
    eventBus: parse(env, 'eventBus') ?? CONFIG_DEFAULTS.eventBus,
  };
}

/** The counter rollup reads and writes the table only; day × domain counters expire with the events. */
export interface RollupConfig {
  tableName: string;
  eventRetentionDays: number;
}

export function loadRollupConfig(env: Env): RollupConfig {
  return {
    tableName: required(env, 'tableName'),
    eventRetentionDays: parse(env, 'eventRetentionDays') ?? CONFIG_DEFAULTS.eventRetentionDays,
  };
}

export function loadTelemetryConfig(env: Env, defaultServiceName: string): TelemetryConfig {
  return {
    serviceName: parse(env, 'serviceName') ?? defaultServiceName,
    metricsNamespace: parse(env, 'metricsNamespace') ?? CONFIG_DEFAULTS.metricsNamespace,
  };
}

type EnvironmentValue = string | number | boolean | readonly string[];

/**
 * The environment that sets these settings, written the way the loaders above read it (lists comma-separated).
 * The CDK constructs build every function's variables with it; an empty list sets nothing.
 */
export function environmentOf(values: Partial<Record<Setting, EnvironmentValue>>): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [setting, value] of Object.entries(values) as [Setting, EnvironmentValue | undefined][]) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) environment[ENV[setting]] = value.join(',');
    } else environment[ENV[setting]] = String(value);
  }
  return environment;
}
