// One JSON Lines record in, one JSON line out: the per-line work of `ses-bounce classify`, shared by the
// single-threaded stream and the worker threads.

import type { BounceInput } from '../domain/classification.ts';
import { classifyBounce } from '../domain/classify.ts';
import type { LineMapper } from './json-lines.ts';

const INPUT_KEYS = ['status', 'diagnosticCode', 'bounceType', 'bounceSubType', 'action'] as const;
const MAX_ERROR_DETAIL = 200;

/** Checks one parsed JSON value; returns the bounce input or a sentence saying what is wrong. */
export function toBounceInput(value: unknown): BounceInput | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return `expected a JSON object, got ${kind}`;
  }
  const record = value as Record<string, unknown>;
  const input: BounceInput = {};
  for (const key of INPUT_KEYS) {
    const field = record[key];
    if (field === undefined || field === null) continue;
    if (typeof field !== 'string') {
      const kind = Array.isArray(field) ? 'an array' : `a ${typeof field}`;
      return `"${key}" must be a string or null, got ${kind}`;
    }
    input[key] = field;
  }
  return input;
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
      if (body.trim().length === 0) {
        failures++;
        return errorLine('blank line, expected a JSON object', lineNumber);
      }
      let value: unknown;
      try {
        value = JSON.parse(body);
      } catch (error) {
        failures++;
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
