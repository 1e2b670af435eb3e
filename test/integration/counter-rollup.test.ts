// The counter rollup against the real store (dynalite behind the transaction front, the emulated stream): whatever
// the stream hands the rollup again (a retried batch, an overlapping one, an attempt that stopped between two of
// its counter writes, before or after a write), every recorded event and every counted delivery is in the daily
// counters exactly once; so with two stream shards, and after an upgrade from the transactional rollup (its
// counters summed, its checkpoint honoured, its late transaction refused).

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, SQSBatchResponse } from 'aws-lambda';
import { afterEach, expect, it } from 'vitest';
import {
  createCounterRollupHandler,
  type StreamWindowEvent,
} from '../../lambdas/adapters/counter-rollup-lambda.ts';
import { DynamoCounterRollupStore, rolledChangeOf } from '../../lambdas/adapters/dynamo-counter-rollup.ts';
import { writerCounterShard } from '../../lambdas/adapters/dynamo-items.ts';
import { COUNTER_SHARDS, keys } from '../../lambdas/adapters/table-definition.ts';
import { counterWrites } from '../../lambdas/domain/counter-rollup.ts';
import { LOCAL_SHARD_ID } from '../../local/event-stream.ts';
import { ROLLUP_SUBSCRIPTION } from '../../local/stack.ts';
import {
  bounceVariant,
  deliveryFor,
  type ProcessorStack,
  snsEnvelope,
  sqsEvent,
  sqsRecord,
  startProcessorStack,
} from '../support/processor-harness.ts';

let stack: ProcessorStack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const DAY = '2026-11-25';
const DOMAINS = ['gmail.com', 'yahoo.com', 'example.org'];

/** 30 deliveries to new addresses, 6 hard bounces (two of them to delivered addresses, then delivered again). */
async function workload(s: ProcessorStack) {
  const bodies: string[] = [];
  for (let i = 0; i < 30; i += 1) {
    const email = `reader${i}@${DOMAINS[i % 3]}`;
    bodies.push(
      await deliveryFor(
        email,
        `${DAY}T10:00:${String(i % 7).padStart(2, '0')}.${String(100 + i)}Z`,
        `m-${i}`,
      ),
    );
  }
  for (let i = 0; i < 6; i += 1) {
    bodies.push(
      await bounceVariant({
        feedbackId: `fb-${i}`,
        timestamp: `${DAY}T11:00:0${i}.000Z`,
        email: `reader${i}@${DOMAINS[i % 3]}`,
      }),
    );
  }
  // Deliveries to addresses that now have a summary (their ledger entry travels in the summary's transaction).
  bodies.push(await deliveryFor('reader0@gmail.com', `${DAY}T12:00:00.000Z`, 'm-late-0'));
  bodies.push(await deliveryFor('reader1@yahoo.com', `${DAY}T12:00:01.000Z`, 'm-late-1'));
  for (let from = 0; from < bodies.length; from += 10) {
    const batch = bodies.slice(from, from + 10);
    const result = (await s.processor(
      sqsEvent(batch.map((body, i) => sqsRecord(snsEnvelope(body, `sns-${from + i}`), `q-${from + i}`))),
    )) as SQSBatchResponse;
    expect(result.batchItemFailures).toEqual([]);
  }
  // A copy of every message (SNS/SQS redelivery): duplicates, counted nowhere.
  const again = (await s.processor(
    sqsEvent(bodies.slice(0, 10).map((body, i) => sqsRecord(snsEnvelope(body, `sns-${i}`), `again-${i}`))),
  )) as SQSBatchResponse;
  expect(again.batchItemFailures).toEqual([]);
}

async function counters(s: ProcessorStack) {
  const total: Record<string, number> = {};
  const perDomain: Record<string, number> = {};
  for (let shard = 0; shard < COUNTER_SHARDS; shard += 1) {
    for (const item of await s.queryAll(keys.dayCounter(DAY, shard).pk))
      for (const name of ['events', 'type:delivery', 'type:bounce'])
        total[name] = (total[name] ?? 0) + Number(item[name] ?? 0);
    for (const item of await s.queryAll(keys.domainDayCounter(DAY, '', shard).pk))
      perDomain[String(item.domain)] = (perDomain[String(item.domain)] ?? 0) + Number(item.events ?? 0);
  }
  return { total, perDomain };
}

