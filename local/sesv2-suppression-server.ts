// A loopback emulator of the SESv2 account suppression list (Put/Get/Delete/List suppressed destinations),
// speaking the REST-JSON wire protocol the real SESv2Client sends, with injectable throttling and failures.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SuppressionReason = 'BOUNCE' | 'COMPLAINT';

export interface SuppressionEntry {
  emailAddress: string;
  reason: SuppressionReason;
  lastUpdateTime: Date;
  /** Links the entry to the feedback that created it, as SES does. */
  messageId?: string;
  feedbackId?: string;
  /** SES multi-tenant list name; undefined is the account list. */
  tenantName?: string;
}

/**
 * Fault injection. `sequence` is consumed first, one status per suppression call (200 = answer normally);
 * after it runs out, each call is throttled with probability `throttleRate` and fails with a 500 with
 * probability `errorRate`.
 */
export interface Sesv2Faults {
  throttleRate?: number;
  errorRate?: number;
  sequence?: readonly number[];
}

export interface Sesv2Call {
  method: string;
  path: string;
  status: number;
  errorType?: string;
}

export interface Sesv2SuppressionOptions {
  port?: number;
  host?: string;
  faults?: Sesv2Faults;
  /** Clock for LastUpdateTime; defaults to the system clock. */
  now?: () => Date;
  /** Random source in [0, 1) for fault rates; inject a seeded one for repeatable runs. */
  random?: () => number;
  /** Called after every change of the lists (the local stack persists them with `--data`). */
  onChange?: (entries: SuppressionEntry[]) => void;
}

export interface Sesv2SuppressionEmulator {
  /**
   * Answers the request when its path is a SESv2 suppression path; resolves false (untouched) otherwise. `body`
   * is the request body when the caller has read it already (to check the request's signature).
   */
  handle(req: IncomingMessage, res: ServerResponse, body?: string): Promise<boolean>;
  entries(tenantName?: string): SuppressionEntry[];
  get(emailAddress: string, tenantName?: string): SuppressionEntry | undefined;
  /** Seeds an entry directly (as if SES had added it itself). */
  seed(entry: Omit<SuppressionEntry, 'lastUpdateTime'> & { lastUpdateTime?: Date }): void;
  clear(): void;
  setFaults(faults: Sesv2Faults): void;
  /** Every suppression call answered so far, in order. */
  calls(): Sesv2Call[];
  /** Every entry of every list (account and tenants), e.g. to persist them. */
  allEntries(): SuppressionEntry[];
}

export interface Sesv2SuppressionServer extends Sesv2SuppressionEmulator {
  url: string;
  close(): Promise<void>;
}

const SUPPRESSION_PATH = '/v2/email/suppression/addresses';
const MAX_BODY_BYTES = 64 * 1024;
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
// Loose on purpose: SES rejects obviously malformed addresses with BadRequestException; it is not an RFC 5321 parser.
const EMAIL_PATTERN = /^[^\s@<>()]+@[^\s@<>()]+$/;

class Sesv2Error extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

const badRequest = (message: string) => new Sesv2Error(400, 'BadRequestException', message);

