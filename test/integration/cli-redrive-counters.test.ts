// `ses-bounce redrive-counters` with the real store (dynalite behind the transaction front) for the counters, and
// SQS and DynamoDB Streams mocked: the failure queue holds Lambda's failure records of batches the counter rollup
// gave up on, the stream serves the table's own records (every change, as GetRecords does, not only the rollup's
// filtered ones). A batch redriven once counts exactly its records; a rerun counts nothing; a batch whose records
// the stream no longer holds is reported and its message kept.

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  type _Record,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, SQSBatchResponse } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createCounterRollupHandler } from '../../lambdas/adapters/counter-rollup-lambda.ts';
import { DynamoCounterRollupStore } from '../../lambdas/adapters/dynamo-counter-rollup.ts';
import { COUNTER_SHARDS, keys } from '../../lambdas/adapters/table-definition.ts';
import { EXIT } from '../../lambdas/cli/command.ts';
import { main } from '../../lambdas/cli/main.ts';
import { runRedriveCounters } from '../../lambdas/cli/redrive-counters.ts';
import { LOCAL_SHARD_ID } from '../../local/event-stream.ts';
import { runWithCapturedIo } from '../support/cli-io.ts';
import {
  bounceVariant,
  deliveryFor,
  type ProcessorStack,
  snsEnvelope,
  sqsEvent,
  sqsRecord,
  startProcessorStack,
  TABLE,
} from '../support/processor-harness.ts';

const DAY = '2026-11-26';
const STREAM_ARN = `arn:aws:dynamodb:eu-west-1:111122223333:table/${TABLE}/stream/2026-11-01T00:00:00.000`;
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111122223333/counters-failures';
const PAGE = 4;

const sqs = mockClient(SQSClient);
const streams = mockClient(DynamoDBStreamsClient);
let stack: ProcessorStack;
/** Every change of the table, in stream order, as the stream holds them. */
let records: DynamoDBRecord[];

beforeEach(async () => {
  sqs.reset();
  streams.reset();
  stack = await startProcessorStack({ ownStream: true }); // no rollup runs: the counters are the redrive's
  records = [];
  stack.rollup.stream.attach(
    async (event) => {
      records.push(...event.Records);
    },
    { name: 'the whole stream' },
  );
});

afterEach(async () => {
  await stack.close();
});

/** 8 deliveries to new addresses (4 per domain) and 3 hard bounces to gmail.com: 11 counted events. */
async function workload() {
  const bodies: string[] = [];
  for (let i = 0; i < 8; i += 1) {
    const domain = i % 2 === 0 ? 'gmail.com' : 'yahoo.com';
    bodies.push(await deliveryFor(`reader${i}@${domain}`, `${DAY}T10:00:0${i}.000Z`, `m-${i}`));
  }
  for (let i = 0; i < 3; i += 1) {
    bodies.push(
      await bounceVariant({
        feedbackId: `fb-${i}`,
        timestamp: `${DAY}T11:00:0${i}.000Z`,
        email: `gone${i}@gmail.com`,
      }),
    );
  }
  const result = (await stack.processor(
    sqsEvent(bodies.map((body, i) => sqsRecord(snsEnvelope(body, `sns-${i}`), `q-${i}`))),
  )) as SQSBatchResponse;
  expect(result.batchItemFailures).toEqual([]);
  await stack.rollup.stream.idle();
}

const EXPECTED = {
  total: { events: 11, 'type:delivery': 8, 'type:bounce': 3 },
  perDomain: { 'gmail.com': 7, 'yahoo.com': 4 },
};

async function counters() {
  const total: Record<string, number> = {};
  const perDomain: Record<string, number> = {};
  for (let shard = 0; shard < COUNTER_SHARDS; shard += 1) {
    for (const item of await stack.queryAll(keys.dayCounter(DAY, shard).pk))
      for (const name of ['events', 'type:delivery', 'type:bounce'])
        total[name] = (total[name] ?? 0) + Number(item[name] ?? 0);
    for (const item of await stack.queryAll(keys.domainDayCounter(DAY, '', shard).pk))
      perDomain[String(item.domain)] = (perDomain[String(item.domain)] ?? 0) + Number(item.events ?? 0);
  }
  return { total, perDomain };
}

