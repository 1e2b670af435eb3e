// Processor, worker and events publisher configuration: defaults, parsing, and failures that name the variable.
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadProcessorConfig,
  loadPublisherConfig,
  loadWorkerConfig,
} from '../../lambdas/config.ts';

const BASE = { TABLE_NAME: 'bounces', SUPPRESSION_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/q' };

describe('loadProcessorConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadProcessorConfig(BASE)).toEqual({
      tableName: 'bounces',
      suppressionQueueUrl: BASE.SUPPRESSION_QUEUE_URL,
      deadLetterQueueUrl: null,
      eventRetentionDays: 60,
      recipientRetentionDays: 60,
      allowlistCacheSeconds: 60,
      softBounceThreshold: 3,
      softBounceWindowDays: 14,
      suppressOnComplaint: true,
      repairSesFalseSuppressions: false,
      dryRun: false,
      deliveryHistory: 'none',
      recordsAtOnce: 10,
      eventIndexes: 'v2',
    });
  });

  it('reads deliveryHistory and names the modes when it is not one of them', () => {
    for (const mode of ['none', 'recipients-with-history', 'all'])
      expect(loadProcessorConfig({ ...BASE, DELIVERY_HISTORY: mode }).deliveryHistory).toBe(mode);
    expect(() => loadProcessorConfig({ ...BASE, DELIVERY_HISTORY: 'some' })).toThrow(
      new ConfigError('DELIVERY_HISTORY', 'must be one of none, recipients-with-history, all, got "some"'),
    );
  });

  it('keeps summaries at least as long as events and the soft-bounce window (RECIPIENT_RETENTION_DAYS)', () => {
    expect(loadProcessorConfig({ ...BASE, EVENT_RETENTION_DAYS: '90' }).recipientRetentionDays).toBe(90);
    expect(loadProcessorConfig({ ...BASE, EVENT_RETENTION_DAYS: '7' }).recipientRetentionDays).toBe(14);
    expect(loadProcessorConfig({ ...BASE, RECIPIENT_RETENTION_DAYS: '800' }).recipientRetentionDays).toBe(
      800,
    );
    expect(() => loadProcessorConfig({ ...BASE, RECIPIENT_RETENTION_DAYS: '59' })).toThrow(
      new ConfigError(
        'RECIPIENT_RETENTION_DAYS',
        'must be at least eventRetentionDays (60) and softBounceWindowDays (14), got 59',
      ),
    );
  });

  it('reads SOFT_BOUNCE_THRESHOLD 0 (soft-bounce suppression off)', () => {
    expect(loadProcessorConfig({ ...BASE, SOFT_BOUNCE_THRESHOLD: '0' }).softBounceThreshold).toBe(0);
  });

  it('reads RECORDS_AT_ONCE (1 to 100)', () => {
    expect(loadProcessorConfig({ ...BASE, RECORDS_AT_ONCE: '100' }).recordsAtOnce).toBe(100);
    expect(() => loadProcessorConfig({ ...BASE, RECORDS_AT_ONCE: '101' })).toThrow(
      new ConfigError('RECORDS_AT_ONCE', 'must be between 1 and 100, got 101'),
    );
  });

  it('reads every setting', () => {
    const config = loadProcessorConfig({
      ...BASE,
      DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/dlq',
      EVENT_RETENTION_DAYS: '30',
      SOFT_BOUNCE_THRESHOLD: '5',
      SOFT_BOUNCE_WINDOW_DAYS: '7',
      SUPPRESS_ON_COMPLAINT: 'false',
      REPAIR_SES_FALSE_SUPPRESSIONS: 'TRUE',
      DRY_RUN: '1',
      ALLOWLIST_CACHE_SECONDS: '0',
    });
    expect(config).toMatchObject({
      deadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/1/dlq',
      eventRetentionDays: 30,
      softBounceThreshold: 5,
      softBounceWindowDays: 7,
      suppressOnComplaint: false,
      repairSesFalseSuppressions: true,
      dryRun: true,
      allowlistCacheSeconds: 0,
    });
  });

  it.each([
    [{ SUPPRESSION_QUEUE_URL: BASE.SUPPRESSION_QUEUE_URL }, 'TABLE_NAME: is required'],
    [{ TABLE_NAME: 'bounces' }, 'SUPPRESSION_QUEUE_URL: is required'],
    [{ ...BASE, SUPPRESSION_QUEUE_URL: 'queue' }, 'SUPPRESSION_QUEUE_URL: must be a URL'],
    [{ ...BASE, SOFT_BOUNCE_THRESHOLD: 'three' }, 'SOFT_BOUNCE_THRESHOLD: must be a whole number'],
    [{ ...BASE, SOFT_BOUNCE_THRESHOLD: '101' }, 'SOFT_BOUNCE_THRESHOLD: must be between 0 and 100'],
    [{ ...BASE, EVENT_RETENTION_DAYS: '-1' }, 'EVENT_RETENTION_DAYS: must be a whole number'],
    [{ ...BASE, DRY_RUN: 'yes' }, 'DRY_RUN: must be true or false'],
  ])('fails with the variable name: %j', (env, message) => {
    expect(() => loadProcessorConfig(env)).toThrow(ConfigError);
    expect(() => loadProcessorConfig(env)).toThrow(message);
  });
});

describe('loadWorkerConfig', () => {
  it('defaults to one SES call per second', () => {
    expect(loadWorkerConfig({ TABLE_NAME: 't' })).toEqual({
      tableName: 't',
      suppressionRatePerSecond: 1,
      dryRun: false,
      eventIndexes: 'v2',
    });
  });

  it('names the stages when EVENT_INDEXES is not one of them', () => {
    expect(() => loadWorkerConfig({ TABLE_NAME: 't', EVENT_INDEXES: 'v3' })).toThrow(
      new ConfigError(
        'EVENT_INDEXES',
        'must be one of v1, add-byTime2, add-byDomain2, v2-readers, drop-byTime, drop-byDomain, v2, got "v3"',
      ),
    );
  });

  it.each(['0', 'fast', '-2', '101'])('rejects SUPPRESSION_RATE_PER_SECOND=%s', (value) => {
    expect(() => loadWorkerConfig({ TABLE_NAME: 't', SUPPRESSION_RATE_PER_SECOND: value })).toThrow(
      /^SUPPRESSION_RATE_PER_SECOND: /,
    );
  });

  it('accepts fractional rates', () => {
    expect(
      loadWorkerConfig({ TABLE_NAME: 't', SUPPRESSION_RATE_PER_SECOND: '0.5' }).suppressionRatePerSecond,
    ).toBe(0.5);
  });
});

describe('loadPublisherConfig', () => {
  const BUS = 'arn:aws:events:eu-west-1:123456789012:event-bus/crm';

  it('publishes to the default bus unless a bus ARN is set', () => {
    expect(loadPublisherConfig({ TABLE_NAME: 'bounces' })).toEqual({
      tableName: 'bounces',
      eventBus: 'default',
    });
    expect(loadPublisherConfig({ TABLE_NAME: 'bounces', EVENT_BUS: BUS }).eventBus).toBe(BUS);
  });

  it.each(['none', 'crm', 'arn:aws:sns:eu-west-1:123456789012:topic'])(
    'refuses EVENT_BUS=%s by name',
    (value) => {
      expect(() => loadPublisherConfig({ TABLE_NAME: 'bounces', EVENT_BUS: value })).toThrow(
        new ConfigError('EVENT_BUS', `must be default or an event bus ARN, got "${value}"`),
      );
    },
  );
});
