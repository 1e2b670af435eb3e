// The TransactWriteItems/TransactGetItems front for dynalite the processor depends on: all-or-nothing, the
// cancellation reasons DynamoDB sends (parsed by the real SDK), and consumed capacity.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import {
  DynamoDBClient,
  TransactGetItemsCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTransactionalDynalite, startTransactionProxy } from '../../local/dynalite-transactions.ts';
import { createTable } from '../../local/dynamo.ts';

const TABLE = 'transactions';
const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
let db: Awaited<ReturnType<typeof startTransactionalDynalite>>;
let raw: DynamoDBClient;
let doc: DynamoDBDocumentClient;

beforeAll(async () => {
  db = await startTransactionalDynalite();
  raw = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  doc = DynamoDBDocumentClient.from(raw);
  await createTable(raw, TABLE);
});

afterAll(async () => {
  raw.destroy();
  await db.close();
});

const get = async (pk: string, sk: string) =>
  (await doc.send(new GetCommand({ TableName: TABLE, Key: { pk, sk } }))).Item;

describe('dynalite transactions', () => {
  it('commits all items together', async () => {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: TABLE,
              Item: { pk: 'a', sk: '1', v: 1 },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: TABLE,
              Key: { pk: 'counter', sk: 'c' },
              UpdateExpression: 'ADD #n :one',
              ExpressionAttributeNames: { '#n': 'n' },
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
        ],
      }),
    );

    expect(await get('a', '1')).toMatchObject({ v: 1 });
    expect(await get('counter', 'c')).toMatchObject({ n: 1 });
  });

  it('a failed condition writes none of the items and names the failing item', async () => {
    // Prepare
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'exists', sk: '1' } }));
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'old', sk: '1', v: 'before' } }));

    // Act
    const error = await doc
      .send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: TABLE, Item: { pk: 'old', sk: '1', v: 'after' } } },
            { Put: { TableName: TABLE, Item: { pk: 'new', sk: '1' } } },
            {
              Update: {
                TableName: TABLE,
                Key: { pk: 'counter', sk: 'c' },
                UpdateExpression: 'ADD #n :one',
                ExpressionAttributeNames: { '#n': 'n' },
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
            {
              Put: {
                TableName: TABLE,
                Item: { pk: 'exists', sk: '1' },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      )
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual([
      'None',
      'None',
      'None',
      'ConditionalCheckFailed',
    ]);
    expect(await get('old', '1')).toMatchObject({ v: 'before' });
    expect(await get('new', '1')).toBeUndefined();
    expect((await get('counter', 'c'))?.n).toBe(1);
  });

  it('condition checks, deletes and transactional reads', async () => {
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'gone', sk: '1' } }));

    await raw.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: TABLE,
              Key: { pk: { S: 'missing' }, sk: { S: '1' } },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Delete: { TableName: TABLE, Key: { pk: { S: 'gone' }, sk: { S: '1' } } } },
        ],
      }),
    );
    const read = await raw.send(
      new TransactGetItemsCommand({
        TransactItems: [
          { Get: { TableName: TABLE, Key: { pk: { S: 'gone' }, sk: { S: '1' } } } },
          { Get: { TableName: TABLE, Key: { pk: { S: 'a' }, sk: { S: '1' } } } },
          { Get: { TableName: TABLE, Key: { pk: { S: 'missing' }, sk: { S: '1' } } } },
        ],
      }),
    );

    expect(read.Responses?.map((r) => r.Item?.pk?.S ?? null)).toEqual([null, 'a', null]);
  });

  it('isolation: a cancelled transaction is never visible to concurrent reads (no dirty read, no undone version)', async () => {
    // Prepare: a versioned item; transactions that would write a new item and bump the version, but are cancelled
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'iso', sk: 'S', version: 1 } }));
    const cancelled = (n: number) =>
      doc
        .send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: TABLE, Item: { pk: 'iso', sk: `new-${n}` } } },
              {
                Update: {
                  TableName: TABLE,
                  Key: { pk: 'iso', sk: 'S' },
                  UpdateExpression: 'SET #v = :next',
                  ExpressionAttributeNames: { '#v': 'version' },
                  ExpressionAttributeValues: { ':next': 2 },
                },
              },
              {
                Put: {
                  TableName: TABLE,
                  Item: { pk: 'iso', sk: 'S-guard' },
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
            ],
          }),
        )
        .catch((e: unknown) => e);

    // Act: 100 cancelled transactions, each raced by reads of the items it would have written
    const seen: unknown[] = [];
    for (let n = 0; n < 100; n += 1) {
      const [outcome, ...reads] = await Promise.all([
        cancelled(n),
        get('iso', `new-${n}`),
        get('iso', 'S'),
        get('iso', `new-${n}`),
        get('iso', 'S'),
      ]);
      expect(outcome).toBeInstanceOf(TransactionCanceledException);
      seen.push(...reads.filter((r) => r !== undefined && (r.sk !== 'S' || r.version !== 1)));
    }

    // Assess
    expect(seen).toEqual([]);
  });

  it('isolation: versioned read-modify-write transactions beside plain increments lose nothing', async () => {
    // Prepare: the processor's pattern (read, then a transaction conditioned on the version read) racing the
    // worker's (a plain update that bumps the version)
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'mix', sk: 'S', n: 0, version: 0 } }));
    const viaTransaction = async () => {
      for (;;) {
        const current = (await get('mix', 'S')) as { n: number; version: number };
        const outcome = await doc
          .send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: TABLE,
                    Key: { pk: 'mix', sk: 'S' },
                    UpdateExpression: 'SET #n = :n, #version = :next',
                    ConditionExpression: '#version = :expected',
                    ExpressionAttributeNames: { '#n': 'n', '#version': 'version' },
                    ExpressionAttributeValues: {
                      ':n': current.n + 1,
                      ':next': current.version + 1,
                      ':expected': current.version,
                    },
                  },
                },
              ],
            }),
          )
          .catch((e: unknown) => e);
        if (!(outcome instanceof TransactionCanceledException)) return;
      }
    };
    const viaPlainWrite = () =>
      doc.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: { pk: 'mix', sk: 'S' },
          UpdateExpression: 'ADD #n :one, #version :one',
          ExpressionAttributeNames: { '#n': 'n', '#version': 'version' },
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );

    // Act: 30 of each, all at once
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? viaTransaction() : viaPlainWrite())),
    );

    // Assess
    expect(await get('mix', 'S')).toMatchObject({ n: 60, version: 60 });
  });

  it('a write that fails on a limit puts back what the other items had written', async () => {
    // Prepare
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'limit', sk: 'c', n: 5 } }));

    // Act: the counter update succeeds, the oversized Put fails (dynalite: 400 KB item limit)
    const error = await doc
      .send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: TABLE,
                Key: { pk: 'limit', sk: 'c' },
                UpdateExpression: 'ADD #n :one',
                ExpressionAttributeNames: { '#n': 'n' },
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
            { Put: { TableName: TABLE, Item: { pk: 'limit', sk: 'big', blob: 'x'.repeat(420_000) } } },
          ],
        }),
      )
      .catch((e: unknown) => e);

    // Assess
    expect((error as Error).name).toBe('ValidationException');
    expect(await get('limit', 'c')).toMatchObject({ n: 5 });
    expect(await get('limit', 'big')).toBeUndefined();
  });

  it('rejects two operations on one item like DynamoDB', async () => {
    const error = await doc
      .send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: TABLE, Item: { pk: 'dup', sk: '1' } } },
            { Delete: { TableName: TABLE, Key: { pk: 'dup', sk: '1' } } },
          ],
        }),
      )
      .catch((e: unknown) => e);

    expect((error as Error).name).toBe('ValidationException');
  });

  it('reports consumed capacity: 2 units per KB per item, plus the indexes the items are in (by what they project)', async () => {
    const result = await doc.send(
      new TransactWriteCommand({
        ReturnConsumedCapacity: 'INDEXES',
        TransactItems: [
          // In byTime2 (it has gsi1pk), which holds only the keys and the filter attributes: < 1 KB there.
          { Put: { TableName: TABLE, Item: { pk: 'cap', sk: '1', gsi1pk: 'x', big: 'y'.repeat(1500) } } },
          { Put: { TableName: TABLE, Item: { pk: 'cap', sk: '2' } } },
        ],
      }),
    );

    expect(result.ConsumedCapacity?.[0]).toMatchObject({
      TableName: TABLE,
      Table: { CapacityUnits: 6 },
      // An index entry costs 1 unit per KB (the index write is not transactional); the 1.5 KB item would cost 2.
      GlobalSecondaryIndexes: { byTime2: { CapacityUnits: 1 } },
      CapacityUnits: 7,
    });
  });

  it('the proxy adds transactions in front of a plain dynalite', async () => {
    // Prepare
    const plain = dynalite({ createTableMs: 0 });
    plain.listen(0, '127.0.0.1');
    await once(plain, 'listening');
    const proxy = await startTransactionProxy(`http://127.0.0.1:${(plain.address() as AddressInfo).port}`);
    const client = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: proxy.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }),
    );
    try {
      await createTable(client as unknown as DynamoDBClient, TABLE);

      // Act
      await client.send(
        new TransactWriteCommand({
          TransactItems: [{ Put: { TableName: TABLE, Item: { pk: 'p', sk: '1' } } }],
        }),
      );

      // Assess
      expect(
        (await client.send(new GetCommand({ TableName: TABLE, Key: { pk: 'p', sk: '1' } }))).Item,
      ).toEqual({
        pk: 'p',
        sk: '1',
      });
    } finally {
      client.destroy();
      await proxy.close();
      plain.closeAllConnections();
      await new Promise<void>((resolve) => plain.close(() => resolve()));
    }
  });
});
