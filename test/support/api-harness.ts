// Test harness of the query API's integration tests: dynalite with transactions (the local stack's proxy), the
// SESv2 suppression emulator, the REAL processor use case and store writing the data, and the query API handler
// answering API Gateway-shaped events. Everything on loopback, started and stopped by the test.

import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { apiEvent, type CallOptions } from '../../harness/api-event.ts';
import { DynamoAllowlist, DynamoEventStore } from '../../lambdas/adapters/dynamo-event-store.ts';
import type { EventItemShape } from '../../lambdas/adapters/dynamo-items.ts';
import { dynamoQueryStore } from '../../lambdas/adapters/dynamo-query-store.ts';
import { InMemorySuppressionQueue } from '../../lambdas/adapters/queues.ts';
import { Sesv2SuppressionList } from '../../lambdas/adapters/sesv2-suppression-list.ts';
import { DEFAULT_EVENT_INDEXES, type EventIndexStage } from '../../lambdas/adapters/table-definition.ts';
import { createQueryApi } from '../../lambdas/api/app.ts';
import { CursorCodec } from '../../lambdas/api/cursor.ts';
import { classifyBounce } from '../../lambdas/domain/classify.ts';
import type { DeliveryHistory } from '../../lambdas/domain/delivery-history.ts';
import {
  type MessageOutcome,
  processMessageBody,
  TransientProcessingError,
} from '../../lambdas/domain/process-notification.ts';
import { explainCode } from '../../lambdas/domain/registry.ts';
import { queryApiHandler } from '../../lambdas/handlers/query-api.ts';
import { startTransactionalDynalite } from '../../local/dynalite-transactions.ts';
import { createTable } from '../../local/dynamo.ts';
import {
  type Sesv2SuppressionServer,
  startSesv2SuppressionServer,
} from '../../local/sesv2-suppression-server.ts';
import { type StreamRollup, streamRollup } from './stream-rollup.ts';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const region = 'us-east-1';

export interface CallResult {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: unknown;
}

export interface ApiStack {
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  /** Feeds one SES notification through the real processor use case. */
  process(notification: object): Promise<MessageOutcome>;
  ses: Sesv2SuppressionServer;
  queue: InMemorySuppressionQueue;
  documents: DynamoDBDocumentClient;
  tableName: string;
  /** Resolves once the counter rollup has counted everything processed so far (`call` waits for it itself). */
  settle(): Promise<void>;
  /** The emulated stream (with `counterRollup: false`, the test drives the rollup's batches on its own). */
  stream: StreamRollup['stream'];
  close(): Promise<void>;
}

/** Longer than the events' 400 days, so a summary's expiry tells which retention set it. */
export const RECIPIENT_RETENTION_DAYS = 450;

/**
 * deliveryHistory defaults to all: the API suites read what the processor stores, and with every delivery kept they
 * also read data as the model before issue #13 wrote it.
 */
export async function startApiStack(
  now: Date,
  deliveryHistory: DeliveryHistory = 'all',
  options: { counterRollup?: boolean; eventItemShape?: EventItemShape; eventIndexes?: EventIndexStage } = {},
): Promise<ApiStack> {
  const eventIndexes = options.eventIndexes ?? DEFAULT_EVENT_INDEXES;
  const tableName = `api-it-${randomUUID().slice(0, 8)}`;
  const rollup = streamRollup(tableName);
  const dynamo = await startTransactionalDynalite({ onChange: rollup.onChange });
  const ses = await startSesv2SuppressionServer();
  const dynamoClient = new DynamoDBClient({ endpoint: dynamo.endpoint, region, credentials });
  await createTable(dynamoClient, tableName, eventIndexes);
  const documents = DynamoDBDocumentClient.from(dynamoClient, {
    marshallOptions: { removeUndefinedValues: true },
  });
  // Without the counter rollup the counters stay as they are: the API as it answers while the rollup lags.
  rollup.attach(documents, options.counterRollup === false);
  const sesClient = new SESv2Client({ endpoint: ses.url, region, credentials });
  const queue = new InMemorySuppressionQueue();
  const clock = () => now;
  const processorDeps = {
    store: new DynamoEventStore(documents, {
      tableName,
      eventRetentionDays: 400,
      recipientRetentionDays: RECIPIENT_RETENTION_DAYS,
      eventItemShape: options.eventItemShape,
      eventIndexes,
    }),
    queue,
    allowlist: new DynamoAllowlist(documents, { tableName, cacheSeconds: 0, now: clock }),
    classify: classifyBounce,
    settings: {
      softBounceThreshold: 3,
      softBounceWindowDays: 14,
      suppressOnComplaint: true,
      repairSesFalseSuppressions: false,
      dryRun: false,
    },
    deliveryHistory,
    now: clock,
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  };
  const api = createQueryApi({
    store: dynamoQueryStore(documents, tableName, { eventIndexes }),
    cursors: new CursorCodec('integration-test-signing-secret-0123456789'),
    ses: new Sesv2SuppressionList(sesClient),
    now: clock,
    retentionDays: 400,
    recipientRetentionDays: RECIPIENT_RETENTION_DAYS,
    explainCode,
    classifyBounce,
    logger: { error: (message, error) => console.error(message, error) },
  });
  const handler = queryApiHandler(api);
  return {
    ses,
    queue,
    documents,
    tableName,
    settle: () => rollup.settle(),
    stream: rollup.stream,
    async call(method, path, options = {}) {
      // The daily counters follow the stream: what was processed before the call is counted when it is read.
      await rollup.settle();
      const result = await handler(apiEvent(method, path, options));
      const headers = Object.fromEntries(
        Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
      );
      const isJson = (headers['content-type'] ?? '').startsWith('application/json');
      return {
        status: result.statusCode,
        headers,
        body: result.body,
        json: isJson && result.body !== '' ? JSON.parse(result.body) : null,
      };
    },
    async process(notification) {
      // As SQS would: a message that stayed contended is delivered again (the processor is idempotent).
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await processMessageBody(JSON.stringify(notification), processorDeps);
        } catch (error) {
          if (!(error instanceof TransientProcessingError) || attempt >= 20) throw error;
        }
      }
    },
    async close() {
      dynamoClient.destroy();
      sesClient.destroy();
      await ses.close();
      await dynamo.close();
    },
  };
}

