// Statistics from the daily counter items (docs/data-model.md): sums per day, per dimension or per domain, and
// bounce/complaint rates. Pure: takes counters (decoded by lambdas/adapters/dynamo-items.ts), returns the API's
// shape. Never reads events.
import type { DayCounter } from '../domain/records.ts';

export const GROUP_BYS = ['day', 'verdict', 'category', 'type', 'code', 'domain'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

interface Tally {
  events: number;
  deliveries: number;
  bounces: number;
  hardBounces: number;
  softBounces: number;
  complaints: number;
  /**
   * Bounces and complaints SES reported as OnAccountSuppressionList: not sent, because the address is on the
   * account suppression list. In none of the other counts and no rate.
   */
  onAccountSuppressionList: number;
  /** bounces / (deliveries + bounces); null when no delivery was recorded. */
  bounceRate: number | null;
  hardBounceRate: number | null;
  /** complaints / deliveries; null when no delivery was recorded. */
  complaintRate: number | null;
}

interface StatsItem {
  key: string;
  count: number;
  /** Per-type counts and rates (groupBy day and domain). */
  breakdown: Tally | null;
}

export interface Stats {
  from: string;
  to: string;
  groupBy: GroupBy;
  totals: Tally;
  items: StatsItem[];
}

function numberAt(counter: DayCounter, name: string): number {
  const value = counter.counts[name];
  return value !== undefined && Number.isFinite(value) ? value : 0;
}

/**
 * A day × domain counter with its negative counts at zero: an erasure that ran ahead of the counter rollup took an
 * event out before the rollup added it (docs/data-model.md, "Erasure within the rollup's window").
 */
function withoutNegatives(counter: DayCounter): DayCounter {
  return {
    ...counter,
    counts: Object.fromEntries(Object.entries(counter.counts).map(([name, n]) => [name, Math.max(0, n)])),
  };
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? Math.round((numerator / denominator) * 1e6) / 1e6 : null;
}

class Accumulator {
  events = 0;
  deliveries = 0;
  bounces = 0;
  hard = 0;
  soft = 0;
  complaints = 0;
  onAccountList = 0;

  add(item: DayCounter): void {
    this.events += numberAt(item, 'events');
    this.deliveries += numberAt(item, 'type:delivery');
    this.bounces += numberAt(item, 'type:bounce');
    this.complaints += numberAt(item, 'type:complaint');
    this.hard += numberAt(item, 'verdict:hard');
    this.soft += numberAt(item, 'verdict:soft');
    this.onAccountList += numberAt(item, 'onAccountList:bounce') + numberAt(item, 'onAccountList:complaint');
  }

  tally(): Tally {
    const attempted = this.deliveries + this.bounces;
    const rated = this.deliveries > 0;
    return {
      events: this.events,
      deliveries: this.deliveries,
      bounces: this.bounces,
      hardBounces: this.hard,
      softBounces: this.soft,
      complaints: this.complaints,
      onAccountSuppressionList: this.onAccountList,
      bounceRate: rated ? ratio(this.bounces, attempted) : null,
      hardBounceRate: rated ? ratio(this.hard, attempted) : null,
      complaintRate: ratio(this.complaints, this.deliveries),
    };
  }
}

/** Every UTC day from..to inclusive (YYYY-MM-DD). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (
    let time = Date.parse(`${from}T00:00:00Z`);
    time <= Date.parse(`${to}T00:00:00Z`);
    time += 86_400_000
  ) {
    days.push(new Date(time).toISOString().slice(0, 10));
  }
  return days;
}

export function computeStats(
  range: { from: string; to: string },
  groupBy: GroupBy,
  top: number | null,
  dayItems: readonly DayCounter[],
  domainItems: readonly DayCounter[],
): Stats {
  const totals = new Accumulator();
  for (const item of dayItems) totals.add(item);
  let items: StatsItem[];
  if (groupBy === 'day') {
    const perDay = new Map(daysBetween(range.from, range.to).map((day) => [day, new Accumulator()]));
    for (const item of dayItems) perDay.get(item.day)?.add(item);
    items = [...perDay].map(([key, sum]) => ({ key, count: sum.events, breakdown: sum.tally() }));
  } else if (groupBy === 'domain') {
    const perDomain = new Map<string, Accumulator>();
    for (const item of domainItems) {
      const domain = item.domain;
      // An item at zero events or below holds only erasures (ahead of the rollup, or of every event it counted):
      // it names its domain for no event, so it is left out, and so is any count an erasure took below zero.
      if (domain === null || numberAt(item, 'events') <= 0) continue;
      const sum = perDomain.get(domain) ?? new Accumulator();
      sum.add(withoutNegatives(item));
      perDomain.set(domain, sum);
    }
    // "Top bouncing domains": ordered by bounces, then by events.
    items = [...perDomain]
      .map(([key, sum]) => ({ key, count: sum.events, breakdown: sum.tally() }))
      .sort(
        (a, b) =>
          b.breakdown.bounces - a.breakdown.bounces || b.count - a.count || a.key.localeCompare(b.key),
      );
  } else {
    const prefix = `${groupBy}:`;
    const sums = new Map<string, number>();
    for (const item of dayItems) {
      for (const [name, value] of Object.entries(item.counts)) {
        if (name.startsWith(prefix)) {
          const key = name.slice(prefix.length);
          sums.set(key, (sums.get(key) ?? 0) + value);
        }
      }
    }
    items = [...sums]
      .filter(([, value]) => value > 0)
      .map(([key, value]) => ({ key, count: value, breakdown: null }))
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  }
  return {
    from: range.from,
    to: range.to,
    groupBy,
    totals: totals.tally(),
    items: top === null || groupBy === 'day' ? items : items.slice(0, top),
  };
}
