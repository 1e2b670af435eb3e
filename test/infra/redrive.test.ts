// `ses-bounce redrive`: the exact SQS commands it sends for each way of naming a dead-letter queue.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CancelMessageMoveTaskCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ResourceNotFoundException,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../lambdas/cli/command.ts';
import { runRedrive } from '../../lambdas/cli/redrive.ts';
import { runWithCapturedIo } from '../support/cli-io.ts';

const FIXTURE = new URL('../fixtures/infra/cdk-outputs.json', import.meta.url);
const ACCOUNT_ARN = 'arn:aws:sqs:eu-west-1:123456789012';
const NOTIFICATION_QUEUE = `${ACCOUNT_ARN}:SesBounceProcessor-NotificationsQueue-AbC`;
const NOTIFICATION_DLQ = `${ACCOUNT_ARN}:SesBounceProcessor-NotificationsDeadLetterQueue-DeF`;
const SUPPRESSION_QUEUE = `${ACCOUNT_ARN}:SesBounceProcessor-SuppressionsQueue-GhI`;
const SUPPRESSION_DLQ = `${ACCOUNT_ARN}:SesBounceProcessor-SuppressionsDeadLetterQueue-JkL`;

const sqs = mockClient(SQSClient);
let dir: string;
let outputsFile: string;

function redrive(args: string[]) {
  return runWithCapturedIo((io) => runRedrive(args, io, new SQSClient({ region: 'eu-west-1' })));
}

beforeEach(async () => {
  sqs.reset();
  dir = await mkdtemp(join(tmpdir(), 'redrive-'));
  outputsFile = join(dir, 'cdk-outputs.json');
  await copyFile(FIXTURE, outputsFile);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ses-bounce redrive', () => {
  it('moves parked notifications back to the notification queue named in the stack outputs', async () => {
    // Prepare
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'handle-1' });
    // Act
    const result = await redrive(['--outputs', outputsFile]);
    // Assess
    expect(result.code).toBe(0);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand).map((call) => call.args[0].input)).toEqual([
      { SourceArn: NOTIFICATION_DLQ, DestinationArn: NOTIFICATION_QUEUE },
    ]);
    expect(sqs.calls()).toHaveLength(1);
    expect(result.stdout).toContain('task handle: handle-1');
  });

  it('moves parked suppression changes back to the suppression queue at the given rate', async () => {
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'handle-2' });
    const result = await redrive(['--outputs', outputsFile, '--queue', 'suppressions', '--rate', '5']);
    expect(result.code).toBe(0);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).toEqual({
      SourceArn: SUPPRESSION_DLQ,
      DestinationArn: SUPPRESSION_QUEUE,
      MaxNumberOfMessagesPerSecond: 5,
    });
  });

  it('resolves a dead-letter queue URL to its ARN and, without --to, lets SQS return messages to their sources', async () => {
    const url =
      'https://sqs.eu-west-1.amazonaws.com/123456789012/SesBounceProcessor-SuppressionsDeadLetterQueue-JkL';
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: SUPPRESSION_DLQ } });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'handle-3' });
    const result = await redrive(['--dlq', url]);
    expect(result.code).toBe(0);
    expect(sqs.commandCalls(GetQueueAttributesCommand)[0]?.args[0].input).toEqual({
      QueueUrl: url,
      AttributeNames: ['QueueArn'],
    });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).toEqual({
      SourceArn: SUPPRESSION_DLQ,
    });
    expect(result.stdout).toContain('their original source queues');
  });

  it('lists the move tasks of the dead-letter queue with --status and starts nothing', async () => {
    sqs.on(ListMessageMoveTasksCommand).resolves({
      Results: [
        {
          TaskHandle: 'handle-1',
          Status: 'RUNNING',
          SourceArn: NOTIFICATION_DLQ,
          DestinationArn: NOTIFICATION_QUEUE,
          ApproximateNumberOfMessagesMoved: 40,
          ApproximateNumberOfMessagesToMove: 100,
          StartedTimestamp: Date.UTC(2026, 10, 26, 14, 0, 0),
        },
        { Status: 'FAILED', SourceArn: NOTIFICATION_DLQ, FailureReason: 'AccessDenied', StartedTimestamp: 0 },
      ],
    });
    const result = await redrive(['--outputs', outputsFile, '--status']);
    expect(result.code).toBe(0);
    expect(sqs.commandCalls(ListMessageMoveTasksCommand)[0]?.args[0].input).toEqual({
      SourceArn: NOTIFICATION_DLQ,
      MaxResults: 10,
    });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
    expect(result.stdout).toMatch(/RUNNING\s+40\/100\s+started 2026-11-26T14:00:00.000Z/);
    expect(result.stdout).toContain('failure: AccessDenied');
  });

  it('cancels a task by its handle', async () => {
    sqs.on(CancelMessageMoveTaskCommand).resolves({ ApproximateNumberOfMessagesMoved: 7 });
    const result = await redrive(['--cancel', 'handle-1']);
    expect(result.code).toBe(0);
    expect(sqs.commandCalls(CancelMessageMoveTaskCommand)[0]?.args[0].input).toEqual({
      TaskHandle: 'handle-1',
    });
    expect(result.stdout).toContain('7 messages were moved');
  });

  it('reports what SQS refused and exits 1', async () => {
    sqs.on(StartMessageMoveTaskCommand).rejects(
      new ResourceNotFoundException({
        message: 'The resource that you specified does not exist.',
        $metadata: {},
      }),
    );
    const result = await redrive(['--dlq', NOTIFICATION_DLQ, '--to', NOTIFICATION_QUEUE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('SQS refused: ResourceNotFoundException');
  });

  it.each([
    [[], /--outputs FILE/],
    [['--outputs', 'missing.json'], /cannot read stack outputs/],
    [['--dlq', NOTIFICATION_DLQ, '--queue', 'notifications'], /either --dlq or --outputs/],
    [['--dlq', 'not-a-queue'], /neither a queue ARN nor a queue URL/],
    [['--dlq', NOTIFICATION_DLQ, '--rate', '0'], /--rate must be a whole number from 1 to 500/],
    [['--bogus'], /Unknown option/],
  ])('rejects %j as a usage error without calling SQS', async (args, message) => {
    await expect(redrive(args)).rejects.toThrow(UsageError);
    await expect(redrive(args)).rejects.toThrow(message);
    expect(sqs.calls()).toHaveLength(0);
  });

  it('rejects an unknown --queue and a stack missing from the outputs file', async () => {
    await expect(redrive(['--outputs', outputsFile, '--queue', 'bounces'])).rejects.toThrow(
      /--queue must be one of/,
    );
    await expect(redrive(['--outputs', outputsFile, '--stack', 'Other'])).rejects.toThrow(/no stack "Other"/);
  });
});
