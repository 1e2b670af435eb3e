// Erasure within the counter rollup's window (docs/data-model.md, "Erasure within the rollup's window"), against the
// real query API, processor and rollup handler on dynalite, the test handing the rollup its batches: an erasure
// between a rollup attempt and its retry, and an erasure before the rollup counted the erased event, leave the
// day × domain counters right and name no domain for an erased event; an emptied counter is kept (its guards, a
// count at zero or below) until a short expiry, which the rollup keeps while the item stays at zero or below.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCounterRollupHandler } from '../../lambdas/adapters/counter-rollup-lambda.ts';
import { DynamoCounterRollupStore } from '../../lambdas/adapters/dynamo-counter-rollup.ts';
import { domainCounterExpiresAt } from '../../lambdas/adapters/dynamo-items.ts';
import { LOCAL_SHARD_ID } from '../../local/event-stream.ts';
import { ROLLUP_SUBSCRIPTION } from '../../local/stack.ts';
import {
  type ApiStack,
  bounceNotification,
  deliveryNotification,
  startApiStack,
} from '../support/api-harness.ts';

const NOW = new Date('2024-11-01T12:00:00Z');
const DAY = '2024-10-31';
/** The erasure's hold of an emptied counter: 25 hours after the erasure (the API's clock). */
const HELD_UNTIL = NOW.getTime() / 1000 + 25 * 3600;
/** What the rollup gives a day × domain counter: the day's end + the stack's 400 days of retention. */
const DAY_EXPIRY = domainCounterExpiresAt(DAY, 400);

let stack: ApiStack;
/** The stream records the rollup's event source hands out, collected until a test takes them. */
let pending: DynamoDBRecord[];

beforeEach(async () => {
  stack = await startApiStack(NOW, 'all', { counterRollup: false });
  pending = [];
  stack.stream.attach(async (event) => {
    pending.push(...event.Records);
    return { state: {} };
  }, ROLLUP_SUBSCRIPTION);
});

afterEach(async () => {
  await stack.close();
});

/** The records of everything processed since the last call: one batch of the rollup's event source. */
async function batch(): Promise<DynamoDBRecord[]> {
  await stack.settle();
  return pending.splice(0);
}

