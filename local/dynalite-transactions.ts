// dynalite 4 implements no TransactWriteItems/TransactGetItems. This front server adds them (all-or-nothing with
// rollback, per-item locks, CancellationReasons as DynamoDB sends them) and hands every other call to dynalite.
// Emulation limit: transactions are isolated from each other, not from concurrent plain (non-transactional)
// writes to the same items, which DynamoDB would reject with TransactionConflict.

import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
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

/** One DynamoDB JSON-protocol call: target operation and body in, parsed body out; WireError on an error. */
export type Wire = (operation: string, body: Record<string, unknown>) => Promise<Record<string, unknown>>;

// dynalite checks that a SigV4-shaped Authorization header is present, not the signature itself.
const INTERNAL_HEADERS = {
  'content-type': 'application/x-amz-json-1.0',
  authorization:
    'AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
  'x-amz-date': '20240101T000000Z',
};

/** Calls a dynalite server's request handler in-process: no socket, no HTTP parsing. */
export function inProcessWire(server: Server): Wire {
  return (operation, body) =>
    new Promise((resolve, reject) => {
      const payload = Buffer.from(JSON.stringify(body));
      const req = Object.assign(new EventEmitter(), {
        headers: { ...INTERNAL_HEADERS, 'x-amz-target': `DynamoDB_20120810.${operation}` },
        method: 'POST',
        url: '/',
      });
      const res = {
        statusCode: 200,
        setHeader: () => undefined,
        end: (text?: string) => {
          const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          if (res.statusCode >= 400) reject(new WireError(res.statusCode, parsed));
          else resolve(parsed);
        },
      };
      server.emit('request', req, res);
      process.nextTick(() => {
        req.emit('data', payload);
        req.emit('end');
      });
    });
}

/** Calls any DynamoDB-protocol endpoint over HTTP (used in proxy mode). */
export function httpWire(endpoint: string): Wire {
  return async (operation, body) => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { ...INTERNAL_HEADERS, 'x-amz-target': `DynamoDB_20120810.${operation}` },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (response.status >= 400) throw new WireError(response.status, parsed);
    return parsed;
  };
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof WireError && String(error.body.__type ?? '').endsWith('ConditionalCheckFailedException')
  );
}

interface Operation {
  kind: 'Put' | 'Update' | 'Delete' | 'ConditionCheck';
  table: string;
  key: Item;
  /** Applies the write under its condition; returns the images before and after. */
  apply(withNewImage: boolean): Promise<{ before: Item | undefined; after: Item | undefined }>;
}

/**
 * Executes transactions with per-item locks (transactions on different items run concurrently, as in DynamoDB),
 * all writes of one transaction at once, and a rollback to the previous images when any condition fails.
 */
export class TransactionEngine {
  private readonly tables = new Map<string, TableKeys>();
  private readonly locks = new Map<string, Promise<void>>();

  constructor(private readonly wire: Wire) {}

  private async withLocks<T>(ids: string[], work: () => Promise<T>): Promise<T> {
    const releases: (() => void)[] = [];
    // Sorted acquisition: two transactions sharing items can never wait on each other in a cycle.
    for (const id of [...new Set(ids)].sort()) {
      const previous = this.locks.get(id) ?? Promise.resolve();
      let release: () => void = () => undefined;
      const mine = new Promise<void>((resolve) => {
        release = resolve;
      });
      const chained = previous.then(() => mine);
      this.locks.set(id, chained);
      await previous;
      releases.push(() => {
        release();
        if (this.locks.get(id) === chained) this.locks.delete(id);
      });
    }
    try {
      return await work();
    } finally {
      for (const release of releases) release();
    }
  }

