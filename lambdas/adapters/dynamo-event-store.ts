// DynamoDB adapter of the event store: per recipient event the `ID#<id>` pointer's conditional PutItem (at `v2`) and
// one TransactWriteItems (event and/or ledger entry, summary; conditioned on the event key, the summary version and,
// before `v2`, the absence of an erasure tombstone), the counted deliveries of a batch entered in the delivery ledger
// (dynamo-delivery-ledger.ts), and the suppression worker's state transitions. The daily counters are not written
// here: the counter rollup sums them from the table stream (dynamo-counter-rollup.ts).
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CountedDelivery } from '../domain/delivery-history.ts';
import type {
  Allowlist,
  CompleteSuppressionInput,
  EventStore,
  RecordEventInput,
  RecordResult,
  StoredSummary,
  SuppressionStateStore,
} from '../domain/ports.ts';
import type { RecipientEvent } from '../domain/recipient-event.ts';
import type { AllowlistKind } from '../domain/records.ts';
import { again, done, retry, sleep } from '../domain/retry.ts';
import { errorNamed } from './aws-errors.ts';
import { DynamoDeliveryLedger } from './dynamo-delivery-ledger.ts';
import {
  allowlistKeyOf,
  auditItem,
  type EventItemShape,
  eventItem,
  type FirstModelIndexKey,
  type Item,
  ledgerEntry,
  POINTER_NOT_ERASED,
  pointerItem,
  summaryExpiresAt,
  summaryFromItem,
  summaryItem,
  summaryUpdate,
} from './dynamo-items.ts';
import {
  ALLOWLIST_PK,
  DEFAULT_EVENT_INDEXES,
  type EventIndexPlan,
  type EventIndexStage,
  eventIndexPlan,
  INDEX_BY_DOMAIN,
  INDEX_BY_ID,
  INDEX_BY_TIME,
  keys,
} from './table-definition.ts';

const BATCH_GET_LIMIT = 100;
const UNPROCESSED_ATTEMPTS = 5;

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A transaction item of an event's record, and what it means when its condition fails. */
interface RecordItem {
  failed: 'duplicate' | 'summary-changed' | 'ledger-minute';
  item: TransactItem;
}

/** Fails when the event was erased: erasure leaves a tombstone under the event's id (no address). */
function tombstoneCheck(TableName: string, eventId: string): TransactItem {
  return {
    ConditionCheck: { TableName, Key: keys.erased(eventId), ConditionExpression: 'attribute_not_exists(pk)' },
  };
}

/** The Put of an event's `ID#<id>` pointer: it may replace a live pointer, never an erased one. */
function pointerPut(TableName: string, eventId: string, event: Item) {
  return {
    TableName,
    Item: pointerItem(
      { pk: String(event.pk), sk: String(event.sk), id: eventId },
      typeof event.expiresAt === 'number' ? event.expiresAt : null,
    ),
    ...POINTER_NOT_ERASED,
  };
}

/**
 * Whether a stored event's pointer is written before its transaction, as a plain conditional PutItem (1 WCU under
 * 1 KB instead of 2 in the transaction): at `v2`, where the pointer is the only erasure guard. In the stages between
 * (`v2-readers` … `drop-byDomain`) it stays in the transaction beside the tombstone check. docs/data-model.md,
 * "Event id pointer", reasons through redelivery, crashes and a concurrent erasure.
 */
function pointerFirst(plan: EventIndexPlan): boolean {
  return plan.pointers && !plan.tombstones;
}

/**
 * What the transaction holds between a redelivered erased event and its return: the `ERASED#` tombstone check
 * (stages before `v2`), and in the stages from `v2-readers` on that still have it, the event's pointer, written with
 * the event on the condition that it is not erased. At `v2` the pointer goes first, alone (pointerFirst), and the
 * transaction holds no guard. An event that is not kept (a delivery only counted into a summary) has no pointer
 * and, in `v2`, no check: erasure only marks events it found stored, and its ledger entry is its guard.
 */
function erasureGuards(
  TableName: string,
  plan: EventIndexPlan,
  eventId: string,
  event: Item | null,
): TransactItem[] {
  const pointer: TransactItem[] =
    plan.pointers && !pointerFirst(plan) && event !== null
      ? [{ Put: pointerPut(TableName, eventId, event) }]
      : [];
  return [...pointer, ...(plan.tombstones ? [tombstoneCheck(TableName, eventId)] : [])];
}

