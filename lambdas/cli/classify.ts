// `ses-bounce classify`: classify one bounce given by flags, or a JSON Lines stream on stdin (one output line per
// input line, in order; a bad line becomes {"error": ...} at its position and the stream goes on).

import { availableParallelism } from 'node:os';
import type { BounceInput, Classification } from '../domain/classification.ts';
import { classifyBounce } from '../domain/classify.ts';
import { codeTitle } from '../domain/registry.ts';
import { classifyLineMapper, isSmtpCommand, SMTP_COMMAND_LIST } from './classify-lines.ts';
import { classifyLinesInParallel } from './classify-parallel.ts';
import { type CliIo, EXIT, parseCommandLine, UsageError, writeText } from './command.ts';
import { mapLines } from './json-lines.ts';

export const usage = `Usage:
  ses-bounce classify --status CODE --diagnostic TEXT [--bounce-type T] [--bounce-sub-type S] [--action A]
                      [--smtp-command C] [--json]
  ses-bounce classify [--threads N] [--max-line-length N] < bounces.jsonl > classified.jsonl

With any of --status, --diagnostic, --bounce-type, --bounce-sub-type, --action or --smtp-command, classifies that
one bounce (text, or one JSON object with --json). Without them, reads JSON Lines from stdin: each line an object
with the optional string keys status, diagnosticCode, bounceType, bounceSubType, action, smtpCommand (other keys
are ignored). Writes
exactly one JSON line per input line, in order: the classification (verdict, category, blame, suppress, code,
codeTitle, evidence), or {"error": "...", "line": N} for a line that is not such an object (a blank line
included, so that output line N always answers input line N).

Options:
  --status CODE            SMTP enhanced status code from the DSN (e.g. 5.1.1)
  --diagnostic TEXT        Diagnostic-Code text (e.g. "smtp; 550 5.1.1 user unknown")
  --bounce-type T          SES bounceType (Permanent, Transient, Undetermined)
  --bounce-sub-type S      SES bounceSubType (General, NoEmail, Suppressed, MailboxFull, ...)
  --action A               DSN Action (failed, delayed, ...)
  --smtp-command C         the SMTP command the reply answered: CONN, HELO, EHLO, MAIL, RCPT, DATA or QUIT (any
                           case); otherwise the phase is read from the diagnostic's wording
  --json                   print the single classification as one JSON line
  --threads N              stream mode: worker threads (default: CPUs - 1, at most 4; 1 = no workers;
                           the first megabyte or so is classified before any worker starts)
  --max-line-length N      stream mode: longest input line accepted, in characters (default 16777216)
  -h, --help               show this help

Exit status: 0 all classified; 1 some stream lines were errors; 2 usage error.`;

const DEFAULT_MAX_LINE_LENGTH = 16 * 1024 * 1024;
const MAX_THREADS = 4;

function formatClassification(classification: Classification): string {
  const knownTitle =
    classification.codeTitle ?? (classification.code === null ? null : codeTitle(classification.code));
  const title = knownTitle === null ? '' : ` (${knownTitle})`;
  return [
    `${classification.verdict} bounce: ${classification.category}`,
    `  verdict   ${classification.verdict}`,
    `  category  ${classification.category}`,
    `  blame     ${classification.blame}`,
    `  suppress  ${classification.suppress ? 'yes' : 'no'}`,
    `  code      ${classification.code ?? 'none'}${title}`,
    `  evidence  ${classification.evidence}`,
    '',
  ].join('\n');
}

function parsePositiveInteger(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^[1-9][0-9]*$/.test(text))
    throw new UsageError(`${flag} must be a positive whole number, got "${text}"`);
  return Number(text);
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args);
  if (values.help === true) {
    await writeText(io.stdout, `${usage}\n`);
    return EXIT.ok;
  }

  const single: BounceInput = {
    status: values.status,
    diagnosticCode: values.diagnostic,
    bounceType: values['bounce-type'],
    bounceSubType: values['bounce-sub-type'],
    action: values.action,
    smtpCommand: values['smtp-command'],
  };
  const smtpCommand = values['smtp-command'];
  if (smtpCommand !== undefined && !isSmtpCommand(smtpCommand)) {
    throw new UsageError(
      `--smtp-command must be one of ${SMTP_COMMAND_LIST} (any case), got ${JSON.stringify(smtpCommand)}`,
    );
  }
  const hasFlags = Object.values(single).some((value) => value !== undefined);
  const maxLineLength = parsePositiveInteger(
    values['max-line-length'],
    '--max-line-length',
    DEFAULT_MAX_LINE_LENGTH,
  );

  if (hasFlags) {
    const classification = classifyBounce(single);
    await writeText(
      io.stdout,
      values.json === true ? `${JSON.stringify(classification)}\n` : formatClassification(classification),
    );
    return EXIT.ok;
  }
  if (io.stdin.isTTY === true) {
    throw new UsageError('nothing to classify: give --status/--diagnostic, or pipe JSON Lines into stdin');
  }

  const threads = parsePositiveInteger(
    values.threads,
    '--threads',
    // Workers pay off only with a core to spare for the main thread's reading and writing.
    Math.max(1, Math.min(availableParallelism() - 1, MAX_THREADS)),
  );
  let lines: number;
  let failures: number;
  if (threads === 1) {
    const mapper = classifyLineMapper();
    lines = (await mapLines(io.stdin, io.stdout, mapper, { maxLineLength })).lines;
    failures = mapper.failures;
  } else {
    ({ lines, failures } = await classifyLinesInParallel(io.stdin, io.stdout, { maxLineLength, threads }));
  }
  if (failures > 0) {
    await writeText(io.stderr, `ses-bounce classify: ${failures} of ${lines} lines failed\n`);
    return EXIT.inputErrors;
  }
  return EXIT.ok;
}

function parseOptions(args: string[]) {
  return parseCommandLine({
    args,
    allowPositionals: false,
    options: {
      status: { type: 'string' },
      diagnostic: { type: 'string' },
      'bounce-type': { type: 'string' },
      'bounce-sub-type': { type: 'string' },
      action: { type: 'string' },
      'smtp-command': { type: 'string' },
      json: { type: 'boolean' },
      'max-line-length': { type: 'string' },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
