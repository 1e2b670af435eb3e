// `ses-bounce backfill-expiry`: the upgrade step that gives day × domain counters written before they expired the
// `expiresAt` every counter update now sets, and with --summaries the recipient summaries written before they expired
// the one every event now moves on (docs/data-model.md, "Upgrading"; lambdas/adapters/dynamo-counter-expiry.ts).

import {
  backfillCounterExpiry,
  backfillSummaryExpiry,
  type CounterExpiryTally,
} from '../adapters/dynamo-counter-expiry.ts';
import { CONFIG_DEFAULTS, defaultRecipientRetentionDays, SETTING_BOUNDS } from '../config.ts';
import { type CliIo, EXIT, parseCommandLine, UsageError, wholeNumberOption, writeText } from './command.ts';
import {
  commandTable,
  refusalsReported,
  type TableCommandDependencies,
  withTableClient,
} from './table-command.ts';

/** SES started in January 2011: no event it reported, and so no counter, names an earlier day. */
const SES_FIRST_YEAR = 2011;
const DEFAULT_RATE = 25;
const MAX_RATE = 1000;
const retention = SETTING_BOUNDS.eventRetentionDays;
const recipientRetention = SETTING_BOUNDS.recipientRetentionDays;

export const usage = `Usage: ses-bounce backfill-expiry --outputs FILE [--stack NAME] [options]
       ses-bounce backfill-expiry --table NAME [options]

Gives the day x domain counters that a deployment from before they expired wrote (they have no expiresAt) the
expiry every update of such a counter sets now: the end of its UTC day plus the event retention. Run it once
after deploying a version whose domain counters expire (docs/data-model.md, "Upgrading"). It reads the counter
partitions with Queries (no Scan), writes only counters that still have no expiresAt, and never changes one that
got an expiry meanwhile: safe to interrupt and to run again (a rerun finds only what is left).

Which table:
  --outputs FILE        stack outputs written by \`cdk deploy --outputs-file FILE\` (its TableName)
  --stack NAME          stack in that file (default: the only one, or SesBounceProcessor)
  --table NAME          the table given directly

With --summaries it gives the recipient summaries written before they expired (no expiresAt) the expiry their
last event would have given them: its time (latest event, delivery or reactivation) plus the recipient retention.
Summaries are in no index, so this reads the whole table with one paced Scan (keys and times only). A summary
untouched for longer than the retention gets an expiry already past, and DynamoDB's TTL deletes it within days;
run with --dry-run first to see how many.

Options:
  --retention-days N    the deployed eventRetentionDays (EVENT_RETENTION_DAYS; default ${CONFIG_DEFAULTS.eventRetentionDays})
  --summaries           recipient summaries instead of counters
  --recipient-retention-days N
                        with --summaries: the deployed recipientRetentionDays (RECIPIENT_RETENTION_DAYS; default
                        --retention-days, at least softBounceWindowDays ${CONFIG_DEFAULTS.softBounceWindowDays})
  --from-year YYYY      first year whose counters are read (default ${SES_FIRST_YEAR}, when SES started); up to this year
  --rate N              at most N DynamoDB requests per second (1-${MAX_RATE}; default ${DEFAULT_RATE})
  --dry-run             count what would be done, write nothing
  --region REGION       AWS region (default: from the environment/profile)
  -h, --help            show this help

A counter whose expiry is already past gets it too, and DynamoDB's TTL deletes it within days; one due more than
five years ago, which TTL ignores, is deleted right away. Counters are reported by number only (they name domains).

Exit status: 0 done; 1 DynamoDB refused a request (message printed; run again to resume); 2 usage error.`;

export async function run(args: string[], io: CliIo): Promise<number> {
  return withTableClient(parseOptions(args).region, (deps) => runBackfillExpiry(args, io, deps));
}

