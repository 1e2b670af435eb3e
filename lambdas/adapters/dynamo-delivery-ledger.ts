// The delivery ledger (docs/data-model.md, "Deliveries"): where the processor enters each counted delivery exactly
// once, keyed by its event time alone so that every copy of it finds its entry. A minute of event time has one item
// that takes the minute's deliveries while that is cheap (a low sending rate: one item per minute instead of one
// per delivery); once closed, the minute's further deliveries go to the items of their seconds (a high rate: small
// items). Closing is for good, so a delivery's entry is in the minute's item if the minute was open when it was
// entered, else in its second's item, and a copy looks in the same place.
import {
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CountedDelivery } from '../domain/delivery-history.ts';
import type { RecipientEvent } from '../domain/recipient-event.ts';
import { type AttemptResult, again, contentionPause, done, retry } from '../domain/retry.ts';
import { errorNamed } from './aws-errors.ts';
import {
  countedDeliveriesIn,
  LEDGER_DOMAINS_PER_UPDATE,
  ledgerEntry,
  ledgerItemOf,
  ledgerUpdate,
  minuteLedgerClose,
  minuteLedgerEntry,
  minuteLedgerRoom,
  minuteLedgerUpdate,
} from './dynamo-items.ts';
import { keys, MINUTE_LEDGER_SK } from './table-definition.ts';

const COUNT_ATTEMPTS = 6;
/** Minutes whose ledger state a container remembers (a closed minute's entries never change). */
const REMEMBERED_MINUTES = 120;

/** What is known of a minute's ledger item: open (deliveries go there), or closed with its final entries. */
type MinuteState = { closed: false } | { closed: true; entries: ReadonlySet<string> };

type CountOutcome = 'recorded' | 'duplicate';

/** Where a delivery applied to a summary enters the ledger, in the same transaction as the summary. */
type LedgerPlacement =
  | { duplicate: true }
  | { duplicate: false; minute: boolean; update: ReturnType<typeof ledgerUpdate> };

const minuteOf = (occurredAt: string) => occurredAt.slice(0, 16);

/** Deliveries by the update that enters them: one per key (`keyOf`) and at most LEDGER_DOMAINS_PER_UPDATE domains. */
function updatesBy(
  events: readonly RecipientEvent[],
  keyOf: (event: RecipientEvent) => string,
): RecipientEvent[][] {
  const updates: { key: string; domains: Set<string>; events: RecipientEvent[] }[] = [];
  for (const event of events) {
    const key = keyOf(event);
    let update = updates.find(
      (u) => u.key === key && (u.domains.has(event.domain) || u.domains.size < LEDGER_DOMAINS_PER_UPDATE),
    );
    if (!update) {
      update = { key, domains: new Set(), events: [] };
      updates.push(update);
    }
    update.domains.add(event.domain);
    update.events.push(event);
  }
  return updates.map((u) => u.events);
}

/** Of `pending`, those whose entry `entered` does not hold yet; the others are duplicates, noted in `outcome`. */
function withoutEntered(
  pending: RecipientEvent[],
  entered: ReadonlySet<string>,
  entryOf: (event: RecipientEvent) => string,
  outcome: Map<string, CountOutcome>,
): RecipientEvent[] {
  return pending.filter((event) => {
    if (!entered.has(entryOf(event))) return true;
    outcome.set(event.id, 'duplicate');
    return false;
  });
}

