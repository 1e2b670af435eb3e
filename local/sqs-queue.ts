// An in-memory queue with the SQS semantics a Lambda event source mapping gives the handlers in AWS: batches,
// visibility timeout, receive counts, partial batch failures (ReportBatchItemFailures) and a dead-letter queue.
import { createHash, randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';

export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_REGION = 'us-east-1';

/** A Lambda SQS handler: its result may carry `batchItemFailures` (ReportBatchItemFailures). */
export type BatchConsumer = (event: SQSEvent, context: Context) => Promise<unknown>;

export interface LocalQueueOptions {
  name: string;
  /** Visibility timeout left after a failed invocation: a failed message comes back after this. */
  visibilityTimeoutMs?: number;
  /** Receives after which a failing message moves to the dead-letter queue. */
  maxReceiveCount?: number;
  deadLetterQueue?: LocalQueue;
  batchSize?: number;
  /** Batches handed to the consumer at once (Lambda concurrency for this mapping). */
  concurrency?: number;
  /** Called when the consumer throws, so the stack can log it; the batch is retried either way. */
  onConsumerError?: (error: unknown, queue: string) => void;
}

interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes: SQSMessageAttributes;
  sentAt: number;
  firstReceivedAt: number | null;
  receiveCount: number;
  visibleAt: number;
  receiptHandle: string;
}

export interface QueueCounts {
  visible: number;
  inFlight: number;
  sent: number;
  deleted: number;
  movedToDeadLetter: number;
}

