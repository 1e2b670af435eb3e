// Event item sizes by DynamoDB's rule (attribute names plus values; local/dynalite-transactions.ts `itemSize`) for
// the real notifications in samples/: every recipient's event item, full (as every release before issue #13
// writes it), slim (docs/data-model.md, "Slim event items"), and slim without the first model's index keys (eid,
// gsi1sk, gsi2sk: once those indexes are gone), short (slim with short names, what the processor writes at v2),
// and what its transactional Put costs (2 WCU per started KB).
// Usage: npx tsx bench/event-item-sizes.ts [--attributes]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  type EventItemShape,
  eventItem,
  FIRST_MODEL_INDEX_KEYS,
  type FirstModelIndexKey,
  type Item,
} from '../lambdas/adapters/dynamo-items.ts';
import { classifyBounce } from '../lambdas/domain/classify.ts';
import { buildRecipientEvents } from '../lambdas/domain/recipient-event.ts';
import { parseSesDocument } from '../lambdas/domain/ses-notification.ts';
import { applyEvent, DEFAULT_POLICY_SETTINGS } from '../lambdas/domain/suppression-policy.ts';
import { itemSize } from '../local/dynalite-transactions.ts';

const SAMPLES = join(import.meta.dirname, '..', 'samples');
/** The item variants measured: shape, and the first model's index keys it carries. */
const VARIANTS = {
  full: ['full', FIRST_MODEL_INDEX_KEYS],
  slim: ['slim', FIRST_MODEL_INDEX_KEYS],
  'slim, no eid/gsi1sk/gsi2sk': ['slim', []],
  'short (v2)': ['short', []],
} as const satisfies Record<string, readonly [EventItemShape, readonly FirstModelIndexKey[]]>;
type Variant = keyof typeof VARIANTS;
const NAMES = Object.keys(VARIANTS) as Variant[];
const size = (item: Item) => itemSize(marshall(item, { removeUndefinedValues: true }));
/** A transactional Put: twice the units of a plain write, 1 per started KB. */
const putUnits = (bytes: number) => 2 * Math.ceil(bytes / 1024);

interface Row {
  type: string;
  sizes: Record<Variant, number>;
  attributes: Record<string, number>;
}

const rows: Row[] = [];
for (const file of readdirSync(SAMPLES)
  .filter((name) => /^\d+-.*\.json$/.test(name))
  .sort()) {
  const parsed = parseSesDocument(JSON.parse(readFileSync(join(SAMPLES, file), 'utf8')));
  if (parsed.kind !== 'notification') continue;
  const { events } = buildRecipientEvents(parsed.notification, {
    recordedAt: '2026-12-07T04:00:00.000Z',
    snsMessageId: '0f6c1a52-1d2b-5c3e-9a7f-3b1e2c4d5e6f',
    classify: classifyBounce,
  });
  for (const event of events) {
    const { decision } = applyEvent(null, event, DEFAULT_POLICY_SETTINGS, false);
    const item = (variant: Variant) => {
      const [shape, indexKeys] = VARIANTS[variant];
      return eventItem(event, decision, 400, 'event', shape, indexKeys);
    };
    rows.push({
      type: event.type,
      sizes: Object.fromEntries(NAMES.map((name) => [name, size(item(name))])) as Record<Variant, number>,
      attributes: Object.fromEntries(
        Object.entries(item('full')).map(([name, value]) => [name, size({ [name]: value })]),
      ),
    });
  }
}

const average = (values: number[]) => Math.round(values.reduce((sum, v) => sum + v, 0) / values.length);
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
    return [
      `${average(sizes)} / ${Math.max(...sizes)}`,
      `${sizes.filter((bytes) => bytes <= 1024).length}`,
      (sizes.reduce((sum, bytes) => sum + putUnits(bytes), 0) / sizes.length).toFixed(2),
    ];
  });
  lines.push(`| ${type} | ${mine.length} | ${cells.join(' | ')} |`);
}
if (process.argv.includes('--attributes')) {
  const bounces = rows.filter((row) => row.type === 'bounce');
  const names = new Set(bounces.flatMap((row) => Object.keys(row.attributes)));
  const perName = [...names].map(
    (name) => [name, average(bounces.map((row) => row.attributes[name] ?? 0))] as const,
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
