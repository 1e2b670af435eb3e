// Upgrade step of the event indexes (docs/data-model.md, "Upgrading", "Event indexes"): before `eventIndexes` `v2`
// drops byId and the tombstone check, every stored event and audit entry needs its `ID#<id>` pointer and every
// `ERASED#<id>` tombstone its erased pointer. Tombstones and audit entries are in no index (a tombstone names only
// an id, by design), so one Scan of the table finds them: a keys-and-kind projection, filtered to event items and
// tombstones, 100 items a page. Per page, one BatchGetItem reads the pointers that exist; only what is missing is
// written, each Put conditioned so that it never replaces what the processor or an erasure wrote meanwhile. The
// Scan's position is kept in the table (`BACKFILL#pointers`), never printed (it holds a recipient's key): an
// interrupted run goes on where it stopped, a finished one removes it, and a second run writes nothing.
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { again, done, type Paced, pacer, retry } from '../domain/retry.ts';
import { errorNamed } from './aws-errors.ts';
import { erasedPointerItem, type Item, pointerItem } from './dynamo-items.ts';
import { EVENT_SK_PREFIX, keys, POINTER_PREFIX } from './table-definition.ts';

const PAGE_SIZE = 100;
const UNPROCESSED_ATTEMPTS = 8;
const CHECKPOINT_KEY = { pk: 'BACKFILL#pointers', sk: 'CHECKPOINT' };
const ERASED_PREFIX = 'ERASED#';

export interface PointerBackfillOptions {
  tableName: string;
  /** Count what would be done, write nothing (not even the checkpoint). */
  dryRun: boolean;
  /** Start over, ignoring where an interrupted run stopped. */
  restart: boolean;
  /** At most this many DynamoDB requests per second. */
  requestsPerSecond: number;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Items a Scan page reads (default 100; tests take small pages to stop between them). */
  pageSize?: number;
}

export interface PointerTally {
  /** Scan pages read. */
  pages: number;
  /** Whether it went on from an interrupted run's position. */
  resumed: boolean;
  /** Event items and audit entries found. */
  events: number;
  /** Of those, given a pointer. */
  pointersWritten: number;
  /** Of those, with a pointer already (written by the processor, or an earlier run). */
  pointersPresent: number;
  /** `ERASED#` tombstones found. */
  tombstones: number;
  /** Of those, whose id got an erased pointer. */
  tombstonesConverted: number;
  /** Of those, whose id had an erased pointer already. */
  tombstonesPresent: number;
  /** Writes refused by their condition: another writer got there between the read and the write. */
  changedMeanwhile: number;
  requests: number;
}

const emptyTally = (): PointerTally => ({
  pages: 0,
  resumed: false,
  events: 0,
  pointersWritten: 0,
  pointersPresent: 0,
  tombstones: 0,
  tombstonesConverted: 0,
  tombstonesPresent: 0,
  changedMeanwhile: 0,
  requests: 0,
});

/** What a row of the Scan asks for: a pointer to an event, an erased pointer, or nothing. */
type Wanted = { kind: 'event'; item: Item } | { kind: 'tombstone'; item: Item };

function wantedOf(row: Item): (Wanted & { id: string }) | null {
  const { pk, sk, entity } = row;
  if (typeof pk !== 'string' || typeof sk !== 'string') return null;
  if (entity === 'tombstone' && pk.startsWith(ERASED_PREFIX)) {
    return { kind: 'tombstone', id: pk.slice(ERASED_PREFIX.length), item: row };
  }
  if (entity === 'event' && pk.startsWith('R#') && sk.startsWith(EVENT_SK_PREFIX)) {
    return { kind: 'event', id: sk.slice(sk.lastIndexOf('#') + 1), item: row };
  }
  return null;
}

