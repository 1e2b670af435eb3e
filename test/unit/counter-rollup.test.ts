// The counter rollup: what a stored event or ledger change adds to the counters is what the processor's transaction
// used to add (every sample), and a shard's records count exactly once on every counter item behind the item's
// guard however the stream hands them out (repeated batches, overlapping retries, an attempt that stopped after some
// of its items, a guard that moved under an attempt, the checkpoint of the transactional version before).
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  counterDeltasOf,
  dayCounterNames,
  domainCounterExpiresAt,
  eventItem,
  ledgerUpdate,
  rolledUpCounterUpdate,
  rollupGuardOf,
  TTL_HORIZON_SECONDS,
} from '../../lambdas/adapters/dynamo-items.ts';
import { classifyBounce } from '../../lambdas/domain/classify.ts';
import {
  type CounterDelta,
  type CounterRollupStore,
  type CounterWrite,
  counterKeyOf,
  counterWrites,
  type RolledChange,
  rollUp,
} from '../../lambdas/domain/counter-rollup.ts';
import { buildRecipientEvents } from '../../lambdas/domain/recipient-event.ts';
import { parseMessageBody } from '../../lambdas/domain/ses-notification.ts';
import { applyEvent } from '../../lambdas/domain/suppression-policy.ts';

const SES = new URL('../fixtures/ses/', import.meta.url);
const SETTINGS = {
  softBounceThreshold: 3,
  softBounceWindowDays: 14,
  suppressOnComplaint: true,
  repairSesFalseSuppressions: true,
  dryRun: false,
};

async function sampleEvents() {
  const names = (await readdir(SES)).filter((name) => /^\d\d-.*\.json$/.test(name));
  const events = [];
  for (const name of names) {
    const parsed = parseMessageBody(await readFile(new URL(name, SES), 'utf8'));
    if (parsed.kind !== 'notification') continue;
    const recordedAt = '2026-11-26T12:00:00.000Z';
    events.push(
      ...buildRecipientEvents(parsed.notification, {
        recordedAt,
        snsMessageId: null,
        classify: classifyBounce,
      }).events,
    );
  }
  return events;
}

