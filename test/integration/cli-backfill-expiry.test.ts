// `ses-bounce backfill-expiry` on dynalite: day x domain counters in the shape deployments before #15 wrote (no
// expiresAt) get exactly the expiry recording an event gives them now, conditionally, at a bounded request rate; a second
// run changes nothing.
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBackfillExpiry } from '../../lambdas/cli/backfill-expiry.ts';
import { EXIT, UsageError } from '../../lambdas/cli/command.ts';
import { runWithCapturedIo } from '../support/cli-io.ts';
import {
  fixture,
  type ProcessorStack,
  snsEnvelope,
  sqsEvent,
  sqsRecord,
  startProcessorStack,
  TABLE,
} from '../support/processor-harness.ts';

const SAMPLES = [
  '01-bounce-permanent-general-gmail-5.1.1.json',
  '05-bounce-transient-mailboxfull-4.2.2.json',
  '09-bounce-permanent-multiple-recipients.json',
  '10-complaint-abuse.json',
  '11-delivery.json',
];
/** The backfill's clock: the samples' counters (October 2024, 400 days' retention) are then still ahead. */
const NOW = Date.parse('2025-01-01T00:00:00.000Z');
const DAY = 86_400;
const epoch = (iso: string) => Date.parse(iso) / 1000;

type Item = Record<string, unknown>;

let stack: ProcessorStack;
let dir: string;

beforeEach(async () => {
  stack = await startProcessorStack();
  dir = await mkdtemp(join(tmpdir(), 'backfill-expiry-'));
});

afterEach(async () => {
  await stack.close();
  await rm(dir, { recursive: true, force: true });
});

async function scanTable(): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Item | undefined;
  do {
    const page = await stack.doc.send(
      new ScanCommand({ TableName: TABLE, ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}) }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items.sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
}

const isDomainCounter = (item: Item) => String(item.pk).startsWith('STATDOM#');
const keyOf = (item: Item) => `${item.pk}|${item.sk}`;

/** Records the samples as today's code does (processor, counter rollup) and returns each day x domain counter's expiry. */
async function recordSamples(): Promise<Map<string, unknown>> {
  for (const file of SAMPLES) {
    const body = snsEnvelope(await fixture(file), `sns-${file}`);
    const result = await stack.processor(sqsEvent([sqsRecord(body, `msg-${file}`)]));
    expect(result).toEqual({ batchItemFailures: [] });
  }
  return new Map((await scanTable()).filter(isDomainCounter).map((item) => [keyOf(item), item.expiresAt]));
}

/** Turns every day x domain counter into the shape deployments before #15 wrote: no expiresAt. */
async function dropExpiries(): Promise<void> {
  for (const item of (await scanTable()).filter(isDomainCounter)) {
    await stack.doc.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: 'REMOVE expiresAt',
      }),
    );
  }
}

/** An old-shape counter of a day no sample has. */
async function putOldCounter(day: string, domain: string, shard: number, extra: Item = {}): Promise<Item> {
  const item = {
    pk: `STATDOM#${day.slice(0, 4)}#${shard}`,
    sk: `${day}#${domain}`,
    domain,
    day,
    events: 2,
    'type:bounce': 2,
    ...extra,
  };
  await stack.doc.send(new PutCommand({ TableName: TABLE, Item: item }));
  return item;
}

/** Runs the command on a clock that only its own pacing moves; returns the exit code, output and sent requests. */
async function backfill(args: string[]) {
  let slept = 0;
  const deps = {
    client: stack.doc,
    now: () => NOW + slept,
    sleep: async (ms: number) => {
      slept += ms;
    },
  };
  const result = await runWithCapturedIo((io) => runBackfillExpiry(args, io, deps));
  return { ...result, slept };
}

