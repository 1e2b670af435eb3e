// The item examples of docs/data-model.md are items the codecs write (lambdas/adapters/dynamo-items.ts): each JSON
// example marked `<!-- item-example: <name> -->` has exactly the attribute names, nested map names included, and the
// DynamoDB types of what its codec writes for an equivalent input (the union over the inputs listed here, where
// the example shows an attribute only some items have), and its keys have the codec's format. A placeholder value
// `"<binary …>"` stands for a Binary, `"<string set …>"` for a String Set; `…` and `<…>` in a key stand for any text.
import { readFileSync } from 'node:fs';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  allowlistUpdate,
  auditItem,
  checkpointMarkPut,
  dayCounterNames,
  erasedPointerItem,
  eventItem,
  failedBatchPut,
  type Item,
  ledgerUpdate,
  minuteLedgerClose,
  minuteLedgerRoom,
  minuteLedgerUpdate,
  pointerItem,
  rolledUpCounterUpdate,
  summaryItem,
  tombstoneItem,
} from '../../lambdas/adapters/dynamo-items.ts';
import { classifyBounce } from '../../lambdas/domain/classify.ts';
import { type CounterWrite, counterKeyOf } from '../../lambdas/domain/counter-rollup.ts';
import { buildRecipientEvents, type RecipientEvent } from '../../lambdas/domain/recipient-event.ts';
import type { AllowlistEntry } from '../../lambdas/domain/records.ts';
import { parseSesDocument } from '../../lambdas/domain/ses-notification.ts';
import {
  applyEvent,
  DEFAULT_POLICY_SETTINGS,
  type Decision,
  type RecipientSummary,
} from '../../lambdas/domain/suppression-policy.ts';

const ROOT = new URL('../../', import.meta.url);
const DOC = 'docs/data-model.md';

/** The JSON examples of a markdown text, by the name of the marker comment right before each. */
function markedExamples(markdown: string): Map<string, unknown> {
  const examples = new Map<string, unknown>();
  for (const match of markdown.matchAll(
    /^ *<!-- item-example: ([a-z0-9-]+) -->\n *```jsonc?\n([\s\S]*?)\n *```/gm,
  )) {
    const [, name = '', body = ''] = match;
    if (examples.has(name)) throw new Error(`${DOC}: two examples named ${name}`);
    examples.set(name, JSON.parse(withoutComments(body)));
  }
  return examples;
}

/** JSON with comments (`// …` outside strings) and trailing commas as plain JSON. */
function withoutComments(jsonc: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < jsonc.length; i += 1) {
    const char = jsonc[i];
    if (inString) {
      out += char;
      if (char === '\\') out += jsonc[++i] ?? '';
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
      out += char;
    } else if (char === '/' && jsonc[i + 1] === '/') {
      while (i < jsonc.length && jsonc[i] !== '\n') i += 1;
      out += '\n';
    } else out += char;
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}

type Attribute = Record<string, unknown>;

/** The DynamoDB type of a value of a documented example (a `"<binary …>"` text stands for a Binary). */
function documentedType(value: unknown): string {
  if (typeof value === 'string')
    return value.startsWith('<binary') ? 'B' : value.startsWith('<string set') ? 'SS' : 'S';
  if (typeof value === 'number') return 'N';
  if (typeof value === 'boolean') return 'BOOL';
  if (value === null) return 'NULL';
  return Array.isArray(value) ? 'L' : 'M';
}

/** Attributes whose value is a key (or names one): the example's value must have the format of the codec's. */
const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'epk', 'esk']);

/** What a part of a key between `#`s is: a fixed tag (compared as it is), a time, a day, a month, a number, text. */
function partKind(part: string): string {
  if (/^[A-Z]+$/.test(part)) return `tag ${part}`;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(part)) return 'time';
  if (/^\d{4}-\d{2}-\d{2}$/.test(part)) return 'day';
  if (/^\d{4}-\d{2}$/.test(part)) return 'month';
  if (/^\d+$/.test(part)) return 'number';
  return 'text';
}

/** Whether a key the codec wrote has the format of a documented one (`…` or `<…>` in a part: any part). */
function sameKeyFormat(documented: string, written: string): boolean {
  const expected = documented.split('#');
  const parts = written.split('#');
  return (
    expected.length === parts.length &&
    expected.every((part, i) => /…|<[^>]*>/.test(part) || partKind(part) === partKind(parts[i] ?? ''))
  );
}