  private async tableKeys(tableName: string): Promise<TableKeys> {
    const known = this.tables.get(tableName);
    if (known) return known;
    const { Table } = (await this.wire('DescribeTable', { TableName: tableName })) as {
      Table?: {
        KeySchema?: { AttributeName: string }[];
        GlobalSecondaryIndexes?: { IndexName: string; KeySchema: { AttributeName: string }[] }[];
      };
    };
    const keys: TableKeys = {
      keyNames: (Table?.KeySchema ?? []).map((k) => k.AttributeName),
      indexes: (Table?.GlobalSecondaryIndexes ?? []).map((index) => ({
        name: index.IndexName,
        keyNames: index.KeySchema.map((k) => k.AttributeName),
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
    const ids = items.map(({ Get }) => `${Get.TableName}|${JSON.stringify(Get.Key)}`);
    return this.withLocks(ids, async () => {
      const responses = await Promise.all(
        items.map(async ({ Get }) => {
          const { Item } = (await this.wire('GetItem', { ...Get, ConsistentRead: true })) as { Item?: Item };
          return Item ? { Item } : {};
        }),
      );
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
    const ids = ops.map((op) => `${op.table}|${JSON.stringify(op.key)}`);
    if (new Set(ids).size !== ids.length) {
      throw validation('Transaction request cannot include multiple operations on one item');
    }
    const capacity = body.ReturnConsumedCapacity === 'TOTAL' || body.ReturnConsumedCapacity === 'INDEXES';
    return this.withLocks(ids, async () => {
      const settled = await Promise.allSettled(ops.map((op) => op.apply(capacity)));
      const failures = settled.filter((s) => s.status === 'rejected');
      if (failures.length > 0) {
        await this.rollback(ops, settled);
        const other = failures.find((f) => !isConditionFailure(f.reason));
        if (other) throw other.reason;
        const reasons = settled.map((s) =>
          s.status === 'rejected'
            ? { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }
            : { Code: 'None' },
        );
        throw new WireError(400, {
          __type: `${PREFIX}TransactionCanceledException`,
          message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
          CancellationReasons: reasons,
        });
      }
      if (!capacity) return {};
      const images = settled.map((s) =>
        s.status === 'fulfilled' ? s.value : { before: undefined, after: undefined },
      );
      return { ConsumedCapacity: await this.capacity(ops, images, body.ReturnConsumedCapacity ?? 'TOTAL') };
    });
  }

  private async capacity(
    ops: Operation[],
    images: { before: Item | undefined; after: Item | undefined }[],
    mode: string,
  ): Promise<Record<string, unknown>[]> {
    const perTable = new Map<string, { table: number; indexes: Map<string, number> }>();
    for (const [i, op] of ops.entries()) {
      const { before, after } = images[i] ?? { before: undefined, after: undefined };
      const entry = perTable.get(op.table) ?? { table: 0, indexes: new Map<string, number>() };
      perTable.set(op.table, entry);
      // Transactional writes cost two units per KB; condition checks two read units (counted here alike).
      entry.table += 2 * writeUnits(before, after);
      if (op.kind === 'ConditionCheck') continue;
      const { indexes } = await this.tableKeys(op.table);
      for (const index of indexes) {
        const inBefore = index.keyNames.every((k) => before?.[k] !== undefined);
        const inAfter = index.keyNames.every((k) => after?.[k] !== undefined);
        if (!inBefore && !inAfter) continue;
        const units = writeUnits(inBefore ? before : undefined, inAfter ? after : undefined);
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
    ops: Operation[],
    settled: PromiseSettledResult<{ before: Item | undefined; after: Item | undefined }>[],
  ): Promise<void> {
    await Promise.all(
      settled.map(async (s, i) => {
        const op = ops[i];
        if (s.status !== 'fulfilled' || !op || op.kind === 'ConditionCheck') return;
        if (s.value.before) await this.wire('PutItem', { TableName: op.table, Item: s.value.before });
        else await this.wire('DeleteItem', { TableName: op.table, Key: op.key });
      }),
    );
  }

  private async describe(item: TransactItem): Promise<Operation> {
    const expression = (c: Conditional) => ({
      ...(c.ConditionExpression ? { ConditionExpression: c.ConditionExpression } : {}),
      ...(c.ExpressionAttributeNames ? { ExpressionAttributeNames: c.ExpressionAttributeNames } : {}),
      ...(c.ExpressionAttributeValues ? { ExpressionAttributeValues: c.ExpressionAttributeValues } : {}),
    });
    const kinds = (['Put', 'Update', 'Delete', 'ConditionCheck'] as const).filter(
      (k) => item[k] !== undefined,
    );
    if (kinds.length !== 1) {
      throw validation('Each TransactItem must contain exactly one of Put, Update, Delete, ConditionCheck');
    }
    if (item.Put) {
      const put = item.Put;
      const { keyNames } = await this.tableKeys(put.TableName);
      const key = Object.fromEntries(keyNames.map((k) => [k, put.Item[k] ?? { NULL: true }])) as Item;
      return {
        kind: 'Put',
        table: put.TableName,
        key,
        apply: async () => {
          const { Attributes } = (await this.wire('PutItem', {
            TableName: put.TableName,
            Item: put.Item,
            ReturnValues: 'ALL_OLD',
            ...expression(put),
          })) as { Attributes?: Item };
          return { before: Attributes, after: put.Item };
        },
      };
    }
    if (item.Update) {
      const update = item.Update;
      return {
        kind: 'Update',
        table: update.TableName,
        key: update.Key,
        apply: async (withNewImage) => {
          const { Attributes } = (await this.wire('UpdateItem', {
            TableName: update.TableName,
            Key: update.Key,
            UpdateExpression: update.UpdateExpression,
            ReturnValues: 'ALL_OLD',
            ...expression(update),
          })) as { Attributes?: Item };
          if (!withNewImage) return { before: Attributes, after: undefined };
          const { Item: after } = (await this.wire('GetItem', {
            TableName: update.TableName,
            Key: update.Key,
            ConsistentRead: true,
          })) as { Item?: Item };
          return { before: Attributes, after };
        },
      };
    }
    if (item.Delete) {
      const del = item.Delete;
      return {
        kind: 'Delete',
        table: del.TableName,
        key: del.Key,
        apply: async () => {
          const { Attributes } = (await this.wire('DeleteItem', {
            TableName: del.TableName,
            Key: del.Key,
            ReturnValues: 'ALL_OLD',
            ...expression(del),
          })) as { Attributes?: Item };
          return { before: Attributes, after: undefined };
        },
      };
    }
    const check = item.ConditionCheck as Conditional & { Key: Item; ConditionExpression: string };
    return {
      kind: 'ConditionCheck',
      table: check.TableName,
      key: check.Key,
      // dynalite evaluates conditions only on writes: rewrite the current image (or a key-only placeholder,
      // removed at once) under the condition, while this transaction holds the item's lock.
      apply: async () => {
        const { Item: current } = (await this.wire('GetItem', {
          TableName: check.TableName,
          Key: check.Key,
          ConsistentRead: true,
        })) as { Item?: Item };
        try {
          await this.wire('PutItem', {
            TableName: check.TableName,
            Item: current ?? check.Key,
            ...expression(check),
          });
        } finally {
          if (!current) await this.wire('DeleteItem', { TableName: check.TableName, Key: check.Key });
        }
        return { before: current, after: current };
      },
    };
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
  const engine = new TransactionEngine(inProcessWire(inner));
  const front = createServer((req, res) => {
    if (!handleTransaction(engine, req, res)) inner.emit('request', req, res);
  });
  const endpoint = await listen(front, host, opts.port ?? 0);
  return {
    endpoint,
    dynaliteEndpoint,
    close: async () => {
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
  const engine = new TransactionEngine(httpWire(targetEndpoint));
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
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
