// The one typed settings object of the stack, its documented defaults, and how it is read from CDK context
// (cdk.json "context" or `-c key=value`): every value is validated here so a bad setting fails synth by name.
import { Token } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as z from 'zod';
import { EVENT_INDEX_STAGES, type EventIndexStage } from '../lambdas/adapters/table-definition.ts';
import {
  CONFIG_DEFAULTS,
  CORS_ORIGIN_MESSAGE,
  EVENT_BUS_MESSAGE,
  isCorsOrigin,
  isEventBusSetting,
  recipientRetentionProblem,
  SETTING_BOUNDS,
  splitList,
} from '../lambdas/config.ts';
import { DELIVERY_HISTORY_MODES, type DeliveryHistory } from '../lambdas/domain/delivery-history.ts';

/** How the query API authenticates callers. */
export type ApiAuthorization =
  | { readonly type: 'iam' }
  | {
      readonly type: 'cognito';
      /** ARN of the Cognito user pool whose JWTs (ID or access tokens) are accepted. */
      readonly userPoolArn: string;
      /** OAuth scopes accepted on the read routes (GET, POST /classify); empty accepts ID tokens there. */
      readonly scopes: readonly string[];
      /**
       * OAuth scopes required on the routes that change state (DELETE /recipients/…, PUT/DELETE /allowlist/…);
       * never empty, so a read token or an ID token cannot erase, reactivate or edit the allowlist.
       */
      readonly adminScopes: readonly string[];
    };