/**
 * How a documented example differs from what the codec writes (`written`: the marshalled items of the inputs, whose
 * union the example shows): names missing or extra, types not written, keys of another format; nested maps alike.
 */
function differences(documented: unknown, written: readonly Attribute[], path = ''): string[] {
  if (typeof documented !== 'object' || documented === null || Array.isArray(documented))
    return [`${path || '(item)'}: no example`];
  const example = documented as Record<string, unknown>;
  const names = new Set(written.flatMap((item) => Object.keys(item)));
  const found: string[] = [];
  for (const name of names)
    if (!(name in example)) found.push(`${path}${name}: written by the codec, not in the example`);
  for (const [name, value] of Object.entries(example)) {
    const at = `${path}${name}`;
    const values = written.flatMap((item) => (item[name] === undefined ? [] : [item[name] as Attribute]));
    if (values.length === 0) {
      found.push(`${at}: in the example, never written by the codec`);
      continue;
    }
    const types = new Set(values.flatMap((v) => Object.keys(v)));
    const type = documentedType(value);
    if (!types.has(type))
      found.push(`${at}: ${type} in the example, the codec writes ${[...types].join('|')}`);
    if (type === 'M')
      found.push(
        ...differences(
          value,
          values.flatMap((v) => (v.M === undefined ? [] : [v.M as Attribute])),
          `${at}.`,
        ),
      );
    if (path === '' && KEY_ATTRIBUTES.has(name) && typeof value === 'string') {
      if (!values.some((v) => typeof v.S === 'string' && sameKeyFormat(value, v.S)))
        found.push(
          `${at}: ${JSON.stringify(value)} is not the format of ${values.map((v) => v.S).join(', ')}`,
        );
    }
  }
  return found;
}

interface Update {
  Key: Record<string, string>;
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

/**
 * The item an UpdateItem of the codecs creates where there is none: `SET #a = :v` and `#a = if_not_exists(#a, :v)`
 * set, `ADD #a :v` sets the number or set, `REMOVE` removes nothing.
 */
function created(update: Update): Item {
  const item: Item = { ...update.Key };
  const name = (token: string) => update.ExpressionAttributeNames[token] ?? token;
  const value = (token: string) => update.ExpressionAttributeValues[token];
  for (const [, clause = '', body = ''] of update.UpdateExpression.matchAll(
    /\b(SET|ADD|REMOVE) (.*?)(?= (?:SET|ADD|REMOVE) |$)/g,
  )) {
    if (clause === 'REMOVE') continue;
    for (const action of body.split(/,\s*(?![^()]*\))/)) {
      const set = /^(#\w+) = (?:if_not_exists\(#\w+, (:\w+)\)|(:\w+))$/.exec(action);
      const add = /^(#\w+) (:\w+)$/.exec(action);
      if (clause === 'SET' && set) item[name(set[1] ?? '')] = value(set[2] ?? set[3] ?? '');
      else if (clause === 'ADD' && add) item[name(add[1] ?? '')] = value(add[2] ?? '');
      else throw new Error(`not an action the codecs write: ${clause} ${action}`);
    }
  }
  return item;
}

const marshalled = (item: Item): Attribute =>
  marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: false }) as Attribute;

function sampleEvent(file: string, recordedAt = '2026-12-07T04:30:00.000Z'): RecipientEvent {
  const parsed = parseSesDocument(
    JSON.parse(readFileSync(new URL(`samples/${file}`, ROOT), 'utf8')) as unknown,
  );
  if (parsed.kind !== 'notification') throw new Error(`${file} is no notification`);
  const [event] = buildRecipientEvents(parsed.notification, {
    recordedAt,
    snsMessageId: '5f1c0e9a-2b7d-4e3f-9a1c-6d8e0f2b4a7c',
    classify: classifyBounce,
  }).events;
  if (event === undefined) throw new Error(`${file} has no recipient`);
  return event;
}

function decided(event: RecipientEvent, previous: RecipientSummary | null = null) {
  return applyEvent(previous, event, DEFAULT_POLICY_SETTINGS, false);
}

