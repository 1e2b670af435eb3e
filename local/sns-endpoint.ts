// `POST /sns`: what SNS sends an HTTP(S) subscriber, or a bare SES notification for local replay, turned into
// the SQS message body an SNS → SQS subscription would carry, after the signature check where it is required.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { SnsSignatureError, type SnsSignatureVerifier } from './sns-signature.ts';

export const LOCAL_TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:ses-bounce-local';

/**
 * How old a signed message may be: SNS stops retrying an HTTP/S delivery within an hour ("The total policy retry
 * time for an HTTP/S endpoint cannot be greater than 3,600 seconds",
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html), plus 5 minutes of clock skew.
 * Anything older is a replay of a captured message, not a delivery.
 */
export const SNS_MAX_MESSAGE_AGE_MS = 65 * 60_000;
/** How far in the future a Timestamp may lie (clock skew between SNS and this machine). */
const SNS_MAX_CLOCK_SKEW_MS = 5 * 60_000;

const snsType = z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']);

const notification = z.object({
  Type: z.literal('Notification'),
  MessageId: z.string().min(1),
  TopicArn: z.string().min(1),
  Subject: z.string().nullish(),
  Message: z.string(),
  Timestamp: z.string().min(1),
  SignatureVersion: z.string().optional(),
  Signature: z.string().optional(),
  SigningCertURL: z.string().optional(),
  UnsubscribeURL: z.string().optional(),
});

