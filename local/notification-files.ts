// Notification files on disk → the HTTP POSTs SNS would make to `/sns`. Accepts a bare SES document, an SNS
// HTTP(S) message, or a Lambda SNSEvent (unwrapped, with its `…Url` fields spelled as SNS spells them over HTTP).
// Optionally shifts every timestamp, so demo data lands in the last 30 days.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

export interface SnsPost {
  /** Where the body came from, for messages (`file` or `file#record`). */
  origin: string;
  body: string;
  headers: Record<string, string>;
}

const ISO_TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d| \+0000)$/;

/** Moves every ISO-8601 timestamp string in a JSON value by `deltaMs`, keeping its precision. */
export function shiftTimestamps(value: unknown, deltaMs: number): unknown {
  if (Array.isArray(value)) return value.map((item) => shiftTimestamps(item, deltaMs));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, shiftTimestamps(item, deltaMs)]),
    );
  }
  if (typeof value !== 'string') return value;
  const match = ISO_TIMESTAMP.exec(value);
  if (!match) return value;
  const time = Date.parse(`${match[1]}${match[2] ?? ''}${match[3] === ' +0000' ? 'Z' : match[3]}`);
  if (Number.isNaN(time)) return value;
  const shifted = new Date(time + deltaMs).toISOString();
  const fraction = match[2] ?? '';
  // toISOString always gives milliseconds and Z: keep the original's precision and zone style.
  const seconds = shifted.slice(0, 19);
  const millis =
    fraction === '' ? '' : shifted.slice(19, 23).padEnd(fraction.length, '0').slice(0, fraction.length);
  return `${seconds}${millis}Z`;
}

/** The newest SES event time in a document (bounce/complaint/delivery/delay timestamp, else mail.timestamp). */
export function sesEventTime(document: unknown): number | null {
  if (typeof document !== 'object' || document === null) return null;
  const record = document as Record<string, unknown>;
  if (typeof record.Message === 'string') return sesEventTime(parseOrNull(record.Message));
  for (const key of ['bounce', 'complaint', 'delivery', 'deliveryDelay', 'mail']) {
    const part = record[key];
    if (typeof part === 'object' && part !== null) {
      const timestamp = (part as Record<string, unknown>).timestamp;
      if (typeof timestamp === 'string' && !Number.isNaN(Date.parse(timestamp))) return Date.parse(timestamp);
    }
  }
  return null;
}

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Turns one parsed file into the POSTs SNS would make; a shift moves SES and SNS timestamps alike. */
export function toSnsPosts(origin: string, document: unknown, deltaMs = 0): SnsPost[] {
  if (typeof document !== 'object' || document === null) {
    throw new Error(`${origin}: not a JSON object`);
  }
  const record = document as Record<string, unknown>;
  if (Array.isArray(record.Records)) {
    return record.Records.map((item, index) => {
      const sns =
        typeof item === 'object' && item !== null ? (item as Record<string, unknown>).Sns : undefined;
      if (typeof sns !== 'object' || sns === null) throw new Error(`${origin}: Records[${index}] has no Sns`);
      return snsPost(`${origin}#${index}`, fromLambdaSpelling(sns as Record<string, unknown>), deltaMs);
    });
  }
  if (typeof record.Type === 'string') return [snsPost(origin, record, deltaMs)];
  const body = deltaMs === 0 ? document : shiftTimestamps(document, deltaMs);
  return [{ origin, body: JSON.stringify(body), headers: { 'content-type': 'text/plain; charset=UTF-8' } }];
}

