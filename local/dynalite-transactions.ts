// dynalite 4 implements no TransactWriteItems/TransactGetItems. This front server adds them and hands every other
// call to dynalite. Isolation as in DynamoDB: a transaction evaluates all its conditions (with dynalite's own
// expression parser) against the current items under per-item locks before it writes anything, so no reader ever
// sees a write that is later undone; plain single-item and batch calls on an item wait while a transaction holds
// it (DynamoDB would serialize reads and reject such writes with TransactionConflict). Query and Scan read
// committed items, possibly some of a transaction's items before the others (as in DynamoDB).

import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { itemSize, WRITE_UNIT_BYTES } from '../lambdas/adapters/dynamo-item-size.ts';

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
  /** Projected non-key attributes: null for ALL, empty for KEYS_ONLY. */
  indexes: { name: string; keyNames: string[]; projected: string[] | null }[];
}

/** The parts of dynalite's (4.0.0, pinned) own expression handling that evaluate a condition without writing. */
interface DynaliteExpressions {
  validateExpressions(data: Record<string, unknown>): string | undefined;
}
interface DynaliteDb {
  checkConditional(data: Record<string, unknown>, existingItem: Item | undefined): unknown;
}
const requireDynalite = createRequire(import.meta.url);
const expressions = requireDynalite('dynalite/validations/index.js') as DynaliteExpressions;
const dynaliteDb = requireDynalite('dynalite/db/index.js') as DynaliteDb;

class WireError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message ?? body.__type));
  }
}

const PREFIX = 'com.amazonaws.dynamodb.v20120810#';

function writeUnits(before: Item | undefined, after: Item | undefined): number {
  return Math.max(1, Math.ceil(Math.max(itemSize(before), itemSize(after)) / WRITE_UNIT_BYTES));
}

/** The index entry of an item: table and index keys plus the projected attributes; undefined when not indexed. */
function indexEntry(
  tableKeys: readonly string[],
  index: TableKeys['indexes'][number],
  item: Item | undefined,
): Item | undefined {
  if (!item || !index.keyNames.every((k) => item[k] !== undefined)) return undefined;
  if (index.projected === null) return item;
  const names = new Set([...tableKeys, ...index.keyNames, ...index.projected]);
  return Object.fromEntries(Object.entries(item).filter(([name]) => names.has(name)));
}

/**
 * Write units an item change costs one index, by DynamoDB's rules: nothing when the index entry (keys and projected
 * attributes) stays the same or the item is in the index neither before nor after; one write of the larger entry
 * when it changes in place; a delete and a put when an index key changes.
 */
function indexWriteUnits(
  tableKeys: readonly string[],
  index: TableKeys['indexes'][number],
  before: Item | undefined,
  after: Item | undefined,
): number {
  const old = indexEntry(tableKeys, index, before);
  const now = indexEntry(tableKeys, index, after);
  if (!old && !now) return 0;
  if (old && now) {
    const same = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      JSON.stringify(a) === JSON.stringify(b);
    const keyOf = (entry: Item) => Object.fromEntries(index.keyNames.map((k) => [k, entry[k]]));
    if (!same(keyOf(old), keyOf(now))) return writeUnits(old, undefined) + writeUnits(undefined, now);
    const sorted = (entry: Item) =>
      Object.fromEntries(Object.entries(entry).sort(([a], [b]) => (a < b ? -1 : 1)));
    return same(sorted(old), sorted(now)) ? 0 : writeUnits(old, now);
  }
  return writeUnits(old, now);
}

/** One DynamoDB JSON-protocol call: target operation and body in, parsed body out; WireError on an error. */
type Wire = (operation: string, body: Record<string, unknown>) => Promise<Record<string, unknown>>;

// dynalite checks that a SigV4-shaped Authorization header is present, not the signature itself.
const INTERNAL_HEADERS = {
  'content-type': 'application/x-amz-json-1.0',
  authorization:
    'AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
  'x-amz-date': '20240101T000000Z',
};

