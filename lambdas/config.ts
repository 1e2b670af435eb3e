// Typed configuration of the processor and the suppression worker, parsed once at cold start from the
// environment. A missing or malformed variable fails fast with its name.
import { DEFAULT_POLICY_SETTINGS } from './domain/suppression-policy.ts';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export interface PolicyConfig {
  softBounceThreshold: number;
  softBounceWindowDays: number;
  suppressOnComplaint: boolean;
  repairSesFalseSuppressions: boolean;
  dryRun: boolean;
}

export interface ProcessorConfig extends PolicyConfig {
  tableName: string;
  suppressionQueueUrl: string;
  /** Where poison messages are parked with their reason; without it, SQS's redrive policy parks them. */
  deadLetterQueueUrl: string | null;
  eventRetentionDays: number;
  allowlistCacheSeconds: number;
}

export interface WorkerConfig {
  tableName: string;
  suppressionRatePerSecond: number;
  dryRun: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, 'is required');
  return value;
}

function optional(env: Env, name: string): string | null {
  const value = env[name]?.trim();
  return value ? value : null;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function positive(env: Env, name: string, fallback: number, max: number): number {
  const raw = optional(env, name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || value <= 0 || value > max) {
    throw new ConfigError(name, `must be a number above 0 and at most ${max}, got "${raw}"`);
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = optional(env, name);
  if (raw === null) return fallback;
  const lowered = raw.toLowerCase();
  if (lowered === 'true' || lowered === '1') return true;
  if (lowered === 'false' || lowered === '0') return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function url(name: string, value: string): string {
  try {
    new URL(value);
  } catch {
    throw new ConfigError(name, `must be a URL, got "${value}"`);
  }
  return value;
}

export interface TelemetryConfig {
  serviceName: string;
  metricsNamespace: string;
}

/** Powertools reads its own variables; these are the defaults when the deployment sets none. */
export function loadTelemetryConfig(env: Env, defaultServiceName: string): TelemetryConfig {
  return {
    serviceName: optional(env, 'POWERTOOLS_SERVICE_NAME') ?? defaultServiceName,
    metricsNamespace: optional(env, 'POWERTOOLS_METRICS_NAMESPACE') ?? 'SesBounceProcessor',
  };
}

export function loadPolicyConfig(env: Env): PolicyConfig {
  return {
    softBounceThreshold: integer(
      env,
      'SOFT_BOUNCE_THRESHOLD',
      DEFAULT_POLICY_SETTINGS.softBounceThreshold,
      1,
      100,
    ),
    softBounceWindowDays: integer(
      env,
      'SOFT_BOUNCE_WINDOW_DAYS',
      DEFAULT_POLICY_SETTINGS.softBounceWindowDays,
      1,
      3650,
    ),
    suppressOnComplaint: boolean(env, 'SUPPRESS_ON_COMPLAINT', DEFAULT_POLICY_SETTINGS.suppressOnComplaint),
    repairSesFalseSuppressions: boolean(
      env,
      'REPAIR_SES_FALSE_SUPPRESSIONS',
      DEFAULT_POLICY_SETTINGS.repairSesFalseSuppressions,
    ),
    dryRun: boolean(env, 'DRY_RUN', DEFAULT_POLICY_SETTINGS.dryRun),
  };
}

export function loadProcessorConfig(env: Env): ProcessorConfig {
  const dlq = optional(env, 'DEAD_LETTER_QUEUE_URL');
  return {
    ...loadPolicyConfig(env),
    tableName: required(env, 'TABLE_NAME'),
    suppressionQueueUrl: url('SUPPRESSION_QUEUE_URL', required(env, 'SUPPRESSION_QUEUE_URL')),
    deadLetterQueueUrl: dlq === null ? null : url('DEAD_LETTER_QUEUE_URL', dlq),
    eventRetentionDays: integer(env, 'EVENT_RETENTION_DAYS', 400, 1, 36500),
    allowlistCacheSeconds: integer(env, 'ALLOWLIST_CACHE_SECONDS', 60, 0, 86400),
  };
}

export function loadWorkerConfig(env: Env): WorkerConfig {
  return {
    tableName: required(env, 'TABLE_NAME'),
    suppressionRatePerSecond: positive(env, 'SUPPRESSION_RATE_PER_SECOND', 1, 100),
    dryRun: boolean(env, 'DRY_RUN', false),
  };
}