/**
 * The keys of the first model's indexes an event item carries: those of the indexes the table still has (`eid` for
 * byId, `gsi1sk` for byTime, `gsi2sk` for byDomain). byTime2 and byDomain2 sort on `sk`; pointers replace byId.
 */
function firstModelIndexKeys(plan: EventIndexPlan): FirstModelIndexKey[] {
  const keyOf: Record<string, FirstModelIndexKey> = {
    [INDEX_BY_ID]: 'eid',
    [INDEX_BY_TIME]: 'gsi1sk',
    [INDEX_BY_DOMAIN]: 'gsi2sk',
  };
  return plan.indexes.flatMap((index) => keyOf[index] ?? []);
}

export interface DynamoEventStoreOptions {
  tableName: string;
  eventRetentionDays: number;
  /** Days a recipient summary stays after the last event that touched it (RECIPIENT_RETENTION_DAYS). */
  recipientRetentionDays: number;
  /** Pause between BatchGetItem retries of unprocessed keys; tests pass their own. Defaults to the real clock. */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Read the summaries asked for in one event-loop turn together (one BatchGetItem): for the processor, whose
   * batch records run concurrently. Off, every read is its own GetItem (the worker reads one at a time).
   */
  batchSummaryReads?: boolean;
  /**
   * The shape of the SES event items written (docs/data-model.md, "Slim event items"); default the stage's (short:
   * slim with short names, from the stage after `v1` on). Benchmarks and tests compare the shapes.
   */
  eventItemShape?: EventItemShape;
  /** The stage of the event indexes (pointers, tombstones); defaults to a new table's. */
  eventIndexes?: EventIndexStage;
}

/**
 * Requests made in one event-loop turn, served together: the first schedules `serve` for the end of the turn, which
 * answers every request of the turn, in order, or fails them all with its error.
 */
class TurnBatch<T, R> {
  private pending: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];

  constructor(private readonly serve: (items: T[]) => Promise<R[]>) {}

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ item, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    let results: R[];
    try {
      results = await this.serve(pending.map((p) => p.item));
    } catch (error) {
      for (const p of pending) p.reject(error);
      return;
    }
    pending.forEach((p, i) => {
      p.resolve(results[i] as R);
    });
  }
}