const sequenceOf = (record: DynamoDBRecord | undefined) => record?.dynamodb?.SequenceNumber ?? '';

/** Lambda's failure record of a batch from record `from` through record `to` (indexes into `records`). */
function failureMessage(id: string, from: number, to: number) {
  return {
    MessageId: id,
    ReceiptHandle: `receipt-${id}`,
    Body: JSON.stringify({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 21 },
      version: '1.0',
      timestamp: `${DAY}T12:00:00.000Z`,
      DDBStreamBatchInfo: {
        shardId: LOCAL_SHARD_ID,
        startSequenceNumber: sequenceOf(records[from]),
        endSequenceNumber: sequenceOf(records[to]),
        batchSize: to - from + 1,
        streamArn: STREAM_ARN,
      },
    }),
  };
}

/** The stream as GetShardIterator/GetRecords serve it: pages of PAGE records, AT_SEQUENCE_NUMBER. */
function serveStream() {
  streams.on(GetShardIteratorCommand).callsFake((input) => {
    const at = records.findIndex((r) => sequenceOf(r) === input.SequenceNumber);
    return { ShardIterator: `at-${at}` };
  });
  streams.on(GetRecordsCommand).callsFake((input) => {
    const at = Number(String(input.ShardIterator).slice(3));
    const page = records.slice(at, at + PAGE).map(
      (r): _Record => ({
        eventID: r.eventID,
        eventName: r.eventName,
        dynamodb: {
          SequenceNumber: r.dynamodb?.SequenceNumber,
          OldImage: r.dynamodb?.OldImage as never,
          NewImage: r.dynamodb?.NewImage as never,
        },
      }),
    );
    return { Records: page, NextShardIterator: `at-${at + page.length}` };
  });
}

function queue(messages: ReturnType<typeof failureMessage>[]) {
  const waiting = [...messages];
  sqs.on(ReceiveMessageCommand).callsFake(() => ({ Messages: waiting.splice(0) }));
  sqs.on(DeleteMessageCommand).resolves({});
}

const redrive = (args: string[] = []) =>
  runWithCapturedIo((io) =>
    runRedriveCounters(['--queue-url', QUEUE_URL, '--table', TABLE, ...args], io, {
      sqs: new SQSClient({ region: 'eu-west-1' }),
      streams: new DynamoDBStreamsClient({ region: 'eu-west-1' }),
      dynamo: stack.doc,
      now: () => new Date(`${DAY}T12:30:00.000Z`),
    }),
  );

it('counts each failed batch exactly once, deletes its message after the commit, and a rerun counts nothing', async () => {
  // Arrange: two failed batches that split the stream in two
  await workload();
  expect(records.length).toBeGreaterThan(2 * PAGE);
  const half = Math.floor(records.length / 2);
  const messages = [failureMessage('a', 0, half - 1), failureMessage('b', half, records.length - 1)];
  serveStream();
  queue(messages);

  // Act
  const first = await redrive();
  const afterFirst = await counters();
  queue(messages); // the same messages again: a rerun before their deletion, or SQS delivering them twice
  const second = await redrive();

  // Assess
  expect(first).toMatchObject({ code: EXIT.ok, stderr: '' });
  expect(afterFirst).toEqual(EXPECTED);
  expect(first.stdout).toContain(
    `${LOCAL_SHARD_ID} ${sequenceOf(records[0])}..${sequenceOf(records[half - 1])}: ${half} records read;`,
  );
  expect(first.stdout).toContain('Done: 2 batches counted and deleted, 0 left in the queue');
  expect(first.stdout).not.toMatch(/@/); // no address in any line
  expect(second).toMatchObject({ code: EXIT.ok, stderr: '' });
  expect(second.stdout.match(/0 counted \(already counted before\)/g)).toHaveLength(2);
  expect(await counters()).toEqual(EXPECTED);
  expect(sqs.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input.ReceiptHandle)).toEqual([
    'receipt-a',
    'receipt-b',
    'receipt-a',
    'receipt-b',
  ]);
});

