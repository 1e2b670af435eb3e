// Event item sizes by DynamoDB's rule (attribute names plus values; lambdas/adapters/dynamo-item-size.ts) for
// the real notifications in samples/: every recipient's event item, full (as every release before issue #13
// writes it), slim (docs/data-model.md, "Slim event items"), and slim without the first model's index keys (eid,
// gsi1sk, gsi2sk: once those indexes are gone), short (slim with short names, packed when that takes fewer write
// units: what the processor writes at v2), and what its transactional Put costs (2 WCU per started KB). Then every
// diagnostic of the classifier's corpus (test/fixtures/diagnostics/) as the bounce of the first sample bounce: its
// short item unpacked (as the builds before packing wrote it) and as stored.
// Usage: npx tsx bench/event-item-sizes.ts [--attributes]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { marshall } from '@aws-sdk/util-dynamodb';
import { itemSize, WRITE_UNIT_BYTES } from '../lambdas/adapters/dynamo-item-size.ts';
import {
  type EventItemShape,
  eventItem,
  FIRST_MODEL_INDEX_KEYS,
  type FirstModelIndexKey,
  type Item,
} from '../lambdas/adapters/dynamo-items.ts';
import { classifyBounce } from '../lambdas/domain/classify.ts';
import { buildRecipientEvents, type RecipientEvent } from '../lambdas/domain/recipient-event.ts';
import { parseSesDocument } from '../lambdas/domain/ses-notification.ts';
import { applyEvent, DEFAULT_POLICY_SETTINGS } from '../lambdas/domain/suppression-policy.ts';

const SAMPLES = join(import.meta.dirname, '..', 'samples');
const CORPUS = join(import.meta.dirname, '..', 'test', 'fixtures', 'diagnostics');
/** The item variants measured: shape, and the first model's index keys it carries. */
const VARIANTS = {
  full: ['full', FIRST_MODEL_INDEX_KEYS],
  slim: ['slim', FIRST_MODEL_INDEX_KEYS],
  'slim, no eid/gsi1sk/gsi2sk': ['slim', []],
  'short, packed when over 1 KB (v2)': ['short', []],
} as const satisfies Record<string, readonly [EventItemShape, readonly FirstModelIndexKey[]]>;
type Variant = keyof typeof VARIANTS;
/** What the processor writes at v2. */
const WRITTEN: Variant = 'short, packed when over 1 KB (v2)';
const NAMES = Object.keys(VARIANTS) as Variant[];
const size = (item: Item) => itemSize(marshall(item, { removeUndefinedValues: true }));
/** A transactional Put: twice the units of a plain write, 1 per started KB. */
const putUnits = (bytes: number) => 2 * Math.ceil(bytes / WRITE_UNIT_BYTES);

/** A packed short item's attributes unpacked (`z`: docs/data-model.md, "Packed event items"), as stored before. */
function unpackedItem(item: Item): Item {
  const { z, ...outside } = item;
  return z instanceof Uint8Array
    ? { ...outside, ...JSON.parse(brotliDecompressSync(z).toString('utf8')) }
    : item;
}

interface Row {
  type: string;
  sizes: Record<Variant, number>;
  /** The short item's size unpacked. */
  unpacked: number;
  attributes: Record<string, number>;
}

function row(event: RecipientEvent): Row {
  const { decision } = applyEvent(null, event, DEFAULT_POLICY_SETTINGS, false);
  const item = (variant: Variant) => {
    const [shape, indexKeys] = VARIANTS[variant];
    return eventItem(event, decision, 400, 'event', shape, indexKeys);
  };
  return {
    type: event.type,
    sizes: Object.fromEntries(NAMES.map((name) => [name, size(item(name))])) as Record<Variant, number>,
    unpacked: size(unpackedItem(item(WRITTEN))),
    attributes: Object.fromEntries(
      Object.entries(item('full')).map(([name, value]) => [name, size({ [name]: value })]),
    ),
  };
}

const eventsOf = (notification: unknown) => {
  const parsed = parseSesDocument(notification);
  if (parsed.kind !== 'notification') return [];
  return buildRecipientEvents(parsed.notification, {
    recordedAt: '2026-12-07T04:00:00.000Z',
    snsMessageId: '0f6c1a52-1d2b-5c3e-9a7f-3b1e2c4d5e6f',
    classify: classifyBounce,
  }).events;
};

const files = readdirSync(SAMPLES)
  .filter((name) => /^\d+-.*\.json$/.test(name))
  .sort();
