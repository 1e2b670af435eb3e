// `ses-bounce redrive-counters`: counts the stream batches the counter rollup gave up on (docs/data-model.md, "The
// counter rollup"). Each message of the rollup's failure queue names a batch (Lambda's DDBStreamBatchInfo); its
// records are read again from the stream and applied with the rollup's own domain code as a writer of their own,
// keyed by shard and range (its own guard on each counter item), so a message handled twice (a rerun, SQS
// delivering it again) counts nothing the second time. A message is deleted only after its batch is counted.

import { DynamoDBClient, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, DynamoDBStreamsServiceException } from '@aws-sdk/client-dynamodb-streams';
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
  SQSServiceException,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoCounterRollupStore, rolledChangeOf } from '../adapters/dynamo-counter-rollup.ts';
import { CorruptItemError } from '../adapters/dynamo-items.ts';
import {
  readStreamRange,
  type StreamRange,
  StreamRecordsGoneError,
} from '../adapters/dynamo-stream-reader.ts';
import { CONFIG_DEFAULTS, SETTING_BOUNDS } from '../config.ts';
import { counterKeyOf, counterWrites, type RolledChange, rollUp } from '../domain/counter-rollup.ts';
import {
  type CliIo,
  commandRegion,
  EXIT,
  parseCommandLine,
  readStackOutputs,
  stackOutput,
  TABLE_OUTPUT,
  UsageError,
  wholeNumberOption,
  writeText,
} from './command.ts';

/** The stack output (infra/stack.ts) naming the failure queue. */
const QUEUE_OUTPUT = 'CountersFailureQueueArn';
/** How long a received message stays hidden from other consumers (and from this run's next receives). */
const VISIBILITY_SECONDS = 300;
const retention = SETTING_BOUNDS.eventRetentionDays;

export const usage = `Usage: ses-bounce redrive-counters --outputs FILE [--stack NAME] [options]
       ses-bounce redrive-counters --queue-url URL --table NAME [options]

Counts the stream batches the counter rollup gave up on after its retries. Each message of the rollup's failure
queue (stack output ${QUEUE_OUTPUT}) names a batch: stream, shard and sequence range. The command reads those
records again from the table's stream (GetShardIterator AT_SEQUENCE_NUMBER, GetRecords through the range's end),
applies what the rollup had not counted before it gave up (its failed attempts note how far each counter item
got) with the rollup's own code as a writer of their own (redrive:<shard>:<range>: its own guard on each counter
item), and deletes the message only once they are counted. Safe to interrupt and to run again: a batch already counted
counts nothing. Fix the cause first (the rollup's logs say why it failed); a batch that fails again stays queued.

DynamoDB Streams keeps records 24 hours. A batch whose records are gone is reported and its message left in the
queue: those counts cannot be recovered from the stream (delete the message once you have noted it).

Which queue and table (either --outputs or --queue-url with --table, not both):
  --outputs FILE        stack outputs written by \`cdk deploy --outputs-file FILE\` (${QUEUE_OUTPUT}, ${TABLE_OUTPUT})
  --stack NAME          stack in that file (default: the only one, or SesBounceProcessor)
  --queue-url URL       the failure queue given directly
  --table NAME          the table given directly

Options:
  --retention-days N    the deployed eventRetentionDays (EVENT_RETENTION_DAYS; default ${CONFIG_DEFAULTS.eventRetentionDays})
  --dry-run             read the batches and say what would be counted; write and delete nothing
  --region REGION       AWS region (default: AWS_REGION, else the region of the queue ARN in --outputs, else
                        the profile's)
  -h, --help            show this help

IAM (operator credentials): sqs:GetQueueUrl (with --outputs), sqs:ReceiveMessage, sqs:DeleteMessage on the
failure queue; dynamodb:GetShardIterator, dynamodb:GetRecords on the table's stream; dynamodb:GetItem,
dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:Query on the table (checkpoint marks, counters, the rollup's notes).
One line per batch: shard, range and numbers only (no addresses).

Exit status: 0 every batch counted (or nothing queued); 1 some batch was not (its message stays; line printed);
2 usage error.`;

export interface RedriveCountersDependencies {
  sqs: SQSClient;
  streams: DynamoDBStreamsClient;
  dynamo: DynamoDBDocumentClient;
  now(): Date;
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const region = await commandRegion(parseOptions(args));
  const config = region === undefined ? {} : { region };
  const sqs = new SQSClient(config);
  const streams = new DynamoDBStreamsClient(config);
  const raw = new DynamoDBClient(config);
  try {
    return await runRedriveCounters(args, io, {
      sqs,
      streams,
      dynamo: DynamoDBDocumentClient.from(raw),
      now: () => new Date(),
    });
  } finally {
    sqs.destroy();
    streams.destroy();
    raw.destroy();
  }
}

