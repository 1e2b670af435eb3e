// Settings from CDK context: defaults, coercion of `-c key=value` strings, and errors that name the bad setting.
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  InvalidSettingError,
  resolveSettings,
  settingsFromContext,
} from '../../infra/props.ts';

const USER_POOL_ARN = 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123';

describe('resolveSettings', () => {
  it('returns the documented defaults when nothing is set', () => {
    expect(resolveSettings({})).toEqual({
      ...DEFAULT_SETTINGS,
      tableName: undefined,
      existingTopicArn: undefined,
      alarmEmail: undefined,
    });
    expect(DEFAULT_SETTINGS).toMatchObject({
      eventRetentionDays: 60,
      softBounceThreshold: 3,
      softBounceWindowDays: 14,
      suppressOnComplaint: true,
      repairSesFalseSuppressions: false,
      dryRun: false,
      suppressionRatePerSecond: 1,
      apiAuthorization: { type: 'iam' },
      apiCorsAllowOrigins: [],
    });
  });

  it('refuses a recipient retention shorter than the event retention or the soft-bounce window', () => {
    expect(
      resolveSettings({ eventRetentionDays: 60, recipientRetentionDays: '90' }).recipientRetentionDays,
    ).toBe(90);
    expect(() => resolveSettings({ eventRetentionDays: 60, recipientRetentionDays: 30 })).toThrow(
      /recipientRetentionDays: must be at least eventRetentionDays \(60\) and softBounceWindowDays \(14\), got 30/,
    );
    expect(() => resolveSettings({ recipientRetentionDays: 0 })).toThrow(InvalidSettingError);
  });

  it('keeps the default alarm thresholds well below the SES review levels (5% bounces, 0.1% complaints)', () => {
    expect(DEFAULT_SETTINGS.alarmHardBounceRate).toBeLessThanOrEqual(0.05 / 2);
    expect(DEFAULT_SETTINGS.alarmComplaintRate).toBeLessThanOrEqual(0.001 / 2);
  });

  it('coerces command-line strings into numbers, booleans and lists', () => {
    const settings = resolveSettings({
      softBounceThreshold: '5',
      dryRun: 'true',
      suppressOnComplaint: 'false',
      notificationIdentities: 'example.com, news@example.org,',
      logRetentionDays: '90',
      alarmComplaintRate: '0.0003',
    });
    expect(settings).toMatchObject({
      softBounceThreshold: 5,
      dryRun: true,
      suppressOnComplaint: false,
      notificationIdentities: ['example.com', 'news@example.org'],
      logRetentionDays: RetentionDays.THREE_MONTHS,
      alarmComplaintRate: 0.0003,
    });
  });

  it('accepts JSON values as cdk.json gives them', () => {
    const settings = resolveSettings({
      dryRun: true,
      notificationIdentities: ['example.com'],
      processorMaxConcurrency: 20,
    });
    expect(settings).toMatchObject({
      dryRun: true,
      notificationIdentities: ['example.com'],
      processorMaxConcurrency: 20,
    });
  });

  it('builds a Cognito authorization from the flattened settings', () => {
    expect(
      resolveSettings({
        apiAuthorization: 'cognito',
        apiCognitoUserPoolArn: USER_POOL_ARN,
        apiCognitoScopes: 'a/read,a/list',
        apiCognitoAdminScopes: 'a/admin',
      }).apiAuthorization,
    ).toEqual({
      type: 'cognito',
      userPoolArn: USER_POOL_ARN,
      scopes: ['a/read', 'a/list'],
      adminScopes: ['a/admin'],
    });
  });

  it.each([
    [{ softBounceThreshold: 'three' }, /softBounceThreshold/],
    [{ dryRun: 'maybe' }, /dryRun: expected true or false/],
    [
      { suppressionRatePerSecond: '2' },
      /suppressionRatePerSecond: SES allows 1 suppression-list call per second/,
    ],
    [{ processorMaxConcurrency: 1 }, /processorMaxConcurrency/],
    [{ logRetentionDays: 42 }, /logRetentionDays: one of 1, 3, 5/],
    [{ alarmComplaintRate: '5' }, /alarmComplaintRate/],
    [{ alarmEmail: 'not-an-address' }, /alarmEmail/],
    [{ existingTopicArn: 'arn:aws:sqs:eu-west-1:123456789012:queue' }, /existingTopicArn: an SNS topic ARN/],
    [{ configurationSetName: 'has spaces' }, /configurationSetName/],
    [{ apiAuthorization: 'jwt' }, /apiAuthorization/],
    [{ apiAuthorization: 'cognito' }, /apiCognitoUserPoolArn: a Cognito user pool ARN is required/],
    [
      { apiAuthorization: 'cognito', apiCognitoUserPoolArn: USER_POOL_ARN, apiCognitoScopes: 'a/read' },
      /apiCognitoAdminScopes: with apiAuthorization "cognito", name the OAuth scope/,
    ],
    [
      {
        apiAuthorization: 'cognito',
        apiCognitoUserPoolArn: USER_POOL_ARN,
        apiCognitoScopes: 'a/read,a/admin',
        apiCognitoAdminScopes: 'a/admin',
      },
      /apiCognitoAdminScopes: a\/admin is also a read scope/,
    ],
    [{ apiCognitoAdminScopes: 'a/admin' }, /apiCognitoAdminScopes is set but apiAuthorization is "iam"/],
    [
      { useExistingConfigurationSet: 'true' },
      /configurationSetName: the name of the existing configuration set is required/,
    ],
    [{ apiCognitoUserPoolArn: USER_POOL_ARN }, /apiCognitoUserPoolArn is set but apiAuthorization is "iam"/],
    [{ dryrun: 'true' }, /Unknown setting\(s\): dryrun/],
    [{ apiCorsAllowOrigins: 'https://app.example.com/ui' }, /apiCorsAllowOrigins\.0: origins like/],
    [{ apiCorsAllowOrigins: 'https://a.example.com,b.example.com' }, /apiCorsAllowOrigins\.1: origins like/],
  ])('rejects %j naming the setting', (raw, message) => {
    expect(() => resolveSettings(raw)).toThrow(InvalidSettingError);
    expect(() => resolveSettings(raw)).toThrow(message);
  });

  it('refuses the soft-bounce streak policy without deliveries, saying why; accepts it turned off', () => {
    expect(() => resolveSettings({ publishDeliveryEvents: 'false' })).toThrow(
      new InvalidSettingError(
        'publishDeliveryEvents: false hides every delivery from the processor, so the soft-bounce streak policy ' +
          '(softBounceThreshold 3 within softBounceWindowDays 14) would take soft bounces with successful ' +
          'deliveries between them for one run and suppress mailboxes that still accept mail (a mailbox full now ' +
          'and then). Publish deliveries (with deliveryHistory "none" a delivery is only counted; ' +
          'infra/README.md "Cost per million sent emails"), or turn soft-bounce suppression off with ' +
          'softBounceThreshold: 0.',
      ),
    );
    expect(resolveSettings({ publishDeliveryEvents: 'false', softBounceThreshold: '0' })).toMatchObject({
      publishDeliveryEvents: false,
      softBounceThreshold: 0,
    });
    expect(resolveSettings({ softBounceThreshold: 0 })).toMatchObject({ softBounceThreshold: 0 });
  });

  it('takes processor batches of 1 to 10,000 messages, above 10 only with a batching window of 0 to 300 s', () => {
    expect(resolveSettings({ processorBatchSize: '10000', processorMaxBatchingWindow: '300' })).toMatchObject(
      {
        processorBatchSize: 10_000,
        processorMaxBatchingWindow: 300,
      },
    );
    expect(resolveSettings({ processorBatchSize: 10, processorMaxBatchingWindow: 0 })).toMatchObject({
      processorMaxBatchingWindow: 0,
    });
    expect(() => resolveSettings({ processorBatchSize: '11', processorMaxBatchingWindow: '0' })).toThrow(
      new InvalidSettingError(
        'processorBatchSize: 11 needs processorMaxBatchingWindow of at least 1 second (an SQS event source takes ' +
          'more than 10 messages per batch only with a batching window).',
      ),
    );
    expect(() => resolveSettings({ processorMaxBatchingWindow: '301' })).toThrow(
      /processorMaxBatchingWindow/,
    );
    expect(() => resolveSettings({ processorBatchSize: '10001' })).toThrow(/processorBatchSize/);
  });

  it('defaults to batches of up to 100 messages gathered for 60 s and a counter rollup window of 300 s (1 to 300)', () => {
    expect(resolveSettings({})).toMatchObject({
      processorBatchSize: 100,
      processorMaxBatchingWindow: 60,
      counterRollupWindow: 300,
    });
    expect(resolveSettings({ counterRollupWindow: '1' })).toMatchObject({ counterRollupWindow: 1 });
    expect(() => resolveSettings({ counterRollupWindow: '0' })).toThrow(/counterRollupWindow/);
    expect(() => resolveSettings({ counterRollupWindow: '301' })).toThrow(/counterRollupWindow/);
  });

  it.each([
    ['processorMaxBatchingWindow', ''],
    ['processorBatchSize', ' '],
    ['alarmComplaintRate', ''],
    ['processorMaxConcurrency', null],
  ])('refuses an empty number (%s=%j) by name instead of taking it for 0', (key, value) => {
    expect(() => resolveSettings({ [key]: value })).toThrow(
      `${key}: expected a number (got ${JSON.stringify(value)})`,
    );
  });

  it.each(['no', 'yes', 'off', 'on', '1', '0', 'TRUE', ''])(
    'accepts only true or false as a boolean, not %j (infra/README documents true/false)',
    (value) => {
      expect(() => resolveSettings({ dryRun: value })).toThrow(
        `dryRun: expected true or false (got ${JSON.stringify(value)})`,
      );
    },
  );

  it('reports every bad setting at once', () => {
    expect(() => resolveSettings({ softBounceThreshold: '101', softBounceWindowDays: 'x' })).toThrow(
      /softBounceThreshold[\s\S]*softBounceWindowDays/,
    );
  });
});

describe('settingsFromContext', () => {
  it('reads only known settings from context and ignores feature flags', () => {
    const context: Record<string, unknown> = {
      '@aws-cdk/core:checkSecretUsage': true,
      dryRun: 'true',
      configurationSetName: 'marketing',
    };
    const settings = settingsFromContext((key) => context[key]);
    expect(settings).toMatchObject({ dryRun: true, configurationSetName: 'marketing' });
  });
});