const rows = files.flatMap((file) =>
  eventsOf(JSON.parse(readFileSync(join(SAMPLES, file), 'utf8'))).map(row),
);

const average = (values: number[]) => Math.round(values.reduce((sum, v) => sum + v, 0) / values.length);
const fits = (sizes: number[]) => sizes.filter((bytes) => bytes <= WRITE_UNIT_BYTES).length;
const putAverage = (sizes: number[]) =>
  (sizes.reduce((sum, bytes) => sum + putUnits(bytes), 0) / sizes.length).toFixed(2);
const lines = [
  `Event items of the ${rows.length} recipients of the notifications in samples/ (bytes by DynamoDB's rule; WCU of the transactional Put)`,
  '',
  `| type | n | ${NAMES.map((name) => `${name}: avg / max bytes | ≤ 1 KB | Put WCU avg`).join(' | ')} |`,
  `| --- | ---: |${' ---: | ---: | ---: |'.repeat(NAMES.length)}`,
];
for (const type of ['bounce', 'complaint', 'delivery']) {
  const mine = rows.filter((row) => row.type === type);
  if (mine.length === 0) continue;
  const cells = NAMES.flatMap((name) => {
    const sizes = mine.map((row) => row.sizes[name]);
    return [`${average(sizes)} / ${Math.max(...sizes)}`, `${fits(sizes)}`, putAverage(sizes)];
  });
  lines.push(`| ${type} | ${mine.length} | ${cells.join(' | ')} |`);
}

// The corpus's diagnostics in the first sample bounce (one recipient): its status, bounce type and subtype too
// where the corpus case gives them.
const [template] = files.filter((file) => file.includes('-bounce-'));
const envelope = JSON.parse(readFileSync(join(SAMPLES, String(template)), 'utf8'));
const corpus = readdirSync(CORPUS)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .flatMap((name) => JSON.parse(readFileSync(join(CORPUS, name), 'utf8')) as Record<string, string>[]);
const corpusRows = corpus.flatMap((entry) => {
  const notification = structuredClone(envelope);
  const { bounce } = notification;
  const [recipient] = bounce.bouncedRecipients;
  bounce.bouncedRecipients = [
    { ...recipient, diagnosticCode: entry.diagnosticCode, status: entry.status ?? recipient.status },
  ];
  bounce.bounceType = entry.bounceType ?? bounce.bounceType;
  bounce.bounceSubType = entry.bounceSubType ?? bounce.bounceSubType;
  return eventsOf(notification).map((event) => ({
    ...row(event),
    diagnosticBytes: Buffer.byteLength(entry.diagnosticCode ?? ''),
  }));
});
const stored = corpusRows.map((r) => r.sizes[WRITTEN]);
const before = corpusRows.map((r) => r.unpacked);
const over = corpusRows.filter((r) => r.unpacked > WRITE_UNIT_BYTES);
const fitting = over.filter((r) => r.sizes[WRITTEN] <= WRITE_UNIT_BYTES);
const notFitting = over.filter((r) => r.sizes[WRITTEN] > WRITE_UNIT_BYTES).map((r) => r.diagnosticBytes);
lines.push(
  '',
  `The ${corpusRows.length} diagnostics of test/fixtures/diagnostics/ as the bounce of ${template} (short item)`,
  '',
  '| | avg / max bytes | ≤ 1 KB | Put WCU avg |',
  '| --- | ---: | ---: | ---: |',
  `| unpacked (before) | ${average(before)} / ${Math.max(...before)} | ${fits(before)} | ${putAverage(before)} |`,
  `| as stored (packed when fewer units) | ${average(stored)} / ${Math.max(...stored)} | ${fits(stored)} | ${putAverage(stored)} |`,
  '',
  `Over 1 KB unpacked: ${over.length}; ${fitting.length} fit packed, ${notFitting.length} do not (their diagnostics: ` +
    `${notFitting.join(', ')} bytes)`,
);
if (process.argv.includes('--attributes')) {
  const bounces = rows.filter((r) => r.type === 'bounce');
  const names = new Set(bounces.flatMap((r) => Object.keys(r.attributes)));
  const perName = [...names].map(
    (name) => [name, average(bounces.map((r) => r.attributes[name] ?? 0))] as const,
  );
  lines.push(
    '',
    `Full bounce item, average bytes per attribute (name and value): ${perName
      .sort((a, b) => b[1] - a[1])
      .map(([name, bytes]) => `${name} ${bytes}`)
      .join(', ')}`,
  );
}
console.log(lines.join('\n'));