const decisionOf = (event: RecipientEvent): Decision => decided(event).decision;

/** What the processor writes at `v2` (short, packed when that saves a unit; no first-model index keys). */
const v2Event = (event: RecipientEvent) => eventItem(event, decisionOf(event), 60, 'event', 'short', []);
/** What the processor writes at `v1` (full, every index key of the first model). */
const v1Event = (event: RecipientEvent) => eventItem(event, decisionOf(event), 60, 'event', 'full');

const bounce = sampleEvent('01-bounce-permanent-general-gmail-5.1.1.json');
const DAY = '2026-10-14';
const SHARD = 'shardId-00000001735000000000-1a2b3c4d';
const NOW = Date.parse('2026-10-14T12:00:00Z') / 1000;
const delivery = sampleEvent('11-delivery.json');

/** An allowlist entry as `PUT /allowlist/…` stores it (the update applied to no entry). */
const allowlistEntry = (entry: Omit<AllowlistEntry, 'createdAt'>) =>
  created(allowlistUpdate({ ...entry, createdAt: '2026-10-01T08:00:00.000Z' }));

/** What a window of the counter rollup sums for one counter item: the bounce above, on the day totals or its domain's. */
function rolledUp(domain: string | null): CounterWrite {
  const counts =
    domain === null ? dayCounterNames(bounce, decisionOf(bounce)) : ['events', 'type:bounce', 'verdict:hard'];
  return {
    day: DAY,
    domain,
    counts: Object.fromEntries(counts.map((count) => [count, 1])),
    first: '4000000000012345678901',
    last: '4000000000012345678999',
  };
}

/** Every summary attribute the codec writes, each with a value it does not leave out. */
const EVERY_SUMMARY_ATTRIBUTE: RecipientSummary = {
  email: 'jane.roe@example.org',
  emailDisplay: 'Jane Roe <Jane.Roe@Example.org>',
  domain: 'example.org',
  hard: 1,
  soft: 3,
  complaints: 1,
  deliveries: 2,
  onAccountList: 1,
  firstEventAt: '2026-09-01T08:00:00.000Z',
  lastEventAt: '2026-10-14T11:25:45.000Z',
  lastEventId: '9f2c4b1e7a3d5c8f0e6b2a4d9c1f3e5a',
  lastEventType: 'bounce',
  softStreak: 2,
  softBounceTimes: ['2026-10-10T09:00:00.000Z', '2026-10-12T09:00:00.000Z'],
  deliveryTimes: ['2026-10-01T09:00:00.000Z', '2026-10-02T09:00:00.000Z'],
  streakForgottenUntil: '2026-09-20T09:00:00.000Z',
  lastDeliveryAt: '2026-10-02T09:00:00.000Z',
  suppression: {
    state: 'failed',
    action: 'put',
    reason: 'BOUNCE',
    cause: 'hard-bounce',
    since: '2026-10-14T11:26:00.000Z',
    eventId: '9f2c4b1e7a3d5c8f0e6b2a4d9c1f3e5a',
    requestId: '0b7e5d3c1a9f8e6d4c2b0a1f3e5d7c9b',
    updatedAt: '2026-10-14T11:26:03.000Z',
    error: 'Sending paused for this account',
  },
  sesSuppression: {
    likely: true,
    reason: 'BOUNCE',
    since: '2026-10-03T09:07:01.000Z',
    eventId: '5a3c1e9f7b5d3a1c9e7f5b3d1a9c7e5f',
    mislabel: true,
    reportedAt: '2026-10-14T11:25:45.000Z',
  },
};