// SES notifications (identity-notification format), shaped like the samples in ../shared/samples.

export interface MailOptions {
  messageId?: string;
  source?: string;
  configurationSet?: string;
}

function mail(recipients: readonly string[], timestamp: string, options: MailOptions) {
  return {
    timestamp,
    source: options.source ?? 'billing@mail.example.com',
    sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/mail.example.com',
    sourceIp: '203.0.113.10',
    sendingAccountId: '123456789012',
    messageId: options.messageId ?? `0100${randomUUID().replaceAll('-', '')}-000000`,
    destination: [...recipients],
    ...(options.configurationSet ? { tags: { 'ses:configuration-set': [options.configurationSet] } } : {}),
    commonHeaders: {
      from: ['Example <billing@mail.example.com>'],
      to: [...recipients],
      subject: 'Your receipt',
    },
  };
}

export interface BounceOptions extends MailOptions {
  bounceType?: 'Permanent' | 'Transient' | 'Undetermined';
  bounceSubType?: string;
  status?: string;
  diagnosticCode?: string;
  feedbackId?: string;
}

export function bounceNotification(
  recipients: readonly string[],
  timestamp: string,
  options: BounceOptions = {},
) {
  const status = options.status ?? '5.1.1';
  return {
    notificationType: 'Bounce',
    bounce: {
      feedbackId: options.feedbackId ?? `0100${randomUUID().replaceAll('-', '')}-000000`,
      bounceType: options.bounceType ?? 'Permanent',
      bounceSubType: options.bounceSubType ?? 'General',
      bouncedRecipients: recipients.map((emailAddress) => ({
        emailAddress,
        action: 'failed',
        status,
        diagnosticCode: options.diagnosticCode ?? `smtp; 550 ${status} The email account does not exist`,
      })),
      timestamp,
      remoteMtaIp: '192.0.2.25',
      reportingMTA: 'dns; a8-51.smtp-out.amazonses.com',
    },
    mail: mail(recipients, timestamp, options),
  };
}

export function complaintNotification(
  recipients: readonly string[],
  timestamp: string,
  options: MailOptions = {},
) {
  return {
    notificationType: 'Complaint',
    complaint: {
      feedbackId: `0100${randomUUID().replaceAll('-', '')}-000000`,
      complaintSubType: null,
      complainedRecipients: recipients.map((emailAddress) => ({ emailAddress })),
      timestamp,
      userAgent: 'Yahoo!-Mail-Feedback/2.0',
      complaintFeedbackType: 'abuse',
    },
    mail: mail(recipients, timestamp, options),
  };
}

export function deliveryNotification(
  recipients: readonly string[],
  timestamp: string,
  options: MailOptions = {},
) {
  return {
    notificationType: 'Delivery',
    delivery: {
      timestamp,
      processingTimeMillis: 1200,
      recipients: [...recipients],
      smtpResponse: '250 2.0.0 OK',
      remoteMtaIp: '192.0.2.25',
      reportingMTA: 'a8-15.smtp-out.amazonses.com',
    },
    mail: mail(recipients, timestamp, options),
  };
}