function parseOptions(args: string[]) {
  return parseCommandLine({
    args,
    allowPositionals: false,
    options: {
      outputs: { type: 'string' },
      stack: { type: 'string' },
      table: { type: 'string' },
      'retention-days': { type: 'string' },
      summaries: { type: 'boolean' },
      'recipient-retention-days': { type: 'string' },
      'from-year': { type: 'string' },
      rate: { type: 'string' },
      'dry-run': { type: 'boolean' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

/** The command with its DynamoDB client and clock injected (tests pass a local table and their own clock). */
export async function runBackfillExpiry(
  args: string[],
  io: CliIo,
  deps: TableCommandDependencies,
): Promise<number> {
  const options = parseOptions(args);
  if (options.help) {
    await writeText(io.stdout, `${usage}\n`);
    return EXIT.ok;
  }
  const tableName = await commandTable(options);
  const retentionDays = wholeNumberOption(
    'retention-days',
    options['retention-days'] ?? String(CONFIG_DEFAULTS.eventRetentionDays),
    retention.min,
    retention.max,
  );
  const thisYear = new Date(deps.now()).getUTCFullYear();
  const fromYear = wholeNumberOption(
    'from-year',
    options['from-year'] ?? String(SES_FIRST_YEAR),
    1970,
    thisYear,
  );
  const rate = wholeNumberOption('rate', options.rate ?? String(DEFAULT_RATE), 1, MAX_RATE);
  const dryRun = options['dry-run'] === true;
  if (options.summaries === true) {
    const recipientRetentionDays = wholeNumberOption(
      'recipient-retention-days',
      options['recipient-retention-days'] ??
        String(
          defaultRecipientRetentionDays({
            eventRetentionDays: retentionDays,
            softBounceWindowDays: CONFIG_DEFAULTS.softBounceWindowDays,
          }),
        ),
      recipientRetention.min,
      recipientRetention.max,
    );
    return refusalsReported(io, 'backfill-expiry', () =>
      backfillSummaries(io, deps, { tableName, retentionDays: recipientRetentionDays, rate, dryRun }),
    );
  }
  if (options['recipient-retention-days'] !== undefined)
    throw new UsageError('--recipient-retention-days goes with --summaries');

  await writeText(
    io.stdout,
    `${dryRun ? 'Dry run (nothing is written): ' : ''}day x domain counters without expiresAt in ${tableName}, ` +
      `years ${fromYear}-${thisYear}, retention ${retentionDays} days, at most ${rate} requests/s\n`,
  );
  return refusalsReported(io, 'backfill-expiry', async () => {
    const total = await backfillCounterExpiry(deps.client, {
      tableName,
      retentionDays,
      fromYear,
      dryRun,
      requestsPerSecond: rate,
      now: deps.now,
      sleep: deps.sleep,
      onYear: (year, tally) => writeText(io.stdout, `${year}: ${describe(tally, dryRun)}\n`),
    });
    await writeText(io.stdout, `Done: ${describe(total, dryRun)}; ${total.requests} requests\n`);
    return EXIT.ok;
  });
}

async function backfillSummaries(
  io: CliIo,
  deps: TableCommandDependencies,
  options: { tableName: string; retentionDays: number; rate: number; dryRun: boolean },
): Promise<number> {
  const { dryRun } = options;
  await writeText(
    io.stdout,
    `${dryRun ? 'Dry run (nothing is written): ' : ''}recipient summaries without expiresAt in ${options.tableName} ` +
      `(one Scan), recipient retention ${options.retentionDays} days, at most ${options.rate} requests/s\n`,
  );
  const total = await backfillSummaryExpiry(deps.client, {
    tableName: options.tableName,
    retentionDays: options.retentionDays,
    dryRun,
    requestsPerSecond: options.rate,
    now: deps.now,
    sleep: deps.sleep,
  });
  await writeText(io.stdout, `Done: ${describe(total, dryRun, 'summaries')}; ${total.requests} requests\n`);
  return EXIT.ok;
}

function describe(
  tally: Readonly<CounterExpiryTally>,
  dryRun: boolean,
  items: 'counters' | 'summaries' = 'counters',
): string {
  if (tally.found === 0) return `0 ${items} without expiresAt`;
  const verb = dryRun ? 'would be ' : '';
  const parts = [
    `${tally.set} ${verb}given expiresAt`,
    `${tally.setExpired} ${verb}given one already past (TTL deletes them within days)`,
    `${tally.deleted} ${verb}deleted (due over five years ago, beyond TTL)`,
  ];
  if (!dryRun) parts.push(`${tally.changedMeanwhile} changed meanwhile (left as they are)`);
  return `${tally.found} ${items} without expiresAt: ${parts.join(', ')}`;
}