describe('ses-bounce backfill-expiry', () => {
  it('gives old counters the processor expiry, deletes those TTL would ignore, touches nothing else; a second run changes nothing', async () => {
    // Arrange
    const processorExpiry = await recordSamples();
    expect(processorExpiry.size).toBeGreaterThanOrEqual(4);
    await dropExpiries();
    const expired = await putOldCounter('2023-06-01', 'one-person.example', 3); // due 2024-07-06: past
    const beyondTtl = await putOldCounter('2018-05-05', 'family.example', 7); // due 2019: more than 5 years past
    const kept = await putOldCounter('2024-10-20', 'newer.example', 1, { expiresAt: 9_999_999_999 });
    const before = await scanTable();

    // Act
    // The processor here keeps events 400 days (the former default): the deployed retention is passed.
    const first = await backfill(['--table', TABLE, '--rate', '1000', '--retention-days', '400']);
    const afterFirst = await scanTable();
    const second = await backfill(['--table', TABLE, '--rate', '1000', '--retention-days', '400']);

    // Assess
    expect(first).toMatchObject({ code: EXIT.ok, stderr: '' });
    const counters = new Map(afterFirst.filter(isDomainCounter).map((item) => [keyOf(item), item]));
    for (const [key, expiresAt] of processorExpiry) expect(counters.get(key)?.expiresAt, key).toBe(expiresAt);
    expect(counters.get(keyOf(expired))?.expiresAt).toBe(epoch('2023-06-02T00:00:00Z') + 400 * DAY);
    expect(counters.has(keyOf(beyondTtl))).toBe(false);
    expect(counters.get(keyOf(kept))?.expiresAt).toBe(9_999_999_999);
    // Every other item (events, summaries, day totals) is as it was, and the counters lost no count.
    const withoutExpiry = (items: Item[]) =>
      items.filter((item) => keyOf(item) !== keyOf(beyondTtl)).map(({ expiresAt: _, ...rest }) => rest);
    expect(withoutExpiry(afterFirst)).toEqual(withoutExpiry(before));
    expect(
      afterFirst.filter((item) => String(item.pk).startsWith('STAT#')).every((i) => !('expiresAt' in i)),
    ).toBe(true);
    const found = processorExpiry.size + 2;
    expect(first.stdout).toContain(
      `Done: ${found} counters without expiresAt: ${processorExpiry.size} given expiresAt, ` +
        '1 given one already past (TTL deletes them within days), 1 deleted (due over five years ago, beyond TTL), ' +
        '0 changed meanwhile (left as they are)',
    );
    expect(first.stdout).toContain('2018: 1 counters without expiresAt');
    expect(first.stdout).toContain('2011: 0 counters without expiresAt');

    expect(second).toMatchObject({ code: EXIT.ok, stderr: '' });
    expect(second.stdout).toContain('Done: 0 counters without expiresAt;');
    expect(await scanTable()).toEqual(afterFirst);
  });

  it('--summaries gives summaries without expiresAt the expiry of their last touch, and nothing else; a second run changes nothing', async () => {
    // Arrange: summaries as versions before summaries expired wrote them, and two older ones.
    await recordSamples();
    const isSummary = (item: Item) => item.sk === 'SUMMARY';
    for (const item of (await scanTable()).filter(isSummary))
      await stack.doc.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'REMOVE expiresAt',
        }),
      );
    const oldSummary = (pk: string, lastEventAt: string, extra: Item = {}) => ({
      pk,
      sk: 'SUMMARY',
      entity: 'summary',
      lastEventAt,
      ...extra,
    });
    const delivered = oldSummary('R#old@example.org', '2023-06-01T00:00:00.000Z', {
      lastDeliveryAt: '2023-07-01T00:00:00.000Z',
    });
    const ancient = oldSummary('R#ancient@example.org', '2018-05-05T00:00:00.000Z');
    for (const item of [delivered, ancient])
      await stack.doc.send(new PutCommand({ TableName: TABLE, Item: item }));
    const before = await scanTable();
    const samples = before.filter(
      (item) => isSummary(item) && item.pk !== delivered.pk && item.pk !== ancient.pk,
    );
    expect(samples.length).toBeGreaterThanOrEqual(4);

    // Act
    const dryRun = await backfill(['--table', TABLE, '--summaries', '--dry-run']);
    const afterDryRun = await scanTable();
    const first = await backfill(['--table', TABLE, '--summaries', '--recipient-retention-days', '500']);
    const afterFirst = await scanTable();
    const second = await backfill(['--table', TABLE, '--summaries', '--recipient-retention-days', '500']);

    // Assess
    expect(afterDryRun).toEqual(before);
    expect(dryRun.stdout).toContain(`Done: ${samples.length + 2} summaries without expiresAt:`);
    expect(first).toMatchObject({ code: EXIT.ok, stderr: '' });
    const summaries = new Map(afterFirst.filter(isSummary).map((item) => [item.pk, item]));
    for (const sample of samples) {
      const last = [sample.lastEventAt, sample.lastDeliveryAt]
        .filter((t) => typeof t === 'string')
        .sort()
        .at(-1);
      expect(summaries.get(sample.pk)?.expiresAt, String(sample.pk)).toBe(epoch(String(last)) + 500 * DAY);
    }
    expect(summaries.get(delivered.pk)?.expiresAt).toBe(epoch('2023-07-01T00:00:00Z') + 500 * DAY);
    expect(summaries.has(ancient.pk)).toBe(false);
    const withoutExpiry = (items: Item[]) =>
      items.filter((item) => item.pk !== ancient.pk).map(({ expiresAt: _, ...rest }) => rest);
    expect(withoutExpiry(afterFirst)).toEqual(withoutExpiry(before));
    expect(first.stdout).toContain(
      `Done: ${samples.length + 2} summaries without expiresAt: ${samples.length} given expiresAt, ` +
        '1 given one already past (TTL deletes them within days), 1 deleted (due over five years ago, beyond TTL)',
    );
    expect(second.stdout).toContain('Done: 0 summaries without expiresAt;');
    expect(await scanTable()).toEqual(afterFirst);
  });

  it('reads the years from --from-year; an earlier counter is left to a run that starts there', async () => {
    // Arrange
    const early = await putOldCounter('2009-02-03', 'early.example', 0);

    // Act
    const fromDefault = await backfill(['--table', TABLE, '--rate', '1000']);
    const fromEarlier = await backfill(['--table', TABLE, '--rate', '1000', '--from-year', '2009']);

    // Assess
    expect(fromDefault.stdout).toContain('years 2011-2025');
    expect(fromDefault.stdout).toContain('Done: 0 counters without expiresAt;');
    expect(fromEarlier.stdout).toContain('2009: 1 counters without expiresAt');
    expect((await scanTable()).some((item) => keyOf(item) === keyOf(early))).toBe(false);
  });

  it('takes the retention and the table from its options and writes nothing on --dry-run', async () => {
    // Arrange
    const outputs = join(dir, 'cdk-outputs.json');
    await copyFile(new URL('../fixtures/infra/cdk-outputs.json', import.meta.url), outputs);
    const stackOutputs = JSON.parse(await readFile(outputs, 'utf8'));
    stackOutputs.SesBounceProcessor.TableName = TABLE;
    await writeFile(outputs, JSON.stringify(stackOutputs));
    const counter = await putOldCounter('2024-12-30', 'short.example', 5);
    const before = await scanTable();

    // Act
    const dryRun = await backfill(['--outputs', outputs, '--dry-run', '--rate', '1000']);
    const afterDryRun = await scanTable();
    const real = await backfill(['--outputs', outputs, '--retention-days', '30', '--rate', '1000']);

    // Assess
    expect(dryRun.stdout).toContain('Dry run (nothing is written)');
    expect(dryRun.stdout).toContain('Done: 1 counters without expiresAt: 1 would be given expiresAt');
    expect(afterDryRun).toEqual(before);
    expect(real.stdout).toContain('retention 30 days');
    const stored = (await scanTable()).find((item) => keyOf(item) === keyOf(counter));
    expect(stored?.expiresAt).toBe(epoch('2024-12-31T00:00:00Z') + 30 * DAY);
  });

  it('never overwrites an expiry another writer set between its read and its write', async () => {
    // Arrange: the processor records an event of the counter's day just before the backfill writes
    const counter = await putOldCounter('2024-11-11', 'busy.example', 2);
    let raced = false;
    stack.raw.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { UpdateExpression?: string };
        if (!raced && input.UpdateExpression?.startsWith('SET #ttl')) {
          raced = true;
          await stack.doc.send(
            new UpdateCommand({
              TableName: TABLE,
              Key: { pk: counter.pk, sk: counter.sk },
              UpdateExpression: 'SET expiresAt = :e ADD events :one',
              ExpressionAttributeValues: { ':e': 1_800_000_000, ':one': 1 },
            }),
          );
        }
        return next(args);
      },
      { step: 'initialize', name: 'raceTheBackfill' },
    );

    // Act
    const result = await backfill(['--table', TABLE, '--rate', '1000']);
    stack.raw.middlewareStack.remove('raceTheBackfill');

    // Assess
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toContain('0 given expiresAt');
    expect(result.stdout).toContain('1 changed meanwhile');
    const stored = (await scanTable()).find((item) => keyOf(item) === keyOf(counter));
    expect(stored).toMatchObject({ expiresAt: 1_800_000_000, events: 3 });
  });

  it('sends at most --rate requests per second', async () => {
    // Arrange
    for (let i = 0; i < 5; i += 1) await putOldCounter(`2024-12-0${i + 1}`, `d${i}.example`, i);

    // Act
    const result = await backfill(['--table', TABLE, '--rate', '20', '--from-year', '2024']);

    // Assess: 2 years x 16 partitions queried and 5 writes, 50 ms apart on the command's clock
    expect(result.stdout).toContain('; 37 requests');
    expect(result.slept).toBeGreaterThanOrEqual(36 * 50);
  });

  it('pages through a partition that holds more counters than a page', async () => {
    // Arrange: 205 counters in one partition (3 pages of 100)
    for (let i = 0; i < 205; i += 1)
      await putOldCounter('2024-12-24', `d${String(i).padStart(3, '0')}.example`, 9);

    // Act
    const result = await backfill(['--table', TABLE, '--rate', '1000', '--from-year', '2024']);

    // Assess: 2 years x 16 partitions, 2 more pages, 205 writes
    expect(result.stdout).toContain('Done: 205 counters without expiresAt: 205 given expiresAt');
    expect(result.stdout).toContain('; 239 requests');
    const counters = (await scanTable()).filter(isDomainCounter);
    // Without --retention-days: the default eventRetentionDays, 60.
    expect(
      counters.filter((item) => item.expiresAt === epoch('2024-12-25T00:00:00Z') + 60 * DAY),
    ).toHaveLength(205);
  });

  it('refuses options that do not name one table or name a bad number', async () => {
    await expect(backfill([])).rejects.toThrow(UsageError);
    await expect(backfill(['--table', TABLE, '--outputs', 'x.json'])).rejects.toThrow('not both');
    await expect(backfill(['--table', TABLE, '--retention-days', '0'])).rejects.toThrow(
      '--retention-days must be a whole number from 1 to 36500, got "0"',
    );
    await expect(backfill(['--table', TABLE, '--from-year', '2026'])).rejects.toThrow('--from-year');
    await expect(backfill(['--table', TABLE, '--rate', 'fast'])).rejects.toThrow('--rate');
    await expect(backfill(['--table', TABLE, '--recipient-retention-days', '500'])).rejects.toThrow(
      '--recipient-retention-days goes with --summaries',
    );
  });

  it('reports a refused request and says a rerun goes on', async () => {
    const result = await backfill(['--table', 'no-such-table', '--rate', '1000']);
    expect(result.code).toBe(EXIT.inputErrors);
    expect(result.stderr).toContain('DynamoDB refused: ResourceNotFoundException');
    expect(result.stderr).toContain('run the command again');
  });
});
