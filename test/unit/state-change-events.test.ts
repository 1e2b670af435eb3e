// State-change events (docs/events.md): derived from committed item changes as the table's stream delivers them,
// decoded with the item codecs; each event matches its documented JSON Schema file; publishing retries what
// EventBridge did not take and reports the first record it could not publish, never a later one before it.
import { readdirSync, readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { storedChangeOf } from '../../lambdas/adapters/dynamo-stream.ts';
import { createEventsPublisherHandler } from '../../lambdas/adapters/events-publisher-lambda.ts';
import type { CauseReader, EventBus } from '../../lambdas/domain/publish-state-changes.ts';
import type { EventRecord } from '../../lambdas/domain/records.ts';
import {
  DETAIL_TYPES,
  EVENT_SOURCE,
  type StateChangeEvent,
  stateChangeEvents,
} from '../../lambdas/domain/state-change-events.ts';
import type { SuppressionStatus } from '../../lambdas/domain/suppression-policy.ts';
import { streamRecord } from '../support/stream-records.ts';
import { pendingSuppression, summaryItemOf } from '../support/summary-items.ts';

const EMAIL = 'jane@example.org';
const LATER = '2026-11-26T00:05:00.000Z';

const summary = (suppression: SuppressionStatus | null, version = 1) =>
  summaryItemOf(EMAIL, { suppression }, version);
const settled = (status: SuppressionStatus, state: SuppressionStatus['state'], error?: string) => ({
  ...status,
  state,
  updatedAt: LATER,
  ...(error ? { error } : {}),
});

function eventItem(type: 'complaint' | 'bounce', id: string, extra: Record<string, unknown> = {}) {
  return {
    pk: `R#${EMAIL}`,
    sk: `E#2026-11-26T00:00:00.000Z#${id}`,
    entity: 'event',
    id,
    eid: id,
    type,
    email: EMAIL,
    domain: 'example.org',
    occurredAt: '2026-11-26T00:00:00.000Z',
    ...extra,
  };
}

const derive = (before: Record<string, unknown> | null, after: Record<string, unknown> | null, ttl = false) =>
  stateChangeEvents(storedChangeOf(streamRecord('1', before, after, { ttl })));

const put = pendingSuppression('r1', 'put');
const lift = { ...pendingSuppression('r2', 'delete', 'soft-bounce-streak-revoked'), eventId: 'd1' };
const reactivation: SuppressionStatus = {
  ...settled(pendingSuppression('r3', 'delete', 'reactivation'), 'confirmed'),
  eventId: 'a3',
};

describe('stateChangeEvents', () => {
  it.each([
    ['a new suppression request', summary(null), summary(put), 'Recipient Suppressed'],
    ['the first event of a recipient, suppressing', null, summary(put), 'Recipient Suppressed'],
    ['a dry-run suppression', summary(null), summary({ ...put, state: 'dry-run' }), 'Recipient Suppressed'],
    ['SES accepting it', summary(put), summary(settled(put, 'confirmed')), 'Suppression Confirmed'],
    ['SES refusing it', summary(put), summary(settled(put, 'failed', 'refused')), 'Suppression Failed'],
    ['a reactivation', summary(settled(put, 'confirmed')), summary(reactivation), 'Recipient Reactivated'],
    ['a late delivery lifting', summary(settled(put, 'confirmed')), summary(lift), 'Suppression Lifted'],
    [
      'a pending streak request withdrawn',
      summary(put),
      summary(settled(put, 'cancelled')),
      'Suppression Lifted',
    ],
    [
      'SES removing a lifted one',
      summary(lift),
      summary(settled(lift, 'confirmed')),
      'Suppression Confirmed',
    ],
    ['a complaint recorded', null, eventItem('complaint', 'c1'), 'Complaint Received'],
    ['an erasure', summary(put), null, 'Recipient Erased'],
  ])('publishes %s as one %s… event', (_, before, after, detailType) => {
    // Act
    const events = derive(before, after);
    // Assess
    expect(events.map((event) => event.detailType)).toEqual([detailType]);
    expect(events[0]?.detail.email).toBe(EMAIL);
  });

  it.each([
    ['a summary whose counters alone changed', summary(put, 1), summary(put, 2)],
    ['a recipient never suppressed', summary(null, 1), summary(null, 2)],
    [
      'a dry-run the worker never settles',
      summary({ ...put, state: 'dry-run' }),
      summary({ ...put, state: 'dry-run' }, 2),
    ],
    ['a bounce recorded', null, eventItem('bounce', 'b1')],
    ['an event expiring (TTL)', eventItem('complaint', 'c1'), null],
    ['an allowlist entry', null, { pk: 'ALLOW', sk: 'ADDR#x@y.z', entity: 'allowlist' }],
  ])('publishes nothing for %s', (_, before, after) => {
    expect(derive(before, after)).toEqual([]);
  });

  it('publishes nothing for a TTL removal, even of a summary', () => {
    expect(derive(summary(put), null, true)).toEqual([]);
  });

  it('gives one change the same eventId on every delivery, and different changes different ids', () => {
    // Act
    const first = derive(summary(null), summary(put));
    const again = derive(summary(null, 3), summary(put, 4));
    const confirmed = derive(summary(put), summary(settled(put, 'confirmed')));
    // Assess
    expect(again[0]?.detail.eventId).toBe(first[0]?.detail.eventId);
    expect(confirmed[0]?.detail.eventId).not.toBe(first[0]?.detail.eventId);
  });
});

const SCHEMA_DIR = new URL('../../docs/events/', import.meta.url);
const slug = (detailType: string) => detailType.toLowerCase().replace(/ /g, '-');
const schemaOf = (detailType: string) =>
  z.fromJSONSchema(JSON.parse(readFileSync(new URL(`${slug(detailType)}.schema.json`, SCHEMA_DIR), 'utf8')));

/** The event as a rule's target receives it (the envelope fields a schema constrains). */
function envelopeOf(event: StateChangeEvent) {
  return { source: EVENT_SOURCE, 'detail-type': event.detailType, detail: event.detail };
}

describe('the JSON Schema files (docs/events/)', () => {
  it('are one per detail-type', () => {
    expect(readdirSync(SCHEMA_DIR).sort()).toEqual(DETAIL_TYPES.map((t) => `${slug(t)}.schema.json`).sort());
  });

  it('accept every derived event and refuse it under another detail-type or with a field missing', () => {
    const events = [
      ...derive(summary(null), summary(put)),
      ...derive(summary(put), summary(settled(put, 'confirmed'))),
      ...derive(summary(put), summary(settled(put, 'failed', 'refused'))),
      ...derive(summary(settled(put, 'confirmed')), summary(reactivation)),
      ...derive(summary(settled(put, 'confirmed')), summary(lift)),
      ...derive(null, eventItem('complaint', 'c1', { complaintFeedbackType: 'abuse' })),
      ...derive(summary(put), null),
    ];
    expect(new Set(events.map((e) => e.detailType))).toEqual(new Set(DETAIL_TYPES));
    for (const event of events) {
      const envelope = envelopeOf(event);
      expect(schemaOf(event.detailType).safeParse(envelope).error).toBeUndefined();
      const other = DETAIL_TYPES.find((t) => t !== event.detailType) as string;
      expect(schemaOf(other).safeParse(envelope).success).toBe(false);
      const { eventId: _, ...withoutId } = event.detail;
      expect(schemaOf(event.detailType).safeParse({ ...envelope, detail: withoutId }).success).toBe(false);
    }
  });
});

class FakeBus implements EventBus {
  readonly taken: StateChangeEvent[] = [];
  calls = 0;
  constructor(private readonly refuse: (event: StateChangeEvent, call: number) => boolean) {}
  async put(events: readonly StateChangeEvent[]): Promise<readonly boolean[]> {
    this.calls += 1;
    return events.map((event) => {
      const ok = !this.refuse(event, this.calls);
      if (ok) this.taken.push(event);
      return ok;
    });
  }
}

const cause: EventRecord = {
  ...({} as EventRecord),
  id: 'r1',
  category: 'mailbox-does-not-exist',
  code: '5.1.1',
  evidence: 'status 5.1.1',
  actor: null,
  detail: null,
};
const causes: CauseReader = {
  eventById: async (_email, id) => (id === 'r1' ? cause : null),
};

describe('the events publisher handler', () => {
  let logger: Logger;
  let metrics: Metrics;
  beforeAll(() => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    logger = new Logger();
    metrics = new Metrics({ namespace: 'test' });
  });
  afterAll(() => vi.unstubAllEnvs());

  const batch = () => ({
    Records: [
      streamRecord('10', summary(null), summary(put)),
      streamRecord('11', summary(put), summary(settled(put, 'confirmed'))),
      streamRecord('12', null, eventItem('complaint', 'c1')),
    ],
  });
  const run = (bus: EventBus) =>
    createEventsPublisherHandler({
      deps: { bus, causes, retry: { attempts: 3, pauseMs: () => 0, sleep: async () => {} } },
      logger,
      metrics,
    })(batch());

  it('publishes the batch in stream order, the suppression completed from its cause event', async () => {
    // Prepare
    const bus = new FakeBus(() => false);
    // Act
    const response = await run(bus);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(bus.taken.map((e) => e.detailType)).toEqual([
      'Recipient Suppressed',
      'Suppression Confirmed',
      'Complaint Received',
    ]);
    expect(bus.taken[0]?.detail).toMatchObject({ category: 'mailbox-does-not-exist', code: '5.1.1' });
  });

  it('retries the entries EventBridge did not take (FailedEntryCount) and reports nothing when they go', async () => {
    // Prepare
    const bus = new FakeBus((event, call) => call === 1 && event.detailType === 'Suppression Confirmed');
    // Act
    const response = await run(bus);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(bus.calls).toBe(2);
    expect(bus.taken).toHaveLength(3);
  });

  it('reports the first record of what it could not publish, so the stream hands it back with all later ones', async () => {
    // Prepare
    const bus = new FakeBus((event) => event.detailType === 'Suppression Confirmed');
    // Act
    const response = await run(bus);
    // Assess
    expect(bus.calls).toBe(3);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '10' }]);
  });

  it('reports a record whose image is corrupt and publishes the ones before it', async () => {
    // Prepare
    const bus = new FakeBus(() => false);
    const records = batch().Records;
    const corrupt = { ...summary(put), hard: 'many' };
    // Act
    const handler = createEventsPublisherHandler({
      deps: { bus, causes, retry: { attempts: 1, pauseMs: () => 0, sleep: async () => {} } },
      logger,
      metrics,
    });
    const response = await handler({
      Records: [records[0], streamRecord('11', summary(put), corrupt), records[2]] as typeof records,
    });
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '11' }]);
    expect(bus.taken.map((e) => e.detailType)).toEqual(['Recipient Suppressed']);
  });
});
