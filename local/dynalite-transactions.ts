// dynalite 4 implements no TransactWriteItems/TransactGetItems. This front server adds them (all-or-nothing with
// rollback, serialized, CancellationReasons as DynamoDB sends them) and hands every other call to dynalite.
// Emulation limits: transactions are serialized among themselves but not isolated from concurrent plain writes,
// and on a failed condition only the first failing item is reported (DynamoDB checks all of them).

import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AttributeValue,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

type Item = Record<string, AttributeValue>;
type Names = Record<string, string> | undefined;
type Values = Item | undefined;

interface Conditional {
  TableName: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Names;
  ExpressionAttributeValues?: Values;
}
interface TransactItem {
  Put?: Conditional & { Item: Item };
  Update?: Conditional & { Key: Item; UpdateExpression: string };
  Delete?: Conditional & { Key: Item };
  ConditionCheck?: Conditional & { Key: Item; ConditionExpression: string };
}
interface TransactGet {
  Get: { TableName: string; Key: Item; ProjectionExpression?: string; ExpressionAttributeNames?: Names };
}

interface TableKeys {
  keyNames: string[];
  indexes: { name: string; keyNames: string[] }[];
}

class WireError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message ?? body.__type));
  }
}

const PREFIX = 'com.amazonaws.dynamodb.v20120810#';

/** DynamoDB's item size rule: attribute name lengths plus value sizes (close enough for unit counting). */
function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|e.*$/gi, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + n.length, 0);
  if (value.L) return 3 + value.L.reduce((sum, v) => sum + 1 + valueSize(v), 0);
  if (value.M)
    return (
      3 + Object.entries(value.M).reduce((sum, [k, v]) => sum + 1 + Buffer.byteLength(k) + valueSize(v), 0)
    );
  return 0;
}

export function itemSize(item: Item | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value),
    0,
  );
}

function writeUnits(before: Item | undefined, after: Item | undefined): number {
  return Math.max(1, Math.ceil(Math.max(itemSize(before), itemSize(after)) / 1024));
}

