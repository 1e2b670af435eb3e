// At `eventIndexes` v2 a kept event's `ID#<id>` pointer is written first, as a plain conditional PutItem, and the event
// and its summary follow in one transaction (docs/data-model.md, "Event id pointer"). Against dynalite with the real
// processor, query API and erasure: an erased event stays erased, a crash between the two writes loses nothing and
// leaves a pointer that answers 404, duplicates count once, an erasure between the two writes of a redelivery brings
// nothing back, and a batch still reports its failed records one by one.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiStack, bounceNotification, startApiStack } from '../support/api-harness.ts';
import {
  bounceVariant,
  type ProcessorStack,
  snsEnvelope,
  sqsEvent,
  sqsRecord,
  startProcessorStack,
} from '../support/processor-harness.ts';

const NOW = new Date('2024-11-01T12:00:00Z');
const DAY = '2024-10-28';

let api: ApiStack | undefined;
let processor: ProcessorStack | undefined;

afterEach(async () => {
  await api?.close();
  await processor?.close();
  api = undefined;
  processor = undefined;
});

/** What the middleware sees of a document-client request. */
interface Request {
  TransactItems?: { Put?: { Item?: Record<string, unknown> } }[];
  Item?: Record<string, unknown>;
}

type Intercept = (request: Request) => Promise<void>;

/** Runs `intercept` before every request the store's document client sends (it may throw to fail the request). */
function intercept(stack: ApiStack, run: Intercept): void {
  stack.documents.middlewareStack.add(
    (next) => async (args) => {
      await run(args.input as Request);
      return next(args);
    },
    { step: 'initialize', name: 'pointerFirstTest' },
  );
}

/** The processor's event transaction for the address (its first item is the event's Put). */
const isEventTransaction = (request: Request, email: string): boolean =>
  request.TransactItems?.[0]?.Put?.Item?.pk === `R#${email}` &&
  String(request.TransactItems[0].Put.Item.sk).startsWith('E#');

const isPointerPut = (request: Request): boolean =>
  request.TransactItems === undefined && String(request.Item?.pk).startsWith('ID#');

async function allItems(stack: ApiStack): Promise<Record<string, unknown>[]> {
  await stack.settle();
  const out = await stack.documents.send(new ScanCommand({ TableName: stack.tableName }));
  return (out.Items ?? []) as Record<string, unknown>[];
}

/** The day's bounces in the day totals (which keep erased events: they name no one). */
async function bounceCount(stack: ApiStack): Promise<number | null | undefined> {
  const result = await stack.call('GET', '/stats', { query: { from: DAY, to: DAY } });
  expect(result.status, result.body).toBe(200);
  return (result.json as { totals: Record<string, number | null> }).totals.bounces;
}

async function eventIds(stack: ApiStack, email: string): Promise<string[]> {
  const result = await stack.call('GET', `/recipients/${email}/events`);
  return (result.json as { items: { id: string }[] }).items.map((item) => item.id);
}

