// GET /stats read units with the counter rollup's guards (docs/data-model.md, "Exactly once (issue #13: rollup
// without transactions)"): the same 90 days of counters written by the rollup's own update (rolledUpCounterUpdate)
// from W stream shards (each its own guard on every item it adds to), read by the query API's store, against the
// same items with the guards taken off (as the transactional rollup left them). Read units from
// ReturnConsumedCapacity (dynalite's accounting of eventually consistent reads).
// Usage: npx tsx bench/stats-guards.ts [--writers 1,6,24] [--domains 100]
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { rolledUpCounterUpdate } from '../lambdas/adapters/dynamo-items.ts';
import { dynamoQueryStore } from '../lambdas/adapters/dynamo-query-store.ts';
import type { CounterWrite } from '../lambdas/domain/counter-rollup.ts';
import { createTable, startDynalite } from '../local/dynamo.ts';

const args = process.argv.slice(2);
const listOption = (name: string, fallback: number[]) => {
  const index = args.indexOf(name);
  return index >= 0 ? (args[index + 1] ?? '').split(',').map(Number) : fallback;
};
const WRITERS = listOption('--writers', [1, 6, 24]);
const [DOMAINS = 100] = listOption('--domains', [100]);
const DAYS = 90;
const FIRST_DAY = Date.parse('2026-09-01T00:00:00Z');
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };

/** A day's counts as a sender's day gives them: every day-total name of the samples, and DOMAINS domains. */
function dayWrites(day: string): CounterWrite[] {
  const totals: Record<string, number> = { events: 5000, 'type:delivery': 4880, 'type:bounce': 100 };
  for (const name of [
    'type:complaint',
    'verdict:hard',
    'verdict:soft',
    'onAccountList:bounce',
    'onAccountList:complaint',
    'sesMislabel',
    'suppress:requested',
    'code:none',
  ])
    totals[name] = 7;
  for (const suffix of ['mailbox-full', 'unknown-user', 'blocked', 'policy', 'dns', 'spam', 'other'])
    totals[`category:${suffix}`] = 11;
  for (const code of ['5.1.1', '5.2.2', '4.2.2', '5.7.1', '5.4.4', '4.4.7', '5.7.26'])
    totals[`code:${code}`] = 9;
  for (const blame of ['recipient', 'sender', 'provider', 'unknown']) totals[`blame:${blame}`] = 13;
  const sequence = { first: '100000000000000000001', last: '100000000000000000999' };
  return [
    { day, domain: null, counts: totals, ...sequence },
    ...Array.from({ length: DOMAINS }, (_, i) => ({
      day,
      domain:
        i < 6
          ? (['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com', 'aol.com'][i] ?? '')
          : `company-${i}.example`,
      counts: { events: 20, 'type:delivery': 19, 'type:bounce': 1 },
      ...sequence,
    })),
  ];
}

async function main(): Promise<void> {
  const dynamo = await startDynalite();
  const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
  let readUnits = 0;
  raw.middlewareStack.add(
    (next) => async (input) => {
      const command = input.input as Record<string, unknown>;
      if (command.KeyConditionExpression !== undefined) command.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(input);
      const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity;
      readUnits += consumed?.CapacityUnits ?? 0;
      return result;
    },
    { step: 'initialize', name: 'statsReadUnits' },
  );
  const doc = DynamoDBDocumentClient.from(raw);
  const days = Array.from({ length: DAYS }, (_, d) =>
    new Date(FIRST_DAY + d * 86_400_000).toISOString().slice(0, 10),
  );
  const from = days[0] ?? '';
  const to = days.at(-1) ?? '';
  const rows: string[] = [];
  for (const writers of WRITERS) {
    const guarded = `stats-guards-${writers}`;
    const bare = `stats-bare-${writers}`;
    await createTable(raw, guarded);
    await createTable(raw, bare);
    for (const day of days)
      for (let w = 0; w < writers; w += 1)
        await Promise.all(
          dayWrites(day).map((write) =>
            doc.send(
              new UpdateCommand({
                TableName: guarded,
                ...rolledUpCounterUpdate(write, `shardId-${w}`, 60, FIRST_DAY / 1000),
              }),
            ),
          ),
        );
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new ScanCommand({ TableName: guarded, ExclusiveStartKey: start }));
      for (const item of page.Items ?? [])
        await doc.send(
          new PutCommand({
            TableName: bare,
            Item: Object.fromEntries(Object.entries(item).filter(([name]) => !name.startsWith('r:'))),
          }),
        );
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    const measure = async (table: string, groupBy: 'day' | 'domain') => {
      const store = dynamoQueryStore(doc, table);
      readUnits = 0;
      await (groupBy === 'day' ? store.dayCounters(from, to) : store.domainDayCounters(from, to));
      return readUnits;
    };
    for (const groupBy of ['day', 'domain'] as const) {
      const before = await measure(bare, groupBy);
      const after = await measure(guarded, groupBy);
      rows.push(
        `| ${writers} | ${groupBy} | ${before.toFixed(1)} | ${after.toFixed(1)} | ${(after / before).toFixed(2)} |`,
      );
    }
  }
  console.log(`GET /stats over ${DAYS} days, ${DOMAINS} domains a day: read units of the store's Queries`);
  console.log('| stream shards a day | groupBy | without guards | with guards | ratio |');
  console.log('| ---: | --- | ---: | ---: | ---: |');
  for (const row of rows) console.log(row);
  await dynamo.close();
}

await main();
