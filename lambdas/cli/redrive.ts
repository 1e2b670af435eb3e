// `ses-bounce redrive`: moves parked messages from a dead-letter queue back to their work queue with SQS's own
// message move task (StartMessageMoveTask), lists move tasks (--status) and cancels one (--cancel).

import {
  CancelMessageMoveTaskCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  SQSClient,
  SQSServiceException,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import {
  type CliIo,
  commandRegion,
  EXIT,
  parseCommandLine,
  readStackOutputs,
  UsageError,
  wholeNumberOption,
  writeText,
} from './command.ts';

export const usage = `Usage: ses-bounce redrive [--queue notifications|suppressions] --outputs FILE [--stack NAME]
       ses-bounce redrive --dlq ARN|URL [--to ARN|URL]
       ses-bounce redrive ... --status | --cancel TASK_HANDLE

Moves the messages parked in a dead-letter queue back to the queue they belong to, using SQS's message move
task (StartMessageMoveTask), and prints the task handle. Fix the cause first (see the processor's logs for the
reason each message was parked): a message that fails again is parked again.

Which dead-letter queue:
  --outputs FILE     stack outputs written by \`cdk deploy --outputs-file FILE\`
  --stack NAME       stack in that file (default: the only one, or SesBounceProcessor)
  --queue NAME       notifications (default): parked SES notifications -> the notification queue
                     suppressions: parked suppression-list changes -> the suppression queue
  --dlq ARN|URL      a dead-letter queue given directly
  --to ARN|URL       destination (default with --dlq: each message's original source queue)

Options:
  --rate N           at most N messages per second (1-500; default: SQS chooses)
  --status           list the dead-letter queue's recent move tasks instead of starting one
  --cancel HANDLE    cancel a running move task
  --region REGION    AWS region (default: AWS_REGION, else the queue ARN's region, else the profile's)
  -h, --help         show this help

Exit status: 0 done; 1 SQS refused the request (message printed); 2 usage error.`;

/** Which queues of the stack outputs a `--queue` name means (output keys of infra/stack.ts). */
export const STACK_QUEUES = {
  notifications: { source: 'NotificationDeadLetterQueueArn', destination: 'NotificationQueueArn' },
  suppressions: { source: 'SuppressionDeadLetterQueueArn', destination: 'SuppressionQueueArn' },
} as const;

interface MoveTarget {
  source: string;
  destination: string | undefined;
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const options = parseOptions(args);
  const region = await commandRegion({ ...options, queue: options.dlq });
  const client = new SQSClient(region === undefined ? {} : { region });
  try {
    return await runRedrive(args, io, client);
  } finally {
    client.destroy();
  }
}

function parseOptions(args: string[]) {
  return parseCommandLine({
    args,
    allowPositionals: false,
    options: {
      outputs: { type: 'string' },
      stack: { type: 'string' },
      queue: { type: 'string' },
      dlq: { type: 'string' },
      to: { type: 'string' },
      rate: { type: 'string' },
      status: { type: 'boolean' },
      cancel: { type: 'string' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

/** The command with its SQS client injected (tests pass a mocked one). */
export async function runRedrive(args: string[], io: CliIo, client: SQSClient): Promise<number> {
  const options = parseOptions(args);
  if (options.help) {
    await writeText(io.stdout, `${usage}\n`);
    return EXIT.ok;
  }
  if (options.cancel !== undefined) {
    return withSqsErrors(io, async () => {
      const out = await client.send(new CancelMessageMoveTaskCommand({ TaskHandle: options.cancel }));
      await writeText(
        io.stdout,
        `Cancelled; ${out.ApproximateNumberOfMessagesMoved ?? 0} messages were moved.\n`,
      );
    });
  }
  const rate = parseRate(options.rate);
  const target = await resolveTarget(options);
  return withSqsErrors(io, async () => {
    const source = await queueArn(client, target.source);
    if (options.status) {
      const out = await client.send(new ListMessageMoveTasksCommand({ SourceArn: source, MaxResults: 10 }));
      await writeText(io.stdout, formatTasks(source, out.Results ?? []));
      return;
    }
    const destination =
      target.destination === undefined ? undefined : await queueArn(client, target.destination);
    const out = await client.send(
      new StartMessageMoveTaskCommand({
        SourceArn: source,
        ...(destination === undefined ? {} : { DestinationArn: destination }),
        ...(rate === undefined ? {} : { MaxNumberOfMessagesPerSecond: rate }),
      }),
    );
    await writeText(
      io.stdout,
      `Started moving messages from ${source}\n  to ${destination ?? 'their original source queues'}\n` +
        `  task handle: ${out.TaskHandle ?? '(none returned)'}\n` +
        `Follow it with: ses-bounce redrive --dlq ${source} --status\n`,
    );
  });
}

function parseRate(raw: string | undefined): number | undefined {
  return raw === undefined ? undefined : wholeNumberOption('rate', raw, 1, 500);
}

async function resolveTarget(options: ReturnType<typeof parseOptions>): Promise<MoveTarget> {
  if (options.dlq !== undefined) {
    if (options.outputs !== undefined || options.queue !== undefined) {
      throw new UsageError('give either --dlq or --outputs/--queue, not both');
    }
    return { source: options.dlq, destination: options.to };
  }
  if (options.outputs === undefined) {
    throw new UsageError(
      'say which dead-letter queue: --outputs FILE (from `cdk deploy --outputs-file`) or --dlq ARN',
    );
  }
  const queueName = options.queue ?? 'notifications';
  if (!Object.hasOwn(STACK_QUEUES, queueName)) {
    throw new UsageError(
      `--queue must be one of ${Object.keys(STACK_QUEUES).join(', ')}, got "${queueName}"`,
    );
  }
  const keys = STACK_QUEUES[queueName as keyof typeof STACK_QUEUES];
  const outputs = await readStackOutputs(options.outputs, options.stack);
  const source = outputs[keys.source];
  const destination = outputs[keys.destination];
  if (source === undefined || destination === undefined) {
    throw new UsageError(
      `${options.outputs} lacks ${keys.source} or ${keys.destination}; redeploy to refresh it`,
    );
  }
  return { source, destination: options.to ?? destination };
}

/** SQS's move task APIs take ARNs; accept a queue URL too. */
async function queueArn(client: SQSClient, queue: string): Promise<string> {
  if (queue.startsWith('arn:')) return queue;
  if (!/^https?:\/\//.test(queue)) throw new UsageError(`"${queue}" is neither a queue ARN nor a queue URL`);
  const out = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queue, AttributeNames: ['QueueArn'] }),
  );
  const arn = out.Attributes?.QueueArn;
  if (arn === undefined) throw new UsageError(`SQS returned no ARN for ${queue}`);
  return arn;
}

function formatTasks(source: string, tasks: readonly ListMessageMoveTasksResultEntry[]): string {
  if (tasks.length === 0) return `No move tasks for ${source}.\n`;
  const lines = tasks.map((task) => {
    const started = task.StartedTimestamp === undefined ? '?' : new Date(task.StartedTimestamp).toISOString();
    const progress = `${task.ApproximateNumberOfMessagesMoved ?? 0}/${task.ApproximateNumberOfMessagesToMove ?? '?'}`;
    const failure = task.FailureReason === undefined ? '' : `  failure: ${task.FailureReason}`;
    const handle = task.TaskHandle === undefined ? '' : `  handle: ${task.TaskHandle}`;
    return `${(task.Status ?? '?').padEnd(10)} ${progress.padEnd(12)} started ${started}  -> ${task.DestinationArn ?? 'original sources'}${handle}${failure}`;
  });
  return `Move tasks of ${source} (newest first):\n${lines.join('\n')}\n`;
}

async function withSqsErrors(io: CliIo, action: () => Promise<void>): Promise<number> {
  try {
    await action();
    return EXIT.ok;
  } catch (error) {
    if (error instanceof SQSServiceException) {
      await writeText(io.stderr, `ses-bounce redrive: SQS refused: ${error.name}: ${error.message}\n`);
      return EXIT.inputErrors;
    }
    throw error;
  }
}
