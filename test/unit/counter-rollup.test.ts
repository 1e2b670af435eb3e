// The counter rollup: what a stored event or ledger change adds to the counters is what the processor's transaction
// used to add (every sample), and a shard's records count exactly once behind its checkpoint however the stream
// hands them out (repeated batches, overlapping retries, a checkpoint that moved under an earlier attempt).
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  counterDeltasOf,
  dayCounterNames,
  domainCounterExpiresAt,
  eventItem,
  ledgerUpdate,
  rolledUpCounterUpdate,
  TTL_HORIZON_SECONDS,
} from '../../lambdas/adapters/dynamo-items.ts';
import { classifyBounce } from '../../lambdas/domain/classify.ts';
import {
  type CounterDelta,
  type CounterRollupStore,
  type RolledChange,
  type RollupGroup,
  rollUp,
  rollupGroups,
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

  it('is the end of its day plus the event retention', () => {
    const update = rolledUpCounterUpdate({ day: '2026-11-26', domain: 'example.org', counts }, 0, 400, now);
    expect(update.ExpressionAttributeValues[':expiresAt']).toBe(Date.parse('2028-01-01T00:00:00Z') / 1000);
    expect(update.ExpressionAttributeValues[':expiresAt']).toBe(domainCounterExpiresAt('2026-11-26', 400));
  });

  it('is already past for a day past retention, but never beyond the five years in the past that TTL acts on', () => {
    const pastDue = rolledUpCounterUpdate({ day: '2023-06-01', domain: 'example.org', counts }, 0, 400, now);
    expect(pastDue.ExpressionAttributeValues[':expiresAt']).toBe(domainCounterExpiresAt('2023-06-01', 400));
    // A hand-made notification dated 2015: its day's counter would be due in 2016, which TTL ignores for good.
    const ancient = rolledUpCounterUpdate({ day: '2015-03-01', domain: 'example.org', counts }, 0, 400, now);
    const expiresAt = Number(ancient.ExpressionAttributeValues[':expiresAt']);
    expect(expiresAt).toBeGreaterThan(now - TTL_HORIZON_SECONDS);
    expect(expiresAt).toBeLessThan(now);
  });

  it('is not set on a day total, which names no one and is kept', () => {
    const update = rolledUpCounterUpdate({ day: '2015-03-01', domain: null, counts }, 0, 400, now);
    expect(update.ExpressionAttributeValues).not.toHaveProperty(':expiresAt');
  });
});

/** Counter items in memory, with a checkpoint per shard applied atomically with each group (as the transaction). */
class MemoryRollupStore implements CounterRollupStore {
  readonly counters = new Map<string, Record<string, number>>();
  readonly checkpoints = new Map<string, string>();
  /** Fail the apply call with this number (1-based) once, after committing it when `afterCommit`. */
  failAt: { call: number; afterCommit: boolean } | null = null;
  /** Move the checkpoint before this apply call, as an earlier attempt still committing would. */
  interfereAt: { call: number; through: string; group: RollupGroup } | null = null;
  private calls = 0;

  async checkpoint(shardId: string): Promise<string | null> {
    return this.checkpoints.get(shardId) ?? null;
  }

  async apply(shardId: string, previous: string | null, group: RollupGroup): Promise<'applied' | 'stale'> {
    this.calls += 1;
    if (this.interfereAt?.call === this.calls) {
      this.commit(shardId, this.interfereAt.group);
      this.interfereAt = null;
    }
    if (this.failAt?.call === this.calls && !this.failAt.afterCommit) {
      this.failAt = null;
      throw new Error('throttled');
    }
    if ((this.checkpoints.get(shardId) ?? null) !== previous) return 'stale';
    this.commit(shardId, group);
    if (this.failAt?.call === this.calls) {
      this.failAt = null;
      throw new Error('the answer was lost');
    }
    return 'applied';
  }

  private commit(shardId: string, group: RollupGroup): void {
    for (const delta of group.counters) {
      const key = `${delta.day}|${delta.domain ?? ''}`;
      const counts = this.counters.get(key) ?? {};
      for (const [name, n] of Object.entries(delta.counts)) counts[name] = (counts[name] ?? 0) + n;
      this.counters.set(key, counts);
    }
    this.checkpoints.set(shardId, group.through);
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

describe('rolling up a shard', () => {
  it('groups records in order, each group within the item limit, and skips what the checkpoint covers', () => {
    const groups = rollupGroups(stream, stream[9]?.sequence ?? null, 3);
    expect(groups.every((g) => g.counters.length <= 3)).toBe(true);
    expect(groups.reduce((n, g) => n + g.records, 0)).toBe(30);
    expect(groups.at(-1)?.through).toBe(stream.at(-1)?.sequence);
    expect(groups[0]?.counters.find((c) => c.domain === null)?.counts.events).toBe(2);
  });

  it('counts every record once when the stream hands out the same and overlapping batches again', async () => {
    const store = new MemoryRollupStore();
    await rollUp('shard-1', stream.slice(0, 25), store, 3);
    await rollUp('shard-1', stream.slice(0, 25), store, 3);
    await rollUp('shard-1', stream.slice(10), store, 3);
    expect(expected(store)).toEqual({ total: 40, perDomain: [8, 8, 8, 8, 8] });
  });

  it('counts every record once when an attempt fails midway, before or after its commit, and is retried', async () => {
    for (const afterCommit of [false, true]) {
      const store = new MemoryRollupStore();
      store.failAt = { call: 3, afterCommit };
      await expect(rollUp('shard-1', stream, store, 3)).rejects.toThrow();
      await rollUp('shard-1', stream, store, 3);
      expect(expected(store)).toEqual({ total: 40, perDomain: [8, 8, 8, 8, 8] });
    }
  });

  it('regroups from the moved checkpoint when an earlier attempt committed meanwhile', async () => {
    const store = new MemoryRollupStore();
    const [earlier] = rollupGroups(stream, null, 3);
    if (!earlier) throw new Error('no group');
    store.interfereAt = { call: 1, through: earlier.through, group: earlier };
    await rollUp('shard-1', stream, store, 3);
    expect(expected(store)).toEqual({ total: 40, perDomain: [8, 8, 8, 8, 8] });
  });

  it('keeps the shards apart: each has its own checkpoint', async () => {
    const store = new MemoryRollupStore();
    await rollUp('shard-1', stream.slice(0, 20), store, 3);
    await rollUp('shard-2', stream.slice(0, 20), store, 3);
    expect(expected(store).total).toBe(40);
  });
});