export interface SesBounceProcessorSettings {
  /** Powertools service name (POWERTOOLS_SERVICE_NAME). */
  readonly serviceName: string;
  /** CloudWatch namespace the processor's metrics go to (POWERTOOLS_METRICS_NAMESPACE); the dashboard reads it. */
  readonly metricsNamespace: string;
  /** Lambda log level (POWERTOOLS_LOG_LEVEL). */
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Retention of every Lambda and API access log group, in days (a CloudWatch Logs retention value). */
  readonly logRetentionDays: RetentionDays;
  /** Days an event stays in the table before DynamoDB's TTL removes it (EVENT_RETENTION_DAYS). */
  readonly eventRetentionDays: number;
  /**
   * Days a recipient summary stays after the last event that touched it (RECIPIENT_RETENTION_DAYS): every bounce,
   * complaint, delivery applied to it and reactivation moves its expiry on. Undefined: the longer of
   * `eventRetentionDays` and `softBounceWindowDays`, which is also the least it may be.
   */
  readonly recipientRetentionDays?: number | undefined;
  /**
   * Soft bounces within the window that suppress an address (SOFT_BOUNCE_THRESHOLD); 0 turns soft-bounce suppression
   * off (required with `publishDeliveryEvents: false`: without deliveries no streak can be judged).
   */
  readonly softBounceThreshold: number;
  /** Window for counting soft bounces, days (SOFT_BOUNCE_WINDOW_DAYS). */
  readonly softBounceWindowDays: number;
  /** Put complained addresses on the SES suppression list (SUPPRESS_ON_COMPLAINT). */
  readonly suppressOnComplaint: boolean;
  /** Remove addresses SES suppressed for a sender-side problem (REPAIR_SES_FALSE_SUPPRESSIONS). */
  readonly repairSesFalseSuppressions: boolean;
  /** Record everything, change nothing in SES (DRY_RUN). */
  readonly dryRun: boolean;
  /** SES suppression-list calls per second by the worker (SUPPRESSION_RATE_PER_SECOND); SES allows 1/s. */
  readonly suppressionRatePerSecond: number;
  /** DynamoDB table name; undefined lets CloudFormation generate one. */
  readonly tableName?: string | undefined;
  /** Refuse DeleteTable while set (the table is retained on stack deletion either way). */
  readonly tableDeletionProtection: boolean;
  /** Use this SNS topic instead of creating the encrypted one (its policy and key are then yours to manage). */
  readonly existingTopicArn?: string | undefined;
  /**
   * Name of the configuration set to create (undefined: the stack name, so two stacks never collide), or of the
   * existing one when `useExistingConfigurationSet` (then required).
   */
  readonly configurationSetName?: string | undefined;
  /** Attach the event destination to an existing configuration set instead of creating one. */
  readonly useExistingConfigurationSet: boolean;
  /**
   * Publish delivery events too (they reset soft-bounce streaks and are the rate alarms' denominator). Off is only
   * accepted with `softBounceThreshold: 0` (synth refuses the streak policy without deliveries) and leaves the rate
   * alarms out.
   */
  readonly publishDeliveryEvents: boolean;
  /**
   * Which deliveries are kept as events (DELIVERY_HISTORY): none (counted, and applied to the summary of an address
   * that has one), recipients-with-history (also kept in the history of such an address), all (every delivery an
   * event and every delivered address a summary, the model before issue #13).
   */
  readonly deliveryHistory: DeliveryHistory;
  /**
   * The stage of the event indexes' migration (EVENT_INDEXES; docs/data-model.md "Upgrading"): `v2` (byTime2 and
   * byDomain2 holding only the filter attributes, `ID#<id>` pointers instead of byId) for a new table. A table made
   * by a release before it walks v1, add-byTime2, add-byDomain2, v2-readers, drop-byTime, drop-byDomain, v2, one
   * deploy each (CloudFormation creates or deletes one index per update).
   */
  readonly eventIndexes: EventIndexStage;
  /** Identities (domains/addresses) whose Bounce/Complaint/Delivery identity notifications go to the topic. */
  readonly notificationIdentities: readonly string[];
  /** Most concurrent processor invocations the notification queue may drive (SQS event source: 2–1000). */
  readonly processorMaxConcurrency: number;
  /**
   * Most messages per processor invocation (SQS event source: 1–10,000; above 10 only with a batching window of at
   * least 1 s). Lambda also cuts a batch at its 6 MB payload limit.
   */
  readonly processorBatchSize: number;
  /**
   * Longest time, in seconds, the event source gathers messages before invoking the processor (0–300). At low
   * volume a longer window fills batches (fewer invocations and queue requests; the counted deliveries of a batch
   * share their ledger items), and delays a notification's processing, a suppression included, by up to that long.
   */
  readonly processorMaxBatchingWindow: number;
  /**
   * Seconds the counter rollup gathers the table's stream records before summing them into the daily counters
   * (1–300; its event source's batching and tumbling window): `GET /stats` lags by about that long, and each window
   * costs one conditional write per stream shard and counter item touched (no transaction since issue #13's rollup
   * without transactions), whatever the volume.
   */
  readonly counterRollupWindow: number;
  /** Receives before a notification is parked in its dead-letter queue. */
  readonly notificationMaxReceiveCount: number;
  /** How the query API authenticates. */
  readonly apiAuthorization: ApiAuthorization;
  /** Steady-state requests per second the API stage accepts. */
  readonly apiThrottleRateLimit: number;
  /** Burst of requests the API stage accepts. */
  readonly apiThrottleBurstLimit: number;
  /** Origins allowed by CORS; empty leaves CORS off. */
  readonly apiCorsAllowOrigins: readonly string[];
  /** Alarm when hard bounces / (deliveries + bounces) exceeds this share (SES reviews accounts at 5%). */
  readonly alarmHardBounceRate: number;
  /** Alarm when complaints / deliveries exceeds this share (SES reviews accounts at 0.1%). */
  readonly alarmComplaintRate: number;
  /** Minimum deliveries+bounces per evaluation period before the rate alarms may fire (avoids 1-of-2 noise). */
  readonly alarmRateMinimumVolume: number;
  /** E-mail address subscribed to the alarm topic; undefined creates no subscription. */
  readonly alarmEmail?: string | undefined;
  /**
   * Where state-change events go (docs/events.md): `default` (the account's default event bus), an existing event
   * bus ARN, or `none` (no events publisher; the table's stream stays for the counter rollup).
   */
  readonly eventBus: string;
}