describe('the event id pointer before the event transaction (v2)', () => {
  it('a stored, then erased event redelivered: its erased pointer refuses the Put, no transaction is sent, nothing comes back', async () => {
    // Prepare
    api = await startApiStack(NOW);
    const stack = api;
    const bounce = bounceNotification(['gone@pointer-one.example'], `${DAY}T09:00:00.000Z`);
    await stack.process(bounce);
    const [id] = await eventIds(stack, 'gone@pointer-one.example');
    await stack.call('DELETE', '/recipients/gone@pointer-one.example');
    const sent: Request[] = [];
    intercept(stack, async (request) => {
      sent.push(request);
    });
    // Act
    const outcome = await stack.process(bounce);
    // Assess
    expect(outcome).toMatchObject({ kind: 'processed', recipients: [{ status: 'duplicate' }] });
    expect(sent.filter(isPointerPut)).toHaveLength(1);
    expect(sent.filter((request) => request.TransactItems !== undefined)).toEqual([]);
    expect((await stack.call('GET', `/bounces/${id}`)).status).toBe(404);
    expect((await stack.call('GET', '/recipients/gone@pointer-one.example')).status).toBe(404);
    expect(await bounceCount(stack)).toBe(1);
    expect(JSON.stringify(await allItems(stack))).not.toContain('gone@pointer-one.example');
  });

  it('a crash between the pointer and the transaction: the orphan pointer answers 404, the redelivery stores the event once', async () => {
    // Prepare: the first event transaction for the address fails after its pointer was written.
    api = await startApiStack(NOW);
    const stack = api;
    let crash = true;
    intercept(stack, async (request) => {
      if (crash && isEventTransaction(request, 'crash@pointer-two.example')) {
        crash = false;
        throw Object.assign(new Error('injected: the function died'), { name: 'InjectedCrash' });
      }
    });
    const bounce = bounceNotification(['crash@pointer-two.example'], `${DAY}T10:00:00.000Z`);
    // Act
    const crashed = await stack.process(bounce).catch((error: Error) => error.name);
    const orphans = (await allItems(stack)).filter((item) => String(item.pk).startsWith('ID#'));
    const id = String(orphans[0]?.pk).slice(3);
    const orphanAnswer = await stack.call('GET', `/bounces/${id}`);
    const stored = await stack.process(bounce);
    const again = await stack.process(bounce);
    // Assess
    expect(crashed).toBe('InjectedCrash');
    expect(orphans).toEqual([
      expect.objectContaining({ entity: 'pointer', epk: 'R#crash@pointer-two.example' }),
    ]);
    expect(orphanAnswer.status, orphanAnswer.body).toBe(404);
    expect(stored).toMatchObject({ recipients: [{ status: 'recorded' }] });
    expect(again).toMatchObject({ recipients: [{ status: 'duplicate' }] });
    expect(await eventIds(stack, 'crash@pointer-two.example')).toEqual([id]);
    const found = await stack.call('GET', `/bounces/${id}`);
    expect(found.status, found.body).toBe(200);
    expect(found.json).toMatchObject({ id, email: 'crash@pointer-two.example', type: 'bounce' });
    expect(await bounceCount(stack)).toBe(1);
  });

  it('the same notification three times: three pointer Puts, one event, counted once', async () => {
    // Prepare
    api = await startApiStack(NOW);
    const stack = api;
    const sent: Request[] = [];
    intercept(stack, async (request) => {
      sent.push(request);
    });
    const bounce = bounceNotification(['twice@pointer-three.example'], `${DAY}T11:00:00.000Z`);
    // Act
    const outcomes = [await stack.process(bounce), await stack.process(bounce), await stack.process(bounce)];
    // Assess
    expect(outcomes.map((outcome) => outcome.kind === 'processed' && outcome.recipients[0]?.status)).toEqual([
      'recorded',
      'duplicate',
      'duplicate',
    ]);
    expect(sent.filter(isPointerPut)).toHaveLength(3);
    expect(await eventIds(stack, 'twice@pointer-three.example')).toHaveLength(1);
    const recipient = await stack.call('GET', '/recipients/twice@pointer-three.example', {
      query: { ses: 'false' },
    });
    expect(recipient.json).toMatchObject({ counts: { hard: 1 } });
    expect(await bounceCount(stack)).toBe(1);
  });

  it('an erasure between the pointer and the transaction of a redelivery: the transaction fails on the erased summary, the retry on the erased pointer', async () => {
    // Prepare: the event is stored; its redelivery writes its pointer, then the whole erasure runs, then its
    // transaction is sent.
    api = await startApiStack(NOW);
    const stack = api;
    const bounce = bounceNotification(['race@pointer-four.example'], `${DAY}T12:00:00.000Z`);
    await stack.process(bounce);
    const [id] = await eventIds(stack, 'race@pointer-four.example');
    let erase = true;
    let erased = 0;
    const sent: Request[] = [];
    intercept(stack, async (request) => {
      sent.push(request);
      if (erase && isEventTransaction(request, 'race@pointer-four.example')) {
        erase = false;
        erased = (await stack.call('DELETE', '/recipients/race@pointer-four.example')).status;
      }
    });
    // Act
    const outcome = await stack.process(bounce);
    // Assess
    expect(erased).toBe(200);
    expect(outcome).toMatchObject({ recipients: [{ status: 'duplicate' }] });
    // Pointer, transaction (cancelled: the summary it was conditioned on is gone), pointer again (refused).
    expect(
      sent
        .filter(
          (request) => isPointerPut(request) || isEventTransaction(request, 'race@pointer-four.example'),
        )
        .map((request) => (isPointerPut(request) ? 'pointer' : 'transaction')),
    ).toEqual(['pointer', 'transaction', 'pointer']);
    expect((await stack.call('GET', `/bounces/${id}`)).status).toBe(404);
    expect((await stack.call('GET', '/recipients/race@pointer-four.example')).status).toBe(404);
    expect(await bounceCount(stack)).toBe(1);
    const items = await allItems(stack);
    expect(items.filter((item) => item.pk === `ID#${id}`)).toEqual([
      expect.objectContaining({ entity: 'pointer', erased: true }),
    ]);
    expect(JSON.stringify(items)).not.toContain('race@pointer-four.example');
  });

  it("an erasure between the pointer and the transaction of an event's first processing: the event, which the erasure did not find, is kept with a new summary", async () => {
    // Prepare: an earlier event of the address is stored; a new one writes its pointer, then the erasure runs.
    api = await startApiStack(NOW);
    const stack = api;
    await stack.process(bounceNotification(['late@pointer-five.example'], `${DAY}T13:00:00.000Z`));
    const [earlier] = await eventIds(stack, 'late@pointer-five.example');
    let erase = true;
    intercept(stack, async (request) => {
      if (erase && isEventTransaction(request, 'late@pointer-five.example')) {
        erase = false;
        await stack.call('DELETE', '/recipients/late@pointer-five.example');
      }
    });
    // Act
    const outcome = await stack.process(
      bounceNotification(['late@pointer-five.example'], `${DAY}T14:00:00.000Z`),
    );
    // Assess: as if the event had arrived just after the erasure.
    expect(outcome).toMatchObject({ recipients: [{ status: 'recorded' }] });
    const ids = await eventIds(stack, 'late@pointer-five.example');
    expect(ids).toHaveLength(1);
    expect(ids).not.toContain(earlier);
    expect((await stack.call('GET', `/bounces/${ids[0]}`)).status).toBe(200);
    expect((await stack.call('GET', `/bounces/${earlier}`)).status).toBe(404);
    const recipient = await stack.call('GET', '/recipients/late@pointer-five.example', {
      query: { ses: 'false' },
    });
    expect(recipient.json).toMatchObject({ counts: { hard: 1 } });
  });

  it('a batch where one pointer Put and another transaction fail: exactly those records are reported, their retry completes once', async () => {
    // Prepare
    processor = await startProcessorStack();
    const stack = processor;
    const failing = new Set(['b@example.com', 'c@example.com']);
    stack.raw.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as {
          Item?: Record<string, { S?: string }>;
          TransactItems?: { Put?: { Item?: Record<string, { S?: string }> } }[];
        };
        const pointerOf = input.TransactItems === undefined ? input.Item?.epk?.S : undefined;
        const eventOf = input.TransactItems?.[0]?.Put?.Item?.pk?.S;
        if (pointerOf === 'R#b@example.com' && failing.delete('b@example.com'))
          throw Object.assign(new Error('injected: PutItem failed'), { name: 'InternalServerError' });
        if (eventOf === 'R#c@example.com' && failing.delete('c@example.com'))
          throw Object.assign(new Error('injected: TransactWriteItems failed'), {
            name: 'InternalServerError',
          });
        return next(args);
      },
      { step: 'build', name: 'injectFailures' },
    );
    const bodies = await Promise.all(
      ['a', 'b', 'c', 'd'].map((name, i) =>
        bounceVariant({
          feedbackId: `fb-${name}`,
          timestamp: `2024-10-14T10:0${i}:00.000Z`,
          email: `${name}@example.com`,
        }),
      ),
    );
    const records = bodies.map((body, i) => sqsRecord(snsEnvelope(body, `sns-${i}`), `m-${i}`));
    // Act
    const first = (await stack.processor(sqsEvent(records))) as SQSBatchResponse;
    const failed = records.filter((r) =>
      first.batchItemFailures.some((f) => f.itemIdentifier === r.messageId),
    );
    const retry = (await stack.processor(sqsEvent(failed))) as SQSBatchResponse;
    const replay = (await stack.processor(sqsEvent(records))) as SQSBatchResponse;
    // Assess
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }]);
    expect(retry.batchItemFailures).toEqual([]);
    expect(replay.batchItemFailures).toEqual([]);
    for (const name of ['a', 'b', 'c', 'd']) {
      expect(await stack.events(`${name}@example.com`)).toHaveLength(1);
      expect(await stack.summary(`${name}@example.com`)).toMatchObject({ hard: 1 });
    }
    expect(await stack.dayCounter('2024-10-14', 'events')).toBe(4);
  });
});