/** Calls a dynalite server's request handler in-process: no socket, no HTTP parsing. */
function inProcessWire(server: Server): Wire {
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
function httpWire(endpoint: string): Wire {
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

interface Operation {
  kind: 'Put' | 'Update' | 'Delete' | 'ConditionCheck';
  table: string;
  key: Item;
  /** The request as dynalite's expression parser sees it; null when there is no condition. */
  condition: Record<string, unknown> | null;
  /**
   * Writes the item (condition kept as a guard). Returns the image after the write when asked for (capacity
   * report), else the image before it (to put back should another item of the transaction fail on a limit).
   */
  write(withNewImage: boolean): Promise<Images>;
}

type Images = { before: Item | undefined; after: Item | undefined };

/**
 * One committed change of one item, as DynamoDB Streams (NEW_AND_OLD_IMAGES) would record it: reported under the
 * item's lock, so the changes of one item are reported in the order they were made. A write that leaves the item
 * as it was is no change (DynamoDB writes no stream record for it either).
 */
export interface ItemChange {
  table: string;
  keys: Item;
  before: Item | undefined;
  after: Item | undefined;
}
export type ChangeSink = (change: ItemChange) => void;

function sameImage(a: Item | undefined, b: Item | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const names = Object.keys(a);
  return (
    names.length === Object.keys(b).length &&
    names.every((name) => JSON.stringify(sorted(a[name])) === JSON.stringify(sorted(b[name])))
  );
}

/** An attribute value with map keys in one order, so equal values compare equal as JSON. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
        .map(([k, v]) => [k, sorted(v)]),
    );
  }
  return value;
}

function conditionHolds(op: Operation, image: Item | undefined): boolean {
  return op.condition === null || dynaliteDb.checkConditional(op.condition, image) == null;
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof WireError && String(error.body.__type ?? '').endsWith('ConditionalCheckFailedException')
  );
}

function cancelled(holds: readonly boolean[]): WireError {
  const reasons = holds.map((ok) =>
    ok ? { Code: 'None' } : { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
  );
  return new WireError(400, {
    __type: `${PREFIX}TransactionCanceledException`,
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
    CancellationReasons: reasons,
  });
}

/** Lock id of an item: table and key values in key-schema order (clients may send key attributes in any order). */
function lockId(table: string, keyNames: readonly string[], itemOrKey: Item): string {
  return `${table}|${keyNames.map((k) => JSON.stringify(itemOrKey[k] ?? null)).join('|')}`;
}

/**
 * Executes transactions with per-item locks (transactions on different items run concurrently, as in DynamoDB):
 * under the locks it reads the items that have conditions, evaluates every condition, and only when all hold
 * writes the items (the first conditional one first, under its own condition, so it needs no read; then the
 * rest at once). A failed condition writes nothing, so there is nothing to undo and nothing a reader could
 * have seen.
 */
class TransactionEngine {
  private readonly tables = new Map<string, TableKeys>();
  private readonly locks = new Map<string, Promise<void>>();

  constructor(
    private readonly wire: Wire,
    /** Told every committed change (the local stack's stream); without it no images are read for it. */
    private readonly onChange?: ChangeSink,
  ) {}

  private report(table: string, keyNames: readonly string[], images: Images): void {
    if (!this.onChange || sameImage(images.before, images.after)) return;
    const item = images.after ?? images.before ?? {};
    this.onChange({
      table,
      keys: Object.fromEntries(keyNames.map((k) => [k, item[k] as AttributeValue])),
      ...images,
    });
  }

  /** The items a plain write (PutItem, UpdateItem, DeleteItem, BatchWriteItem) touches: table and key. */
  async writtenKeys(
    operation: string,
    body: Record<string, unknown>,
  ): Promise<{ table: string; keyNames: string[]; key: Item }[]> {
    if (!WRITE_CALLS.has(operation)) return [];
    const keyed = this.keyedItems(operation, body);
    const written: { table: string; keyNames: string[]; key: Item }[] = [];
    for (const { table, item } of keyed) {
      const keys = await this.tableKeys(table).catch(() => null);
      if (!keys || keys.keyNames.length === 0) continue;
      written.push({
        table,
        keyNames: keys.keyNames,
        key: Object.fromEntries(keys.keyNames.map((k) => [k, item[k] ?? { NULL: true }])) as Item,
      });
    }
    return written;
  }

  /** Whether committed changes are reported (plain writes then go through writeWithImages). */
  get streaming(): boolean {
    return this.onChange !== undefined;
  }

  /**
   * Runs a plain write (its body parsed) with the stream's images: each item read before and after it, under the
   * item locks the caller holds, and reported before the caller answers, so a writer that got its answer can rely
   * on the change being in the stream.
   */
  async writeWithImages(operation: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const written = await this.writtenKeys(operation, body);
    const read = (table: string, key: Item) =>
      this.wire('GetItem', { TableName: table, Key: key, ConsistentRead: true }).then(
        (out) => (out as { Item?: Item }).Item,
        () => undefined,
      );
    const before = await Promise.all(written.map(({ table, key }) => read(table, key)));
    const out = await this.wire(operation, body);
    const after = await Promise.all(written.map(({ table, key }) => read(table, key)));
    written.forEach(({ table, keyNames }, i) => {
      this.report(table, keyNames, { before: before[i], after: after[i] });
    });
    return out;
  }

  /** Runs `work` while holding the locks of the given items (ids from `lockIds`). */
  async withLocks<T>(ids: readonly string[], work: () => Promise<T>): Promise<T> {
    const releases: (() => void)[] = [];
    // Sorted acquisition: two transactions sharing items can never wait on each other in a cycle.
    for (const id of [...new Set(ids)].sort()) {
      const previous = this.locks.get(id);
      let release: () => void = () => undefined;
      const mine = new Promise<void>((resolve) => {
        release = resolve;
      });
      const chained = previous ? previous.then(() => mine) : mine;
      this.locks.set(id, chained);
      if (previous) await previous;
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

  /**
   * Lock ids of the items a plain call touches (GetItem, PutItem, UpdateItem, DeleteItem, BatchGetItem,
   * BatchWriteItem); empty for every other call, which then needs no lock.
   */
  private keyedItems(operation: string, body: Record<string, unknown>): { table: string; item: Item }[] {
    const keyed: { table: string; item: Item }[] = [];
    const table = typeof body.TableName === 'string' ? body.TableName : '';
    if (operation === 'GetItem' || operation === 'UpdateItem' || operation === 'DeleteItem') {
      if (body.Key && typeof body.Key === 'object') keyed.push({ table, item: body.Key as Item });
    } else if (operation === 'PutItem') {
      if (body.Item && typeof body.Item === 'object') keyed.push({ table, item: body.Item as Item });
    } else if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
      const requests = (body.RequestItems ?? {}) as Record<string, unknown>;
      for (const [name, entry] of Object.entries(requests)) {
        if (operation === 'BatchGetItem') {
          for (const key of ((entry as { Keys?: Item[] }).Keys ?? []) as Item[])
            keyed.push({ table: name, item: key });
        } else {
          for (const request of (entry ?? []) as {
            PutRequest?: { Item: Item };
            DeleteRequest?: { Key: Item };
          }[]) {
            const item = request.PutRequest?.Item ?? request.DeleteRequest?.Key;
            if (item) keyed.push({ table: name, item });
          }
        }
      }
    }
    return keyed;
  }

  async lockIds(operation: string, body: Record<string, unknown>): Promise<string[]> {
    const keyed = this.keyedItems(operation, body);
    const ids: string[] = [];
    for (const { table: name, item } of keyed) {
      // An unknown table: dynalite will answer ResourceNotFoundException, no lock needed.
      const keys = await this.tableKeys(name).catch(() => null);
      if (keys && keys.keyNames.length > 0) ids.push(lockId(name, keys.keyNames, item));
    }
    return ids;
  }

  private async tableKeys(tableName: string): Promise<TableKeys> {
    const known = this.tables.get(tableName);
    if (known) return known;
    const { Table } = (await this.wire('DescribeTable', { TableName: tableName })) as {
      Table?: {
        KeySchema?: { AttributeName: string }[];
        GlobalSecondaryIndexes?: {
          IndexName: string;
          KeySchema: { AttributeName: string }[];
          Projection?: { ProjectionType?: string; NonKeyAttributes?: string[] };
        }[];
      };
    };
    const keys: TableKeys = {
      keyNames: (Table?.KeySchema ?? []).map((k) => k.AttributeName),
      indexes: (Table?.GlobalSecondaryIndexes ?? []).map((index) => ({
        name: index.IndexName,
        keyNames: index.KeySchema.map((k) => k.AttributeName),
        projected:
          index.Projection?.ProjectionType === 'ALL' ? null : (index.Projection?.NonKeyAttributes ?? []),
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
    const ids = await Promise.all(
      items.map(async ({ Get }) =>
        lockId(Get.TableName, (await this.tableKeys(Get.TableName)).keyNames, Get.Key),
      ),
    );
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

  private async read(op: Operation): Promise<Item | undefined> {
    const { Item } = (await this.wire('GetItem', {
      TableName: op.table,
      Key: op.key,
      ConsistentRead: true,
    })) as {
      Item?: Item;
    };
    return Item;
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
    const ids = await Promise.all(
      ops.map(async (op) => lockId(op.table, (await this.tableKeys(op.table)).keyNames, op.key)),
    );
    if (new Set(ids).size !== ids.length) {
      throw validation('Transaction request cannot include multiple operations on one item');
    }
    const capacity = body.ReturnConsumedCapacity === 'TOTAL' || body.ReturnConsumedCapacity === 'INDEXES';
    // The stream needs both images of every item, as the capacity report does: read before, write returning after.
    const imaging = capacity || this.onChange !== undefined;
    return this.withLocks(ids, async () => {
      // Phase 1: read what the conditions (or the capacity report) need and evaluate every condition. The first
      // conditional write (the lead) needs no read: it is written first, under its own condition, once all other
      // conditions are known to hold; if it fails, nothing has been written yet.
      const lead = imaging
        ? -1
        : ops.findIndex((op) => op.condition !== null && op.kind !== 'ConditionCheck');
      const before = await Promise.all(
        ops.map((op, i) =>
          i !== lead && (op.condition !== null || imaging) ? this.read(op) : Promise.resolve(undefined),
        ),
      );
      const holds = ops.map((op, i) => i === lead || conditionHolds(op, before[i]));
      const leadOp = ops[lead];
      if (holds.includes(false)) {
        // DynamoDB names every item whose condition fails, the lead's too.
        if (leadOp) holds[lead] = conditionHolds(leadOp, await this.read(leadOp));
        throw cancelled(holds);
      }
      // Phase 2: the lead, then everything else at once. The locks keep every other writer out, so from here a
      // write fails only on a limit (item too large, ...): then the items already written are put back.
      let leadImages: Images | undefined;
      if (leadOp) {
        try {
          leadImages = await leadOp.write(false);
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
          holds[lead] = false;
          throw cancelled(holds);
        }
      }
      const settled = await Promise.allSettled(
        ops.map((op, i) => (i === lead && leadImages ? Promise.resolve(leadImages) : op.write(imaging))),
      );
      const failure = settled.find((s) => s.status === 'rejected');
      if (failure) {
        await this.restore(ops, settled, before, imaging);
        throw failure.reason;
      }
      if (!imaging) return {};
      const images: Images[] = settled.map((s, i) => ({
        before: before[i],
        after: s.status === 'fulfilled' ? s.value.after : undefined,
      }));
      for (const [i, op] of ops.entries()) {
        if (op.kind === 'ConditionCheck') continue;
        const image = images[i] as Images;
        this.report(op.table, (await this.tableKeys(op.table)).keyNames, image);
      }
      if (!capacity) return {};
      return { ConsumedCapacity: await this.capacity(ops, images, body.ReturnConsumedCapacity ?? 'TOTAL') };
    });
  }

  private async capacity(
    ops: Operation[],
    images: Images[],
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
      const { keyNames, indexes } = await this.tableKeys(op.table);
      for (const index of indexes) {
        const units = indexWriteUnits(keyNames, index, before, after);
        if (units > 0) entry.indexes.set(index.name, (entry.indexes.get(index.name) ?? 0) + units);
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

  /** After a write failed on a limit: puts back the items the other writes had changed. */
  private async restore(
    ops: Operation[],
    settled: PromiseSettledResult<Images>[],
    read: (Item | undefined)[],
    imagesWereRead: boolean,
  ): Promise<void> {
    await Promise.all(
      settled.map(async (s, i) => {
        const op = ops[i];
        if (s.status !== 'fulfilled' || !op || op.kind === 'ConditionCheck') return;
        const image = imagesWereRead ? read[i] : s.value.before;
        if (image) await this.wire('PutItem', { TableName: op.table, Item: image });
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
    /** The condition parsed by dynalite, with just the names and values it uses (else they look unused). */
    const condition = (c: Conditional): Record<string, unknown> | null => {
      const text = c.ConditionExpression;
      if (!text) return null;
      const used = (map: Record<string, unknown> | undefined) => {
        const entries = Object.entries(map ?? {}).filter(([token]) =>
          new RegExp(`${token}(?![0-9A-Za-z_])`).test(text),
        );
        return entries.length > 0 ? Object.fromEntries(entries) : undefined;
      };
      const names = used(c.ExpressionAttributeNames);
      const values = used(c.ExpressionAttributeValues);
      const data: Record<string, unknown> = {
        ConditionExpression: text,
        ...(names ? { ExpressionAttributeNames: names } : {}),
        ...(values ? { ExpressionAttributeValues: values } : {}),
      };
      const invalid = expressions.validateExpressions(data);
      if (invalid) throw validation(invalid);
      return data;
    };
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
        condition: condition(put),
        write: async () => {
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
        condition: condition(update),
        write: async (withNewImage) => {
          const { Attributes } = (await this.wire('UpdateItem', {
            TableName: update.TableName,
            Key: update.Key,
            UpdateExpression: update.UpdateExpression,
            ReturnValues: withNewImage ? 'ALL_NEW' : 'ALL_OLD',
            ...expression(update),
          })) as { Attributes?: Item };
          return withNewImage
            ? { before: undefined, after: Attributes }
            : { before: Attributes, after: undefined };
        },
      };
    }
    if (item.Delete) {
      const del = item.Delete;
      return {
        kind: 'Delete',
        table: del.TableName,
        key: del.Key,
        condition: condition(del),
        write: async () => {
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
      condition: condition(check),
      // Evaluated in phase 1; nothing to write.
      write: async () => ({ before: undefined, after: undefined }),
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

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const LOCKED_CALLS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchGetItem',
  'BatchWriteItem',
]);

const WRITE_CALLS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

/** Hands a request whose body was already read to the store behind the front; resolves once it has answered. */
type Forward = (req: IncomingMessage, body: Buffer, res: ServerResponse) => Promise<void>;

function answered(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    res.once('finish', resolve);
    res.once('close', resolve);
  });
}

/** Forwards to a dynalite server in the same process (no socket). */
function inProcessForward(server: Server): Forward {
  return (req, body, res) => {
    const done = answered(res);
    const replay = Object.assign(new EventEmitter(), {
      headers: req.headers,
      method: req.method,
      url: req.url,
    });
    server.emit('request', replay, res);
    process.nextTick(() => {
      replay.emit('data', body);
      replay.emit('end');
    });
    return done;
  };
}

/** Forwards over HTTP to any DynamoDB-protocol endpoint. */
function httpForward(targetEndpoint: string): Forward {
  const target = new URL(targetEndpoint);
  return (req, body, res) =>
    new Promise<void>((resolve) => {
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
          answer.once('end', () => resolve());
        },
      );
      upstream.on('error', (error) => {
        if (!res.headersSent) send(res, 502, { __type: 'ProxyError', message: error.message });
        resolve();
      });
      upstream.end(body);
    });
}

/**
 * Serves one request at the front: transactions by the engine; plain calls on items (GetItem, PutItem, UpdateItem,
 * DeleteItem, Batch*) forwarded while holding those items' locks, so they wait for a transaction in progress on
 * them; every other call forwarded untouched.
 */
async function serveRequest(
  engine: TransactionEngine,
  req: IncomingMessage,
  res: ServerResponse,
  forward: Forward,
  authorize?: AuthorizeCall,
): Promise<void> {
  const target = String(req.headers['x-amz-target'] ?? '');
  const operation = target.startsWith('DynamoDB_20120810.') ? target.slice('DynamoDB_20120810.'.length) : '';
  const transaction = operation === 'TransactWriteItems' || operation === 'TransactGetItems';
  try {
    const raw = await readBody(req);
    const problem = authorize ? await authorize(req, raw) : null;
    if (problem !== null) {
      send(res, 403, { __type: 'com.amazon.coral.service#InvalidSignatureException', message: problem });
      return;
    }
    if (!transaction) {
      let ids: string[] = [];
      let parsed: Record<string, unknown> | null = null;
      if (LOCKED_CALLS.has(operation)) {
        // Unparsable bodies go to the store as they are; it answers with its own error.
        const body = (() => {
          try {
            return JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
          } catch {
            return null;
          }
        })();
        if (body && typeof body === 'object') {
          parsed = body;
          ids = await engine.lockIds(operation, body);
        }
      }
      const body = parsed;
      const run = async () => {
        if (body === null || !engine.streaming || !WRITE_CALLS.has(operation)) return forward(req, raw, res);
        send(res, 200, await engine.writeWithImages(operation, body));
      };
      await (ids.length > 0 ? engine.withLocks(ids, run) : run());
      return;
    }
    const body = JSON.parse(raw.toString('utf8'));
    const result =
      operation === 'TransactWriteItems' ? await engine.transactWrite(body) : await engine.transactGet(body);
    send(res, 200, result);
  } catch (error) {
    if (res.headersSent) return;
    if (error instanceof WireError) send(res, error.status, error.body);
    else if (error instanceof SyntaxError)
      send(res, 400, { __type: 'com.amazon.coral.service#SerializationException' });
    else send(res, 500, { __type: `${PREFIX}InternalServerError`, message: String(error) });
  }
}

/** Null when the call may proceed, otherwise why not (answered 403 InvalidSignatureException). */
export type AuthorizeCall = (req: IncomingMessage, body: Buffer) => Promise<string | null>;

export interface TransactionalDynalite {
  endpoint: string;
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
 * transactions are executed by the engine. dynalite's own port (it must listen to close its store cleanly) refuses
 * every network client, so every call passes the front (and `authorize`, when given).
 */
export async function startTransactionalDynalite(
  opts: {
    host?: string;
    port?: number;
    dataDir?: string;
    authorize?: AuthorizeCall;
    onChange?: ChangeSink;
  } = {},
): Promise<TransactionalDynalite> {
  const host = opts.host ?? '127.0.0.1';
  const inner = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(opts.dataDir ? { path: opts.dataDir } : {}),
  });
  const store = inner.listeners('request')[0] as (req: IncomingMessage, res: ServerResponse) => void;
  inner.removeAllListeners('request');
  inner.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // In-process calls carry no socket; a network client reaching dynalite's port directly is refused.
    if (req.socket) send(res, 403, { __type: 'AccessDeniedException', message: 'Use the front endpoint.' });
    else store(req, res);
  });
  await listen(inner, '127.0.0.1', 0);
  const engine = new TransactionEngine(inProcessWire(inner), opts.onChange);
  const forward = inProcessForward(inner);
  const front = createServer((req, res) => {
    // Only SDK clients talk to DynamoDB; dynalite would answer any web page's CORS preflight with
    // Access-Control-Allow-Origin: *, letting a site the user visits read the table. Browsers send Origin on
    // every POST (same-origin too, so a DNS-rebound page is refused alike) and on preflights.
    if (req.headers.origin !== undefined || req.method === 'OPTIONS') {
      req.resume();
      send(res, 403, { __type: 'AccessDeniedException', message: 'Browsers are not served here.' });
      return;
    }
    const served = serveRequest(engine, req, res, forward, opts.authorize);
    inFlight.add(served);
    const settled = () => inFlight.delete(served);
    served.then(settled, settled);
  });
  // Requests the front accepted; they reach the store in-process, with no socket for dynalite's close to wait for.
  const inFlight = new Set<Promise<void>>();
  const endpoint = await listen(front, host, opts.port ?? 0);
  return {
    endpoint,
    close: async () => {
      // No new connections; every accepted request is answered before the store closes under it (closing first
      // left them writing to a closed LevelDB: "Database is closed" after the caller had moved on).
      const frontClosed = new Promise<void>((resolve) => front.close(() => resolve()));
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      front.closeAllConnections();
      await frontClosed;
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
  const engine = new TransactionEngine(httpWire(targetEndpoint));
  const forward = httpForward(targetEndpoint);
  const server = createServer((req, res) => {
    void serveRequest(engine, req, res, forward);
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
