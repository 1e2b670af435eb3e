import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { TABLE_DEFINITION } from '../../lambdas/adapters/table-definition.ts';
import {
  createTable,
  ensureTable,
  type RunningDynalite,
  startDynalite,
  waitUntilActive,
} from '../../local/dynamo.ts';
import { signal } from '../support/signal.ts';

const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
const clientFor = (endpoint: string) => new DynamoDBClient({ endpoint, region: 'us-east-1', credentials });

async function createScratchTable(client: DynamoDBClient, name: string) {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
  await waitUntilActive(client, name);
}

describe('startDynalite', () => {
  const running: RunningDynalite[] = [];
  const dirs: string[] = [];

  afterEach(async () => {
    await Promise.all(running.splice(0).map((db) => db.close()));
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('serves DynamoDB on a free loopback port, in memory by default', async () => {
    // Prepare
    const first = await startDynalite();
    const second = await startDynalite();
    running.push(first, second);
    const client = clientFor(first.endpoint);

    // Act
    await createScratchTable(client, 'scratch');
    await client.send(new PutItemCommand({ TableName: 'scratch', Item: { pk: { S: 'a' }, n: { N: '1' } } }));
    const item = await client.send(new GetItemCommand({ TableName: 'scratch', Key: { pk: { S: 'a' } } }));
    const otherTables = await clientFor(second.endpoint).send(new ListTablesCommand({}));

    // Assess
    expect(first.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(second.endpoint).not.toBe(first.endpoint);
    expect(item.Item?.n).toEqual({ N: '1' });
    expect(otherTables.TableNames).toEqual([]);
  });

  it('keeps data across a restart when given a data directory', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'dynalite-'));
    dirs.push(dataDir);
    const before = await startDynalite({ dataDir });
    const writer = clientFor(before.endpoint);
    await createScratchTable(writer, 'kept');
    await writer.send(new PutItemCommand({ TableName: 'kept', Item: { pk: { S: 'b' } } }));
    await before.close();

    // Act
    const after = await startDynalite({ dataDir });
    running.push(after);
    const item = await clientFor(after.endpoint).send(
      new GetItemCommand({ TableName: 'kept', Key: { pk: { S: 'b' } } }),
    );

    // Assess
    expect(item.Item?.pk).toEqual({ S: 'b' });
  });

  it('creates the table with the keys and indexes of the shared definition', async () => {
    // Prepare
    const db = await startDynalite();
    running.push(db);
    const client = clientFor(db.endpoint);

    // Act
    await createTable(client, 'bounces');
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'bounces' }));

    // Assess
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: TABLE_DEFINITION.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: TABLE_DEFINITION.sortKey.name, KeyType: 'RANGE' },
    ]);
    const indexes = (Table?.GlobalSecondaryIndexes ?? []).map((index) => ({
      name: index.IndexName,
      keys: index.KeySchema?.map((key) => `${key.AttributeName}:${key.KeyType}`),
      projection: index.Projection?.ProjectionType,
    }));
    expect(indexes).toEqual(
      TABLE_DEFINITION.globalSecondaryIndexes.map((index) => ({
        name: index.indexName,
        keys: [`${index.partitionKey.name}:HASH`, ...(index.sortKey ? [`${index.sortKey.name}:RANGE`] : [])],
        projection: index.projection,
      })),
    );
  });

  it('ensureTable creates once and then finds the existing table', async () => {
    // Prepare
    const db = await startDynalite();
    running.push(db);
    const client = clientFor(db.endpoint);

    // Act
    const first = await ensureTable(client, 'bounces');
    const second = await ensureTable(client, 'bounces');

    // Assess
    expect([first, second]).toEqual(['created', 'existing']);
  });

  it('close answers every request it accepted before closing the store under it', async () => {
    // Prepare: once the table exists, each call waits at the front (in `authorize`) until released.
    let gated = false;
    const arrived = signal();
    const released = signal();
    const db = await startDynalite({
      authorize: async () => {
        if (gated) {
          arrived.fire();
          await released.wait;
        }
        return null;
      },
    });
    const client = new DynamoDBClient({
      endpoint: db.endpoint,
      region: 'us-east-1',
      credentials,
      maxAttempts: 1,
    });
    await createScratchTable(client, 'scratch');
    gated = true;

    // Act: close while a write is inside the front, then let the write go on.
    const put = client.send(new PutItemCommand({ TableName: 'scratch', Item: { pk: { S: 'late' } } }));
    await arrived.wait;
    const closed = db.close();
    released.fire();

    // Assess: the write is answered (not reset), and close resolves after it.
    await expect(put).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } });
    await expect(closed).resolves.toBeUndefined();
    client.destroy();
  });
});