describe('what a change adds to the counters', () => {
  it('an inserted event marked for the rollup adds what the transaction added (every sample)', async () => {
    const events = await sampleEvents();
    expect(events.length).toBeGreaterThan(10);
    for (const event of events) {
      const { decision } = applyEvent(null, event, SETTINGS, false);
      const day = event.occurredAt.slice(0, 10);
      const deltas = counterDeltasOf(null, eventItem(event, decision, 400, 'event'));
      const [dayTotals, domain] = deltas;
      expect(dayTotals).toEqual({
        day,
        domain: null,
        counts: Object.fromEntries(dayCounterNames(event, decision).map((name) => [name, 1])),
      });
      expect(domain?.domain).toBe(event.domain);
      expect(Object.keys(domain?.counts ?? {})).toEqual(
        dayCounterNames(event, decision).filter((name) =>
          /^(events|type:|verdict:|onAccountList:)/.test(name),
        ),
      );
    }
  });

  it('an unmarked event (written before the rollup, or a delivery counted by its ledger entry), a modification and a removal add nothing', async () => {
    const [event] = await sampleEvents();
    if (!event) throw new Error('no sample');
    const { decision } = applyEvent(null, event, SETTINGS, false);
    const marked = eventItem(event, decision, 400, 'event');
    expect(counterDeltasOf(null, eventItem(event, decision, 400))).toEqual([]);
    expect(counterDeltasOf(null, eventItem(event, decision, 400, 'ledger'))).toEqual([]);
    expect(counterDeltasOf(marked, { ...marked, subject: 'changed' })).toEqual([]);
    expect(counterDeltasOf(marked, null)).toEqual([]);
    expect(counterDeltasOf(null, { pk: 'R#a@b.example', sk: 'SUMMARY', entity: 'summary' })).toEqual([]);
  });

  it('a ledger item adds the growth of its per-domain counts, per day and per day × domain', () => {
    const at = '2026-11-26T12:00:05.123Z';
    const delivery = (id: string, domain: string) => ({
      id: id.padEnd(32, '0'),
      email: `x@${domain}`,
      occurredAt: at,
      domain,
    });
    const first = ledgerUpdate(at, [delivery('a', 'gmail.com'), delivery('b', 'gmail.com')]);
    const names = first.ExpressionAttributeNames;
    const values = first.ExpressionAttributeValues;
    const counts = (update: typeof first) =>
      Object.fromEntries(
        Object.entries(update.ExpressionAttributeNames)
          .filter(([, name]) => name.startsWith('n:'))
          .map(([ref, name]) => [name, update.ExpressionAttributeValues[`:${ref.slice(1)}`]]),
      );
    expect(counts(first)).toEqual({ 'n:gmail.com': 2 });
    expect(names['#entries']).toBe('entries');
    const entries = values[':entries'] as Set<string>;
    const before = { ...first.Key, entries, expiresAt: 1, 'n:gmail.com': 2 };
    const after = {
      ...before,
      entries: new Set([...entries, `${'c'.padEnd(32, '0')}0000000a123`]),
      'n:gmail.com': 2,
      'n:yahoo.com': 1,
    };
    expect(counterDeltasOf(null, before)).toEqual([
      { day: '2026-11-26', domain: null, counts: { events: 2, 'type:delivery': 2 } },
      { day: '2026-11-26', domain: 'gmail.com', counts: { events: 2, 'type:delivery': 2 } },
    ]);
    expect(counterDeltasOf(before, after)).toEqual([
      { day: '2026-11-26', domain: null, counts: { events: 1, 'type:delivery': 1 } },
      { day: '2026-11-26', domain: 'yahoo.com', counts: { events: 1, 'type:delivery': 1 } },
    ]);
  });
});

describe('the expiry a day × domain counter is given', () => {
  const now = Date.parse('2026-12-07T03:00:00Z') / 1000;
  const counts = { events: 1, 'type:bounce': 1 };
  const write = (day: string, domain: string | null): CounterWrite => ({
    day,
    domain,
    counts,
    first: '100000000000000000001',
    last: '100000000000000000009',
  });

  it('is the end of its day plus the event retention', () => {
    const update = rolledUpCounterUpdate(write('2026-11-26', 'example.org'), 'shard-1', 400, now);
    expect(update.ExpressionAttributeValues[':expiresAt']).toBe(Date.parse('2028-01-01T00:00:00Z') / 1000);
    expect(update.ExpressionAttributeValues[':expiresAt']).toBe(domainCounterExpiresAt('2026-11-26', 400));
  });

  it('is already past for a day past retention, but never beyond the five years in the past that TTL acts on', () => {
    const pastDue = rolledUpCounterUpdate(write('2023-06-01', 'example.org'), 'shard-1', 400, now);
    expect(pastDue.ExpressionAttributeValues[':expiresAt']).toBe(domainCounterExpiresAt('2023-06-01', 400));
    // A hand-made notification dated 2015: its day's counter would be due in 2016, which TTL ignores for good.
    const ancient = rolledUpCounterUpdate(write('2015-03-01', 'example.org'), 'shard-1', 400, now);
    const expiresAt = Number(ancient.ExpressionAttributeValues[':expiresAt']);
    expect(expiresAt).toBeGreaterThan(now - TTL_HORIZON_SECONDS);
    expect(expiresAt).toBeLessThan(now);
  });

  it('is not set on a day total, which names no one and is kept', () => {
    const update = rolledUpCounterUpdate(write('2015-03-01', null), 'shard-1', 400, now);
    expect(update.ExpressionAttributeValues).not.toHaveProperty(':expiresAt');
  });
});