function parseOptions(args: string[]) {
  return parseCommandLine({
    args,
    allowPositionals: false,
    options: {
      outputs: { type: 'string' },
      stack: { type: 'string' },
      'queue-url': { type: 'string' },
      table: { type: 'string' },
      'retention-days': { type: 'string' },
      'dry-run': { type: 'boolean' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

/** The failure record's batch: Lambda's DDBStreamBatchInfo, or null for a message that is not one. */
function batchOf(message: Message): StreamRange | null {
  try {
    const info = (JSON.parse(message.Body ?? '') as { DDBStreamBatchInfo?: Record<string, unknown> })
      .DDBStreamBatchInfo;
    const text = (name: string) => (typeof info?.[name] === 'string' ? (info[name] as string) : undefined);
    const [streamArn, shardId, startSequenceNumber, endSequenceNumber] = [
      text('streamArn'),
      text('shardId'),
      text('startSequenceNumber'),
      text('endSequenceNumber'),
    ];
    if (!streamArn || !shardId || !startSequenceNumber || !endSequenceNumber) return null;
    if (!/^\d+$/.test(startSequenceNumber) || !/^\d+$/.test(endSequenceNumber)) return null;
    return { streamArn, shardId, startSequenceNumber, endSequenceNumber };
  } catch {
    return null;
  }
}

/** The redrive's own writer: one per shard and range, so each failed batch is counted once. */
export function redriveCheckpointId(range: StreamRange): string {
  return `redrive:${range.shardId}:${range.startSequenceNumber}-${range.endSequenceNumber}`;
}

interface BatchOutcome {
  counted: boolean;
  line: string;
}

/** The command with its clients and clock injected (tests pass mocked SQS/Streams and a local table). */
export async function runRedriveCounters(
  args: string[],
  io: CliIo,
  deps: RedriveCountersDependencies,
): Promise<number> {
  const options = parseOptions(args);
  if (options.help) {
    await writeText(io.stdout, `${usage}\n`);
    return EXIT.ok;
  }
  const retentionDays = wholeNumberOption(
    'retention-days',
    options['retention-days'] ?? String(CONFIG_DEFAULTS.eventRetentionDays),
    retention.min,
    retention.max,
  );
  const dryRun = options['dry-run'] === true;
  const target = await resolveTarget(options);
  const store = new DynamoCounterRollupStore(deps.dynamo, {
    tableName: target.table,
    eventRetentionDays: retentionDays,
    now: deps.now,
  });
  try {
    const queueUrl = target.queueUrl ?? (await queueUrlOf(deps.sqs, target.queueArn));
    await writeText(
      io.stdout,
      `${dryRun ? 'Dry run (nothing is written or deleted): ' : ''}failed counter batches in ${queueUrl}, table ${target.table}\n`,
    );
    const seen = new Set<string>();
    let counted = 0;
    let kept = 0;
    for (;;) {
      const { Messages = [] } = await deps.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: VISIBILITY_SECONDS,
          WaitTimeSeconds: 1,
        }),
      );
      const fresh = Messages.filter((m) => m.MessageId === undefined || !seen.has(m.MessageId));
      if (fresh.length === 0) break;
      for (const message of fresh) {
        if (message.MessageId !== undefined) seen.add(message.MessageId);
        const outcome = await redriveMessage(message, { deps, store, queueUrl, dryRun });
        await writeText(io.stdout, `${outcome.line}\n`);
        if (outcome.counted) counted += 1;
        else kept += 1;
      }
    }
    await writeText(
      io.stdout,
      `Done: ${counted} batches ${dryRun ? 'read' : 'counted and deleted'}, ${kept} left in the queue\n`,
    );
    return kept === 0 ? EXIT.ok : EXIT.inputErrors;
  } catch (error) {
    if (
      error instanceof SQSServiceException ||
      error instanceof DynamoDBServiceException ||
      error instanceof DynamoDBStreamsServiceException
    ) {
      await writeText(
        io.stderr,
        `ses-bounce redrive-counters: AWS refused: ${error.name}: ${error.message}\n` +
          'What was counted stays counted (and its message deleted); run the command again to go on.\n',
      );
      return EXIT.inputErrors;
    }
    throw error;
  }
}

async function redriveMessage(
  message: Message,
  context: {
    deps: RedriveCountersDependencies;
    store: DynamoCounterRollupStore;
    queueUrl: string;
    dryRun: boolean;
  },
): Promise<BatchOutcome> {
  const { deps, store, queueUrl, dryRun } = context;
  const range = batchOf(message);
  if (range === null) {
    return {
      counted: false,
      line: `message ${message.MessageId ?? '?'}: not a DynamoDB stream failure record (no DDBStreamBatchInfo); left in the queue`,
    };
  }
  const name = `${range.shardId} ${range.startSequenceNumber}..${range.endSequenceNumber}`;
  let records: Awaited<ReturnType<typeof readStreamRange>>;
  try {
    records = await readStreamRange(deps.streams, range);
  } catch (error) {
    if (!(error instanceof StreamRecordsGoneError)) throw error;
    return {
      counted: false,
      line:
        `${name}: RECORDS GONE: the stream no longer holds this batch (older than 24 hours); its counts cannot ` +
        `be recovered from the stream. Message left in the queue (${error.message})`,
    };
  }
  // What the rollup counted of the batch before it gave up (its failed attempts noted how far each item got).
  const countedByRollup = await store.countedOfFailedBatch(
    range.shardId,
    range.startSequenceNumber,
    range.endSequenceNumber,
  );
  const onItem = (sequence: bigint, key: string) => {
    const guard = countedByRollup.guards[key];
    return guard !== undefined && sequence <= BigInt(guard);
  };
  const changes: RolledChange[] = [];
  let skipped = 0;
  let before = 0;
  for (const record of records) {
    const sequence = BigInt(record.dynamodb?.SequenceNumber ?? '0');
    if (countedByRollup.through !== null && sequence <= BigInt(countedByRollup.through)) {
      before += 1;
      continue;
    }
    try {
      const change = rolledChangeOf(record);
      const deltas = change.deltas.filter((delta) => !onItem(sequence, counterKeyOf(delta)));
      if (deltas.length < change.deltas.length) before += 1;
      changes.push({ ...change, deltas });
    } catch (error) {
      if (!(error instanceof CorruptItemError)) throw error;
      skipped += 1;
    }
  }
  const writer = redriveCheckpointId(range);
  const corrupt =
    (before === 0
      ? ''
      : `, ${before} counted (on some or all of their counters) by the rollup before it gave up`) +
    (skipped === 0 ? '' : `, ${skipped} with a corrupt image skipped`);
  if (dryRun) {
    const counted = await store.countedBeforeReadOnly(writer);
    const pending = changes.filter((change) => counted === null || BigInt(change.sequence) > BigInt(counted));
    return {
      counted: true,
      line: `${name}: ${records.length} records read${corrupt}; would count ${pending.length} at most (${counterWrites(pending).length} counter writes at most)`,
    };
  }
  const applied = await rollUp(writer, changes, store);
  await deps.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
  const already = applied.records === 0 && changes.length > 0 ? ' (already counted before)' : '';
  return {
    counted: true,
    line: `${name}: ${records.length} records read${corrupt}; ${applied.records} counted${already} (${applied.counters} counter writes); message deleted`,
  };
}

type Target = { table: string } & (
  | { queueUrl: string; queueArn?: never }
  | { queueUrl?: never; queueArn: string }
);

async function resolveTarget(options: ReturnType<typeof parseOptions>): Promise<Target> {
  if (options.outputs === undefined) {
    if (options['queue-url'] === undefined || options.table === undefined) {
      throw new UsageError(
        'say which queue and table: --outputs FILE (from `cdk deploy --outputs-file`) or --queue-url URL --table NAME',
      );
    }
    return { queueUrl: options['queue-url'], table: options.table };
  }
  if (options['queue-url'] !== undefined || options.table !== undefined) {
    throw new UsageError('give either --outputs or --queue-url/--table, not both');
  }
  const outputs = await readStackOutputs(options.outputs, options.stack);
  const table = stackOutput(outputs, TABLE_OUTPUT, options.outputs);
  return { queueArn: stackOutput(outputs, QUEUE_OUTPUT, options.outputs), table };
}

/** arn:aws:sqs:REGION:ACCOUNT:NAME -> the queue's URL. */
async function queueUrlOf(client: SQSClient, arn: string): Promise<string> {
  const [, , , , account, name] = arn.split(':');
  if (account === undefined || name === undefined) throw new UsageError(`"${arn}" is not a queue ARN`);
  const out = await client.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }));
  if (out.QueueUrl === undefined) throw new UsageError(`SQS returned no URL for ${arn}`);
  return out.QueueUrl;
}
