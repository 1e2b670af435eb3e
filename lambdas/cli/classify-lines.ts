// One JSON Lines record in, one JSON line out: the per-line work of `ses-bounce classify`, shared by the
// single-threaded stream and the worker threads.

import type { BounceInput, Classification } from '../domain/classification.ts';
import { classifyBounce } from '../domain/classify.ts';
import { SMTP_COMMANDS } from '../domain/rules/index.ts';
import type { LineMapper } from './json-lines.ts';

const MAX_ERROR_DETAIL = 200;
const MAX_ENCODED_STRINGS = 4096;

// JSON text of the classifier's strings. Its ids, codes, titles and evidence come from small fixed sets, so
// escaping each once beats JSON.stringify escaping them again on every line of a million-line stream. Bounded,
// in case evidence ever carries input text.
const encoded = new Map<string, string>();

function json(text: string | null): string {
  if (text === null) return 'null';
  let known = encoded.get(text);
  if (known === undefined) {
    known = JSON.stringify(text);
    if (encoded.size < MAX_ENCODED_STRINGS) encoded.set(text, known);
  }
  return known;
}

/** Exactly Classification: if the contract gains a field, the call below stops compiling until it is written. */
type OnlyKnownFields<T, K extends keyof T> = Exclude<keyof T, K> extends never ? T : never;

/** The same text as JSON.stringify(classification), several times faster. */
export function serializeClassification(
  c: OnlyKnownFields<
    Classification,
    'verdict' | 'category' | 'blame' | 'suppress' | 'code' | 'codeTitle' | 'evidence'
  >,
): string {
  return `{"verdict":${json(c.verdict)},"category":${json(c.category)},"blame":${json(c.blame)},"suppress":${c.suppress ? 'true' : 'false'},"code":${json(c.code)},"codeTitle":${json(c.codeTitle)},"evidence":${json(c.evidence)}}`;
}

function isTextOrAbsent(field: unknown): field is string | null | undefined {
  return field === undefined || field === null || typeof field === 'string';
}

function wrongType(key: string, field: unknown): string {
  const kind = Array.isArray(field)
    ? 'an array'
    : typeof field === 'object'
      ? 'an object'
      : `a ${typeof field}`;
  return `"${key}" must be a string or null, got ${kind}`;
}

/** Checks one parsed JSON value; returns the bounce input or a sentence saying what is wrong. */
export function toBounceInput(value: unknown): BounceInput | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return `expected a JSON object, got ${kind}`;
  }
  // Named reads rather than a loop over the keys: this runs once per line of a million-line stream.
  const { status, diagnosticCode, bounceType, bounceSubType, action, smtpCommand } = value as Record<
    string,
    unknown
  >;
  if (!isTextOrAbsent(status)) return wrongType('status', status);
  if (!isTextOrAbsent(diagnosticCode)) return wrongType('diagnosticCode', diagnosticCode);
  if (!isTextOrAbsent(bounceType)) return wrongType('bounceType', bounceType);
  if (!isTextOrAbsent(bounceSubType)) return wrongType('bounceSubType', bounceSubType);
  if (!isTextOrAbsent(action)) return wrongType('action', action);
  if (!isTextOrAbsent(smtpCommand)) return wrongType('smtpCommand', smtpCommand);
  if (typeof smtpCommand === 'string' && !isSmtpCommand(smtpCommand)) return badSmtpCommand(smtpCommand);
  return { status, diagnosticCode, bounceType, bounceSubType, action, smtpCommand };
}

/** Whether `value` names an SMTP command the classifier knows (any case, surrounding blanks allowed). */
export function isSmtpCommand(value: string): boolean {
  return Object.hasOwn(SMTP_COMMANDS, value.trim().toUpperCase());
}

export const SMTP_COMMAND_LIST = Object.keys(SMTP_COMMANDS).join(', ');

function badSmtpCommand(value: string): string {
  return `"smtpCommand" must be one of ${SMTP_COMMAND_LIST} (any case), got ${JSON.stringify(value.slice(0, MAX_ERROR_DETAIL))}`;
}

function errorLine(message: string, line: number): string {
  return JSON.stringify({ error: `line ${line}: ${message}`, line });
}

/** The stream-mode mapper; counts the lines that became errors. */
export function classifyLineMapper(): LineMapper & { readonly failures: number } {
  let failures = 0;
  return {
    get failures() {
      return failures;
    },
    line(text, lineNumber) {
      const body = lineNumber === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
      let value: unknown;
      try {
        value = JSON.parse(body);
      } catch (error) {
        failures++;
        // Only a line that failed to parse is checked for being blank: the common case pays nothing for it.
        if (body.trim().length === 0) return errorLine('blank line, expected a JSON object', lineNumber);
        const detail = error instanceof Error ? error.message.slice(0, MAX_ERROR_DETAIL) : 'unparseable';
        return errorLine(`invalid JSON (${detail})`, lineNumber);
      }
      const input = toBounceInput(value);
      if (typeof input === 'string') {
        failures++;
        return errorLine(input, lineNumber);
      }
      try {
        return serializeClassification(classifyBounce(input));
      } catch (error) {
        // classifyBounce promises never to throw; if it does, one record must not sink the stream.
        failures++;
        const detail = error instanceof Error ? error.message.slice(0, MAX_ERROR_DETAIL) : String(error);
        return errorLine(`classifier failed (${detail})`, lineNumber);
      }
    },
    tooLong(lineNumber, length) {
      failures++;
      return errorLine(`line of ${length} characters exceeds --max-line-length; skipped`, lineNumber);
    },
  };
}

/** Classifies a block of lines (each ending in "\n", maybe "\r\n") on the current thread. */
export function classifyBlock(start: number, text: string): { output: string; failures: number } {
  const mapper = classifyLineMapper();
  const lines = text.split('\n');
  lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    lines[i] = mapper.line(line.endsWith('\r') ? line.slice(0, -1) : line, start + i);
  }
  return { output: lines.join('\n'), failures: mapper.failures };
}