export class DynamoDeliveryLedger {
  private readonly minutes = new Map<string, MinuteState>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: { tableName: string; sleep: (ms: number) => Promise<void> },
  ) {}

  private remember(minute: string, state: MinuteState): MinuteState {
    this.minutes.delete(minute);
    this.minutes.set(minute, state);
    const oldest = this.minutes.keys().next().value;
    if (this.minutes.size > REMEMBERED_MINUTES && oldest !== undefined) this.minutes.delete(oldest);
    return state;
  }

  /** Runs `attempt` until it is done, pausing after a lost write; `left` says how many deliveries were not entered. */
  private async whileContended(attempt: () => Promise<AttemptResult<undefined>>, left: () => number) {
    await retry(
      { attempts: COUNT_ATTEMPTS, pauseMs: contentionPause, sleep: this.options.sleep },
      attempt,
      () => {
        throw new Error(`${left()} deliveries stayed contended after ${COUNT_ATTEMPTS} attempts`);
      },
    );
  }

  /**
   * The state of an event time's minute: remembered, or read (its item and whether any second's item exists, one
   * strongly consistent Query of two items). Seconds' items without a minute item were written before minute items
   * existed: that minute is closed at once, so its deliveries keep going where their copies were entered.
   */
  private async stateOf(occurredAt: string): Promise<MinuteState> {
    const minute = minuteOf(occurredAt);
    const known = this.minutes.get(minute);
    if (known) return known;
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.options.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.minuteDeliveryLedger(occurredAt).pk },
        ScanIndexForward: false,
        Limit: 2,
        ConsistentRead: true,
      }),
    );
    const item = Items.find((found) => found.sk === MINUTE_LEDGER_SK);
    if (item) return this.remember(minute, stateOfItem(item));
    if (Items.length > 0) return this.close(occurredAt);
    return this.remember(minute, { closed: false });
  }

  /** Closes a minute for good and remembers its final entries. */
  private async close(occurredAt: string): Promise<MinuteState> {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        ...minuteLedgerClose(occurredAt),
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (!Attributes) throw new Error('UpdateItem answered without the closed ledger item');
    return this.remember(minuteOf(occurredAt), stateOfItem(Attributes));
  }

  /**
   * Counts deliveries (the counted ones of one batch): per minute of event time one conditional UpdateItem of the
   * minute's item while it is open, else per second one of the second's item. A delivery whose entry is there
   * already is a duplicate; the others are entered once.
   */
  async count(events: readonly RecipientEvent[]): Promise<Map<string, CountOutcome>> {
    const outcome = new Map<string, CountOutcome>();
    await Promise.all(
      updatesBy(events, (event) => minuteOf(event.occurredAt)).map((minute) =>
        this.enterMinute(minute, outcome),
      ),
    );
    return outcome;
  }

  private async enterMinute(events: RecipientEvent[], outcome: Map<string, CountOutcome>): Promise<void> {
    const TableName = this.options.tableName;
    let pending = events;
    const drop = (entries: ReadonlySet<string>) => {
      pending = withoutEntered(pending, entries, minuteLedgerEntry, outcome);
    };
    await this.whileContended(
      async () => {
        const first = pending[0];
        if (first === undefined) return done(undefined);
        const state = await this.stateOf(first.occurredAt);
        if (state.closed) {
          drop(state.entries);
          await Promise.all(
            updatesBy(pending, (event) => event.occurredAt.slice(0, 19)).map((second) =>
              this.enterSecond(second, outcome),
            ),
          );
          return done(undefined);
        }
        const room = minuteLedgerRoom(pending);
        if (room < 0) {
          await this.close(first.occurredAt);
          return again(false);
        }
        try {
          await this.client.send(new UpdateCommand({ TableName, ...minuteLedgerUpdate(pending, room) }));
          for (const event of pending) outcome.set(event.id, 'recorded');
          return done(undefined);
        } catch (error) {
          // The item is in another writer's transaction (a delivery to an address with history).
          if (errorNamed(error, 'TransactionConflictException')) return again(true);
          if (!errorNamed(error, 'ConditionalCheckFailedException')) throw error;
          // Entered before (duplicates), closed by another writer, or too full for these: read it and see.
          const { Item } = await this.client.send(
            new GetCommand({
              TableName,
              Key: keys.minuteDeliveryLedger(first.occurredAt),
              ConsistentRead: true,
            }),
          );
          const found = Item ? ledgerItemOf(Item) : { entries: new Set<string>(), closed: false };
          drop(found.entries);
          if (found.closed) this.remember(minuteOf(first.occurredAt), stateOfItem(Item ?? {}));
          else if (pending.length > 0 && found.entries.size > minuteLedgerRoom(pending))
            await this.close(first.occurredAt);
          return again(false);
        }
      },
      () => pending.length,
    );
  }

  /**
   * One conditional UpdateItem of a second's item: the deliveries' entries with their per-domain counts, only if none
   * of them is there yet. An item that already holds some entry refuses the update: those deliveries were counted
   * before and are left out, and the rest is entered again.
   */
  private async enterSecond(events: RecipientEvent[], outcome: Map<string, CountOutcome>): Promise<void> {
    const TableName = this.options.tableName;
    let pending = events;
    await this.whileContended(
      async () => {
        const first = pending[0];
        if (first === undefined) return done(undefined);
        try {
          await this.client.send(
            new UpdateCommand({ TableName, ...ledgerUpdate(first.occurredAt, pending) }),
          );
          for (const event of pending) outcome.set(event.id, 'recorded');
          return done(undefined);
        } catch (error) {
          if (errorNamed(error, 'TransactionConflictException')) return again(true);
          if (!errorNamed(error, 'ConditionalCheckFailedException')) throw error;
          const { Item } = await this.client.send(
            new GetCommand({ TableName, Key: keys.deliveryLedger(first.occurredAt), ConsistentRead: true }),
          );
          const known = Item ? ledgerItemOf(Item).entries : new Set<string>();
          pending = withoutEntered(pending, known, ledgerEntry, outcome);
          return again(false);
        }
      },
      () => pending.length,
    );
  }

  /**
   * Where a delivery applied to a summary enters the ledger (in the summary's transaction): its minute's item while
   * that is open, else its second's; a duplicate when its minute is closed and holds its entry already.
   */
  async placement(event: RecipientEvent): Promise<LedgerPlacement> {
    const state = await this.stateOf(event.occurredAt);
    if (state.closed)
      return state.entries.has(minuteLedgerEntry(event))
        ? { duplicate: true }
        : { duplicate: false, minute: false, update: ledgerUpdate(event.occurredAt, [event]) };
    const room = minuteLedgerRoom([event]);
    if (room < 0) {
      await this.close(event.occurredAt);
      return this.placement(event);
    }
    return { duplicate: false, minute: true, update: minuteLedgerUpdate([event], room) };
  }

  /**
   * Why a minute's item refused a delivery's placement: its entry is there (a duplicate), or the minute was closed or
   * is too full (then it is closed, and the next placement goes to the second's item).
   */
  async refused(event: RecipientEvent): Promise<'duplicate' | 'moved'> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: keys.minuteDeliveryLedger(event.occurredAt),
        ConsistentRead: true,
      }),
    );
    const found = Item ? ledgerItemOf(Item) : { entries: new Set<string>(), closed: false };
    if (found.entries.has(minuteLedgerEntry(event))) return 'duplicate';
    if (found.closed) this.remember(minuteOf(event.occurredAt), stateOfItem(Item ?? {}));
    else await this.close(event.occurredAt);
    return 'moved';
  }

  /** The counted deliveries to an address with event times in [from, to]: one Query per minute partition. */
  async countedDeliveries(email: string, from: string, to: string): Promise<CountedDelivery[]> {
    const found: CountedDelivery[] = [];
    for (let at = Date.parse(`${minuteOf(from)}:00.000Z`); at <= Date.parse(to); at += 60_000) {
      const pages = paginateQuery(
        { client: this.client },
        {
          TableName: this.options.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.deliveryLedger(new Date(at).toISOString()).pk },
          ConsistentRead: true,
        },
      );
      for await (const page of pages)
        for (const item of page.Items ?? [])
          found.push(
            ...countedDeliveriesIn(item, email).filter((d) => d.occurredAt >= from && d.occurredAt <= to),
          );
    }
    return found;
  }
}

function stateOfItem(item: Record<string, unknown>): MinuteState {
  const { entries, closed } = ledgerItemOf(item);
  return closed ? { closed: true, entries } : { closed: false };
}
