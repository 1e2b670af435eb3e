// Checks a load run's end state against what the workload says it must be: every distinct recipient event
// exactly once (bounces and complaints as event items, deliveries as event items or delivery-ledger entries),
// summaries and daily counters equal to the sums of the events, the SES suppression list holding
// exactly the addresses the policy asks for (each put once), nothing left pending, failed or in a DLQ.
// Reads the table with Scan: this is a test oracle, not an access pattern of the product.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { countedDeliveriesIn, eventFromItem, summaryFromItem } from '../../lambdas/adapters/dynamo-items.ts';
import { DELIVERY_LEDGER_PREFIX } from '../../lambdas/adapters/table-definition.ts';
import type { RecipientSummary } from '../../lambdas/domain/suppression-policy.ts';
import type { Sesv2Call, SuppressionEntry } from '../../local/sesv2-suppression-server.ts';
import type { Expected, ExpectedCounts } from './workload.ts';

export interface StateCheck {
  /** Distinct expected events found in the store. */
  recorded: number;
  /** Expected events missing from the store. */
  lost: number;
  /** Counted more than once: event items beyond one per id, plus summary counts above the events' sum. */
  duplicates: number;
  /** Events in the store the workload never sent. */
  unexpected: number;
  suppressionsExpected: number;
  suppressionsActual: number;
  /** Addresses for which more than one distinct suppression request was made (a decision taken twice). */
  duplicateSuppressions: number;
  /**
   * Successful PutSuppressedDestination calls beyond one per listed address: the same request applied again
   * after its confirmation write failed (at-least-once toward SES; an upsert, harmless).
   */
  rePuts: number;
  problems: string[];
  /** Digest of the order-independent end state: equal runs of equal workloads have equal digests. */
  digest: string;
}

type Item = Record<string, unknown>;