describe('the guarded update of a counter item', () => {
  const write: CounterWrite = {
    day: '2026-11-26',
    domain: null,
    counts: { events: 2 },
    first: '400000000000000000001',
    last: '1200000000000000000000000000000000000009',
  };

  it("moves the writer's own guard to the last record, only while the guard is below the first", () => {
    const update = rolledUpCounterUpdate(write, 'shardId-00000001-aaaa', 400, 0);
    const guard = update.ExpressionAttributeNames['#guard'];
    expect(guard).toMatch(/^r:[0-9a-f]{12}$/);
    expect(
      rolledUpCounterUpdate(write, 'shardId-00000002-bbbb', 400, 0).ExpressionAttributeNames['#guard'],
    ).not.toBe(guard);
    expect(update.UpdateExpression).toBe('SET #guard = :last ADD #c0 :c0');
    expect(update.ConditionExpression).toBe('attribute_not_exists(#guard) OR #guard < :first');
  });

  it('keeps sequence numbers as 17 bytes that compare as the numbers do (21 to 40 digits), read back the same', () => {
    const { ExpressionAttributeNames: names, ExpressionAttributeValues: values } = rolledUpCounterUpdate(
      write,
      'shard-1',
      400,
      0,
    );
    const first = values[':first'] as Uint8Array;
    const last = values[':last'] as Uint8Array;
    expect([first.length, last.length]).toEqual([17, 17]);
    expect(Buffer.compare(Buffer.from(first), Buffer.from(last))).toBe(-1);
    const guard = names['#guard'] as string;
    expect(rollupGuardOf({ [guard]: last }, 'shard-1')).toBe(write.last);
    expect(rollupGuardOf({ [guard]: first }, 'shard-1')).toBe('400000000000000000001');
    expect(rollupGuardOf({}, 'shard-1')).toBeNull();
  });
});

/**
 * Counter items in memory, each with a guard per writer, updated one at a time as DynamoDB does (the condition and
 * the update of one item are atomic); the checkpoint of the version before per writer.
 */
class MemoryRollupStore implements CounterRollupStore {
  readonly counters = new Map<string, Record<string, number>>();
  readonly guards = new Map<string, string>();
  readonly checkpoints = new Map<string, string>();
  /** Fail the add call with this number (1-based) once, after writing it when `afterWrite` (the answer lost). */
  failAt: { call: number; afterWrite: boolean } | null = null;
  /** Before this add call, apply another write first, as an earlier attempt still landing would. */
  interfereAt: { call: number; writer: string; write: CounterWrite } | null = null;
  calls = 0;

  async countedBefore(writer: string): Promise<string | null> {
    return this.checkpoints.get(writer) ?? null;
  }

  async add(writer: string, write: CounterWrite): Promise<'applied' | { guard: string | null }> {
    this.calls += 1;
    if (this.interfereAt?.call === this.calls) {
      const { writer: other, write: earlier } = this.interfereAt;
      this.interfereAt = null;
      await this.add(other, earlier);
    }
    if (this.failAt?.call === this.calls && !this.failAt.afterWrite) {
      this.failAt = null;
      throw new Error('throttled');
    }
    const guardKey = `${writer}|${counterKeyOf(write)}`;
    const guard = this.guards.get(guardKey) ?? null;
    if (guard !== null && BigInt(guard) >= BigInt(write.first)) return { guard };
    const counts = this.counters.get(counterKeyOf(write)) ?? {};
    for (const [name, n] of Object.entries(write.counts)) counts[name] = (counts[name] ?? 0) + n;
    this.counters.set(counterKeyOf(write), counts);
    this.guards.set(guardKey, write.last);
    if (this.failAt?.call === this.calls) {
      this.failAt = null;
      throw new Error('the answer was lost');
    }
    return 'applied';
  }
}

function change(sequence: number, domain: string, n = 1): RolledChange {
  const counts = { events: n, 'type:delivery': n };
  const deltas: CounterDelta[] = [
    { day: '2026-11-26', domain: null, counts },
    { day: '2026-11-26', domain, counts },
  ];
  return { sequence: String(sequence).padStart(21, '0'), deltas };
}

