// One JSON Lines record in, one JSON line out: the per-line work of `ses-bounce classify`, shared by the
// single-threaded stream and the worker threads.

import type { BounceInput } from '../domain/classification.ts';
import { classifyBounce } from '../domain/classify.ts';
import type { LineMapper } from './json-lines.ts';

const MAX_ERROR_DETAIL = 200;

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
  const { status, diagnosticCode, bounceType, bounceSubType, action } = value as Record<string, unknown>;
  if (!isTextOrAbsent(status)) return wrongType('status', status);
  if (!isTextOrAbsent(diagnosticCode)) return wrongType('diagnosticCode', diagnosticCode);
  if (!isTextOrAbsent(bounceType)) return wrongType('bounceType', bounceType);
  if (!isTextOrAbsent(bounceSubType)) return wrongType('bounceSubType', bounceSubType);
  if (!isTextOrAbsent(action)) return wrongType('action', action);
  return { status, diagnosticCode, bounceType, bounceSubType, action };
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
        return JSON.stringify(classifyBounce(input));
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
