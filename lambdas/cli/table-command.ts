// What the table upgrade commands (`backfill-expiry`, `backfill-pointers`) share: which table they work on, their
// DynamoDB client for one run, and how a request DynamoDB refuses is reported.

import { DynamoDBClient, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sleep } from '../domain/retry.ts';
import {
  type CliIo,
  EXIT,
  readStackOutputs,
  stackOutput,
  TABLE_OUTPUT,
  UsageError,
  writeText,
} from './command.ts';

/** What a table command is given: its client and clock (tests pass a local table and their own clock). */
export interface TableCommandDependencies {
  client: DynamoDBDocumentClient;
  /** Epoch milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Runs a table command with a real client in `region` (else the SDK's), destroyed when the command ends. */
export async function withTableClient(
  region: string | undefined,
  command: (deps: TableCommandDependencies) => Promise<number>,
): Promise<number> {
  const raw = new DynamoDBClient(region === undefined ? {} : { region });
  try {
    return await command({
      client: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }),
      now: Date.now,
      sleep,
    });
  } finally {
    raw.destroy();
  }
}

/** The table named by `--table`, or the `TableName` output of `--outputs` (and `--stack`); never both. */
export async function commandTable(options: {
  table?: string | undefined;
  outputs?: string | undefined;
  stack?: string | undefined;
}): Promise<string> {
  if (options.table !== undefined) {
    if (options.outputs !== undefined) throw new UsageError('give either --table or --outputs, not both');
    return options.table;
  }
  if (options.outputs === undefined) {
    throw new UsageError(
      'say which table: --outputs FILE (from `cdk deploy --outputs-file`) or --table NAME',
    );
  }
  return stackOutput(await readStackOutputs(options.outputs, options.stack), TABLE_OUTPUT, options.outputs);
}

/**
 * Runs a command's work; DynamoDB refusing a request is reported on stderr under the command's name (exit 1: what
 * was done stays done, a second run goes on), anything else is thrown.
 */
export async function refusalsReported(
  io: CliIo,
  command: string,
  work: () => Promise<number>,
): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DynamoDBServiceException) {
      await writeText(
        io.stderr,
        `ses-bounce ${command}: DynamoDB refused: ${error.name}: ${error.message}\n` +
          'What was done stays done; run the command again to go on.\n',
      );
      return EXIT.inputErrors;
    }
    throw error;
  }
}
