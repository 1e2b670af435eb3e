// infra/README.md's cost tables are what the cost model (harness/cost-model.ts) computes from the committed, measured
// inputs (bench/cost-inputs.json), so the documented figures cannot drift from the model; and the model's parts
// follow the pages they cite.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BOUNCE_MIX,
  bounceCostTable,
  costTables,
  defaultVolumes,
  dynamoCost,
  processingCost,
  README_BLOCKS,
  readCostInputs,
  readmeTables,
  storageCost,
  storageLines,
  VOLUMES,
  type Volume,
} from '../../harness/cost-model.ts';

const readme = readFileSync(new URL('../../infra/README.md', import.meta.url), 'utf8');
const mainReadme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const inputs = readCostInputs();

describe('infra/README.md cost tables', () => {
  it('are what npm run bench:cost prints for bench/cost-inputs.json', () => {
    expect(readmeTables(readme, README_BLOCKS.sent)).toBe(costTables(inputs));
  });

  it('per million bounces too', () => {
    expect(readmeTables(readme, README_BLOCKS.bounces)).toBe(bounceCostTable(inputs));
  });

  it('and README.md quotes their totals', () => {
    const totalOf = (table: string, row: string) =>
      new RegExp(`\\| \\*\\*${row}\\*\\*(?: \\| [^|]+)*? \\| \\*\\*([\\d.]+)\\*\\* \\|$`, 'm').exec(
        table,
      )?.[1];
    const bounces = totalOf(bounceCostTable(inputs), 'per million bounces');
    const sent = totalOf(costTables(inputs), 'total');
    expect(mainReadme).toContain(`**$${bounces} per million bounces**`);
    expect(mainReadme).toContain(`**$${sent} per million sent emails** at 50 million a month`);
  });

  it("and its prose quotes the model's figures (targets, units per delivery and per bounce, table class)", () => {
    const prose = readme.replace(/\s+/g, ' ');
    // A missing figure names itself, not the whole README.
    const quoted = (figure: string) => expect(prose.includes(figure), figure).toBe(true);
    const totals = /^\| \*\*total\*\* \| (.+) \|$/m
      .exec(costTables(inputs))?.[1]
      ?.split(' | ')
      .map((cell) => cell.replaceAll('*', ''));
    const [, low, lowWindow1, , high] = totals ?? [];
    quoted(`$${low} at 1 M/month and $${high} at 50 M/month`);
    quoted(`own: $${lowWindow1}, the third column`);
    const units = inputs.after.units;
    const atLow = units[inputs.after.defaults.low];
    const atHigh = units[inputs.after.defaults.high] ?? units.high;
    const delivery = { low: atLow.deliveryNew.write.toFixed(2), high: atHigh.deliveryNew.write.toFixed(2) };
    quoted(`**${delivery.low} write units per counted delivery**`);
    quoted(`and ${delivery.high} at 50 M/month`);
    quoted(`(${delivery.high} write units each at 50 M/month, ${delivery.low} at 1 M/month, above)`);
    quoted(`A bounce costs ${atHigh.bounce.write.toFixed(2)} write units`);
    const volumes = defaultVolumes(inputs.after);
    const byClass = (days: number, volume: Volume) =>
      (['standard-ia', 'standard'] as const).map((tableClass) =>
        dynamoCost(inputs.after, volume, tableClass, { eventDays: days, recipientDays: days }).toFixed(2),
      );
    const [iaLow, standardLow] = byClass(inputs.after.eventRetentionDays, volumes.low);
    const [iaHigh, standardHigh] = byClass(inputs.after.eventRetentionDays, volumes.high);
    quoted(
      `1 M/month $${iaLow} instead of $${standardLow}, 50 M/month $${iaHigh} instead of $${standardHigh}`,
    );
    const [iaLow5, standardLow5] = byClass(1826, volumes.low);
    const [iaHigh5, standardHigh5] = byClass(1826, volumes.high);
    quoted(`five years: $${iaLow5} instead of $${standardLow5}, $${iaHigh5} instead of $${standardHigh5}`);
  });
});

describe('cost model', () => {
  it('charges the KMS requests SNS documents for one topic and one publisher, whatever the volume', () => {
    // R = B / D × 2P: a month of seconds / 300 s reuse × 2 × 1 principal = 17,532 requests × $0.03 / 10,000.
    const kms = (volume: (typeof VOLUMES)[keyof typeof VOLUMES]) =>
      processingCost(inputs.after, volume).find((line) => line.item.startsWith('KMS'))?.usd;
    expect(kms(VOLUMES.low)).toBeCloseTo(0.0526, 4);
    expect(kms(VOLUMES.high)).toBeCloseTo(0.0526 / 50, 5);
  });

  it('prices a million bounces by their measured write units, one suppression each', () => {
    // 1 M × (a bounce's units + the worker's summary update) × $0.625 per million write units.
    const writes = processingCost(inputs.after, VOLUMES.low, BOUNCE_MIX).find(
      (l) => l.item === 'DynamoDB writes',
    );
    expect(writes?.usd).toBeCloseTo((inputs.after.units.low.bounce.write + 1) * 0.625, 6);
  });

  it("meets issue #13's storage target (<= $0.10 per million sent a month) at the default retention", () => {
    for (const volume of [VOLUMES.low, VOLUMES.high])
      expect(storageCost(storageLines(inputs.after, volume))).toBeLessThanOrEqual(0.1);
  });

  it('prices Standard-IA above Standard at the default retention, below only when events are kept for years', () => {
    const at = (volume: (typeof VOLUMES)[keyof typeof VOLUMES], days: number) => ({
      standard: dynamoCost(inputs.after, volume, 'standard', { eventDays: days, recipientDays: days }),
      ia: dynamoCost(inputs.after, volume, 'standard-ia', { eventDays: days, recipientDays: days }),
    });
    for (const volume of [VOLUMES.low, VOLUMES.high]) {
      const byDefault = at(volume, inputs.after.eventRetentionDays);
      expect(byDefault.ia).toBeGreaterThan(byDefault.standard);
      const fiveYears = at(volume, 1826);
      expect(fiveYears.ia).toBeLessThan(fiveYears.standard);
    }
  });

  it('charges the log bytes the variant measured, and one rollup invocation per window and stream shard', () => {
    const usd = (variant: typeof inputs.after, item: string) =>
      processingCost(variant, VOLUMES.lowWindow60).find((line) => line.item === item)?.usd ?? Number.NaN;
    // 1,001,000 notifications in batches of 24; 40,600 recorded events (bounces, complaints, deliveries with history).
    const { invocation, recordedEvent } = inputs.after.logBytes;
    expect(usd(inputs.after, 'CloudWatch Logs')).toBeCloseTo(
      (((1_001_000 / 24) * invocation + 40_600 * recordedEvent) / 2 ** 30) * 0.5,
      9,
    );
    const halfWindow = { ...inputs.after, rollupWindowSeconds: inputs.after.rollupWindowSeconds / 2 };
    expect(usd(halfWindow, 'Lambda counter rollup')).toBeCloseTo(
      2 * usd(inputs.after, 'Lambda counter rollup'),
      12,
    );
  });

  it('stores more the longer events and summaries are kept, and summaries that never expire most', () => {
    const at = (eventDays: number, recipientDays: number | null) =>
      storageCost(storageLines(inputs.after, VOLUMES.high, { eventDays, recipientDays }));
    expect(at(30, 30)).toBeLessThan(at(90, 90));
    expect(at(90, 90)).toBeLessThan(at(400, 400));
    expect(at(90, 90)).toBeLessThan(at(90, null));
  });
});