/** Executes transactions against a dynalite endpoint, one at a time. */
export class TransactionEngine {
  private readonly client: DynamoDBClient;
  private readonly tables = new Map<string, TableKeys>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(dynaliteEndpoint: string) {
    this.client = new DynamoDBClient({
      endpoint: dynaliteEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  }

  destroy(): void {
    this.client.destroy();
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async tableKeys(tableName: string): Promise<TableKeys> {
    const known = this.tables.get(tableName);
    if (known) return known;
    const { Table } = await this.client.send(new DescribeTableCommand({ TableName: tableName }));
    const keys: TableKeys = {
      keyNames: (Table?.KeySchema ?? []).map((k) => k.AttributeName ?? ''),
      indexes: (Table?.GlobalSecondaryIndexes ?? []).map((index) => ({
        name: index.IndexName ?? '',
        keyNames: (index.KeySchema ?? []).map((k) => k.AttributeName ?? ''),
      })),
    };
    this.tables.set(tableName, keys);
    return keys;
  }

  async transactGet(body: { TransactItems?: TransactGet[] }): Promise<Record<string, unknown>> {
    const items = body.TransactItems ?? [];
    if (items.length === 0 || items.length > 100) {
      throw validation('TransactItems must have between 1 and 100 items');
    }
    return this.serialize(async () => {
      const responses = [];
      for (const { Get } of items) {
        const result = await this.client.send(new GetItemCommand({ ...Get, ConsistentRead: true }));
        responses.push(result.Item ? { Item: result.Item } : {});
      }
      return { Responses: responses };
    });
  }

  async transactWrite(body: {
    TransactItems?: TransactItem[];
    ReturnConsumedCapacity?: string;
  }): Promise<Record<string, unknown>> {
    const items = body.TransactItems ?? [];
    if (items.length === 0 || items.length > 100) {
      throw validation('TransactItems must have between 1 and 100 items');
    }
    const ops = await Promise.all(items.map((item) => this.describe(item)));
    const seen = new Set<string>();
    for (const op of ops) {
      const id = `${op.table}|${JSON.stringify(op.key)}`;
      if (seen.has(id))
        throw validation('Transaction request cannot include multiple operations on one item');
      seen.add(id);
    }
    return this.serialize(async () => {
      const before: (Item | undefined)[] = [];
      for (const op of ops) {
        const { Item } = await this.client.send(
          new GetItemCommand({ TableName: op.table, Key: op.key, ConsistentRead: true }),
        );
        before.push(Item);
      }
      const applied: number[] = [];
      const after: (Item | undefined)[] = [];
      for (const [index, op] of ops.entries()) {
        try {
          after[index] = await op.apply(before[index]);
          applied.push(index);
        } catch (error) {
          await this.rollback(ops, before, applied);
          if (error instanceof DynamoDBServiceException && error.name === 'ConditionalCheckFailedException') {
            const reasons = ops.map((_, i) =>
              i === index
                ? { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }
                : { Code: 'None' },
            );
            throw new WireError(400, {
              __type: `${PREFIX}TransactionCanceledException`,
              message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
              CancellationReasons: reasons,
            });
          }
          if (error instanceof DynamoDBServiceException) {
            throw new WireError(error.$metadata.httpStatusCode ?? 400, {
              __type: `${PREFIX}${error.name}`,
              message: error.message,
            });
          }
          throw error;
        }
      }
      if (body.ReturnConsumedCapacity !== 'TOTAL' && body.ReturnConsumedCapacity !== 'INDEXES') return {};
      return { ConsumedCapacity: await this.capacity(ops, before, after, body.ReturnConsumedCapacity) };
    });
  }

  private async capacity(
    ops: Awaited<ReturnType<TransactionEngine['describe']>>[],
    before: (Item | undefined)[],
    after: (Item | undefined)[],
    mode: string,
  ): Promise<Record<string, unknown>[]> {
    const perTable = new Map<string, { table: number; indexes: Map<string, number> }>();
    for (const [i, op] of ops.entries()) {
      const entry = perTable.get(op.table) ?? { table: 0, indexes: new Map<string, number>() };
      perTable.set(op.table, entry);
      // Transactional writes cost two units per KB; condition checks two read units (counted here alike).
      entry.table += 2 * writeUnits(before[i], after[i]);
      if (op.kind === 'ConditionCheck') continue;
      const { indexes } = await this.tableKeys(op.table);
      for (const index of indexes) {
        const inBefore = index.keyNames.every((k) => before[i]?.[k] !== undefined);
        const inAfter = index.keyNames.every((k) => after[i]?.[k] !== undefined);
        if (!inBefore && !inAfter) continue;
        const units = writeUnits(inBefore ? before[i] : undefined, inAfter ? after[i] : undefined);
        entry.indexes.set(index.name, (entry.indexes.get(index.name) ?? 0) + units);
      }
    }
    return [...perTable.entries()].map(([tableName, entry]) => {
      const indexTotal = [...entry.indexes.values()].reduce((a, b) => a + b, 0);
      return {
        TableName: tableName,
        CapacityUnits: entry.table + indexTotal,
        WriteCapacityUnits: entry.table + indexTotal,
        ...(mode === 'INDEXES'
          ? {
              Table: { CapacityUnits: entry.table, WriteCapacityUnits: entry.table },
              GlobalSecondaryIndexes: Object.fromEntries(
                [...entry.indexes.entries()].map(([name, units]) => [
                  name,
                  { CapacityUnits: units, WriteCapacityUnits: units },
                ]),
              ),
            }
          : {}),
      };
    });
  }

  private async rollback(
    ops: Awaited<ReturnType<TransactionEngine['describe']>>[],
    before: (Item | undefined)[],
    applied: number[],
  ): Promise<void> {
    for (const index of [...applied].reverse()) {
      const op = ops[index];
      if (!op) continue;
      const old = before[index];
      if (old) await this.client.send(new PutItemCommand({ TableName: op.table, Item: old }));
      else await this.client.send(new DeleteItemCommand({ TableName: op.table, Key: op.key }));
    }
  }

  private async describe(item: TransactItem) {
    const expression = (c: Conditional) => ({
      ...(c.ConditionExpression ? { ConditionExpression: c.ConditionExpression } : {}),
      ...(c.ExpressionAttributeNames ? { ExpressionAttributeNames: c.ExpressionAttributeNames } : {}),
      ...(c.ExpressionAttributeValues ? { ExpressionAttributeValues: c.ExpressionAttributeValues } : {}),
    });
    if (item.Put) {
      const put = item.Put;
      const { keyNames } = await this.tableKeys(put.TableName);
      const key = Object.fromEntries(keyNames.map((k) => [k, put.Item[k] ?? { NULL: true }])) as Item;
      return {
        kind: 'Put' as const,
        table: put.TableName,
        key,
        apply: async () => {
          await this.client.send(
            new PutItemCommand({ TableName: put.TableName, Item: put.Item, ...expression(put) }),
          );
          return put.Item;
        },
      };
    }
    if (item.Update) {
      const update = item.Update;
      return {
        kind: 'Update' as const,
        table: update.TableName,
        key: update.Key,
        apply: async () => {
          const result = await this.client.send(
            new UpdateItemCommand({
              TableName: update.TableName,
              Key: update.Key,
              UpdateExpression: update.UpdateExpression,
              ReturnValues: 'ALL_NEW',
              ...expression(update),
            }),
          );
          return result.Attributes;
        },
      };
    }
    if (item.Delete) {
      const del = item.Delete;
      return {
        kind: 'Delete' as const,
        table: del.TableName,
        key: del.Key,
        apply: async () => {
          await this.client.send(
            new DeleteItemCommand({ TableName: del.TableName, Key: del.Key, ...expression(del) }),
          );
          return undefined;
        },
      };
    }
    if (item.ConditionCheck) {
      const check = item.ConditionCheck;
      return {
        kind: 'ConditionCheck' as const,
        table: check.TableName,
        key: check.Key,
        // Evaluated by rewriting the current image (or a key-only placeholder, removed at once) under the
        // condition: dynalite evaluates conditions only on writes.
        apply: async (current: Item | undefined) => {
          await this.client.send(
            new PutItemCommand({
              TableName: check.TableName,
              Item: current ?? check.Key,
              ...expression(check),
            }),
          );
          if (!current)
            await this.client.send(new DeleteItemCommand({ TableName: check.TableName, Key: check.Key }));
          return current;
        },
      };
    }
    throw validation('Each TransactItem must contain exactly one of Put, Update, Delete, ConditionCheck');
  }
}

function validation(message: string): WireError {
  return new WireError(400, { __type: 'com.amazon.coral.validate#ValidationException', message });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Answers TransactWriteItems/TransactGetItems; returns false (request untouched) for every other call. */
export function handleTransaction(
  engine: TransactionEngine,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const target = String(req.headers['x-amz-target'] ?? '');
  if (target !== 'DynamoDB_20120810.TransactWriteItems' && target !== 'DynamoDB_20120810.TransactGetItems') {
    return false;
  }
  void (async () => {
    try {
      const body = JSON.parse(await readBody(req));
      const result = target.endsWith('TransactWriteItems')
        ? await engine.transactWrite(body)
        : await engine.transactGet(body);
      send(res, 200, result);
    } catch (error) {
      if (error instanceof WireError) send(res, error.status, error.body);
      else if (error instanceof SyntaxError)
        send(res, 400, { __type: 'com.amazon.coral.service#SerializationException' });
      else send(res, 500, { __type: `${PREFIX}InternalServerError`, message: String(error) });
    }
  })();
  return true;
}

export interface TransactionalDynalite {
  endpoint: string;
  /** dynalite itself, without transactions (for comparison benchmarks). */
  dynaliteEndpoint: string;
  close(): Promise<void>;
}

async function listen(server: Server, host: string, port: number): Promise<string> {
  server.listen(port, host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  return `http://${host}:${address.port}`;
}

/**
 * An in-memory (or `dataDir`-backed) dynalite with transactions: plain calls are handed to dynalite in-process,
 * transactions are executed by the engine.
 */
export async function startTransactionalDynalite(
  opts: { host?: string; port?: number; dataDir?: string } = {},
): Promise<TransactionalDynalite> {
  const host = opts.host ?? '127.0.0.1';
  const inner = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(opts.dataDir ? { path: opts.dataDir } : {}),
  });
  const dynaliteEndpoint = await listen(inner, '127.0.0.1', 0);
  const engine = new TransactionEngine(dynaliteEndpoint);
  const front = createServer((req, res) => {
    if (!handleTransaction(engine, req, res)) inner.emit('request', req, res);
  });
  const endpoint = await listen(front, host, opts.port ?? 0);
  return {
    endpoint,
    dynaliteEndpoint,
    close: async () => {
      engine.destroy();
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      inner.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        inner.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/** A loopback proxy adding transactions in front of any dynalite endpoint (e.g. one started elsewhere). */
export async function startTransactionProxy(
  targetEndpoint: string,
  opts: { host?: string; port?: number } = {},
): Promise<{ endpoint: string; close(): Promise<void> }> {
  const target = new URL(targetEndpoint);
  const engine = new TransactionEngine(targetEndpoint);
  const server = createServer((req, res) => {
    if (handleTransaction(engine, req, res)) return;
    const upstream = request(
      {
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => send(res, 502, { __type: 'ProxyError', message: error.message }));
    req.pipe(upstream);
  });
  const endpoint = await listen(server, opts.host ?? '127.0.0.1', opts.port ?? 0);
  return {
    endpoint,
    close: async () => {
      engine.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
