// The suppression worker's Lambda glue: an SQS batch from the suppression queue is drained at the configured
// rate; throttled or transiently failed messages go back to the queue (batchItemFailures), refusals are final.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { drainSuppressionRequests, type WorkerDependencies } from '../domain/apply-suppression.ts';
import { SuppressionListThrottledError } from '../domain/ports.ts';
import { BatchMetrics, maskEmail, RecordLog } from './processor-lambda.ts';

export interface SuppressionWorkerRuntime {
  deps: WorkerDependencies;
  logger: Logger;
  metrics: Metrics;
}

async function processSuppressionBatch(
  event: SQSEvent,
  runtime: SuppressionWorkerRuntime,
): Promise<SQSBatchResponse> {
  const { logger } = runtime;
  const counts = new BatchMetrics();
  const result = await drainSuppressionRequests(
    event.Records.map((r) => ({ id: r.messageId, body: r.body })),
    runtime.deps,
  );
  const failures = new Set(result.retry.map((r) => r.id));
  for (const { id, outcome } of result.outcomes) {
    const log = new RecordLog(logger);
    log.appendKeys({ sqsMessageId: id });
    if (outcome.status === 'invalid') {
      counts.add('InvalidSuppressionRequests');
      log.error('invalid suppression request; left for the dead-letter queue', { reason: outcome.reason });
      // Reported as failed so the queue's redrive policy parks it after maxReceiveCount.
      failures.add(id);
      continue;
    }
    const { request } = outcome;
    const keys = {
      requestId: request.requestId,
      eventId: request.eventId,
      action: request.action,
      cause: request.cause,
      recipient: maskEmail(request.email),
    };
    if (outcome.status === 'confirmed') {
      counts.add('SuppressionsConfirmed', { action: request.action });
      log.info('suppression confirmed by SES', { ...keys, alreadyAbsent: outcome.alreadyAbsent });
    } else if (outcome.status === 'failed') {
      counts.add('SuppressionsFailed', { action: request.action });
      log.error('SES refused the suppression request; not retried', { ...keys, sesError: outcome.error });
    } else if (outcome.status === 'stale') {
      counts.add('SuppressionRequestsStale');
      log.info('suppression request no longer pending; skipped', keys);
    } else {
      counts.add('DryRunSuppressions');
      log.info('dry run: SES not called', keys);
    }
  }
  for (const retry of result.retry) {
    counts.add(
      retry.error instanceof SuppressionListThrottledError ? 'SuppressionsThrottled' : 'SuppressionErrors',
    );
    logger.warn('suppression request returned to the queue', {
      sqsMessageId: retry.id,
      error: `${retry.error.name}: ${retry.error.message}`,
    });
  }
  counts.publish(runtime.metrics);
  return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })) };
}

export function createSuppressionWorkerHandler(runtime: SuppressionWorkerRuntime) {
  return (event: SQSEvent): Promise<SQSBatchResponse> => processSuppressionBatch(event, runtime);
}
