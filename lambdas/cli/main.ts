// Entry of the `ses-bounce` command line (bin/ses-bounce.mjs calls main). Subcommands live in a table and are
// loaded on first use, so each stays fast to start and adding one is a single line.

import { type CliCommand, type CliIo, EXIT, UsageError, writeText } from './command.ts';

interface CommandEntry {
  summary: string;
  load: () => Promise<CliCommand>;
}

// To add a command, add a line: name, summary, and a module exporting `usage` and `run` (see command.ts).
const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  explain: { summary: 'explain SMTP enhanced status codes (e.g. 5.1.1)', load: () => import('./explain.ts') },
  classify: {
    summary: 'classify a bounce, or a JSON Lines stream on stdin',
    load: () => import('./classify.ts'),
  },
  redrive: {
    summary: 'move parked messages from a dead-letter queue back (SQS move task)',
    load: () => import('./redrive.ts'),
  },
  'backfill-expiry': {
    summary: 'give day x domain counters from before they expired their expiresAt (upgrade step)',
    load: () => import('./backfill-expiry.ts'),
  },
  'backfill-pointers': {
    summary: 'give events stored before eventIndexes v2-readers their id pointers (upgrade step)',
    load: () => import('./backfill-pointers.ts'),
  },
  'redrive-counters': {
    summary: 'count the stream batches the counter rollup gave up on (its failure queue)',
    load: () => import('./redrive-counters.ts'),
  },
};

function help(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((name) => name.length)) + 2;
  const lines = names.map((name) => `  ${name.padEnd(width)}${COMMANDS[name]?.summary ?? ''}`);
  return `Usage: ses-bounce <command> [options]

Commands:
${lines.join('\n')}

Run "ses-bounce <command> --help" for a command's options.
Exit status: 0 success; 1 some input was bad (the rest was processed); 2 usage error (also: no AWS region or
credentials found); 70 internal error.
`;
}

const processIo: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    await writeText(io.stderr, help());
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = args[0] === undefined ? undefined : COMMANDS[args[0]];
    await writeText(io.stdout, topic === undefined ? help() : `${(await topic.load()).usage}\n`);
    return EXIT.ok;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (entry === undefined) {
    await writeText(
      io.stderr,
      `ses-bounce: unknown command "${name}". Commands: ${Object.keys(COMMANDS).join(', ')}. See ses-bounce --help.\n`,
    );
    return EXIT.usage;
  }

  const command = await entry.load();
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      await writeText(io.stderr, `ses-bounce ${name}: ${error.message}\n\n${command.usage}\n`);
      return EXIT.usage;
    }
    const setup = awsSetupProblem(error);
    if (setup !== null) {
      await writeText(io.stderr, `ses-bounce ${name}: ${setup}\n`);
      return EXIT.usage;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    await writeText(io.stderr, `ses-bounce ${name}: internal error: ${detail}\n`);
    return EXIT.internal;
  }
}

/**
 * What the AWS SDK throws before its first request when this machine names no region or holds no credentials: a
 * mistake in the operator's setup, not a bug, so it is said plainly (no stack trace) and exits like a usage error.
 */
function awsSetupProblem(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  if (error.message === 'Region is missing') {
    return 'no AWS region: pass --region REGION, or set AWS_REGION (or a profile with a region)';
  }
  if (error.name === 'CredentialsProviderError') {
    return (
      'no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a ' +
      `role is available (${error.message})`
    );
  }
  return null;
}