export class DynamoEventStore implements EventStore, SuppressionStateStore {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly plan: EventIndexPlan;
  private readonly ledger: DynamoDeliveryLedger;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: DynamoEventStoreOptions,
  ) {
    this.sleep = options.sleep ?? sleep;
    this.plan = eventIndexPlan(options.eventIndexes ?? DEFAULT_EVENT_INDEXES);
    this.ledger = new DynamoDeliveryLedger(client, { tableName: options.tableName, sleep: this.sleep });
  }

  private readonly summaryReads = new TurnBatch<string, StoredSummary | null>(async (emails) => {
    const found = await this.readSummaries([...new Set(emails)]);
    return emails.map((email) => found.get(email) ?? null);
  });

  /**
   * Strongly consistent. With `batchSummaryReads`, the summaries asked for while one batch's records run
   * concurrently are read together: the reads of one event-loop turn go out as one GetItem, or one BatchGetItem
   * (same read units, one round trip instead of one per record).
   */
  getSummary(email: string): Promise<StoredSummary | null> {
    if (!this.options.batchSummaryReads)
      return this.readSummaries([email]).then((found) => found.get(email) ?? null);
    return this.summaryReads.add(email);
  }

  private async readSummaries(emails: string[]): Promise<Map<string, StoredSummary>> {
    const found = new Map<string, StoredSummary>();
    const [single] = emails;
    if (emails.length === 1 && single !== undefined) {
      const { Item } = await this.client.send(
        new GetCommand({
          TableName: this.options.tableName,
          Key: keys.summary(single),
          ConsistentRead: true,
        }),
      );
      if (Item) found.set(single, summaryFromItem(Item));
      return found;
    }
    const TableName = this.options.tableName;
    for (let from = 0; from < emails.length; from += BATCH_GET_LIMIT) {
      let pending: Record<string, unknown>[] = emails.slice(from, from + BATCH_GET_LIMIT).map(keys.summary);
      // DynamoDB hands back what it could not read under load: retry those with a growing pause.
      await retry(
        { attempts: UNPROCESSED_ATTEMPTS, pauseMs: (attempt) => 20 * 2 ** attempt, sleep: this.sleep },
        async () => {
          const { Responses, UnprocessedKeys } = await this.client.send(
            new BatchGetCommand({ RequestItems: { [TableName]: { Keys: pending, ConsistentRead: true } } }),
          );
          if (!Responses) throw new Error('BatchGetItem answered without Responses');
          for (const item of Responses[TableName] ?? []) {
            const stored = summaryFromItem(item);
            found.set(stored.summary.email, stored);
          }
          pending = UnprocessedKeys?.[TableName]?.Keys ?? [];
          return pending.length === 0 ? done(undefined) : again();
        },
        () => {
          throw new Error(
            `BatchGetItem left ${pending.length} summaries unread after ${UNPROCESSED_ATTEMPTS} attempts`,
          );
        },
      );
    }
    return found;
  }

  async recordEvent({
    event,
    decision,
    summary,
    expectedVersion,
    storedExpiresAt,
    keepEvent,
    ledger,
  }: RecordEventInput): Promise<RecordResult> {
    const TableName = this.options.tableName;
    // Moved on by the event, never brought closer: the summary outlives the events it was written with.
    const summaryExpiry = Math.max(
      summaryExpiresAt(event, this.options.recipientRetentionDays),
      storedExpiresAt ?? 0,
    );
    // Where the delivery's ledger entry goes (its guard): found there already, it is a duplicate.
    const placement = ledger ? await this.ledger.placement(event) : null;
    if (placement?.duplicate) return 'duplicate';
    // The transaction's items, each with what its failed condition means. Cancellation reasons come back in the
    // items' order, so they are read through this one list: no position is written down anywhere else. The counters
    // are no part of it: the counter rollup adds them from the event item or the ledger entry's count.
    const stored = keepEvent
      ? eventItem(
          event,
          decision,
          this.options.eventRetentionDays,
          ledger ? 'ledger' : 'event',
          this.options.eventItemShape ?? (this.plan.slimEventItems ? 'short' : 'full'),
          firstModelIndexKeys(this.plan),
        )
      : null;
    const items: RecordItem[] = [
      ...(stored !== null
        ? [
            {
              failed: 'duplicate' as const,
              item: { Put: { TableName, Item: stored, ConditionExpression: 'attribute_not_exists(pk)' } },
            },
          ]
        : []),
      ...(placement !== null
        ? [
            {
              // A second's item refuses only a copy; a minute's item also refuses once closed or full.
              failed: placement.minute ? ('ledger-minute' as const) : ('duplicate' as const),
              item: { Update: { TableName, ...placement.update } },
            },
          ]
        : []),
      {
        failed: 'summary-changed',
        // A recipient's first summary is a plain conditional Put (nothing of other writers to keep yet);
        // later ones update only the processor's attributes, at the version read. Either way the event moves the
        // summary's expiry on (a summary without one, from before summaries expired, gets it here).
        item:
          expectedVersion === null
            ? {
                Put: {
                  TableName,
                  Item: summaryItem(summary, 1, summaryExpiry),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              }
            : { Update: { TableName, ...summaryUpdate(summary, expectedVersion, summaryExpiry) } },
      },
      // An erased event left an erased pointer or a tombstone under its id: a redelivery must not bring it (or its
      // counts) back.
      ...erasureGuards(TableName, this.plan, event.id, stored).map((item) => ({
        failed: 'duplicate' as const,
        item,
      })),
    ];
    // At `v2` the pointer goes first, on its own: an erased one refuses the redelivery before anything is written.
    // Written again by every attempt, so a retry after a summary change sees an erasure that came in between.
    if (stored !== null && pointerFirst(this.plan)) {
      try {
        await this.client.send(new PutCommand(pointerPut(TableName, event.id, stored)));
      } catch (error) {
        if (errorNamed(error, 'ConditionalCheckFailedException')) return 'duplicate';
        throw error;
      }
    }
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items.map(({ item }) => item) }));
      return 'recorded';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failed = items
        .filter((_, i) => reasons[i]?.Code === 'ConditionalCheckFailed')
        .map((i) => i.failed);
      if (failed.includes('duplicate')) return 'duplicate';
      if (failed.includes('ledger-minute') && (await this.ledger.refused(event)) === 'duplicate')
        return 'duplicate';
      if (failed.includes('summary-changed')) return 'summary-changed';
      // The minute's ledger item was closed or full: the next attempt enters the delivery in its second's item.
      if (failed.includes('ledger-minute')) return 'conflict';
      if (reasons.some((r) => r.Code === 'TransactionConflict')) return 'conflict';
      throw error;
    }
  }

  private readonly deliveryCounts = new TurnBatch<RecipientEvent, 'recorded' | 'duplicate'>(
    async (events) => {
      // The same delivery twice in one batch (SNS or SQS handing it out twice): one of them is the duplicate.
      const byEntry = new Map<string, RecipientEvent>();
      for (const event of events) byEntry.set(ledgerEntry(event), event);
      const outcome = await this.ledger.count([...byEntry.values()]);
      const answered = new Set<string>();
      return events.map((event) => {
        // Only the copy that was counted is recorded; every other copy of it is a duplicate.
        const first = byEntry.get(ledgerEntry(event)) === event && !answered.has(event.id);
        answered.add(event.id);
        return first ? (outcome.get(event.id) ?? 'duplicate') : 'duplicate';
      });
    },
  );

  /** Deliveries asked for in one event-loop turn (the records of a batch) are counted together. */
  countDelivery(event: RecipientEvent): Promise<'recorded' | 'duplicate'> {
    return this.deliveryCounts.add(event);
  }

  countedDeliveries(email: string, from: string, to: string): Promise<CountedDelivery[]> {
    return this.ledger.countedDeliveries(email, from, to);
  }

  async completeSuppression(input: CompleteSuppressionInput): Promise<'updated' | 'stale'> {
    const TableName = this.options.tableName;
    const names: Record<string, string> = {
      '#suppression': 'suppression',
      '#state': 'state',
      '#requestId': 'requestId',
      '#updatedAt': 'updatedAt',
      '#version': 'version',
    };
    const values: Record<string, unknown> = {
      ':state': input.state,
      ':at': input.at,
      ':rid': input.requestId,
      ':pending': 'pending',
      ':one': 1,
    };
    const sets = ['#suppression.#state = :state', '#suppression.#updatedAt = :at'];
    if (input.error !== null) {
      names['#error'] = 'error';
      values[':error'] = input.error;
      sets.push('#suppression.#error = :error');
    }
    if (input.sesSuppression) {
      names['#ses'] = 'sesSuppression';
      values[':ses'] = input.sesSuppression;
      sets.push('#ses = :ses');
    }
    const update = {
      TableName,
      Key: keys.summary(input.email),
      UpdateExpression: `SET ${sets.join(', ')} ADD #version :one`,
      ConditionExpression: '#suppression.#requestId = :rid AND #suppression.#state = :pending',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
    try {
      if (input.audit) {
        const audit = auditItem(input.audit);
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Update: update },
              { Put: { TableName, Item: audit, ConditionExpression: 'attribute_not_exists(pk)' } },
              ...(this.plan.pointers
                ? [
                    {
                      Put: {
                        TableName,
                        Item: pointerItem(
                          { pk: String(audit.pk), sk: String(audit.sk), id: input.audit.id },
                          null,
                        ),
                      },
                    },
                  ]
                : []),
            ],
          }),
        );
      } else {
        await this.client.send(new UpdateCommand(update));
      }
      return 'updated';
    } catch (error) {
      if (errorNamed(error, 'ConditionalCheckFailedException')) return 'stale';
      if (error instanceof TransactionCanceledException) {
        const reasons = error.CancellationReasons ?? [];
        if (reasons.some((r) => r.Code === 'ConditionalCheckFailed')) return 'stale';
      }
      throw error;
    }
  }
}