const DOMAINS = ['a.example', 'b.example', 'c.example', 'd.example', 'e.example'];
const stream = Array.from({ length: 40 }, (_, i) => change(100 + i, DOMAINS[i % 5] as string));
const expected = (store: MemoryRollupStore) => ({
  total: store.counters.get('2026-11-26|')?.events,
  perDomain: DOMAINS.map((d) => store.counters.get(`2026-11-26|${d}`)?.events),
});
const EXACT = { total: 40, perDomain: [8, 8, 8, 8, 8] };

describe('rolling up a shard', () => {
  it('sums the records of each counter item, with the first and last record that touch it', () => {
    const writes = counterWrites(stream.slice(0, 10));
    expect(writes.map(counterKeyOf)).toEqual(['2026-11-26|', ...DOMAINS.map((d) => `2026-11-26|${d}`)]);
    expect(writes[0]).toMatchObject({
      counts: { events: 10 },
      first: stream[0]?.sequence,
      last: stream[9]?.sequence,
    });
    expect(writes[1]).toMatchObject({
      counts: { events: 2 },
      first: stream[0]?.sequence,
      last: stream[5]?.sequence,
    });
  });

  it('writes each counter item once per batch, one plain update each', async () => {
    const store = new MemoryRollupStore();
    expect(await rollUp('shard-1', stream, store)).toEqual({ records: 40, counters: 6 });
    expect(store.calls).toBe(6);
    expect(expected(store)).toEqual(EXACT);
  });

  it('counts every record once when the stream hands out the same and overlapping batches again', async () => {
    const store = new MemoryRollupStore();
    await rollUp('shard-1', stream.slice(0, 25), store);
    expect(await rollUp('shard-1', stream.slice(0, 25), store)).toEqual({ records: 0, counters: 0 });
    await rollUp('shard-1', stream.slice(10), store);
    expect(expected(store)).toEqual(EXACT);
  });

  it('counts every record once when an attempt stops after some items, before or after a write, and is retried', async () => {
    for (const afterWrite of [false, true])
      for (const call of [1, 3, 6]) {
        const store = new MemoryRollupStore();
        store.failAt = { call, afterWrite };
        await expect(rollUp('shard-1', stream, store)).rejects.toThrow();
        await rollUp('shard-1', stream, store);
        expect(expected(store)).toEqual(EXACT);
      }
  });

  it('adds only the records after the guard when a retry is grouped differently from the attempt that stopped', async () => {
    const store = new MemoryRollupStore();
    store.failAt = { call: 4, afterWrite: false };
    await expect(rollUp('shard-1', stream.slice(0, 12), store)).rejects.toThrow('throttled');
    // The retry's batch is larger: its sums start where the first attempt's did, but reach further.
    await rollUp('shard-1', stream.slice(0, 30), store);
    await rollUp('shard-1', stream, store);
    expect(expected(store)).toEqual(EXACT);
  });

  it('adds only what an earlier attempt still landing did not, when the guard moved under the write', async () => {
    const store = new MemoryRollupStore();
    const [earlier] = counterWrites(stream.slice(0, 7));
    if (!earlier) throw new Error('no write');
    store.interfereAt = { call: 1, writer: 'shard-1', write: earlier };
    await rollUp('shard-1', stream, store);
    expect(expected(store)).toEqual(EXACT);
  });

  it('keeps the shards apart: each writer has its own guard on the same items', async () => {
    const store = new MemoryRollupStore();
    await rollUp('shard-1', stream.slice(0, 20), store);
    await rollUp('shard-2', stream.slice(0, 20), store);
    await rollUp('shard-1', stream.slice(0, 20), store);
    expect(expected(store).total).toBe(40);
  });

  it('drops what the transactional version before counted (its checkpoint), and only that', async () => {
    const store = new MemoryRollupStore();
    store.checkpoints.set('shard-1', stream[14]?.sequence ?? '');
    await rollUp('shard-1', stream, store);
    expect(expected(store).total).toBe(25);
  });
});
