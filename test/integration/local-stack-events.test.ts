// Events out, end to end through the load harness: a shuffled burst with duplicates goes through the real
// processor, worker and query API on the local store; the table's emulated stream feeds the real events
// publisher. Every event recorded is valid against its JSON Schema file (docs/events/), and the events are exactly
// the state changes that happened: one Recipient Suppressed and one Suppression Confirmed per suppression, one
// Complaint Received per complaint, one Recipient Reactivated per reactivation, one Recipient Erased per erasure,
// none for the duplicates, each eventId once, and per recipient in the order the changes were made.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { type LoadStack, snsBodyOf, startLoadStack } from '../../harness/load/load-stack.ts';
import { generateWorkload, type Workload } from '../../harness/load/workload.ts';
import type { RecordedEvent } from '../../local/eventbridge-api.ts';

const SCHEMAS = new URL('../../docs/events/', import.meta.url);
const schemaOf = (detailType: string) =>
  z.fromJSONSchema(
    JSON.parse(
      readFileSync(new URL(`${detailType.toLowerCase().replace(/ /g, '-')}.schema.json`, SCHEMAS), 'utf8'),
    ),
  );

let stack: LoadStack;
let workload: Workload;
let reactivated: string[] = [];
let erased = '';
let events: readonly RecordedEvent[] = [];

const detailOf = (event: RecordedEvent) => event.detail as { eventId: string; email: string };
const ofType = (type: string) => events.filter((event) => event['detail-type'] === type);

beforeAll(async () => {
  workload = generateWorkload({ notifications: 200, seed: 5, base: new Date('2026-11-20T00:00:00.000Z') });
  stack = await startLoadStack({ seed: 5, retryDelayMs: 2000 });
  for (const index of workload.deliveries) {
    const n = workload.notifications[index];
    if (n) stack.send(await snsBodyOf(n.message, n.snsMessageId, '2026-11-20T00:00:00.000Z'));
  }
  await stack.idle();
  // Two suppressed recipients reactivated, a third erased, through the query API.
  const suppressed = [...workload.expected.suppressions.keys()].sort();
  reactivated = suppressed.slice(0, 2);
  erased = suppressed[2] as string;
  for (const email of reactivated) {
    const response = await fetch(
      `${stack.url}/recipients/${encodeURIComponent(email)}/suppression?force=true`,
      {
        method: 'DELETE',
      },
    );
    expect(response.status).toBe(200);
  }
  expect(
    (await fetch(`${stack.url}/recipients/${encodeURIComponent(erased)}`, { method: 'DELETE' })).status,
  ).toBe(200);
  await stack.idle();
  events = stack.eventBus.events();
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('events published from the load harness', () => {
  it('are each valid against the JSON Schema file of their detail-type', () => {
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) {
      expect(event.source).toBe('ses-bounce-processor');
      expect(schemaOf(event['detail-type']).safeParse(event).error, event['detail-type']).toBeUndefined();
    }
  });

  it('are exactly the state changes that happened, duplicates included only once', () => {
    const suppressions = workload.expected.suppressions;
    const complaints = [...workload.expected.events.values()].filter((e) => e.type === 'complaint');
    expect(stack.stream.failures).toEqual([]);
    expect(
      ofType('Recipient Suppressed')
        .map((e) => detailOf(e).email)
        .sort(),
    ).toEqual([...suppressions.keys()].sort());
    expect(
      ofType('Suppression Confirmed')
        .map((e) => detailOf(e).email)
        .sort(),
    ).toEqual([...suppressions.keys()].sort());
    expect(ofType('Complaint Received')).toHaveLength(complaints.length);
    expect(
      ofType('Recipient Reactivated')
        .map((e) => detailOf(e).email)
        .sort(),
    ).toEqual(reactivated);
    expect(ofType('Recipient Erased').map((e) => detailOf(e).email)).toEqual([erased]);
    expect(ofType('Suppression Failed')).toEqual([]);
    expect(new Set(events.map((e) => detailOf(e).eventId)).size).toBe(events.length);
  });

  it('carry the classification of the suppressing bounce and who reactivated', () => {
    const bounced = ofType('Recipient Suppressed').filter(
      (e) => (e.detail as { reason: string }).reason === 'BOUNCE',
    );
    expect(bounced.length).toBeGreaterThan(0);
    for (const event of bounced)
      expect((event.detail as { category: unknown }).category).toEqual(expect.any(String));
    for (const event of ofType('Recipient Reactivated')) {
      expect(event.detail).toMatchObject({ actor: expect.any(String), why: expect.any(String) });
    }
  });

  it('come per recipient in the order the changes were made', () => {
    for (const email of reactivated) {
      const mine = events.filter((e) => detailOf(e).email === email).map((e) => e['detail-type']);
      expect(mine.filter((t) => t !== 'Complaint Received')).toEqual([
        'Recipient Suppressed',
        'Suppression Confirmed',
        'Recipient Reactivated',
      ]);
    }
    const last = events.filter((e) => detailOf(e).email === erased).at(-1);
    expect(last?.['detail-type']).toBe('Recipient Erased');
  });
});
