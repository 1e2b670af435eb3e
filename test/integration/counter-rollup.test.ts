// The counter rollup against the real store (dynalite behind the transaction front, the emulated stream): whatever
// the stream hands the rollup again (a retried batch, an overlapping one, an attempt that failed after its commit
// or before it), every recorded event and every counted delivery is in the daily counters exactly once.

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, SQSBatchResponse } from 'aws-lambda';
import { afterEach, expect, it } from 'vitest';
import {
  createCounterRollupHandler,
  type StreamWindowEvent,
} from '../../lambdas/adapters/counter-rollup-lambda.ts';
import { DynamoCounterRollupStore } from '../../lambdas/adapters/dynamo-counter-rollup.ts';
import { COUNTER_SHARDS, keys } from '../../lambdas/adapters/table-definition.ts';
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

const windowEvent = (records: DynamoDBRecord[]): StreamWindowEvent => ({
  Records: records,
  shardId: LOCAL_SHARD_ID,
  state: {},
});

it('counts every event and delivery once through the rollup the stack runs', async () => {
  stack = await startProcessorStack();
  await workload(stack);
  await stack.rollup.settle();
  expect(stack.rollup.failures).toEqual([]);
  expect(await counters(stack)).toEqual(EXPECTED);
});

it('counts every record once when the stream hands out batches again, overlapping, and after failed attempts', async () => {
  // Prepare: the rollup's records, as its filtered event source would deliver them
  stack = await startProcessorStack({ ownStream: true });
  const records: DynamoDBRecord[] = [];
  stack.rollup.stream.attach(async (event) => {
    records.push(...event.Records);
    return { state: {} };
  }, ROLLUP_SUBSCRIPTION);
  await workload(stack);
  await stack.rollup.stream.idle();
  expect(records.length).toBeGreaterThan(20);
  const handler = rollup(stack.doc);
  const half = Math.floor(records.length / 2);

  // Act: a batch, the same batch again, an overlapping one; an attempt whose transaction fails after it
  // committed (the answer lost), and one whose transaction fails before, each retried.
  await handler(windowEvent(records.slice(0, half)));
  await handler(windowEvent(records.slice(0, half)));
  await handler(windowEvent(records.slice(half - 5, half + 5)));
  let sent = 0;
  const doc = stack.doc;
  const flaky = (afterCommit: boolean): DynamoDBDocumentClient =>
    ({
      send: async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
        if (command instanceof TransactWriteCommand) {
          sent += 1;
          if (sent === 1 && !afterCommit) throw new Error('throttled');
          const out = await doc.send(command);
          if (sent === 1) throw new Error('the answer was lost');
          return out;
        }
        return doc.send(command as never);
      },
    }) as unknown as DynamoDBDocumentClient;
  await expect(rollup(flaky(false))(windowEvent(records.slice(half - 2)))).rejects.toThrow('throttled');
  sent = 0;
  await expect(rollup(flaky(true))(windowEvent(records.slice(half - 2)))).rejects.toThrow(
    'the answer was lost',
  );
  await handler(windowEvent(records.slice(half - 2)));
  await handler(windowEvent(records));

  // Assess
  expect(await counters(stack)).toEqual(EXPECTED);
});