/** One invocation of the real rollup handler on `records` (an attempt, or the event source's retry of it). */
async function rollUp(records: DynamoDBRecord[]): Promise<void> {
  const handler = createCounterRollupHandler({
    store: new DynamoCounterRollupStore(stack.documents, {
      tableName: stack.tableName,
      eventRetentionDays: 400,
      now: () => NOW,
      sleep: async () => {},
    }),
    logger: new Logger({ serviceName: 'rollup-test', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Test', serviceName: 'rollup-test' }),
  });
  await handler({ Records: records, shardId: LOCAL_SHARD_ID, state: {} });
}

interface Tally {
  events: number;
  deliveries: number;
  bounces: number;
  hardBounces: number;
}

async function domainStats(): Promise<{ totals: Tally; items: Array<{ key: string; breakdown: Tally }> }> {
  const result = await stack.call('GET', '/stats', { query: { from: DAY, to: DAY, groupBy: 'domain' } });
  expect(result.status, result.body).toBe(200);
  return result.json as { totals: Tally; items: Array<{ key: string; breakdown: Tally }> };
}

/** What /stats by domain shows: per domain its events, deliveries, bounces and hard bounces. */
async function shownDomains(): Promise<Record<string, Pick<Tally, 'events' | 'deliveries' | 'bounces'>>> {
  return Object.fromEntries(
    (await domainStats()).items.map(({ key, breakdown }) => [
      key,
      { events: breakdown.events, deliveries: breakdown.deliveries, bounces: breakdown.bounces },
    ]),
  );
}

/** The stored day × domain counters of a domain (every shard). */
async function counterItems(domain: string): Promise<Record<string, unknown>[]> {
  const out = await stack.documents.send(new ScanCommand({ TableName: stack.tableName }));
  return ((out.Items ?? []) as Record<string, unknown>[]).filter(
    (item) => String(item.pk).startsWith('STATDOM#') && item.domain === domain,
  );
}

/** A counter item's numbers and expiry (not its guards: binary, one per writer). */
const countsOf = (item: Record<string, unknown> | undefined) =>
  Object.fromEntries(
    Object.entries(item ?? {}).filter(([, value]) => typeof value === 'number' || typeof value === 'boolean'),
  );

describe('erasure within the rollup window', () => {
  it('between a rollup attempt that wrote the counter and its retry: the retry adds nothing again, the domain is not shown', async () => {
    // Prepare: the attempt writes both domains' counters (its answer lost: the event source retries the batch).
    await stack.process(
      bounceNotification(['solo@gap-one.example', 'kept@gap-one-other.example'], `${DAY}T09:00:00.000Z`),
    );
    const records = await batch();
    await rollUp(records);
    const before = await shownDomains();
    // Act
    const erased = await stack.call('DELETE', '/recipients/solo@gap-one.example');
    await rollUp(records);
    await rollUp(records);
    // Assess
    expect(erased.status, erased.body).toBe(200);
    expect(before).toEqual({
      'gap-one.example': { events: 1, deliveries: 0, bounces: 1 },
      'gap-one-other.example': { events: 1, deliveries: 0, bounces: 1 },
    });
    expect(await shownDomains()).toEqual({
      'gap-one-other.example': { events: 1, deliveries: 0, bounces: 1 },
    });
    expect((await domainStats()).totals).toMatchObject({ events: 2, bounces: 2 });
    const [held, ...others] = await counterItems('gap-one.example');
    expect(others).toEqual([]);
    expect(countsOf(held)).toEqual({
      events: 0,
      'type:bounce': 0,
      'verdict:hard': 0,
      expiresAt: HELD_UNTIL,
      emptied: true,
    });
  });

  it('before the rollup counted the erased event: its late addition brings the counter back to zero, not above', async () => {
    // Prepare
    await stack.process(
      bounceNotification(['solo@gap-two.example', 'kept@gap-two-other.example'], `${DAY}T09:00:00.000Z`),
    );
    const records = await batch();
    // Act: the erasure runs ahead of the rollup, which then counts the batch (and is handed it again)
    const erased = await stack.call('DELETE', '/recipients/solo@gap-two.example');
    const whileLagging = await shownDomains();
    const [ahead] = await counterItems('gap-two.example');
    await rollUp(records);
    await rollUp(records);
    // Assess
    expect(erased.status, erased.body).toBe(200);
    expect(whileLagging).toEqual({});
    expect(countsOf(ahead)).toEqual({
      events: -1,
      'type:bounce': -1,
      'verdict:hard': -1,
      expiresAt: HELD_UNTIL,
      emptied: true,
    });
    expect(await shownDomains()).toEqual({
      'gap-two-other.example': { events: 1, deliveries: 0, bounces: 1 },
    });
    const [held, ...others] = await counterItems('gap-two.example');
    expect(others).toEqual([]);
    expect(countsOf(held)).toEqual({
      events: 0,
      'type:bounce': 0,
      'verdict:hard': 0,
      expiresAt: HELD_UNTIL,
      emptied: true,
    });
    const other = await counterItems('gap-two-other.example');
    expect(other.map((item) => [item.expiresAt, item.emptied])).toEqual([[DAY_EXPIRY, undefined]]);
  });

  it("an emptied counter that the rollup brings above zero with other recipients' events is shown again and expires with its day", async () => {
    // Prepare: the erased bounce and a colleague's delivery of the same domain and day, neither counted yet
    await stack.process(bounceNotification(['solo@gap-three.example'], `${DAY}T09:00:00.000Z`));
    await stack.process(deliveryNotification(['colleague@gap-three.example'], `${DAY}T10:00:00.000Z`));
    const records = await batch();
    // Act
    await stack.call('DELETE', '/recipients/solo@gap-three.example');
    await rollUp(records);
    // Assess
    expect(await shownDomains()).toEqual({ 'gap-three.example': { events: 1, deliveries: 1, bounces: 0 } });
    const [counter, ...others] = await counterItems('gap-three.example');
    expect(others).toEqual([]);
    expect(countsOf(counter)).toEqual({
      events: 1,
      'type:bounce': 0,
      'type:delivery': 1,
      'verdict:hard': 0,
      expiresAt: DAY_EXPIRY,
    });
  });

  it('readers show no negative count while an erasure is ahead of the rollup, and the right counts after it', async () => {
    // Prepare: two deliveries of the domain counted; then a bounce of another address, erased before it is counted
    await stack.process(
      deliveryNotification(['a@gap-four.example', 'b@gap-four.example'], `${DAY}T08:00:00.000Z`),
    );
    await rollUp(await batch());
    await stack.process(bounceNotification(['solo@gap-four.example'], `${DAY}T09:00:00.000Z`));
    const late = await batch();
    // Act
    await stack.call('DELETE', '/recipients/solo@gap-four.example');
    const whileLagging = await shownDomains();
    await rollUp(late);
    // Assess: the item held events 1, deliveries 2, bounces -1 while the rollup lagged
    expect(whileLagging).toEqual({ 'gap-four.example': { events: 1, deliveries: 2, bounces: 0 } });
    expect(await shownDomains()).toEqual({ 'gap-four.example': { events: 2, deliveries: 2, bounces: 0 } });
    const [counter] = await counterItems('gap-four.example');
    expect(counter?.expiresAt).toBe(DAY_EXPIRY);
    expect(counter?.emptied).toBeUndefined();
  });
});