/** The allowlist partition, read whole and cached per container so it costs no request per event. */
export class DynamoAllowlist implements Allowlist {
  private cache: {
    entries: Promise<{ addresses: Set<string>; domains: Set<string> }>;
    loadedAt: number;
  } | null = null;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: { tableName: string; cacheSeconds: number; now: () => Date },
  ) {}

  async has(kind: AllowlistKind, value: string): Promise<boolean> {
    const now = this.options.now().getTime();
    if (!this.cache || now - this.cache.loadedAt >= this.options.cacheSeconds * 1000) {
      // The promise is cached, so the records of a batch share one load instead of each starting its own.
      const entries = this.load();
      this.cache = { entries, loadedAt: now };
      entries.catch(() => {
        if (this.cache?.entries === entries) this.cache = null;
      });
    }
    const { addresses, domains } = await this.cache.entries;
    return (kind === 'address' ? addresses : domains).has(value);
  }

  private async load(): Promise<{ addresses: Set<string>; domains: Set<string> }> {
    const addresses = new Set<string>();
    const domains = new Set<string>();
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.options.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': ALLOWLIST_PK },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        // The key names the entry; the processor needs nothing else of it.
        const entry = allowlistKeyOf(item.sk);
        if (entry?.kind === 'address') addresses.add(entry.value);
        else if (entry?.kind === 'domain') domains.add(entry.value);
      }
    }
    return { addresses, domains };
  }
}