/** The defaults, documented in the README's props table. */
export const DEFAULT_SETTINGS: SesBounceProcessorSettings = {
  serviceName: 'ses-bounce-processor',
  metricsNamespace: CONFIG_DEFAULTS.metricsNamespace,
  logLevel: 'INFO',
  logRetentionDays: RetentionDays.ONE_MONTH,
  eventRetentionDays: CONFIG_DEFAULTS.eventRetentionDays,
  recipientRetentionDays: undefined,
  softBounceThreshold: CONFIG_DEFAULTS.softBounceThreshold,
  softBounceWindowDays: CONFIG_DEFAULTS.softBounceWindowDays,
  suppressOnComplaint: CONFIG_DEFAULTS.suppressOnComplaint,
  repairSesFalseSuppressions: CONFIG_DEFAULTS.repairSesFalseSuppressions,
  dryRun: CONFIG_DEFAULTS.dryRun,
  suppressionRatePerSecond: CONFIG_DEFAULTS.suppressionRatePerSecond,
  tableName: undefined,
  tableDeletionProtection: true,
  existingTopicArn: undefined,
  configurationSetName: undefined,
  useExistingConfigurationSet: false,
  publishDeliveryEvents: true,
  deliveryHistory: CONFIG_DEFAULTS.deliveryHistory,
  eventIndexes: CONFIG_DEFAULTS.eventIndexes,
  notificationIdentities: [],
  processorMaxConcurrency: 5,
  processorBatchSize: 100,
  processorMaxBatchingWindow: 60,
  counterRollupWindow: 300,
  notificationMaxReceiveCount: 5,
  apiAuthorization: { type: 'iam' },
  apiThrottleRateLimit: 50,
  apiThrottleBurstLimit: 100,
  apiCorsAllowOrigins: [],
  alarmHardBounceRate: 0.02,
  alarmComplaintRate: 0.0005,
  alarmRateMinimumVolume: 100,
  alarmEmail: undefined,
  eventBus: CONFIG_DEFAULTS.eventBus,
};

export class InvalidSettingError extends Error {
  override readonly name = 'InvalidSettingError';
}

// Context values arrive as strings from `-c key=value` and as JSON values from cdk.json: accept both, but only
// `true`/`false` as booleans (not yes/no/1/off) and only a written number as a number (`-c key=` is not 0).
const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((text) => text === 'true')], {
  error: 'expected true or false',
});
const number = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value),
  z.number({ error: 'expected a number' }),
);
const int = (min: number, max: number) => number.pipe(z.number().int().min(min).max(max));
// The bounds the functions' configuration (lambdas/config.ts) enforces on the variable a setting becomes.
const bounded = (setting: keyof typeof SETTING_BOUNDS) =>
  int(SETTING_BOUNDS[setting].min, SETTING_BOUNDS[setting].max);
const list = z.preprocess(
  (value) => (typeof value === 'string' ? splitList(value) : value),
  z.array(z.string().min(1)),
);
const optionalText = z.preprocess((value) => (value === '' ? undefined : value), z.string().optional());
/**
 * A string matching `pattern`, or a CDK token (the construct's props may name a resource of the same app, e.g.
 * `topic.topicArn`): a token's value is only known at deploy time, where CloudFormation checks it.
 */
const matching = (pattern: RegExp, message: string) =>
  z.string().refine((value) => Token.isUnresolved(value) || pattern.test(value), message);
const share = number.pipe(z.number().gt(0).lt(1));
const retentionValues = Object.values(RetentionDays).filter(
  (value): value is number => typeof value === 'number',
);
const configurationSetName = matching(
  /^[A-Za-z0-9_-]{1,64}$/,
  'letters, digits, "_" and "-", at most 64 characters',
);