const confirmation = z.object({
  Type: z.enum(['SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string().min(1),
  TopicArn: z.string().min(1),
  Message: z.string(),
  Timestamp: z.string().min(1),
  Token: z.string().min(1),
  SubscribeURL: z.string().min(1),
  SignatureVersion: z.string().optional(),
  Signature: z.string().optional(),
  SigningCertURL: z.string().optional(),
});

type SnsNotification = z.infer<typeof notification>;
type SnsConfirmation = z.infer<typeof confirmation>;

/** What the caller should do with an accepted POST. */
export type SnsIntakeResult =
  | { kind: 'enqueue'; sqsBody: string; snsMessageId: string; bare: boolean }
  | { kind: 'confirmation'; type: SnsConfirmation['Type']; topicArn: string; subscribeUrl: string };

export class SnsIntakeError extends Error {
  constructor(
    readonly status: 400 | 403,
    message: string,
  ) {
    super(message);
    this.name = 'SnsIntakeError';
  }
}

export interface SnsIntakeOptions {
  /** When set, every message must carry a valid SNS signature and bare SES bodies are refused. */
  verifier?: SnsSignatureVerifier;
  /** When set, SNS messages from any other topic are refused (403). */
  topicArns?: readonly string[];
  /** When set, SNS messages whose (signed) Timestamp is older than this are refused (403). */
  maxAgeMs?: number;
  now?: () => Date;
}

/** Parses and checks one POST body; throws SnsIntakeError with a message meant for the sender. */
export async function interpretSnsPost(
  body: string,
  messageTypeHeader: string | undefined,
  opts: SnsIntakeOptions = {},
): Promise<SnsIntakeResult> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new SnsIntakeError(400, 'Body is not JSON: expected an SNS message or an SES notification.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SnsIntakeError(400, 'Body must be a JSON object: an SNS message or an SES notification.');
  }
  const record = parsed as Record<string, unknown>;

  if ('Type' in record) {
    const type = snsType.safeParse(record.Type);
    if (!type.success) {
      throw new SnsIntakeError(
        400,
        `Unsupported SNS message Type ${JSON.stringify(record.Type)}: expected Notification, SubscriptionConfirmation or UnsubscribeConfirmation.`,
      );
    }
    if (messageTypeHeader !== undefined && messageTypeHeader !== type.data) {
      throw new SnsIntakeError(
        400,
        `x-amz-sns-message-type header (${messageTypeHeader}) does not match the body's Type (${type.data}).`,
      );
    }
    const schema = type.data === 'Notification' ? notification : confirmation;
    const message = schema.safeParse(record);
    if (!message.success) {
      const issue = message.error.issues[0];
      throw new SnsIntakeError(
        400,
        `Invalid SNS ${type.data}: ${issue?.path.join('.') || 'body'} ${issue?.message ?? 'is invalid'}.`,
      );
    }
    if (opts.topicArns && !opts.topicArns.includes(message.data.TopicArn)) {
      throw new SnsIntakeError(403, `TopicArn ${message.data.TopicArn} is not one this endpoint accepts.`);
    }
    if (opts.verifier) await verifySigned(opts.verifier, message.data);
    if (opts.maxAgeMs !== undefined)
      checkAge(message.data.Timestamp, opts.maxAgeMs, opts.now?.() ?? new Date());
    if (message.data.Type === 'Notification') {
      return {
        kind: 'enqueue',
        sqsBody: sqsBodyOf(message.data),
        snsMessageId: message.data.MessageId,
        bare: false,
      };
    }
    return {
      kind: 'confirmation',
      type: message.data.Type,
      topicArn: message.data.TopicArn,
      subscribeUrl: message.data.SubscribeURL,
    };
  }

  if (typeof record.notificationType === 'string' || typeof record.eventType === 'string') {
    if (opts.verifier) {
      throw new SnsIntakeError(
        403,
        'Bare SES notifications are accepted only on loopback; this endpoint requires signed SNS messages.',
      );
    }
    // What SNS would have wrapped it in; `Message` keeps the exact bytes that were posted.
    const snsMessageId = randomUUID();
    const envelope: SnsNotification = {
      Type: 'Notification',
      MessageId: snsMessageId,
      TopicArn: LOCAL_TOPIC_ARN,
      Message: body,
      Timestamp: (opts.now?.() ?? new Date()).toISOString(),
      SignatureVersion: '1',
      Signature: 'unsigned-local-replay',
      SigningCertURL: 'https://sns.us-east-1.amazonaws.com/local-replay-unsigned.pem',
      UnsubscribeURL: `http://127.0.0.1/local/unsubscribe?topic=${encodeURIComponent(LOCAL_TOPIC_ARN)}`,
    };
    return { kind: 'enqueue', sqsBody: sqsBodyOf(envelope), snsMessageId, bare: true };
  }

  throw new SnsIntakeError(
    400,
    'Body is neither an SNS message (no "Type") nor an SES notification (no "notificationType" or "eventType").',
  );
}

function checkAge(timestamp: string, maxAgeMs: number, now: Date) {
  const sent = Date.parse(timestamp);
  if (Number.isNaN(sent)) {
    throw new SnsIntakeError(400, `Timestamp ${JSON.stringify(timestamp)} is not an ISO 8601 time.`);
  }
  if (now.getTime() - sent > maxAgeMs) {
    throw new SnsIntakeError(
      403,
      `Message sent at ${timestamp} is older than ${Math.round(maxAgeMs / 60_000)} minutes (SNS retries for at most an hour): refused as a replay.`,
    );
  }
  if (sent - now.getTime() > SNS_MAX_CLOCK_SKEW_MS) {
    throw new SnsIntakeError(403, `Message Timestamp ${timestamp} lies in the future.`);
  }
}

async function verifySigned(verifier: SnsSignatureVerifier, message: SnsNotification | SnsConfirmation) {
  const { SignatureVersion, Signature, SigningCertURL } = message;
  if (!SignatureVersion || !Signature || !SigningCertURL) {
    throw new SnsIntakeError(
      403,
      'SNS signature required: SignatureVersion, Signature and SigningCertURL must be set.',
    );
  }
  try {
    await verifier({
      ...message,
      SignatureVersion,
      Signature,
      SigningCertURL,
      Subject: 'Subject' in message ? (message.Subject ?? undefined) : undefined,
    });
  } catch (error) {
    if (error instanceof SnsSignatureError) {
      throw new SnsIntakeError(403, `SNS signature verification failed: ${error.message}.`);
    }
    throw error;
  }
}

/** The body SQS receives from an SNS subscription without raw message delivery: the same JSON envelope. */
function sqsBodyOf(message: SnsNotification): string {
  const envelope: Record<string, string> = {
    Type: message.Type,
    MessageId: message.MessageId,
    TopicArn: message.TopicArn,
  };
  if (typeof message.Subject === 'string') envelope.Subject = message.Subject;
  envelope.Message = message.Message;
  envelope.Timestamp = message.Timestamp;
  for (const key of ['SignatureVersion', 'Signature', 'SigningCertURL', 'UnsubscribeURL'] as const) {
    const value = message[key];
    if (value !== undefined) envelope[key] = value;
  }
  return JSON.stringify(envelope);
}