it('keeps the message and says so when the stream no longer holds the batch', async () => {
  // Arrange
  await workload();
  streams
    .on(GetShardIteratorCommand)
    .rejects(new TrimmedDataAccessException({ message: 'records trimmed', $metadata: {} }));
  queue([failureMessage('old', 0, records.length - 1)]);

  // Act
  const result = await redrive();

  // Assess
  expect(result.code).toBe(EXIT.inputErrors);
  expect(result.stdout).toContain(
    'RECORDS GONE: the stream no longer holds this batch (older than 24 hours)',
  );
  expect(result.stdout).toContain('Message left in the queue');
  expect(result.stdout).toContain('Done: 0 batches counted and deleted, 1 left in the queue');
  expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  expect(await counters()).toEqual({ total: {}, perDomain: {} });
});

it('on --dry-run says what it would count and writes and deletes nothing', async () => {
  // Arrange
  await workload();
  serveStream();
  queue([failureMessage('a', 0, records.length - 1), { MessageId: 'x', ReceiptHandle: 'r-x', Body: '{}' }]);

  // Act
  const result = await redrive(['--dry-run']);

  // Assess
  expect(result.code).toBe(EXIT.inputErrors); // the message that is no failure record is left
  expect(result.stdout).toContain('Dry run (nothing is written or deleted)');
  expect(result.stdout).toMatch(
    new RegExp(`${records.length} records read; would count \\d+ at most \\(\\d+ counter writes at most\\)`),
  );
  expect(result.stdout).toContain('message x: not a DynamoDB stream failure record');
  expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  expect(await counters()).toEqual({ total: {}, perDomain: {} });
});

it('does not count again what the rollup counted of a batch before it gave up, on each counter item', async () => {
  // Arrange: the rollup's last attempt on the first half writes some of its counter items, then fails on another
  // (throttled) before the batch goes to the failure queue; then it counts the second half (every item's guard
  // moves past the first half).
  await workload();
  const half = Math.floor(records.length / 2);
  const doc = stack.doc;
  let sent = 0;
  const throttledOnce = {
    send: async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
      if (command instanceof UpdateCommand && ++sent === 2) throw new Error('throttled');
      return doc.send(command as never);
    },
  } as unknown as DynamoDBDocumentClient;
  const rollupWith = (client: DynamoDBDocumentClient) => {
    const store = new DynamoCounterRollupStore(client, {
      tableName: TABLE,
      eventRetentionDays: 400,
      now: () => new Date(`${DAY}T12:00:00.000Z`),
      sleep: async () => {},
    });
    return createCounterRollupHandler({
      store,
      failedBatches: store,
      logger: new Logger({ serviceName: 'rollup-test', logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'Test', serviceName: 'rollup-test' }),
    });
  };
  await expect(
    rollupWith(throttledOnce)({ Records: records.slice(0, half), shardId: LOCAL_SHARD_ID, state: {} }),
  ).rejects.toThrow('throttled');
  await rollupWith(doc)({ Records: records.slice(half), shardId: LOCAL_SHARD_ID, state: {} });
  const partly = await counters();
  serveStream();
  queue([failureMessage('a', 0, half - 1)]);

  // Act
  const result = await redrive();

  // Assess: every record once on every item: what the failed attempt wrote by the rollup, the rest by the redrive
  expect(partly).not.toEqual(EXPECTED);
  expect(result).toMatchObject({ code: EXIT.ok, stderr: '' });
  expect(result.stdout).toMatch(
    new RegExp(
      `${half} records read, \\d+ counted \\(on some or all of their counters\\) by the rollup before it gave up; \\d+ counted`,
    ),
  );
  expect(await counters()).toEqual(EXPECTED);
});

it.each([
  ['--table', TABLE],
  ['--queue-url', QUEUE_URL],
])(
  'refuses --outputs with %s (which would override it), as backfill-expiry does: exit 2',
  async (option, value) => {
    const result = await runWithCapturedIo((io) =>
      main(['redrive-counters', '--outputs', 'cdk-outputs.json', option, value], io),
    );
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(
      /^ses-bounce redrive-counters: give either --outputs or --queue-url\/--table, not both\n\nUsage:/,
    );
    expect(result.stdout).toBe('');
    expect(sqs.calls()).toEqual([]);
  },
);
