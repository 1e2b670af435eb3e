// Use case of the events publisher: the committed changes of one stream batch, in stream order, become
// EventBridge events (stateChangeEvents), completed from their cause event, and published. A change whose events
// cannot be published is reported with every later one of the batch (the stream hands them back in order); the
// state change itself is already committed and is never touched.
import type { EventRecord } from './records.ts';
import { type AttemptResult, again, done, type RetryPolicy, retry } from './retry.ts';
import {
  causeToRead,
  type StateChangeEvent,
  type StoredChange,
  stateChangeEvents,
  withCause,
} from './state-change-events.ts';

/** The most entries one PutEvents call takes. */
const PUT_EVENTS_MAX_ENTRIES = 10;

/** Where the events go; `put` answers, per entry in order, whether EventBridge took it. */
export interface EventBus {
  put(events: readonly StateChangeEvent[]): Promise<readonly boolean[]>;
}

/** Reads a stored event or audit entry of a recipient by its id (null when it is gone). */
export interface CauseReader {
  eventById(email: string, eventId: string, notAfter: string): Promise<EventRecord | null>;
}

export interface PublisherDependencies {
  bus: EventBus;
  causes: CauseReader;
  /** Retries of the entries EventBridge did not take (FailedEntryCount) within one invocation. */
  retry: RetryPolicy;
}

/** One stream record: its id (the stream sequence number) and its decoded change. */
export interface ChangeRecord {
  id: string;
  change: StoredChange;
}

export interface PublishResult {
  published: StateChangeEvent[];
  /** The first record not published (it and every later record come back); null when all were. */
  failedFrom: string | null;
}

async function complete(event: StateChangeEvent, causes: CauseReader): Promise<StateChangeEvent> {
  const causeId = causeToRead(event);
  if (causeId === null) return event;
  return withCause(event, await causes.eventById(event.detail.email, causeId, event.time));
}

/** Puts the events, retrying those EventBridge did not take; true when all were taken. */
async function putAll(events: StateChangeEvent[], deps: PublisherDependencies): Promise<boolean> {
  let left = events;
  return retry(
    deps.retry,
    async (): Promise<AttemptResult<boolean>> => {
      const taken = await deps.bus.put(left);
      left = left.filter((_, index) => taken[index] !== true);
      return left.length === 0 ? done(true) : again();
    },
    () => false,
  );
}

export async function publishStateChanges(
  records: readonly ChangeRecord[],
  deps: PublisherDependencies,
): Promise<PublishResult> {
  const published: StateChangeEvent[] = [];
  // Events of consecutive records go out together, at most PUT_EVENTS_MAX_ENTRIES per call.
  let pending: { recordId: string; event: StateChangeEvent }[] = [];
  const flush = async (): Promise<string | null> => {
    if (pending.length === 0) return null;
    const batch = pending;
    pending = [];
    const events = batch.map((entry) => entry.event);
    if (!(await putAll(events, deps))) return (batch[0] as { recordId: string }).recordId;
    published.push(...events);
    return null;
  };
  for (const record of records) {
    const events = stateChangeEvents(record.change);
    if (pending.length + events.length > PUT_EVENTS_MAX_ENTRIES) {
      const failed = await flush();
      if (failed !== null) return { published, failedFrom: failed };
    }
    for (const event of events)
      pending.push({ recordId: record.id, event: await complete(event, deps.causes) });
  }
  return { published, failedFrom: await flush() };
}
