// The part of the EventBridge JSON protocol (awsJson1_1, `x-amz-target: AWSEvents.PutEvents`) the events publisher
// calls: the local stack takes every entry and records it as the event a rule's target would receive (`GET
// /local/events`, the page's "Events" panel). Nothing is sent anywhere.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './sqs-queue.ts';

const TARGET = 'AWSEvents.PutEvents';
/** How many recorded events the stack keeps (oldest dropped first). */
const MAX_RECORDED_EVENTS = 10_000;

/** An event as EventBridge delivers it to a rule's target. */
export interface RecordedEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
  /** The bus it was put on (not part of EventBridge's envelope; shown on the page). */
  eventBusName: string;
}

const putEvents = z.object({
  Entries: z
    .array(
      z.object({
        Source: z.string().min(1),
        DetailType: z.string().min(1),
        Detail: z.string().min(2),
        EventBusName: z.string().optional(),
        Resources: z.array(z.string()).optional(),
        // The SDK sends epoch seconds.
        Time: z.number().optional(),
      }),
    )
    .min(1)
    .max(10),
});

export function isEventBridgeRequest(req: IncomingMessage): boolean {
  return String(req.headers['x-amz-target'] ?? '').startsWith('AWSEvents.');
}

function reply(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': String(Buffer.byteLength(text)),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(text);
}

export class LocalEventBus {
  private readonly recorded: RecordedEvent[] = [];

  /** Every event put so far, oldest first (at most MAX_RECORDED_EVENTS). */
  events(): readonly RecordedEvent[] {
    return this.recorded;
  }

  handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    if (req.headers['x-amz-target'] !== TARGET) {
      reply(
        res,
        400,
        { __type: 'UnknownOperationException', message: 'Only PutEvents is emulated.' },
        'UnknownOperationException',
      );
      return;
    }
    const parsed = putEvents.safeParse(JSON.parse(body || '{}'));
    if (!parsed.success) {
      reply(
        res,
        400,
        { __type: 'ValidationException', message: parsed.error.issues[0]?.message },
        'ValidationException',
      );
      return;
    }
    const entries = parsed.data.Entries.map((entry) => {
      const id = randomUUID();
      this.recorded.push({
        version: '0',
        id,
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: LOCAL_ACCOUNT_ID,
        time: new Date(entry.Time === undefined ? Date.now() : entry.Time * 1000)
          .toISOString()
          .replace(/\.\d{3}Z$/, 'Z'),
        region: LOCAL_REGION,
        resources: entry.Resources ?? [],
        detail: JSON.parse(entry.Detail),
        eventBusName: entry.EventBusName ?? 'default',
      });
      return { EventId: id };
    });
    if (this.recorded.length > MAX_RECORDED_EVENTS)
      this.recorded.splice(0, this.recorded.length - MAX_RECORDED_EVENTS);
    reply(res, 200, { FailedEntryCount: 0, Entries: entries });
  }
}
