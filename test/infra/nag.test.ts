// cdk-nag AwsSolutions checks over the whole stack in its default and fully optioned shapes: no finding may be
// left unacknowledged, and every acknowledgement carries a written reason.
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { synthesize, TEST_ENV } from './synth.ts';

const findings = (scope: IConstruct) =>
  new AwsSolutionsChecks().validateScope(scope).violations.map((violation) => ({
    rule: violation.ruleName,
    severity: violation.severity,
    resources: violation.violatingResources.map((resource) => resource.constructPath),
  }));

const acknowledgements = (scope: IConstruct) =>
  scope.node
    .findAll()
    .flatMap((construct) => construct.node.metadata)
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, unknown>));

const defaultStack = synthesize().stack;
const optionedStack = synthesize({
  notificationIdentities: 'example.com',
  apiAuthorization: 'cognito',
  apiCognitoUserPoolArn: `arn:aws:cognito-idp:${TEST_ENV.region}:${TEST_ENV.account}:userpool/${TEST_ENV.region}_AbCdEf123`,
  apiCognitoAdminScopes: 'bounces/admin',
  apiCorsAllowOrigins: 'https://admin.example.com',
  alarmEmail: 'ops@example.com',
}).stack;

describe('cdk-nag AwsSolutions', () => {
  it('reports nothing unacknowledged for the default stack', () => {
    expect(findings(defaultStack)).toEqual([]);
  });

  it('reports nothing unacknowledged with identity notifications, Cognito, CORS and an alarm e-mail', () => {
    expect(findings(optionedStack)).toEqual([]);
  });

  it('does report a finding on a non-compliant resource (the check is live)', () => {
    const stack = new Stack(new App(), 'Control');
    new Queue(stack, 'Plain', { encryption: QueueEncryption.UNENCRYPTED });
    expect(findings(stack).map((finding) => finding.rule)).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS2', 'AwsSolutions-SQS3', 'AwsSolutions-SQS4']),
    );
  });

  it('has a written reason for every acknowledgement', () => {
    const acknowledged = [...acknowledgements(defaultStack), ...acknowledgements(optionedStack)];
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [rule, detail] of acknowledged) {
      expect(rule).toMatch(/AwsSolutions-/);
      expect(typeof detail).toBe('string');
      expect(String(detail).length, `reason for ${rule}`).toBeGreaterThan(80);
    }
  });
});
