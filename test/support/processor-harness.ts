// Shared setup of the processor integration tests: dynalite with transactions on loopback, the project's table,
// the SESv2 emulator, and the real adapters wired like the Lambda handlers wire them.

import { readFile } from 'node:fs/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoAllowlist, DynamoEventStore } from '../../lambdas/adapters/dynamo-event-store.ts';
import { eventFromItem } from '../../lambdas/adapters/dynamo-items.ts';
import { createProcessorHandler } from '../../lambdas/adapters/processor-lambda.ts';
import { InMemoryMessageParking, InMemorySuppressionQueue } from '../../lambdas/adapters/queues.ts';
import { Sesv2SuppressionList } from '../../lambdas/adapters/sesv2-suppression-list.ts';
import { createSuppressionWorkerHandler } from '../../lambdas/adapters/suppression-worker-lambda.ts';
import { COUNTER_SHARDS, keys } from '../../lambdas/adapters/table-definition.ts';
import { classifyBounce } from '../../lambdas/domain/classify.ts';
import { DEFAULT_DELIVERY_HISTORY, type DeliveryHistory } from '../../lambdas/domain/delivery-history.ts';
import type { ProcessorDependencies } from '../../lambdas/domain/process-notification.ts';
import type { PolicySettings } from '../../lambdas/domain/suppression-policy.ts';
import { startTransactionalDynalite } from '../../local/dynalite-transactions.ts';
import { createTable } from '../../local/dynamo.ts';
import { type Sesv2Faults, startSesv2SuppressionServer } from '../../local/sesv2-suppression-server.ts';
import { streamRollup } from './stream-rollup.ts';

export const TABLE = 'ses-bounce-test';
export const FIXTURES = new URL('../fixtures/ses/', import.meta.url);
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

export const DEFAULT_SETTINGS: PolicySettings = {
  softBounceThreshold: 3,
  softBounceWindowDays: 14,
  suppressOnComplaint: true,
  repairSesFalseSuppressions: false,
  dryRun: false,
};

export async function fixture(name: string): Promise<string> {
  return readFile(new URL(name, FIXTURES), 'utf8');
}

/** The SNS envelope SQS holds for a notification (raw message delivery off). */
export function snsEnvelope(
  message: string,
  messageId: string,
  timestamp = '2026-11-26T12:00:00.000Z',
): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: messageId,
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-feedback',
    Message: message,
    Timestamp: timestamp,
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/cert.pem',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
  });
}

export function sqsRecord(body: string, messageId: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1728897162119',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1728897162120',
    },
    messageAttributes: {},
    md5OfBody: 'x',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:ses-notifications',
    awsRegion: 'us-east-1',
  };
}