const settingsSchema = z
  .object({
    serviceName: z.string().min(1),
    metricsNamespace: z.string().regex(/^[A-Za-z0-9._/#:-]{1,255}$/, 'a CloudWatch namespace'),
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']),
    logRetentionDays: number.refine(
      (days) => retentionValues.includes(days),
      `one of ${retentionValues.join(', ')}`,
    ),
    eventRetentionDays: bounded('eventRetentionDays'),
    recipientRetentionDays: z.preprocess(
      (value) => (value === '' ? undefined : value),
      bounded('recipientRetentionDays').optional(),
    ),
    softBounceThreshold: bounded('softBounceThreshold'),
    softBounceWindowDays: bounded('softBounceWindowDays'),
    suppressOnComplaint: bool,
    repairSesFalseSuppressions: bool,
    dryRun: bool,
    suppressionRatePerSecond: number.pipe(
      z.number().gt(0).max(1, 'SES allows 1 suppression-list call per second'),
    ),
    tableName: optionalText.pipe(matching(/^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name').optional()),
    tableDeletionProtection: bool,
    existingTopicArn: optionalText.pipe(
      matching(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'an SNS topic ARN').optional(),
    ),
    configurationSetName: optionalText.pipe(configurationSetName.optional()),
    useExistingConfigurationSet: bool,
    publishDeliveryEvents: bool,
    deliveryHistory: z.enum(DELIVERY_HISTORY_MODES),
    eventIndexes: z.enum(EVENT_INDEX_STAGES),
    notificationIdentities: list,
    processorMaxConcurrency: int(2, 1000),
    processorBatchSize: int(1, 10_000),
    processorMaxBatchingWindow: int(0, 300),
    counterRollupWindow: int(1, 300),
    notificationMaxReceiveCount: int(1, 1000),
    apiAuthorization: z.enum(['iam', 'cognito']),
    apiCognitoUserPoolArn: optionalText,
    apiCognitoScopes: list,
    apiCognitoAdminScopes: list,
    apiThrottleRateLimit: number.pipe(z.number().positive()),
    apiThrottleBurstLimit: int(1, 1_000_000),
    // The query function's CORS_ALLOW_ORIGINS contract (lambdas/config.ts): fail at synth, not at cold start.
    apiCorsAllowOrigins: list.pipe(z.array(z.string().refine(isCorsOrigin, CORS_ORIGIN_MESSAGE))),
    alarmHardBounceRate: share,
    alarmComplaintRate: share,
    alarmRateMinimumVolume: int(0, 1_000_000_000),
    alarmEmail: optionalText.pipe(
      z
        .string()
        .refine(
          (value) => Token.isUnresolved(value) || z.email().safeParse(value).success,
          'an e-mail address',
        )
        .optional(),
    ),
    eventBus: z
      .string()
      .refine((value) => Token.isUnresolved(value) || isEventBusSetting(value), EVENT_BUS_MESSAGE),
  })
  .strict();

/** Every key a user may set, as accepted from context (cognito settings are flattened for `-c`). */
export const SETTING_KEYS = Object.keys(settingsSchema.shape) as readonly string[];

function defaultsAsInput(): Record<string, unknown> {
  const { apiAuthorization, ...rest } = DEFAULT_SETTINGS;
  return {
    ...rest,
    apiAuthorization: apiAuthorization.type,
    apiCognitoUserPoolArn: undefined,
    apiCognitoScopes: [],
    apiCognitoAdminScopes: [],
  };
}

/**
 * Validates raw settings (from context or a test) over the defaults. Throws InvalidSettingError naming every bad key.
 */
export function resolveSettings(raw: Readonly<Record<string, unknown>>): SesBounceProcessorSettings {
  const unknownKeys = Object.keys(raw).filter((key) => !SETTING_KEYS.includes(key));
  if (unknownKeys.length > 0) {
    throw new InvalidSettingError(
      `Unknown setting(s): ${unknownKeys.join(', ')}. Known settings: ${SETTING_KEYS.join(', ')}.`,
    );
  }
  const defined = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined));
  const parsed = settingsSchema.safeParse({ ...defaultsAsInput(), ...defined });
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) =>
        `${issue.path.join('.') || '(settings)'}: ${issue.message} (got ${JSON.stringify(pick(raw, issue.path))})`,
    );
    throw new InvalidSettingError(`Invalid setting(s):\n  ${problems.join('\n  ')}`);
  }
  const { apiAuthorization, apiCognitoUserPoolArn, apiCognitoScopes, apiCognitoAdminScopes, ...settings } =
    parsed.data;
  if (!settings.publishDeliveryEvents && settings.softBounceThreshold > 0) {
    throw new InvalidSettingError(
      `publishDeliveryEvents: false hides every delivery from the processor, so the soft-bounce streak policy ` +
        `(softBounceThreshold ${settings.softBounceThreshold} within softBounceWindowDays ${settings.softBounceWindowDays}) ` +
        'would take soft bounces with successful deliveries between them for one run and suppress mailboxes that ' +
        'still accept mail (a mailbox full now and then). Publish deliveries (with deliveryHistory "none" a ' +
        'delivery is only counted; infra/README.md "Cost per million sent emails"), or turn soft-bounce ' +
        'suppression off with softBounceThreshold: 0.',
    );
  }
  if (settings.processorBatchSize > 10 && settings.processorMaxBatchingWindow < 1) {
    throw new InvalidSettingError(
      `processorBatchSize: ${settings.processorBatchSize} needs processorMaxBatchingWindow of at least 1 second ` +
        '(an SQS event source takes more than 10 messages per batch only with a batching window).',
    );
  }
  const retentionProblem =
    settings.recipientRetentionDays === undefined
      ? null
      : recipientRetentionProblem({ ...settings, recipientRetentionDays: settings.recipientRetentionDays });
  if (retentionProblem !== null) {
    throw new InvalidSettingError(
      `recipientRetentionDays: ${retentionProblem} (a summary shorter-lived than its events or a soft-bounce ` +
        'window would forget what the history and the streak policy still need; leave it unset for the least).',
    );
  }
  if (settings.useExistingConfigurationSet && settings.configurationSetName === undefined) {
    throw new InvalidSettingError(
      'configurationSetName: the name of the existing configuration set is required when useExistingConfigurationSet is true.',
    );
  }
  return {
    ...settings,
    logRetentionDays: settings.logRetentionDays as RetentionDays,
    apiAuthorization: authorizationFrom(apiAuthorization, apiCognitoUserPoolArn, {
      read: apiCognitoScopes,
      admin: apiCognitoAdminScopes,
    }),
  };
}

