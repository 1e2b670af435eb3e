// Embedded DynamoDB for the local stack and integration tests: dynalite (plus transactions) on loopback, in memory
// unless a data directory is given, and the table created from the same plain-data definition the CDK stack uses.
import { mkdir } from 'node:fs/promises';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type KeySchemaElement,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import {
  DEFAULT_EVENT_INDEXES,
  type EventIndexStage,
  type KeyAttribute,
  tableDefinition,
} from '../lambdas/adapters/table-definition.ts';
import { type AuthorizeCall, type ChangeSink, startTransactionalDynalite } from './dynalite-transactions.ts';

export interface DynaliteOptions {
  /** Persist to this directory (LevelDB); in memory when omitted. */
  dataDir?: string;
  port?: number;
  host?: string;
  /** Checks each call (the local stack's SigV4 check when it has a token); null lets it through. */
  authorize?: AuthorizeCall;
  /** Told each committed item change with its old and new image (the local stack's emulated stream). */
  onChange?: ChangeSink;
}

export interface RunningDynalite {
  endpoint: string;
  close(): Promise<void>;
}

export async function startDynalite(opts: DynaliteOptions = {}): Promise<RunningDynalite> {
  if (opts.dataDir) await mkdir(opts.dataDir, { recursive: true });
  // dynalite lacks TransactWriteItems/TransactGetItems, which the processor relies on: a front adds them.
  const running = await startTransactionalDynalite({
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    ...(opts.authorize ? { authorize: opts.authorize } : {}),
    ...(opts.onChange ? { onChange: opts.onChange } : {}),
  });
  return { endpoint: running.endpoint, close: () => running.close() };
}

/**
 * Creates the project's table from the shared definition, with the indexes of a stage of the event indexes (TTL is
 * not applied: dynalite has no UpdateTimeToLive).
 */
export async function createTable(
  client: DynamoDBClient,
  tableName: string,
  eventIndexes: EventIndexStage = DEFAULT_EVENT_INDEXES,
): Promise<void> {
  const definition = tableDefinition(eventIndexes);
  const attributes = new Map<string, KeyAttribute>();
  const remember = (attribute: KeyAttribute | undefined) => {
    if (attribute) attributes.set(attribute.name, attribute);
  };
  remember(definition.partitionKey);
  remember(definition.sortKey);
  for (const index of definition.globalSecondaryIndexes) {
    remember(index.partitionKey);
    remember(index.sortKey);
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: definition.billingMode,
      AttributeDefinitions: [...attributes.values()].map((a) => ({
        AttributeName: a.name,
        AttributeType: a.type,
      })),
      KeySchema: keySchema(definition.partitionKey, definition.sortKey),
      GlobalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: keySchema(index.partitionKey, index.sortKey),
        Projection: {
          ProjectionType: index.projection,
          ...(index.nonKeyAttributes !== undefined ? { NonKeyAttributes: [...index.nonKeyAttributes] } : {}),
        },
      })),
    }),
  );
  await waitUntilActive(client, tableName);
}

/**
 * Resolves once the table is ACTIVE. dynalite, like DynamoDB, answers writes to a CREATING table with
 * ResourceNotFoundException, and even with createTableMs 0 the switch happens after CreateTable returns.
 */
export async function waitUntilActive(
  client: DynamoDBClient,
  tableName: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline)
      throw new Error(`table ${tableName} still ${Table?.TableStatus} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Creates the table unless it already exists (a persisted --data directory keeps it across restarts). An existing
 * table must have the indexes of the stage: dynalite cannot add or drop one, so a mismatch stops the start.
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  eventIndexes: EventIndexStage = DEFAULT_EVENT_INDEXES,
): Promise<'created' | 'existing'> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const has = (Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName ?? '').sort();
    const wants = tableDefinition(eventIndexes)
      .globalSecondaryIndexes.map((index) => index.indexName)
      .sort();
    if (has.join(',') !== wants.join(',')) {
      throw new Error(
        `the table ${tableName} has the indexes ${has.join(', ') || 'none'}, EVENT_INDEXES=${eventIndexes} ` +
          `reads ${wants.join(', ')}: start with the stage the table was made at, or a new data directory`,
      );
    }
    await waitUntilActive(client, tableName);
    return 'existing';
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await createTable(client, tableName, eventIndexes);
  return 'created';
}

function keySchema(partitionKey: KeyAttribute, sortKey: KeyAttribute | undefined): KeySchemaElement[] {
  return [
    { AttributeName: partitionKey.name, KeyType: 'HASH' },
    ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
  ];
}