function snsPost(origin: string, message: Record<string, unknown>, deltaMs: number): SnsPost {
  const shifted: Record<string, unknown> = { ...message };
  if (deltaMs !== 0) {
    if (typeof message.Timestamp === 'string')
      shifted.Timestamp = shiftTimestamps(message.Timestamp, deltaMs);
    if (typeof message.Message === 'string' && message.Type === 'Notification') {
      const inner = parseOrNull(message.Message);
      if (inner !== null) {
        const trailing = message.Message.endsWith('\n') ? '\n' : '';
        shifted.Message = `${JSON.stringify(shiftTimestamps(inner, deltaMs))}${trailing}`;
      }
    }
  }
  return {
    origin,
    body: JSON.stringify(shifted),
    headers: {
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': String(message.Type),
      'x-amz-sns-message-id': String(message.MessageId ?? ''),
      'x-amz-sns-topic-arn': String(message.TopicArn ?? ''),
    },
  };
}

/** Lambda's SNS record spells `SigningCertUrl`/`UnsubscribeUrl` and sends `Subject: null`; HTTP does not. */
function fromLambdaSpelling(sns: Record<string, unknown>): Record<string, unknown> {
  const { SigningCertUrl, UnsubscribeUrl, MessageAttributes: _attributes, Subject, ...rest } = sns;
  return {
    ...rest,
    ...(typeof Subject === 'string' ? { Subject } : {}),
    ...(SigningCertUrl !== undefined ? { SigningCertURL: SigningCertUrl } : {}),
    ...(UnsubscribeUrl !== undefined ? { UnsubscribeURL: UnsubscribeUrl } : {}),
  };
}

/** Expands file arguments: plain paths, directories (their *.json) and globs with `*`, `?` and `**`. */
export async function expandFileArguments(
  patterns: readonly string[],
  cwd = process.cwd(),
): Promise<string[]> {
  const files: string[] = [];
  for (const pattern of patterns) {
    if (!/[*?]/.test(pattern)) {
      const path = resolve(cwd, pattern);
      const info = await stat(path);
      if (info.isDirectory()) {
        const names = (await readdir(path)).filter((name) => name.endsWith('.json')).sort();
        files.push(...names.map((name) => join(path, name)));
      } else {
        files.push(path);
      }
      continue;
    }
    const absolute = resolve(cwd, pattern);
    const segments = absolute.split(sep);
    const firstWild = segments.findIndex((segment) => /[*?]/.test(segment));
    const root = segments.slice(0, firstWild).join(sep) || sep;
    const matcher = globToRegExp(segments.slice(firstWild).join('/'));
    const found = (await walk(root)).filter((file) =>
      matcher.test(
        file
          .slice(root.length + 1)
          .split(sep)
          .join('/'),
      ),
    );
    if (found.length === 0) throw new Error(`${pattern}: no file matches`);
    files.push(...found.sort());
  }
  return files;
}

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i += 1) {
    const char = glob[i] ?? '';
    if (char === '*' && glob[i + 1] === '*') {
      source += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path)));
    else files.push(path);
  }
  return files;
}

/** Reads files into POSTs; with `shiftToNow`, all are moved by one delta so the newest event is just past. */
export async function loadSnsPosts(
  files: readonly string[],
  opts: { shiftToNow?: Date } = {},
): Promise<SnsPost[]> {
  const documents: Array<{ file: string; document: unknown }> = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    const document = parseOrNull(text);
    if (document === null) throw new Error(`${file}: not valid JSON`);
    documents.push({ file, document });
  }
  let deltaMs = 0;
  if (opts.shiftToNow) {
    const times = documents.flatMap(({ document }) => {
      const inner =
        typeof document === 'object' &&
        document !== null &&
        Array.isArray((document as { Records?: unknown }).Records)
          ? ((document as { Records: Array<{ Sns?: unknown }> }).Records[0]?.Sns ?? null)
          : document;
      const time = sesEventTime(inner);
      return time === null ? [] : [time];
    });
    const newest = times.length > 0 ? Math.max(...times) : opts.shiftToNow.getTime();
    // Whole minutes, and the newest event ten minutes ago: "today" has data without being in the future.
    deltaMs = Math.floor((opts.shiftToNow.getTime() - 10 * 60_000 - newest) / 60_000) * 60_000;
  }
  return documents.flatMap(({ file, document }) => toSnsPosts(file, document, deltaMs));
}