async function scanAll(client: DynamoDBDocumentClient, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: table,
        ConsistentRead: true,
        ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

const COUNT_FIELDS = ['hard', 'soft', 'complaints', 'deliveries', 'onAccountList'] as const;

export async function verifyEndState(input: {
  client: DynamoDBDocumentClient;
  table: string;
  expected: Expected;
  suppressionList: SuppressionEntry[];
  sesCalls: Sesv2Call[];
  suppressionRequests: ReadonlyMap<string, ReadonlySet<string>>;
  deadLetters: { ingest: number; suppression: number };
  /** Writes the canonical end state here (to compare two runs line by line). */
  dumpTo?: string;
}): Promise<StateCheck> {
  const { expected } = input;
  const problems: string[] = [];
  const items = await scanAll(input.client, input.table);
  const note = (text: string) => {
    if (problems.length < 20) problems.push(text);
  };

  const eventIds = new Map<string, number>();
  // Read through the summary codec: a slim summary leaves out what it derives (docs/data-model.md).
  const summaries = new Map<string, RecipientSummary>();
  const dayTotals = new Map<string, Map<string, number>>();
  const domainDayEvents = new Map<string, number>();
  let suppressRequested = 0;
  const keptDeliveries = new Set<string>();
  for (const item of items) {
    const pk = String(item.pk);
    if (item.entity === 'event' && item.type !== 'audit') {
      // A short item keeps its id only in its sort key: read it through the codec.
      const { id } = eventFromItem(item);
      // A delivery kept as an event is also in the ledger: it counts once.
      if (item.type !== 'delivery') eventIds.set(id, (eventIds.get(id) ?? 0) + 1);
      else keptDeliveries.add(id);
    } else if (pk.startsWith(DELIVERY_LEDGER_PREFIX)) {
      for (const { id } of countedDeliveriesIn(item, null)) eventIds.set(id, (eventIds.get(id) ?? 0) + 1);
    } else if (item.entity === 'summary') {
      const { summary } = summaryFromItem(item);
      summaries.set(summary.email, summary);
    } else if (pk.startsWith('STAT#')) {
      const day = String(item.sk).slice(2);
      const totals = dayTotals.get(day) ?? new Map<string, number>();
      dayTotals.set(day, totals);
      for (const [name, value] of Object.entries(item)) {
        if (typeof value !== 'number') continue;
        if (name === 'suppress:requested') suppressRequested += value;
        totals.set(name, (totals.get(name) ?? 0) + value);
      }
    } else if (pk.startsWith('STATDOM#')) {
      const day = String(item.day);
      domainDayEvents.set(
        day,
        (domainDayEvents.get(day) ?? 0) + (typeof item.events === 'number' ? item.events : 0),
      );
    }
  }

  // Deliveries kept as events only (deliveryHistory all writes no ledger entries).
  for (const id of keptDeliveries) if (!eventIds.has(id)) eventIds.set(id, 1);
  let recorded = 0;
  let duplicates = 0;
  for (const [id, count] of eventIds) {
    if (expected.events.has(id)) recorded += 1;
    duplicates += count - 1;
  }
  const unexpected = [...eventIds.keys()].filter((id) => !expected.events.has(id)).length;
  const lost = expected.events.size - recorded;
  if (lost > 0) note(`${lost} expected events missing`);
  if (unexpected > 0) note(`${unexpected} events recorded that were never sent`);

  // Summaries: each count equals the number of that recipient's events of that kind. An address with deliveries
  // only has no summary unless every delivery is kept; a summary counts the deliveries applied to it, which are
  // those after the address had one (and the ones it read back from the ledger): at most all of them.
  const everyDeliveryKept =
    keptDeliveries.size > 0 && [...items].every((i) => !String(i.pk).startsWith(DELIVERY_LEDGER_PREFIX));
  const withHistory = new Set<string>();
  for (const event of expected.events.values()) if (event.type !== 'delivery') withHistory.add(event.email);
  const summarised = (email: string) => everyDeliveryKept || withHistory.has(email);
  const orderFree = (want: ExpectedCounts) => everyDeliveryKept || want.deliveries === 0;
  for (const [email, want] of expected.recipients) {
    const summary = summaries.get(email);
    if (!summarised(email)) {
      if (summary) note(`${email}: a summary, but the address had deliveries only`);
      continue;
    }
    if (!summary) {
      note(`no summary for ${email}`);
      continue;
    }
    for (const field of COUNT_FIELDS) {
      const have = summary[field];
      if (have > want[field]) duplicates += have - want[field];
      if (field === 'deliveries' && !orderFree(want)) continue;
      if (have !== want[field]) note(`${email}: ${field} ${have}, events say ${want[field]}`);
    }
    if (
      orderFree(want) &&
      (summary.firstEventAt !== want.firstEventAt || summary.lastEventAt !== want.lastEventAt)
    ) {
      note(
        `${email}: first/last event ${String(summary.firstEventAt)}..${String(summary.lastEventAt)}, expected ${want.firstEventAt}..${want.lastEventAt}`,
      );
    }
  }
  const withSummary = [...expected.recipients.keys()].filter(summarised).length;
  if (summaries.size !== withSummary) note(`${summaries.size} summaries for ${withSummary} recipients`);

  // Daily counters: the sums over shards equal the events of that day (day totals and day × domain).
  for (const [day, want] of expected.days) {
    const have = dayTotals.get(day) ?? new Map<string, number>();
    for (const [name, value] of want) {
      if ((have.get(name) ?? 0) !== value)
        note(`counter ${day} ${name}: ${have.get(name) ?? 0}, events say ${value}`);
    }
    if ((domainDayEvents.get(day) ?? 0) !== want.get('events')) {
      note(
        `per-domain counters ${day}: ${domainDayEvents.get(day) ?? 0} events, expected ${want.get('events')}`,
      );
    }
  }
  for (const day of dayTotals.keys()) if (!expected.days.has(day)) note(`counters for unexpected day ${day}`);
  if (suppressRequested !== expected.suppressions.size) {
    note(`suppress:requested counters ${suppressRequested}, expected ${expected.suppressions.size}`);
  }

  // The SES list and the summaries' suppression state.
  const listed = new Map(input.suppressionList.map((e) => [e.emailAddress, e.reason]));
  let missing = 0;
  for (const [email, reason] of expected.suppressions) {
    const have = listed.get(email);
    if (have === undefined) missing += 1;
    else if (have !== reason) note(`${email} listed for ${have}, policy says ${reason}`);
    const state = summaries.get(email)?.suppression?.state;
    if (state !== 'confirmed')
      note(`${email}: summary suppression state ${String(state)}, expected confirmed`);
  }
  const extra = [...listed.keys()].filter((email) => !expected.suppressions.has(email));
  if (missing > 0) note(`${missing} expected suppressions missing from the SES list`);
  if (extra.length > 0)
    note(`${extra.length} addresses on the SES list the policy does not ask for (${extra[0]})`);
  for (const [email, summary] of summaries) {
    const state = summary.suppression?.state;
    if (state !== undefined && !expected.suppressions.has(email))
      note(`${email}: unexpected suppression ${String(state)}`);
  }
  const successfulPuts = input.sesCalls.filter((c) => c.method === 'PUT' && c.status === 200).length;
  const rePuts = Math.max(0, successfulPuts - listed.size);
  const duplicateSuppressions = [...input.suppressionRequests.values()].filter((ids) => ids.size > 1).length;
  if (duplicateSuppressions > 0)
    note(`${duplicateSuppressions} addresses got more than one suppression request`);
  if (input.deadLetters.ingest > 0) note(`${input.deadLetters.ingest} messages left in the notification DLQ`);
  if (input.deadLetters.suppression > 0)
    note(`${input.deadLetters.suppression} messages left in the suppression DLQ`);

  // The order-independent end state, one line per part; its digest compares runs, the lines explain a mismatch.
  const canonical: string[] = [[...eventIds.keys()].sort().join(',')];
  for (const [email, s] of [...summaries].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const suppression = s.suppression;
    const want = expected.recipients.get(email);
    // Which deliveries a summary learnt depends on arrival order unless every delivery is kept.
    const exact = want !== undefined && orderFree(want);
    canonical.push(
      JSON.stringify([
        email,
        ...COUNT_FIELDS.map((f) => (f === 'deliveries' && !exact ? null : s[f])),
        exact ? [s.softStreak, s.firstEventAt, s.lastEventAt] : null,
        suppression ? [suppression.state, suppression.action, suppression.reason, suppression.cause] : null,
      ]),
    );
  }
  // `suppress:requested` lands on the day of the event that completed a streak, which depends on arrival order:
  // only its total belongs to the order-independent state.
  for (const day of [...dayTotals.keys()].sort()) {
    const counters = [...(dayTotals.get(day) ?? [])].filter(([name]) => name !== 'suppress:requested').sort();
    canonical.push(JSON.stringify([day, counters]));
  }
  canonical.push(JSON.stringify(['suppress:requested', suppressRequested]));
  canonical.push(JSON.stringify([...listed].sort()));
  if (input.dumpTo) await writeFile(input.dumpTo, `${canonical.join('\n')}\n`);
  const digest = createHash('sha256');
  for (const line of canonical) digest.update(line);

  return {
    recorded,
    lost,
    duplicates,
    unexpected,
    suppressionsExpected: expected.suppressions.size,
    suppressionsActual: listed.size,
    duplicateSuppressions,
    rePuts,
    problems,
    digest: digest.digest('hex').slice(0, 16),
  };
}
