// `ses-bounce backfill-pointers`: the upgrade step of the event indexes that gives events and audit entries stored
// before `eventIndexes` `v2-readers` their `ID#<id>` pointers and turns `ERASED#` tombstones into erased pointers,
// before `v2` drops byId and the tombstone check (docs/data-model.md, "Upgrading"; dynamo-pointer-backfill.ts).

import { backfillPointers, type PointerTally } from '../adapters/dynamo-pointer-backfill.ts';
import { type CliIo, EXIT, parseCommandLine, wholeNumberOption, writeText } from './command.ts';
import {
  commandTable,
  refusalsReported,
  type TableCommandDependencies,
  withTableClient,
} from './table-command.ts';

const DEFAULT_RATE = 25;
const MAX_RATE = 1000;

export const usage = `Usage: ses-bounce backfill-pointers --outputs FILE [--stack NAME] [options]
       ses-bounce backfill-pointers --table NAME [options]

Gives every event and audit entry stored before eventIndexes v2-readers its ID#<id> pointer, and turns every
ERASED# tombstone into an erased pointer, so that eventIndexes v2 can drop the byId index and the tombstone check
(docs/data-model.md, "Upgrading"). Run it once, after deploying v2-readers (or a later stage) and before deploying
v2. Tombstones and audit entries are in no index, so it reads the table with one Scan (keys and item kind only);
per page it reads the pointers that exist and writes only those missing, each on a condition that never replaces
what the processor or an erasure wrote meanwhile. Safe to interrupt: a run goes on where the last one stopped
(the position is kept in the table, never printed); a run after a finished one writes nothing.

Which table:
  --outputs FILE        stack outputs written by \`cdk deploy --outputs-file FILE\` (its TableName)
  --stack NAME          stack in that file (default: the only one, or SesBounceProcessor)
  --table NAME          the table given directly

Options:
  --rate N              at most N DynamoDB requests per second (1-${MAX_RATE}; default ${DEFAULT_RATE})
  --restart             read the table from its start, not from where an interrupted run stopped
  --dry-run             count what would be done, write nothing
  --region REGION       AWS region (default: from the environment/profile)
  -h, --help            show this help

Items are reported by number only (their keys name recipients).

Exit status: 0 done; 1 DynamoDB refused a request (message printed; run again to resume); 2 usage error.`;

export async function run(args: string[], io: CliIo): Promise<number> {
  return withTableClient(parseOptions(args).region, (deps) => runBackfillPointers(args, io, deps));
}

function parseOptions(args: string[]) {
  return parseCommandLine({
    args,
    allowPositionals: false,
    options: {
      outputs: { type: 'string' },
      stack: { type: 'string' },
      table: { type: 'string' },
      rate: { type: 'string' },
      restart: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

/** The command with its DynamoDB client and clock injected (tests pass a local table and their own clock). */
export async function runBackfillPointers(
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
  const rate = wholeNumberOption('rate', options.rate ?? String(DEFAULT_RATE), 1, MAX_RATE);
  const dryRun = options['dry-run'] === true;
  await writeText(
    io.stdout,
    `${dryRun ? 'Dry run (nothing is written): ' : ''}pointers of events and tombstones in ${tableName}, ` +
      `at most ${rate} requests/s\n`,
  );
  return refusalsReported(io, 'backfill-pointers', async () => {
    const total = await backfillPointers(deps.client, {
      tableName,
      dryRun,
      restart: options.restart === true,
      requestsPerSecond: rate,
      now: deps.now,
      sleep: deps.sleep,
    });
    await writeText(
      io.stdout,
      `${total.resumed ? 'Went on from where the last run stopped. ' : ''}Done: ${describe(total, dryRun)}; ` +
        `${total.pages} pages, ${total.requests} requests\n`,
    );
    return EXIT.ok;
  });
}

function describe(tally: Readonly<PointerTally>, dryRun: boolean): string {
  const verb = dryRun ? 'would be ' : '';
  return (
    `${tally.events} events and audit entries (${tally.pointersWritten} ${verb}given a pointer, ` +
    `${tally.pointersPresent} had one), ${tally.tombstones} tombstones (${tally.tombstonesConverted} ${verb}turned ` +
    `into erased pointers, ${tally.tombstonesPresent} had one)` +
    (dryRun ? '' : `, ${tally.changedMeanwhile} changed meanwhile (left as they are)`)
  );
}
