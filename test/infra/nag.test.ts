// cdk-nag AwsSolutions runs over every setting combination in test/infra/permission-contract.test.ts (no finding
// unacknowledged, every acknowledgement with a written reason, test/infra/nag-findings.ts); this file proves the
// check is live.
import { App, Stack } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { nagFindings } from './nag-findings.ts';

describe('cdk-nag AwsSolutions', () => {
  it('does report a finding on a non-compliant resource (the check is live)', () => {
    const stack = new Stack(new App(), 'Control');
    new Queue(stack, 'Plain', { encryption: QueueEncryption.UNENCRYPTED });
    expect(nagFindings(stack).map((finding) => finding.rule)).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS2', 'AwsSolutions-SQS3', 'AwsSolutions-SQS4']),
    );
  });
});
