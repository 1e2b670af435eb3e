// After a run, the query API must tell the same story as the workload: statistics totals, complete paginated
// lists per type and per domain, and recipient summaries and histories, read only through HTTP.
import { DEFAULT_DELIVERY_HISTORY } from '../../lambdas/domain/delivery-history.ts';
import type { Workload } from './workload.ts';

/** The local stack runs the processor with the default deliveryHistory. */
const MODE = DEFAULT_DELIVERY_HISTORY;

export interface ApiCheck {
  requests: number;
  problems: string[];
}

interface Page {
  items: Array<{ id: string }>;
  nextCursor: string | null;
}

export async function checkThroughApi(url: string, workload: Workload, sample: number): Promise<ApiCheck> {
  const { expected } = workload;
  const problems: string[] = [];
  let requests = 0;
  const note = (text: string) => {
    if (problems.length < 20) problems.push(text);
  };
  const get = async <T>(path: string): Promise<T | null> => {
    requests += 1;
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as T;
    if (response.status !== 200) {
      note(`GET ${path}: ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
      return null;
    }
    return body;
  };
  const days = [...expected.days.keys()].sort();
  const from = `${days[0]}T00:00:00.000Z`;
  const to = new Date(Date.parse(`${days.at(-1)}T00:00:00.000Z`) + 86_400_000).toISOString();
  const all = [...expected.events.values()];

  const listIds = async (query: string): Promise<string[]> => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page | null = await get<Page>(
        `/bounces?${query}&limit=100&from=${from}&to=${to}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      if (!page) break;
      ids.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    return ids;
  };
  const compareIds = (what: string, have: string[], want: string[]) => {
    const wanted = new Set(want);
    const missing = want.filter((id) => !have.includes(id)).length;
    const extra = have.filter((id) => !wanted.has(id)).length;
    const repeated = have.length - new Set(have).size;
    if (missing || extra || repeated) {
      note(
        `${what}: ${have.length} listed for ${want.length} events (${missing} missing, ${extra} extra, ${repeated} repeated)`,
      );
    }
  };

  // Statistics come from the counters and must add up to the events.
  const stats = await get<{ totals: Record<string, number> }>(`/stats?from=${days[0]}&to=${days.at(-1)}`);
  if (stats) {
    const count = (f: (e: (typeof all)[number]) => boolean) => all.filter(f).length;
    const want: Record<string, number> = {
      events: all.length,
      deliveries: count((e) => e.type === 'delivery'),
      bounces: count((e) => e.type === 'bounce' && !e.onAccountList),
      hardBounces: count((e) => e.verdict === 'hard' && !e.onAccountList),
      softBounces: count((e) => e.type === 'bounce' && e.verdict === 'soft' && !e.onAccountList),
      complaints: count((e) => e.type === 'complaint' && !e.onAccountList),
      onAccountSuppressionList: count((e) => e.onAccountList),
    };
    for (const [name, value] of Object.entries(want)) {
      if (stats.totals[name] !== value)
        note(`/stats totals.${name} ${stats.totals[name]}, events say ${value}`);
    }
  }

  // Complete lists across shards and months: the small types whole, and one domain's bounces. Deliveries are
  // listed when every delivery is kept, none when none is; with history only, which depends on arrival order.
  compareIds(
    '/bounces?type=complaint',
    await listIds('type=complaint'),
    all.filter((e) => e.type === 'complaint').map((e) => e.id),
  );
  if (MODE !== 'recipients-with-history') {
    compareIds(
      '/bounces?type=delivery',
      await listIds('type=delivery'),
      MODE === 'all' ? all.filter((e) => e.type === 'delivery').map((e) => e.id) : [],
    );
  }
  compareIds(
    '/bounces?domain=gmx.de&type=bounce',
    await listIds('domain=gmx.de&type=bounce'),
    all.filter((e) => e.type === 'bounce' && e.email.endsWith('@gmx.de')).map((e) => e.id),
  );

  // A sample of recipients: summary counts and the full history. Unless every delivery is kept, an address with
  // deliveries only has no summary, and a summary counts the deliveries after it existed (at most all of them).
  const withHistory = new Set(all.filter((e) => e.type !== 'delivery').map((e) => e.email));
  const recipients = [...expected.recipients.entries()].filter(
    ([email]) => MODE === 'all' || withHistory.has(email),
  );
  const step = Math.max(1, Math.floor(recipients.length / sample));
  for (let i = 0; i < recipients.length; i += step) {
    const [email, want] = recipients[i] as (typeof recipients)[number];
    const path = `/recipients/${encodeURIComponent(email)}`;
    const view = await get<{ counts: Record<string, number>; firstEventAt: string; lastEventAt: string }>(
      path,
    );
    if (view) {
      const exact = MODE === 'all' || want.deliveries === 0;
      for (const field of ['hard', 'soft', 'complaints', 'deliveries'] as const) {
        const have = view.counts[field] ?? 0;
        if (field === 'deliveries' && !exact ? have > want[field] : have !== want[field])
          note(`${path} counts.${field} ${view.counts[field]}, expected ${want[field]}`);
      }
      if (view.counts.onAccountSuppressionList !== want.onAccountList) {
        note(
          `${path} counts.onAccountSuppressionList ${view.counts.onAccountSuppressionList}, expected ${want.onAccountList}`,
        );
      }
      if (exact && (view.firstEventAt !== want.firstEventAt || view.lastEventAt !== want.lastEventAt)) {
        note(
          `${path}: first/last ${view.firstEventAt}..${view.lastEventAt}, expected ${want.firstEventAt}..${want.lastEventAt}`,
        );
      }
    }
    const history = await get<Page>(`${path}/events?limit=100`);
    if (history && MODE !== 'recipients-with-history') {
      compareIds(
        `${path}/events`,
        history.items.map((e) => e.id),
        all.filter((e) => e.email === email && (MODE === 'all' || e.type !== 'delivery')).map((e) => e.id),
      );
    }
  }
  return { requests, problems };
}