export function createSesv2SuppressionEmulator(opts: Sesv2SuppressionOptions = {}): Sesv2SuppressionEmulator {
  const now = opts.now ?? (() => new Date());
  const random = opts.random ?? Math.random;
  const lists = new Map<string, Map<string, SuppressionEntry>>();
  let faults: Sesv2Faults = opts.faults ?? {};
  let sequence: number[] = [...(faults.sequence ?? [])];
  const log: Sesv2Call[] = [];
  const allEntries = () =>
    [...lists.values()].flatMap((list) => [...list.values()].map((entry) => ({ ...entry })));
  const changed = () => opts.onChange?.(allEntries());

  const listOf = (tenantName: string | undefined) => {
    const key = tenantName ?? '';
    let list = lists.get(key);
    if (!list) {
      list = new Map();
      lists.set(key, list);
    }
    return list;
  };

  const injectedFault = (): Sesv2Error | undefined => {
    const scripted = sequence.shift();
    const status =
      scripted ??
      (random() < (faults.throttleRate ?? 0) ? 429 : random() < (faults.errorRate ?? 0) ? 500 : 200);
    if (status === 429) return new Sesv2Error(429, 'TooManyRequestsException', 'Rate exceeded');
    if (status >= 500) return new Sesv2Error(status, 'InternalFailure', 'Injected internal failure');
    if (status >= 400) return badRequest('Injected bad request');
    return undefined;
  };

  const route = async (req: IncomingMessage, url: URL, body: string | undefined): Promise<unknown> => {
    const method = req.method ?? 'GET';
    const tenantName = url.searchParams.get('TenantName') ?? undefined;
    if (url.pathname === SUPPRESSION_PATH) {
      if (method === 'PUT') return put(parseJson(body ?? (await readText(req))));
      if (method === 'GET') return list(url.searchParams, tenantName);
      throw new Sesv2Error(
        405,
        'MethodNotAllowedException',
        `Method ${method} not allowed on ${url.pathname}`,
      );
    }
    const label = url.pathname.slice(SUPPRESSION_PATH.length + 1);
    if (label === '' || label.includes('/')) {
      throw new Sesv2Error(404, 'UnknownOperationException', `No operation at ${url.pathname}`);
    }
    const emailAddress = decodeLabel(label);
    const entries = listOf(tenantName);
    const entry = entries.get(emailAddress);
    if (method === 'GET' || method === 'DELETE') {
      if (!entry) {
        throw new Sesv2Error(
          404,
          'NotFoundException',
          `Email address ${emailAddress} does not exist on your suppression list.`,
        );
      }
      if (method === 'DELETE') {
        entries.delete(emailAddress);
        changed();
        return {};
      }
      const attributes =
        entry.messageId !== undefined || entry.feedbackId !== undefined
          ? { Attributes: { MessageId: entry.messageId, FeedbackId: entry.feedbackId } }
          : {};
      return {
        SuppressedDestination: {
          EmailAddress: entry.emailAddress,
          Reason: entry.reason,
          LastUpdateTime: epochSeconds(entry.lastUpdateTime),
          ...attributes,
        },
      };
    }
    throw new Sesv2Error(405, 'MethodNotAllowedException', `Method ${method} not allowed on ${url.pathname}`);
  };

  const put = (body: unknown): unknown => {
    if (typeof body !== 'object' || body === null) throw badRequest('Request body must be a JSON object.');
    const { EmailAddress, Reason, TenantName } = body as Record<string, unknown>;
    if (typeof EmailAddress !== 'string' || !EMAIL_PATTERN.test(EmailAddress)) {
      throw badRequest(`Invalid EmailAddress: ${JSON.stringify(EmailAddress ?? null)}.`);
    }
    if (Reason !== 'BOUNCE' && Reason !== 'COMPLAINT') {
      throw badRequest(`Invalid Reason: ${JSON.stringify(Reason ?? null)}. Must be BOUNCE or COMPLAINT.`);
    }
    if (TenantName !== undefined && typeof TenantName !== 'string') throw badRequest('Invalid TenantName.');
    // Re-putting is an upsert (new Reason and LastUpdateTime), the behaviour emulators of record assume.
    listOf(TenantName).set(EmailAddress, {
      emailAddress: EmailAddress,
      reason: Reason,
      lastUpdateTime: now(),
      ...(TenantName !== undefined ? { tenantName: TenantName } : {}),
    });
    changed();
    return {};
  };

  const list = (params: URLSearchParams, tenantName: string | undefined): unknown => {
    const reasons = params.getAll('Reason');
    for (const reason of reasons) {
      if (reason !== 'BOUNCE' && reason !== 'COMPLAINT')
        throw badRequest(`Invalid Reason filter: ${reason}.`);
    }
    const start = parseDate(params.get('StartDate'), 'StartDate');
    const end = parseDate(params.get('EndDate'), 'EndDate');
    const pageSizeText = params.get('PageSize');
    const pageSize = pageSizeText === null ? DEFAULT_PAGE_SIZE : Number(pageSizeText);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw badRequest(`Invalid PageSize: ${pageSizeText}. Must be an integer from 1 to ${MAX_PAGE_SIZE}.`);
    }
    const filterKey = JSON.stringify([reasons, start?.getTime(), end?.getTime(), tenantName ?? '']);
    const offset = decodeNextToken(params.get('NextToken'), filterKey);
    const matching = [...listOf(tenantName).values()]
      .filter((entry) => reasons.length === 0 || reasons.includes(entry.reason))
      .filter((entry) => !start || entry.lastUpdateTime >= start)
      .filter((entry) => !end || entry.lastUpdateTime <= end)
      .sort((a, b) => a.emailAddress.localeCompare(b.emailAddress));
    const page = matching.slice(offset, offset + pageSize);
    const next =
      offset + pageSize < matching.length ? encodeNextToken(offset + pageSize, filterKey) : undefined;
    return {
      SuppressedDestinationSummaries: page.map((entry) => ({
        EmailAddress: entry.emailAddress,
        Reason: entry.reason,
        LastUpdateTime: epochSeconds(entry.lastUpdateTime),
      })),
      ...(next ? { NextToken: next } : {}),
    };
  };

  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    requestBody?: string,
  ): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== SUPPRESSION_PATH && !url.pathname.startsWith(`${SUPPRESSION_PATH}/`)) return false;
    const method = req.method ?? 'GET';
    let status = 200;
    let payload: unknown;
    let errorType: string | undefined;
    try {
      const fault = injectedFault();
      if (fault) {
        req.resume();
        throw fault;
      }
      payload = await route(req, url, requestBody);
    } catch (error) {
      const failure =
        error instanceof Sesv2Error ? error : new Sesv2Error(500, 'InternalFailure', 'Internal failure');
      status = failure.status;
      errorType = failure.type;
      payload = { __type: failure.type, message: failure.message };
    }
    log.push({ method, path: url.pathname, status, ...(errorType ? { errorType } : {}) });
    const body = JSON.stringify(payload);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': randomUUID(),
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(body);
    return true;
  };

  return {
    handle,
    entries: (tenantName) => [...listOf(tenantName).values()].map((entry) => ({ ...entry })),
    get: (emailAddress, tenantName) => {
      const entry = listOf(tenantName).get(emailAddress);
      return entry ? { ...entry } : undefined;
    },
    seed: (entry) => {
      listOf(entry.tenantName).set(entry.emailAddress, {
        ...entry,
        lastUpdateTime: entry.lastUpdateTime ?? now(),
      });
      changed();
    },
    clear: () => {
      lists.clear();
      log.length = 0;
      changed();
    },
    setFaults: (next) => {
      faults = next;
      sequence = [...(next.sequence ?? [])];
    },
    calls: () => log.map((call) => ({ ...call })),
    allEntries,
  };
}