const EXPECTED = {
  total: { events: 38, 'type:delivery': 32, 'type:bounce': 6 },
  perDomain: { 'gmail.com': 13, 'yahoo.com': 13, 'example.org': 12 },
};

function rollup(client: DynamoDBDocumentClient) {
  return createCounterRollupHandler({
    store: new DynamoCounterRollupStore(client, {
      tableName: 'ses-bounce-test',
      eventRetentionDays: 400,
      now: () => new Date(),
      sleep: async () => {},
    }),
    logger: new Logger({ serviceName: 'rollup-test', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Test', serviceName: 'rollup-test' }),
  });
}

const windowEvent = (records: DynamoDBRecord[], shardId = LOCAL_SHARD_ID): StreamWindowEvent => ({
  Records: records,
  shardId,
  state: {},
});

/** The workload's stream records, as the rollup's filtered event source delivers them (the rollup left off). */
async function workloadRecords(): Promise<{ s: ProcessorStack; records: DynamoDBRecord[] }> {
  const s = await startProcessorStack({ ownStream: true });
  stack = s;
  const records: DynamoDBRecord[] = [];
  s.rollup.stream.attach(async (event) => {
    records.push(...event.Records);
    return { state: {} };
  }, ROLLUP_SUBSCRIPTION);
  await workload(s);
  await s.rollup.stream.idle();
  expect(records.length).toBeGreaterThan(20);
  return { s, records };
}

/**
 * A client whose `nth` counter update fails: the nth sent, before it is written (throttled), or the nth written,
 * after it was (the answer lost).
 */
function failingCounterWrite(doc: DynamoDBDocumentClient, nth: number, afterWrite: boolean) {
  let sent = 0;
  let written = 0;
  return {
    send: async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
      if (command instanceof UpdateCommand) {
        sent += 1;
        if (sent === nth && !afterWrite) throw new Error('throttled');
        const out = await doc.send(command);
        written += 1;
        if (written === nth && afterWrite) throw new Error('the answer was lost');
        return out;
      }
      return doc.send(command as never);
    },
  } as unknown as DynamoDBDocumentClient;
}

it('counts every event and delivery once through the rollup the stack runs', async () => {
  stack = await startProcessorStack();
  await workload(stack);
  await stack.rollup.settle();
  expect(stack.rollup.failures).toEqual([]);
  expect(await counters(stack)).toEqual(EXPECTED);
});

it('counts every record once when the stream hands out batches again, overlapping, and after attempts that stopped between counter writes', async () => {
  // Prepare
  const { s, records } = await workloadRecords();
  const handler = rollup(s.doc);
  const half = Math.floor(records.length / 2);

  // Act: a batch, the same batch again, an overlapping one; attempts that stop after some of their counter items
  // (the second write sent fails before it is written; the first write of the next attempt fails after, its answer lost), each retried with a
  // different batch (the event source's next one reaches further).
  await handler(windowEvent(records.slice(0, half)));
  await handler(windowEvent(records.slice(0, half)));
  await handler(windowEvent(records.slice(half - 5, half + 5)));
  await expect(
    rollup(failingCounterWrite(s.doc, 2, false))(windowEvent(records.slice(half - 2))),
  ).rejects.toThrow('throttled');
  await expect(
    rollup(failingCounterWrite(s.doc, 1, true))(windowEvent(records.slice(half - 2, -3))),
  ).rejects.toThrow('the answer was lost');
  await handler(windowEvent(records.slice(half - 2, -1)));
  await handler(windowEvent(records));

  // Assess
  expect(await counters(s)).toEqual(EXPECTED);
});

it('counts every record once with two stream shards writing the same counter items, each batch handed out twice', async () => {
  // Prepare: the records split between two shards (records of one item stay in one shard, as DynamoDB keeps them)
  const { s, records } = await workloadRecords();
  const handler = rollup(s.doc);
  const shardOfRecord = (record: DynamoDBRecord) =>
    JSON.stringify(record.dynamodb?.Keys).length % 2 === 0 ? 'shardId-two-a' : 'shardId-two-b';
  const a = records.filter((record) => shardOfRecord(record) === 'shardId-two-a');
  const b = records.filter((record) => shardOfRecord(record) === 'shardId-two-b');
  expect(a.length).toBeGreaterThan(0);
  expect(b.length).toBeGreaterThan(0);

  // Act: interleaved, each batch again
  for (const [batch, shardId] of [
    [a.slice(0, 10), 'shardId-two-a'],
    [b, 'shardId-two-b'],
    [a.slice(0, 10), 'shardId-two-a'],
    [a.slice(5), 'shardId-two-a'],
    [b.slice(3), 'shardId-two-b'],
  ] as const)
    await handler(windowEvent([...batch], shardId));

  // Assess
  expect(await counters(s)).toEqual(EXPECTED);
});

it('after an upgrade from the transactional rollup: sums its counters, counts only after its checkpoint, refuses its late transaction', async () => {
  // Prepare: the version before counted the shard's first records (its counter items, no guard) through its
  // checkpoint; its late transaction of the next records (an attempt that timed out) is still under way.
  const { s, records } = await workloadRecords();
  const counted = records.slice(0, 12);
  const through = counted.at(-1)?.dynamodb?.SequenceNumber ?? '';
  const shard = writerCounterShard(LOCAL_SHARD_ID);
  const oldUpdates = (slice: DynamoDBRecord[]) =>
    counterWrites(slice.map(rolledChangeOf)).map((write) => {
      const names = Object.keys(write.counts);
      return {
        Update: {
          TableName: 'ses-bounce-test',
          Key:
            write.domain === null
              ? keys.dayCounter(write.day, shard)
              : { pk: `STATDOM#${write.day.slice(0, 4)}#${shard}`, sk: `${write.day}#${write.domain}` },
          UpdateExpression: `ADD ${names.map((_, i) => `#c${i} :c${i}`).join(', ')}${write.domain === null ? '' : ' SET #domain = :domain, #day = :day'}`,
          ExpressionAttributeNames: {
            ...Object.fromEntries(names.map((name, i) => [`#c${i}`, name])),
            ...(write.domain === null ? {} : { '#domain': 'domain', '#day': 'day' }),
          },
          ExpressionAttributeValues: {
            ...Object.fromEntries(Object.values(write.counts).map((n, i) => [`:c${i}`, n])),
            ...(write.domain === null ? {} : { ':domain': write.domain, ':day': write.day }),
          },
        },
      };
    });
  await s.doc.send(new TransactWriteCommand({ TransactItems: oldUpdates(counted) }));
  await s.doc.send(
    new PutCommand({
      TableName: 'ses-bounce-test',
      Item: {
        ...keys.rollupCheckpoint(LOCAL_SHARD_ID),
        entity: 'checkpoint',
        sequence: through,
        expiresAt: 1,
      },
    }),
  );
  const late = new TransactWriteCommand({
    TransactItems: [
      ...oldUpdates(records.slice(12, 20)),
      {
        Put: {
          TableName: 'ses-bounce-test',
          Item: {
            ...keys.rollupCheckpoint(LOCAL_SHARD_ID),
            entity: 'checkpoint',
            sequence: records[19]?.dynamodb?.SequenceNumber,
            expiresAt: 1,
          },
          ConditionExpression: '#sequence = :previous',
          ExpressionAttributeNames: { '#sequence': 'sequence' },
          ExpressionAttributeValues: { ':previous': through },
        },
      },
    ],
  });

  // Act: this version takes the shard over from the start of the stream, then the late transaction lands
  await rollup(s.doc)(windowEvent(records));
  const landed = await s.doc.send(late).then(
    () => 'committed',
    (error: Error) => error.name,
  );
  await rollup(s.doc)(windowEvent(records.slice(5)));

  // Assess
  expect(landed).toBe('TransactionCanceledException');
  expect(await counters(s)).toEqual(EXPECTED);
});
