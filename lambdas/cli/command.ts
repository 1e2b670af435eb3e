// The shape every `ses-bounce` subcommand module has, and the streams it talks to (injectable for tests).

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