export async function backfillPointers(
  client: DynamoDBDocumentClient,
  options: PointerBackfillOptions,
): Promise<PointerTally> {
  const TableName = options.tableName;
  const tally = emptyTally();
  const pace = pacer(options);
  const paced: Paced = (request) => {
    tally.requests += 1;
    return pace(request);
  };

  let ExclusiveStartKey: Item | undefined;
  if (!options.restart) {
    const { Item: checkpoint } = await paced(() =>
      client.send(new GetCommand({ TableName, Key: CHECKPOINT_KEY, ConsistentRead: true })),
    );
    const position = checkpoint?.position;
    if (typeof position === 'object' && position !== null) {
      ExclusiveStartKey = position as Item;
      tally.resumed = true;
    }
  }

  do {
    const page = await paced(() =>
      client.send(
        new ScanCommand({
          TableName,
          ProjectionExpression: '#pk, #sk, #entity, #expiresAt',
          FilterExpression: '#entity IN (:event, :tombstone)',
          ExpressionAttributeNames: {
            '#pk': 'pk',
            '#sk': 'sk',
            '#entity': 'entity',
            '#expiresAt': 'expiresAt',
          },
          ExpressionAttributeValues: { ':event': 'event', ':tombstone': 'tombstone' },
          Limit: options.pageSize ?? PAGE_SIZE,
          ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
        }),
      ),
    );
    tally.pages += 1;
    const wanted = (page.Items ?? []).flatMap((row) => wantedOf(row) ?? []);
    const existing = await pointersOf(
      client,
      paced,
      options.sleep,
      TableName,
      wanted.map((w) => w.id),
    );
    for (const want of wanted) {
      const pointer = existing.get(want.id);
      if (want.kind === 'event') {
        tally.events += 1;
        if (pointer !== undefined) {
          tally.pointersPresent += 1;
          continue;
        }
        const item = pointerItem(
          { pk: String(want.item.pk), sk: String(want.item.sk), id: want.id },
          typeof want.item.expiresAt === 'number' ? want.item.expiresAt : null,
        );
        // Never over a pointer written meanwhile (the processor's, or an erasure's).
        if (await put(item, 'attribute_not_exists(pk)')) tally.pointersWritten += 1;
      } else {
        tally.tombstones += 1;
        if (pointer?.erased === true) {
          tally.tombstonesPresent += 1;
          continue;
        }
        const expiresAt = typeof want.item.expiresAt === 'number' ? want.item.expiresAt : 0;
        // The tombstone says the event was erased: its pointer, if any, loses the address.
        if (await put(erasedPointerItem(want.id, expiresAt), 'attribute_not_exists(erased)'))
          tally.tombstonesConverted += 1;
      }
    }
    ExclusiveStartKey = page.LastEvaluatedKey as Item | undefined;
    if (!options.dryRun) {
      await paced(() =>
        ExclusiveStartKey === undefined
          ? client.send(new DeleteCommand({ TableName, Key: CHECKPOINT_KEY }))
          : client.send(
              new PutCommand({
                TableName,
                Item: { ...CHECKPOINT_KEY, entity: 'backfill', position: ExclusiveStartKey },
              }),
            ),
      );
    }
  } while (ExclusiveStartKey !== undefined);
  return tally;

  async function put(item: Item, condition: string): Promise<boolean> {
    if (options.dryRun) return true;
    try {
      await paced(() =>
        client.send(new PutCommand({ TableName, Item: item, ConditionExpression: condition })),
      );
      return true;
    } catch (error) {
      if (!errorNamed(error, 'ConditionalCheckFailedException')) throw error;
      tally.changedMeanwhile += 1;
      return false;
    }
  }
}

/** The pointers that exist among these ids (BatchGetItem, unprocessed keys retried). */
async function pointersOf(
  client: DynamoDBDocumentClient,
  paced: Paced,
  sleep: (ms: number) => Promise<void>,
  TableName: string,
  ids: readonly string[],
): Promise<Map<string, Item>> {
  const found = new Map<string, Item>();
  let pending: Item[] = [...new Set(ids)].map((id) => keys.pointer(id));
  if (pending.length === 0) return found;
  await retry(
    { attempts: UNPROCESSED_ATTEMPTS, pauseMs: (attempt) => Math.min(1000, 25 * 2 ** attempt), sleep },
    async () => {
      const out: BatchGetCommandOutput = await paced(() =>
        client.send(
          new BatchGetCommand({ RequestItems: { [TableName]: { Keys: pending, ConsistentRead: true } } }),
        ),
      );
      for (const item of out.Responses?.[TableName] ?? []) {
        found.set(String(item.pk).slice(POINTER_PREFIX.length), item);
      }
      pending = out.UnprocessedKeys?.[TableName]?.Keys ?? [];
      return pending.length === 0 ? done(undefined) : again();
    },
    () => {
      throw new Error(
        `BatchGetItem left ${pending.length} pointers unread after ${UNPROCESSED_ATTEMPTS} attempts`,
      );
    },
  );
  return found;
}
