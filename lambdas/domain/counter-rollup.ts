// The daily counters are rolled up from the table's stream (docs/data-model.md, "Daily counters"): the records of
// one stream shard (a "writer"), summed per counter item, each sum added to its item by a write of its own that
// also moves the item's guard for that writer (the last sequence number of the writer's records the item holds),
// conditioned on the guard being below the sum's first record. A record at or below an item's guard was added to
// that item (by this invocation or an earlier attempt), so every record counts exactly once on every item however
// often the stream hands it out, and however far an earlier attempt got. Pure, except through the store port.

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

/** What a writer's records add to one counter item, and the first and last of those records. */
export interface CounterWrite extends CounterDelta {
  first: string;
  last: string;
}

/** The counter item a delta goes to, as the rollup names it: day and domain (empty for the day totals). */
export function counterKeyOf(delta: Pick<CounterDelta, 'day' | 'domain'>): string {
  return `${delta.day}|${delta.domain ?? ''}`;
}

export interface CounterRollupStore {
  /**
   * Records of `writer` at or below this were counted by the transactional rollup of the version before (its
   * checkpoint), null when there is none. After it returns, that version's late transactions can no longer commit.
   */
  countedBefore(writer: string): Promise<string | null>;
  /**
   * Adds `write` to its counter item and moves the item's guard for `writer` to `write.last`, unless the guard is
   * at or past `write.first`: then nothing is written and the guard is returned (null: the item has none, it was
   * removed meanwhile).
   */
  add(writer: string, write: CounterWrite): Promise<'applied' | { guard: string | null }>;
}

const later = (sequence: string, than: string | null) => than === null || BigInt(sequence) > BigInt(than);

/**
 * What the changes a record filter keeps add to each counter item, in the order the items are first touched. A
 * change is kept on an item when `keep(sequence, key)` says so; sums that add nothing are left out.
 */
export function counterWrites(
  changes: readonly RolledChange[],
  keep: (sequence: string, key: string) => boolean = () => true,
): CounterWrite[] {
  const sorted = [...changes].sort((a, b) => (BigInt(a.sequence) < BigInt(b.sequence) ? -1 : 1));
  const writes = new Map<string, CounterWrite>();
  for (const change of sorted) {
    for (const delta of change.deltas) {
      const key = counterKeyOf(delta);
      if (!keep(change.sequence, key)) continue;
      const write = writes.get(key) ?? {
        day: delta.day,
        domain: delta.domain,
        counts: {},
        first: change.sequence,
        last: change.sequence,
      };
      for (const [name, n] of Object.entries(delta.counts))
        write.counts[name] = (write.counts[name] ?? 0) + n;
      write.last = change.sequence;
      writes.set(key, write);
    }
  }
  return [...writes.values()]
    .map((write) => ({
      ...write,
      counts: Object.fromEntries(Object.entries(write.counts).filter(([, n]) => n !== 0)),
    }))
    .filter((write) => Object.keys(write.counts).length > 0);
}

/** An item whose guard kept moving under us (another attempt of the same shard): the batch is retried. */
class RollupContendedError extends Error {
  constructor(writer: string) {
    super(`a counter item's guard for ${writer} kept moving; the batch is retried`);
    this.name = 'RollupContendedError';
  }
}

const GUARD_ATTEMPTS = 5;
/** Counter items written at once. */
const PARALLEL_WRITES = 8;

/**
 * Adds one item's sum; when the item's guard shows an earlier attempt already added some of the records, adds
 * only those after the guard. The write made, or null when every record was already on the item.
 */
async function addToItem(
  writer: string,
  key: string,
  changes: readonly RolledChange[],
  counted: string | null,
  store: CounterRollupStore,
): Promise<CounterWrite | null> {
  let guard = counted;
  for (let attempt = 1; attempt <= GUARD_ATTEMPTS; attempt += 1) {
    const [write] = counterWrites(changes, (sequence, k) => k === key && later(sequence, guard));
    if (write === undefined) return null;
    const outcome = await store.add(writer, write);
    if (outcome === 'applied') return write;
    guard = outcome.guard;
  }
  throw new RollupContendedError(writer);
}

/**
 * Counts a shard's records exactly once: what the version before counted is dropped, then every counter item gets
 * the sum of the remaining records that touch it, each item on its own (no transaction).
 */
export async function rollUp(
  writer: string,
  changes: readonly RolledChange[],
  store: CounterRollupStore,
): Promise<{ records: number; counters: number }> {
  const counted = await store.countedBefore(writer);
  const pending = changes.filter((change) => later(change.sequence, counted));
  const itemKeys = counterWrites(pending).map(counterKeyOf);
  const written = new Set<string>();
  let counters = 0;
  for (let from = 0; from < itemKeys.length; from += PARALLEL_WRITES) {
    const writes = await Promise.all(
      itemKeys
        .slice(from, from + PARALLEL_WRITES)
        .map((key) => addToItem(writer, key, pending, counted, store)),
    );
    for (const write of writes) {
      if (write === null) continue;
      counters += 1;
      const key = counterKeyOf(write);
      for (const change of pending)
        if (
          BigInt(change.sequence) >= BigInt(write.first) &&
          change.deltas.some((delta) => counterKeyOf(delta) === key)
        )
          written.add(change.sequence);
    }
  }
  return { records: written.size, counters };
}