/** Starts the emulator on its own HTTP server (127.0.0.1, a free port unless `port` is given). */
export async function startSesv2SuppressionServer(
  opts: Sesv2SuppressionOptions = {},
): Promise<Sesv2SuppressionServer> {
  const emulator = createSesv2SuppressionEmulator(opts);
  const server = createServer((req, res) => {
    emulator
      .handle(req, res)
      .then((handled) => {
        if (handled) return;
        const body = JSON.stringify({
          __type: 'UnknownOperationException',
          message: `No operation at ${req.url}`,
        });
        res.writeHead(404, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'UnknownOperationException',
        });
        res.end(body);
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    ...emulator,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

const epochSeconds = (date: Date) => date.getTime() / 1000;

function decodeLabel(label: string): string {
  try {
    return decodeURIComponent(label);
  } catch {
    throw badRequest(`Malformed percent-encoding in EmailAddress: ${label}.`);
  }
}

function parseDate(value: string | null, name: string): Date | undefined {
  if (value === null) return undefined;
  // The SDK sends ISO-8601; accept epoch seconds too, as the CLI documents.
  const date = /^\d+(\.\d+)?$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) throw badRequest(`Invalid ${name}: ${value}.`);
  return date;
}

function encodeNextToken(offset: number, filterKey: string): string {
  return Buffer.from(JSON.stringify({ offset, filterKey })).toString('base64url');
}

function decodeNextToken(token: string | null, filterKey: string): number {
  if (token === null) return 0;
  const invalid = new Sesv2Error(400, 'InvalidNextTokenException', 'The NextToken is invalid.');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (typeof decoded !== 'object' || decoded === null) throw invalid;
  const { offset, filterKey: tokenFilter } = decoded as Record<string, unknown>;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || tokenFilter !== filterKey) {
    throw invalid;
  }
  return offset;
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw badRequest(`Request body exceeds ${MAX_BODY_BYTES} bytes.`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (Buffer.byteLength(text) > MAX_BODY_BYTES)
    throw badRequest(`Request body exceeds ${MAX_BODY_BYTES} bytes.`);
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('Request body is not valid JSON.');
  }
}
