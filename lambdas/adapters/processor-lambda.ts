// The processor's Lambda glue: SQS batches (partial batch responses), the one event shape deployed (SNS feeds the
// queue), go through the one parsing layer and use case; poison is parked with its reason; outcomes become
// logs/metrics.
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { COUNTED_DELIVERY } from '../domain/delivery-history.ts';
import {
  type MessageOutcome,
  type ProcessorDependencies,
  processParsedMessage,
} from '../domain/process-notification.ts';
import { type ParsedMessage, parseMessageBody, type Rejection } from '../domain/ses-notification.ts';
import type { MessageParking } from './queues.ts';

export interface ProcessorRuntime {
  deps: ProcessorDependencies;
  /** null: no dead-letter queue URL configured; SQS records are then failed and the redrive policy parks them. */
  parking: MessageParking | null;
  logger: Logger;
  metrics: Metrics;
  /** Records of one batch processed at once. */
  concurrency: number;
}

/** What the processor reads of the Lambda context: the time left before the function times out. */
interface InvocationDeadline {
  getRemainingTimeInMillis(): number;
}

/**
 * A record is only started while the invocation has more than this left (the function's timeout is 30 s): a large
 * batch that cannot finish in time hands its records not yet started back to the queue instead of timing out, which
 * would return the whole batch and, after a few receives, park it.
 */
const START_MARGIN_MS = 5_000;

/** `j***@example.org`: enough to correlate, not the address itself. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at <= 0 ? '***' : `${email[0]}***${email.slice(at)}`;
}

/**
 * Correlation ids of one record, added to every line it logs. Records of a batch run concurrently, so the ids
 * cannot live on the shared logger (and a child logger per record costs more than the record's own work).
 */
export class RecordLog {
  private readonly keys: Record<string, unknown> = {};

  constructor(private readonly logger: Logger) {}

  appendKeys(keys: Record<string, unknown>): void {
    Object.assign(this.keys, keys);
  }

  debug(message: string, extra: Record<string, unknown> = {}): void {
    this.logger.debug(message, { ...this.keys, ...extra });
  }

  info(message: string, extra: Record<string, unknown> = {}): void {
    this.logger.info(message, { ...this.keys, ...extra });
  }

  warn(message: string, extra: Record<string, unknown> = {}): void {
    this.logger.warn(message, { ...this.keys, ...extra });
  }

  error(message: string, extra: Record<string, unknown> = {}): void {
    this.logger.error(message, { ...this.keys, ...extra });
  }
}

/** Counts per metric and dimension set over one batch, published as few EMF documents. */
export class BatchMetrics {
  private readonly counts = new Map<
    string,
    { name: string; dimensions: Record<string, string>; value: number }
  >();

  add(name: string, dimensions: Record<string, string> = {}, value = 1): void {
    const key = `${name}|${JSON.stringify(dimensions)}`;
    const entry = this.counts.get(key) ?? { name, dimensions, value: 0 };
    entry.value += value;
    this.counts.set(key, entry);
  }

  publish(metrics: Metrics): void {
    let stored = 0;
    for (const { name, dimensions, value } of this.counts.values()) {
      if (Object.keys(dimensions).length === 0) {
        metrics.addMetric(name, MetricUnit.Count, value);
        stored += 1;
        continue;
      }
      const single = metrics.singleMetric();
      single.addDimensions(dimensions);
      single.addMetric(name, MetricUnit.Count, value);
    }
    // Publishing an empty set only prints Powertools' "no metrics" warning.
    if (stored > 0) metrics.publishStoredMetrics();
    this.counts.clear();
  }
}

type RecordResult = 'ok' | 'retry';

function report(outcome: MessageOutcome, logger: RecordLog, counts: BatchMetrics): void {
  if (outcome.kind === 'ignored') {
    counts.add('MessagesIgnored', { eventType: outcome.eventType });
    logger.info('message ignored', { eventType: outcome.eventType });
    return;
  }
  if (outcome.kind === 'rejected') return;
  const { notification } = outcome;
  for (const recipient of outcome.recipients) {
    const { event } = recipient;
    const keys = { eventId: event.id, type: event.type, domain: event.domain };
    if (recipient.status === 'duplicate') {
      counts.add('DuplicatesSkipped');
      if (recipient.requestResent) {
        counts.add('SuppressionRequestsResent');
        logger.warn('duplicate delivery re-sent a pending suppression request', {
          ...keys,
          requestId: recipient.requestResent.requestId,
          recipient: maskEmail(event.email),
        });
      } else logger.info('duplicate event skipped', keys);
      continue;
    }
    const { decision } = recipient;
    counts.add('EventsRecorded', { type: event.type });
    if (event.classification) {
      counts.add('BouncesClassified', {
        verdict: event.classification.verdict,
        category: event.classification.category,
      });
    }
    if (decision.sesMislabel) counts.add('SesMislabels');
    if (decision.allowlisted) counts.add('AllowlistedSuppressionsSkipped');
    if (decision.dryRun) counts.add('DryRunSuppressions');
    if (recipient.requestSent) counts.add('SuppressionsRequested', { action: recipient.requestSent.action });
    // A counted delivery (no history) is most of a sender's traffic: its line is a debug line, the metric counts it.
    (decision === COUNTED_DELIVERY ? logger.debug : logger.info).call(logger, 'event recorded', {
      ...keys,
      verdict: event.classification?.verdict,
      category: event.classification?.category,
      code: event.classification?.code,
      decision: decision.action,
      decisionReason: decision.reason,
      ...(recipient.requestSent
        ? { suppressionRequest: recipient.requestSent.requestId, recipient: maskEmail(event.email) }
        : {}),
    });
  }
  if (outcome.rejection) logger.warn('some recipients were unusable', { detail: outcome.rejection.detail });
  logger.debug('notification processed', { notificationType: notification.type });
}

