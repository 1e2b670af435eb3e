// The daily counters are rolled up from the table's stream (docs/data-model.md, "Daily counters"): the records of
// one stream shard, in order, summed per counter item and applied in groups, each group together with the shard's
// checkpoint, conditioned on the checkpoint it was read at. A record at or below the checkpoint was counted (by
// this invocation or an earlier attempt), so every record counts exactly once however often the stream hands it
// out. Pure, except through the store port.

/** What a change adds to one counter item: the day totals (`domain` null) or one day × domain. */
export interface CounterDelta {
  day: string;
  domain: string | null;
  counts: Record<string, number>;
}

/** One stream record, decoded: its sequence number (a decimal string) and what it adds. */
export interface RolledChange {
  sequence: string;
  deltas: CounterDelta[];
}

/** Records applied together: the counters they add up to, and the last record's sequence number. */
export interface RollupGroup {
  through: string;
  counters: CounterDelta[];
  records: number;
}

export interface CounterRollupStore {
  /** The shard's checkpoint (strongly consistent), or null before its first group. */
  checkpoint(shardId: string): Promise<string | null>;
  /** Applies one group with the checkpoint moved from `previous` to `group.through`; stale when it had moved. */
  apply(shardId: string, previous: string | null, group: RollupGroup): Promise<'applied' | 'stale'>;
}

function keyOf(delta: CounterDelta): string {
  return `${delta.day}|${delta.domain ?? ''}`;
}

function after(sequence: string, checkpoint: string | null): boolean {
  return checkpoint === null || BigInt(sequence) > BigInt(checkpoint);
}

/**
 * The records after the checkpoint, in sequence order, in groups that touch at most `maxCounters` counter items
 * (a record's counters never span two groups). Groups that add nothing are left out.
 */
export function rollupGroups(
  changes: readonly RolledChange[],
  checkpoint: string | null,
  maxCounters: number,
): RollupGroup[] {
  const pending = changes
    .filter((change) => after(change.sequence, checkpoint))
    .sort((a, b) => (BigInt(a.sequence) < BigInt(b.sequence) ? -1 : 1));
  const groups: RollupGroup[] = [];
  let sums = new Map<string, CounterDelta>();
  let records = 0;
  let through: string | null = null;
  const close = () => {
    const counters = [...sums.values()]
      .map((delta) => ({
        ...delta,
        counts: Object.fromEntries(Object.entries(delta.counts).filter(([, n]) => n !== 0)),
      }))
      .filter((delta) => Object.keys(delta.counts).length > 0);
    if (through !== null && counters.length > 0) groups.push({ through, counters, records });
    sums = new Map();
    records = 0;
  };
  for (const change of pending) {
    const fresh = new Set(change.deltas.map(keyOf).filter((key) => !sums.has(key)));
    if (sums.size + fresh.size > maxCounters) close();
    for (const delta of change.deltas) {
      const key = keyOf(delta);
      const sum = sums.get(key) ?? { day: delta.day, domain: delta.domain, counts: {} };
      for (const [name, n] of Object.entries(delta.counts)) sum.counts[name] = (sum.counts[name] ?? 0) + n;
      sums.set(key, sum);
    }
    records += 1;
    through = change.sequence;
  }
  close();
  return groups;
}

/** A checkpoint that kept moving under us (another invocation of the same shard): the batch is retried. */
class RollupContendedError extends Error {
  constructor(shardId: string) {
    super(`the rollup checkpoint of shard ${shardId} kept moving; the batch is retried`);
    this.name = 'RollupContendedError';
  }
}

const STALE_ATTEMPTS = 5;

/**
 * Counts a shard's records exactly once: read the checkpoint, apply the groups after it in order. When the
 * checkpoint moved meanwhile (an earlier attempt of this batch still committing), read it again and regroup.
 */
export async function rollUp(
  shardId: string,
  changes: readonly RolledChange[],
  store: CounterRollupStore,
  maxCounters: number,
): Promise<{ records: number; counters: number; groups: number }> {
  const applied = { records: 0, counters: 0, groups: 0 };
  for (let attempt = 1; attempt <= STALE_ATTEMPTS; attempt += 1) {
    let checkpoint = await store.checkpoint(shardId);
    let stale = false;
    for (const group of rollupGroups(changes, checkpoint, maxCounters)) {
      if ((await store.apply(shardId, checkpoint, group)) === 'stale') {
        stale = true;
        break;
      }
      checkpoint = group.through;
      applied.records += group.records;
      applied.counters += group.counters.length;
      applied.groups += 1;
    }
    if (!stale) return applied;
  }
  throw new RollupContendedError(shardId);
}