/** Per marked example, the items its codec writes for the inputs the example stands for. */
const WRITTEN: Record<string, () => Item[]> = {
  'event-short': () => [v2Event(sampleEvent('10-complaint-abuse.json'))],
  'event-packed': () => [v2Event(sampleEvent('20-bounce-permanent-dmarc-5.7.26-sender-side.json'))],
  'event-full': () => [
    v1Event({ ...bounce, statedOccurredAt: '2026-10-03T09:30:00.000Z', configurationSet: 'bounce-tracking' }),
    v1Event(sampleEvent('10-complaint-abuse.json')),
    v1Event(sampleEvent('11-delivery.json')),
  ],
  audit: () => [
    auditItem({
      id: '3e1f…',
      email: 'jane.roe@example.org',
      domain: 'example.org',
      occurredAt: '2026-10-14T11:26:00.000Z',
      recordedAt: '2026-10-14T11:26:04.000Z',
      action: 'ses-suppression-removed',
      actor: 'suppression-worker',
      requestId: '0b7e…',
      causeEventId: '9f2c…',
      detail: 'SES suppressed the address after a sender-side bounce; removed',
    }),
  ],
  'summary-first-bounce': () => [summaryItem(decided(bounce).summary, 1, 1_801_801_800)],
  summary: () => [summaryItem(EVERY_SUMMARY_ATTRIBUTE, 3, 1_801_801_800)],
  tombstone: () => [tombstoneItem(bounce.id, 1_801_801_800)],
  allowlist: () => [
    allowlistEntry({
      kind: 'domain',
      value: 'example.org',
      note: 'our own test domain',
      createdBy: 'arn:…:user/ops',
    }),
    allowlistEntry({ kind: 'address', value: 'jane.roe@example.org', note: null, createdBy: null }),
  ],
  'day-totals': () => [created(rolledUpCounterUpdate(rolledUp(null), SHARD, 60, NOW))],
  'day-domain-counter': () => [created(rolledUpCounterUpdate(rolledUp('example.org'), SHARD, 60, NOW))],
  'ledger-minute': () => [
    created(minuteLedgerUpdate([delivery], minuteLedgerRoom([delivery]))),
    created(minuteLedgerClose(delivery.occurredAt)),
  ],
  'ledger-second': () => [created(ledgerUpdate(delivery.occurredAt, [delivery]))],
  pointer: () => [
    pointerItem(
      { pk: `R#${bounce.email}`, sk: `E#${bounce.occurredAt}#${bounce.id}`, id: bounce.id },
      1_801_801_800,
    ),
  ],
  'pointer-erased': () => [erasedPointerItem(bounce.id, 1_801_801_800)],
  'checkpoint-mark': () => [
    checkpointMarkPut(SHARD, { kind: 'before', sequence: '4000000000012345678901' }, new Date()).Item,
  ],
  'rollup-failure': () => [
    failedBatchPut(
      SHARD,
      {
        first: '4000000000012345678901',
        last: '4000000000012345679000',
        through: '4000000000012345678950',
        guards: { [counterKeyOf({ day: DAY, domain: 'example.org' })]: '4000000000012345678960' },
      },
      new Date(),
    ).Item,
  ],
};

describe('docs/data-model.md item examples', () => {
  const examples = markedExamples(readFileSync(new URL(DOC, ROOT), 'utf8'));

  it('marks an example for every item kind checked here, and checks every marked example', () => {
    expect([...examples.keys()].sort()).toEqual(Object.keys(WRITTEN).sort());
  });

  for (const [name, write] of Object.entries(WRITTEN))
    it(`${name}: the attributes, types and key formats the codec writes`, () => {
      expect(differences(examples.get(name), write().map(marshalled))).toEqual([]);
    });
});

describe('the example check', () => {
  const written = [marshalled({ pk: 'R#a@example.org', sk: 'SUMMARY', n: 1, m: { a: true } })];

  it('passes an example of exactly those attributes', () => {
    expect(differences({ pk: 'R#<email>', sk: 'SUMMARY', n: 2, m: { a: false } }, written)).toEqual([]);
  });

  it('finds an attribute missing, one too many, a wrong type, a wrong nested name and a wrong key format', () => {
    expect(differences({ pk: 'E#<email>', sk: 'SUMMARY', n: '1', m: { b: true }, x: 1 }, written)).toEqual([
      'pk: "E#<email>" is not the format of R#a@example.org',
      'n: S in the example, the codec writes N',
      'm.a: written by the codec, not in the example',
      'm.b: in the example, never written by the codec',
      'x: in the example, never written by the codec',
    ]);
  });

  it('reads JSON with comments and trailing commas, keeping // inside strings', () => {
    expect(
      markedExamples(
        '<!-- item-example: a -->\n```jsonc\n{\n  "u": "a//b", // note\n  "z": "<binary>",\n}\n```',
      ),
    ).toEqual(new Map([['a', { u: 'a//b', z: '<binary>' }]]));
  });
});