function authorizationFrom(
  type: 'iam' | 'cognito',
  userPoolArn: string | undefined,
  scopes: { read: readonly string[]; admin: readonly string[] },
): ApiAuthorization {
  if (type === 'iam') {
    const cognitoOnly = Object.entries({
      apiCognitoUserPoolArn: userPoolArn !== undefined,
      apiCognitoScopes: scopes.read.length > 0,
      apiCognitoAdminScopes: scopes.admin.length > 0,
    }).filter(([, set]) => set);
    if (cognitoOnly.length > 0) {
      throw new InvalidSettingError(
        `${cognitoOnly.map(([key]) => key).join(', ')} is set but apiAuthorization is "iam"; set it to "cognito".`,
      );
    }
    return { type: 'iam' };
  }
  if (
    userPoolArn === undefined ||
    (!Token.isUnresolved(userPoolArn) &&
      !/^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/\S+$/.test(userPoolArn))
  ) {
    throw new InvalidSettingError(
      `apiCognitoUserPoolArn: a Cognito user pool ARN is required when apiAuthorization is "cognito" (got ${JSON.stringify(userPoolArn)})`,
    );
  }
  if (scopes.admin.length === 0) {
    throw new InvalidSettingError(
      'apiCognitoAdminScopes: with apiAuthorization "cognito", name the OAuth scope(s) a token needs to erase, ' +
        'reactivate or edit the allowlist (e.g. bounces/admin); without one any valid token could.',
    );
  }
  const shared = scopes.admin.filter((scope) => scopes.read.includes(scope));
  if (shared.length > 0) {
    throw new InvalidSettingError(
      `apiCognitoAdminScopes: ${shared.join(', ')} is also a read scope (apiCognitoScopes), so read tokens could change state.`,
    );
  }
  return { type: 'cognito', userPoolArn, scopes: scopes.read, adminScopes: scopes.admin };
}

function pick(raw: Readonly<Record<string, unknown>>, path: readonly PropertyKey[]): unknown {
  const key = path[0];
  return typeof key === 'string' ? raw[key] : undefined;
}

/** Reads every known setting from CDK context (`tryGetContext`) and validates it. */
export function settingsFromContext(tryGetContext: (key: string) => unknown): SesBounceProcessorSettings {
  const raw: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const value = tryGetContext(key);
    if (value !== undefined) raw[key] = value;
  }
  return resolveSettings(raw);
}

/**
 * Validates typed settings (the SesBounceProcessor construct's props) over the defaults with exactly the checks
 * settings from context get: the same InvalidSettingError naming every bad key.
 */
export function resolveProps(props: Partial<SesBounceProcessorSettings>): SesBounceProcessorSettings {
  const { apiAuthorization, ...rest } = props;
  return resolveSettings({ ...rest, ...(apiAuthorization && flattenAuthorization(apiAuthorization)) });
}

/** `apiAuthorization` the way context gives it: its type, and the Cognito settings as keys of their own. */
function flattenAuthorization(authorization: ApiAuthorization): Record<string, unknown> {
  if (authorization.type === 'iam') return { apiAuthorization: 'iam' };
  return {
    apiAuthorization: 'cognito',
    apiCognitoUserPoolArn: authorization.userPoolArn,
    apiCognitoScopes: authorization.scopes,
    apiCognitoAdminScopes: authorization.adminScopes,
  };
}
