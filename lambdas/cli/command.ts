// The shape every `ses-bounce` subcommand module has, and the streams it talks to (injectable for tests).

import { readFile } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { type ParseArgsConfig, parseArgs } from 'node:util';

export interface CliIo {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable;
}

/** A subcommand module exports these two names; main.ts loads it lazily from its command table. */
export interface CliCommand {
  /** Usage text shown by `ses-bounce <command> --help` and after a usage error. */
  usage: string;
  /** Runs the command with the arguments after its name; resolves to the process exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** Exit codes shared by all commands. */
export const EXIT = {
  ok: 0,
  /** Some input was bad (a malformed code, a line that failed); the rest was processed. */
  inputErrors: 1,
  /** The command line itself was wrong. */
  usage: 2,
  /** A bug: something threw that should not have. */
  internal: 70,
} as const;

/** A mistake on the command line; main.ts prints it with the command's usage and exits with EXIT.usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Writes text to a stream and waits until the stream accepted it (or failed). */
export function writeText(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}

/** A command's arguments parsed strictly (node:util parseArgs); a mistake in them becomes a UsageError. */
export function parseCommandLine<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config); // strict by default: an unknown or mistyped option throws
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** A whole-number option from `min` to `max`; anything else is a UsageError naming the option. */
export function wholeNumberOption(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

const DEFAULT_STACK_NAME = 'SesBounceProcessor';

/**
 * The outputs of one stack in a file written by `cdk deploy --outputs-file FILE`: the named stack, else the only
 * one, else SesBounceProcessor.
 */
export async function readStackOutputs(
  file: string,
  stackName: string | undefined,
): Promise<Record<string, string>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `cannot read stack outputs from ${file}: ${error instanceof Error ? error.message : error}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null)
    throw new UsageError(`${file} is not a stack outputs file`);
  const stacks = parsed as Record<string, unknown>;
  const names = Object.keys(stacks);
  const name = stackName ?? (names.length === 1 ? names[0] : DEFAULT_STACK_NAME);
  const outputs = name === undefined ? undefined : stacks[name];
  if (typeof outputs !== 'object' || outputs === null) {
    throw new UsageError(
      `${file} has no stack "${name}" (stacks: ${names.join(', ') || 'none'}); use --stack`,
    );
  }
  return Object.fromEntries(
    Object.entries(outputs).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/** The stack output naming the table (infra/stack.ts). */
export const TABLE_OUTPUT = 'TableName';

/** One output of a stack outputs file; missing, it is a UsageError (the file predates the output). */
export function stackOutput(outputs: Record<string, string>, name: string, file: string): string {
  const value = outputs[name];
  if (value === undefined) throw new UsageError(`${file} lacks ${name}; redeploy to refresh it`);
  return value;
}

/**
 * The region for a command's AWS clients: `--region`; else, unless AWS_REGION is set, the region of the queue ARN it
 * was given (`arn:aws:sqs:REGION:…`) or, with `--outputs`, of the stack's queue ARNs there (all in the stack's
 * region); else undefined, left to the SDK (a profile's region). A bad outputs file is left for the command to
 * report.
 */
export async function commandRegion(options: {
  region?: string | undefined;
  queue?: string | undefined;
  outputs?: string | undefined;
  stack?: string | undefined;
}): Promise<string | undefined> {
  if (options.region !== undefined) return options.region;
  if (process.env.AWS_REGION) return undefined;
  if (options.queue !== undefined) return regionOfQueueArn(options.queue);
  if (options.outputs === undefined) return undefined;
  try {
    const outputs = await readStackOutputs(options.outputs, options.stack);
    return Object.values(outputs)
      .map(regionOfQueueArn)
      .find((region) => region !== undefined);
  } catch (error) {
    if (error instanceof UsageError) return undefined;
    throw error;
  }
}

function regionOfQueueArn(value: string): string | undefined {
  return /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):\d{12}:[^:]+$/.exec(value)?.[1];
}