export class LocalQueue {
  readonly name: string;
  readonly arn: string;
  readonly url: (origin: string) => string;
  private readonly visibilityTimeoutMs: number;
  private readonly maxReceiveCount: number;
  private readonly deadLetterQueue: LocalQueue | undefined;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly onConsumerError: ((error: unknown, queue: string) => void) | undefined;
  private readonly messages = new Map<string, StoredMessage>();
  private consumer: BatchConsumer | undefined;
  private running = 0;
  /** Batches handed to the consumer and not yet answered. */
  private readonly deliveries = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private timerDueAt = 0;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];
  private readonly counts = { sent: 0, deleted: 0, movedToDeadLetter: 0 };

  constructor(opts: LocalQueueOptions) {
    this.name = opts.name;
    this.arn = `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${opts.name}`;
    this.url = (origin) => `${origin}/${LOCAL_ACCOUNT_ID}/${opts.name}`;
    this.visibilityTimeoutMs = opts.visibilityTimeoutMs ?? 30_000;
    this.maxReceiveCount = opts.maxReceiveCount ?? 5;
    this.deadLetterQueue = opts.deadLetterQueue;
    this.batchSize = opts.batchSize ?? 10;
    this.concurrency = opts.concurrency ?? 1;
    this.onConsumerError = opts.onConsumerError;
  }

  send(
    body: string,
    messageAttributes: SQSMessageAttributes = {},
    delayMs = 0,
  ): { messageId: string; md5OfBody: string } {
    const message: StoredMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: createHash('md5').update(body).digest('hex'),
      messageAttributes,
      sentAt: Date.now(),
      firstReceivedAt: null,
      receiveCount: 0,
      visibleAt: delayMs > 0 ? Date.now() + delayMs : 0,
      receiptHandle: '',
    };
    this.messages.set(message.messageId, message);
    this.counts.sent += 1;
    this.schedule(delayMs);
    return { messageId: message.messageId, md5OfBody: message.md5OfBody };
  }

  /** Starts handing batches to the consumer, as an event source mapping does. */
  attach(consumer: BatchConsumer): void {
    this.consumer = consumer;
    this.schedule(0);
  }

  /** Hands out no more batches; resolves once the batches already handed out have been answered. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.deliveries.size > 0) await Promise.allSettled([...this.deliveries]);
  }

  /** Resolves once no message is waiting or in flight (messages parked in the DLQ do not count). */
  idle(): Promise<void> {
    if (this.messages.size === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): QueueCounts {
    const now = Date.now();
    let visible = 0;
    for (const message of this.messages.values()) if (message.visibleAt <= now) visible += 1;
    return { visible, inFlight: this.messages.size - visible, ...this.counts };
  }

  /** What the queue holds (for a DLQ: what an operator inspects), with string message attributes. */
  peek(): Array<{
    messageId: string;
    body: string;
    receiveCount: number;
    attributes: Record<string, string>;
  }> {
    return [...this.messages.values()].map(({ messageId, body, receiveCount, messageAttributes }) => ({
      messageId,
      body,
      receiveCount,
      attributes: Object.fromEntries(
        Object.entries(messageAttributes).flatMap(([name, value]) =>
          value.stringValue === undefined ? [] : [[name, value.stringValue]],
        ),
      ),
    }));
  }

  /** Moves every message of this queue to `target` with a fresh receive count (an SQS redrive). */
  redriveTo(target: LocalQueue): number {
    const moved = [...this.messages.values()];
    this.messages.clear();
    for (const message of moved) target.send(message.body, message.messageAttributes);
    this.notifyIfIdle();
    return moved.length;
  }

  private schedule(delayMs: number): void {
    if (this.stopped || !this.consumer) return;
    const dueAt = Date.now() + delayMs;
    if (this.timer) {
      if (this.timerDueAt <= dueAt) return;
      clearTimeout(this.timer);
    }
    this.timerDueAt = dueAt;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, delayMs);
    this.timer.unref();
  }

  private pump(): void {
    const consumer = this.consumer;
    if (this.stopped || !consumer) return;
    while (this.running < this.concurrency) {
      const batch = this.receive();
      if (batch.length === 0) break;
      this.running += 1;
      const delivery = this.deliver(consumer, batch).finally(() => {
        this.running -= 1;
        this.deliveries.delete(delivery);
        this.schedule(0);
        this.notifyIfIdle();
      });
      this.deliveries.add(delivery);
    }
    const nextVisible = this.nextVisibleAt();
    if (nextVisible !== undefined) this.schedule(Math.max(1, nextVisible - Date.now()));
  }

  private receive(): StoredMessage[] {
    const now = Date.now();
    const batch: StoredMessage[] = [];
    for (const message of this.messages.values()) {
      if (batch.length >= this.batchSize) break;
      if (message.visibleAt > now) continue;
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      // In flight until the consumer answers: Lambda's function timeout is below the queue's visibility
      // timeout, so SQS never hands a message out again while an invocation still holds it.
      message.visibleAt = Number.POSITIVE_INFINITY;
      message.receiptHandle = randomUUID();
      batch.push(message);
    }
    return batch;
  }

  private async deliver(consumer: BatchConsumer, batch: StoredMessage[]): Promise<void> {
    const event: SQSEvent = { Records: batch.map((message) => this.toRecord(message)) };
    let failedIds: Set<string>;
    try {
      const response = await consumer(event, localLambdaContext(`local-${this.name}-consumer`, 60_000));
      failedIds = failuresOf(response, batch);
    } catch (error) {
      this.onConsumerError?.(error, this.name);
      failedIds = new Set(batch.map((message) => message.messageId));
    }
    for (const message of batch) {
      if (this.messages.get(message.messageId)?.receiptHandle !== message.receiptHandle) continue;
      if (!failedIds.has(message.messageId)) {
        this.messages.delete(message.messageId);
        this.counts.deleted += 1;
      } else if (this.deadLetterQueue && message.receiveCount >= this.maxReceiveCount) {
        this.messages.delete(message.messageId);
        this.deadLetterQueue.send(message.body, message.messageAttributes);
        this.counts.movedToDeadLetter += 1;
      } else {
        // What is left of the visibility timeout: the failed message comes back after it.
        message.visibleAt = Date.now() + this.visibilityTimeoutMs;
      }
    }
  }

  private toRecord(message: StoredMessage): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: message.receiptHandle,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: LOCAL_ACCOUNT_ID,
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
      },
      messageAttributes: message.messageAttributes,
      md5OfBody: message.md5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: this.arn,
      awsRegion: LOCAL_REGION,
    };
  }

  private nextVisibleAt(): number | undefined {
    let next: number | undefined;
    for (const message of this.messages.values()) {
      // In-flight messages (visibleAt = Infinity) come back through deliver(), not through a timer.
      if (!Number.isFinite(message.visibleAt)) continue;
      if (next === undefined || message.visibleAt < next) next = message.visibleAt;
    }
    return next;
  }

  private notifyIfIdle(): void {
    if (this.messages.size !== 0 || this.running !== 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/**
 * Lambda's rules for a partial batch response: listed ids are retried; an id that is empty or not in the
 * batch makes Lambda treat the whole batch as failed.
 */
function failuresOf(response: unknown, batch: StoredMessage[]): Set<string> {
  const ids = new Set(batch.map((message) => message.messageId));
  const failures =
    typeof response === 'object' && response !== null && 'batchItemFailures' in response
      ? ((response as SQSBatchResponse).batchItemFailures ?? [])
      : [];
  const failed = new Set<string>();
  for (const failure of failures) {
    if (!failure.itemIdentifier || !ids.has(failure.itemIdentifier)) return ids;
    failed.add(failure.itemIdentifier);
  }
  return failed;
}

/** A Lambda context like the one AWS passes, for a local invocation of `functionName` with `timeoutMs` to run. */
export function localLambdaContext(functionName: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