function rejectionOf(outcome: MessageOutcome): Rejection | null {
  if (outcome.kind === 'rejected') return outcome.rejection;
  if (outcome.kind === 'processed') return outcome.rejection;
  return null;
}

async function park(
  runtime: ProcessorRuntime,
  logger: RecordLog,
  counts: BatchMetrics,
  body: string,
  rejection: Rejection,
  sourceMessageId: string,
): Promise<RecordResult> {
  counts.add('MessagesRejected', { reason: rejection.code });
  // Never the body: it holds addresses. The code and detail name fields and rules only.
  logger.error('message rejected', {
    rejection: rejection.code,
    detail: rejection.detail,
    bytes: body.length,
  });
  if (runtime.parking) {
    await runtime.parking.park({ body, rejection, sourceMessageId });
    counts.add('MessagesParked');
    return 'ok';
  }
  // Without a DLQ URL the record is failed on purpose: maxReceiveCount then moves it to the queue's DLQ.
  return 'retry';
}

async function handleOne(
  runtime: ProcessorRuntime,
  logger: RecordLog,
  counts: BatchMetrics,
  body: string,
  sourceMessageId: string,
  run: () => Promise<MessageOutcome>,
): Promise<RecordResult> {
  try {
    const outcome = await run();
    if (outcome.snsMessageId) logger.appendKeys({ snsMessageId: outcome.snsMessageId });
    if (outcome.kind === 'processed') {
      const n = outcome.notification;
      logger.appendKeys({
        sesMessageId: n.mail.messageId,
        ...(n.type === 'bounce' ? { feedbackId: n.bounce.feedbackId } : {}),
        ...(n.type === 'complaint' ? { feedbackId: n.complaint.feedbackId } : {}),
      });
    }
    report(outcome, logger, counts);
    const rejection = rejectionOf(outcome);
    return rejection ? await park(runtime, logger, counts, body, rejection, sourceMessageId) : 'ok';
  } catch (error) {
    counts.add('ProcessingFailures');
    logger.error('processing failed; the message will be retried', {
      error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
    });
    return 'retry';
  }
}

/** Runs `work` over the items, `limit` at a time, starting each only while `canStart()`; unstarted: undefined. */
async function mapLimited<T, R>(
  items: T[],
  limit: number,
  canStart: () => boolean,
  work: (item: T) => Promise<R>,
): Promise<(R | undefined)[]> {
  const results: (R | undefined)[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length && canStart()) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

function isDelivery(parsed: ParsedMessage): boolean {
  return parsed.kind === 'notification' && parsed.notification.type === 'delivery';
}

/**
 * The batch's deliveries go first, then everything else. A delivery to an address without history is only counted
 * (its ledger entry), and an address's first bounce or complaint reads back the deliveries counted since it
 * happened: counted first, a delivery that shares its batch with that first event is in the new summary, whichever
 * order SQS handed them out in. The streak is judged on event time, so nothing else depends on the order.
 */
async function processSqsEvent(
  event: SQSEvent,
  runtime: ProcessorRuntime,
  deadline: InvocationDeadline | undefined,
): Promise<SQSBatchResponse> {
  const counts = new BatchMetrics();
  const canStart = () => deadline === undefined || deadline.getRemainingTimeInMillis() > START_MARGIN_MS;
  const parsed = event.Records.map((record) => ({ record, parsed: parseMessageBody(record.body) }));
  const handle = ({ record, parsed }: { record: SQSRecord; parsed: ParsedMessage }) => {
    const logger = new RecordLog(runtime.logger);
    logger.appendKeys({ sqsMessageId: record.messageId });
    return handleOne(runtime, logger, counts, record.body, record.messageId, () =>
      processParsedMessage(parsed, runtime.deps),
    );
  };
  const deliveries = parsed.filter((item) => isDelivery(item.parsed));
  const others = parsed.filter((item) => !isDelivery(item.parsed));
  const done = new Map<SQSRecord, RecordResult | undefined>();
  for (const phase of [deliveries, others]) {
    const results = await mapLimited(phase, runtime.concurrency, canStart, handle);
    phase.forEach((item, i) => {
      done.set(item.record, results[i]);
    });
  }
  const results = event.Records.map((record) => done.get(record));
  counts.publish(runtime.metrics);
  const notStarted = results.filter((result) => result === undefined).length;
  if (notStarted > 0) {
    runtime.logger.warn('the function is about to time out: records not started go back to the queue', {
      notStarted,
      records: event.Records.length,
    });
  }
  return {
    batchItemFailures: event.Records.flatMap((record, i) =>
      results[i] === 'retry' || results[i] === undefined ? [{ itemIdentifier: record.messageId }] : [],
    ),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isSqsEvent(event: unknown): event is SQSEvent {
  if (!isObject(event) || !Array.isArray(event.Records)) return false;
  const first: unknown = event.Records[0];
  return event.Records.length === 0 || (isObject(first) && first.eventSource === 'aws:sqs');
}

/** Thrown for an invocation that is not an SQS batch: only the queue invokes the processor. */
class NotAnSqsEventError extends Error {
  override readonly name = 'NotAnSqsEventError';
  constructor() {
    super('the processor takes SQS batches only (SNS feeds the notification queue)');
  }
}

export function createProcessorHandler(runtime: ProcessorRuntime) {
  return async (event: unknown, context?: InvocationDeadline): Promise<SQSBatchResponse> => {
    if (!isSqsEvent(event)) throw new NotAnSqsEventError();
    return processSqsEvent(event, runtime, context);
  };
}