export function sqsEvent(records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

export type ProcessorStack = Awaited<ReturnType<typeof startProcessorStack>>;

export async function startProcessorStack(
  opts: {
    settings?: Partial<PolicySettings>;
    sesFaults?: Sesv2Faults;
    now?: () => Date;
    deliveryHistory?: DeliveryHistory;
    /** Leave the table's stream to the test (no counter rollup attached). */
    ownStream?: boolean;
  } = {},
) {
  const rollup = streamRollup(TABLE);
  const db = await startTransactionalDynalite({ onChange: rollup.onChange });
  const raw = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials, maxAttempts: 2 });
  await createTable(raw, TABLE);
  const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  rollup.attach(doc, opts.ownStream);
  const ses = await startSesv2SuppressionServer(opts.sesFaults ? { faults: opts.sesFaults } : {});
  // Two attempts per call keep the throttling tests short; the SDK's default is three.
  const sesClient = new SESv2Client({ endpoint: ses.url, region: 'us-east-1', credentials, maxAttempts: 2 });
  const queue = new InMemorySuppressionQueue();
  const parking = new InMemoryMessageParking();
  const now = opts.now ?? (() => new Date('2026-11-26T12:00:00.000Z'));
  const store = new DynamoEventStore(doc, {
    tableName: TABLE,
    eventRetentionDays: 400,
    recipientRetentionDays: 400,
    batchSummaryReads: true,
  });
  const deps: ProcessorDependencies = {
    store,
    queue,
    allowlist: new DynamoAllowlist(doc, { tableName: TABLE, cacheSeconds: 0, now }),
    classify: classifyBounce,
    settings: { ...DEFAULT_SETTINGS, ...opts.settings },
    deliveryHistory: opts.deliveryHistory ?? DEFAULT_DELIVERY_HISTORY,
    now,
    sleep: async () => {},
  };
  const logger = new Logger({ serviceName: 'processor-test', logLevel: 'SILENT' });
  const metrics = new Metrics({ namespace: 'Test', serviceName: 'processor-test' });
  const processor = createProcessorHandler({ deps, parking, logger, metrics, concurrency: 4 });
  const worker = createSuppressionWorkerHandler({
    deps: {
      store,
      list: new Sesv2SuppressionList(sesClient),
      now,
      sleep: async () => {},
      ratePerSecond: 1000,
      dryRun: deps.settings.dryRun,
    },
    logger,
    metrics,
  });

  /** Hands every queued suppression request to the worker, as the suppression queue's event source would. */
  const drainSuppressionQueue = async () => {
    const requests = queue.sent.splice(0);
    if (requests.length === 0) return { batchItemFailures: [] };
    return worker(sqsEvent(requests.map((r, i) => sqsRecord(JSON.stringify(r), `sup-${r.requestId}-${i}`))));
  };

  const queryAll = async (pk: string) => {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  };

  const events = async (email: string) =>
    (await queryAll(keys.recipientPk(email))).filter((i) => String(i.sk).startsWith('E#'));
  /** The recipient's events and audit entries as every reader reads them: through the event codec. */
  const records = async (email: string) => (await events(email)).map(eventFromItem);
  const summary = async (email: string) => (await store.getSummary(email))?.summary ?? null;

  /** Sum of one counter over all shards of one day, once the counter rollup has caught up. */
  const dayCounter = async (day: string, name: string) => {
    await rollup.settle();
    let total = 0;
    for (let shard = 0; shard < COUNTER_SHARDS; shard += 1) {
      const { pk, sk } = keys.dayCounter(day, shard);
      for (const item of await queryAll(pk)) if (item.sk === sk) total += Number(item[name] ?? 0);
    }
    return total;
  };

  return {
    raw,
    doc,
    ses,
    queue,
    parking,
    deps,
    store,
    processor,
    worker,
    drainSuppressionQueue,
    events,
    records,
    summary,
    dayCounter,
    queryAll,
    rollup,
    close: async () => {
      raw.destroy();
      sesClient.destroy();
      await ses.close();
      await db.close();
    },
  };
}

interface BounceDocument {
  bounce: {
    feedbackId: string;
    bounceType: string;
    bounceSubType: string;
    timestamp: string;
    bouncedRecipients: Record<string, string>[];
  };
  mail: { messageId: string; destination: string[] };
}

/** A variant of a fixture bounce: another feedback id, time, address and DSN. */
export async function bounceVariant(change: {
  feedbackId: string;
  timestamp: string;
  email: string;
  bounceType?: string;
  bounceSubType?: string;
  status?: string;
  diagnosticCode?: string;
}): Promise<string> {
  const document = JSON.parse(
    await fixture('01-bounce-permanent-general-gmail-5.1.1.json'),
  ) as BounceDocument;
  document.bounce.feedbackId = change.feedbackId;
  document.bounce.timestamp = change.timestamp;
  document.bounce.bounceType = change.bounceType ?? 'Permanent';
  document.bounce.bounceSubType = change.bounceSubType ?? 'General';
  document.bounce.bouncedRecipients = [
    {
      emailAddress: change.email,
      action: 'failed',
      status: change.status ?? '5.1.1',
      diagnosticCode: change.diagnosticCode ?? 'smtp; 550 5.1.1 user unknown',
    },
  ];
  document.mail.destination = [change.email];
  return JSON.stringify(document);
}

export async function deliveryFor(email: string, timestamp: string, messageId: string): Promise<string> {
  const document = JSON.parse(await fixture('11-delivery.json'));
  document.mail.messageId = messageId;
  document.mail.destination = [email];
  document.delivery.recipients = [email];
  document.delivery.timestamp = timestamp;
  return JSON.stringify(document);
}
