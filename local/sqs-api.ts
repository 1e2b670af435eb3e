// The part of the SQS JSON protocol (awsJson1_0, `x-amz-target: AmazonSQS.<Op>`) that our Lambdas call, so the
// real SQSClient sends into the local queues: SendMessage, SendMessageBatch, GetQueueUrl, GetQueueAttributes.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SQSMessageAttributes } from 'aws-lambda';
import { z } from 'zod';
import type { LocalQueue } from './sqs-queue.ts';

const TARGET_PREFIX = 'AmazonSQS.';
const MAX_MESSAGE_BYTES = 256 * 1024;

class SqsError extends Error {
  constructor(
    readonly type: string,
    readonly queryError: string,
    message: string,
  ) {
    super(message);
  }
}

const attributeValue = z.object({
  DataType: z.string().min(1),
  StringValue: z.string().optional(),
  BinaryValue: z.string().optional(),
});
const attributes = z.record(z.string(), attributeValue).optional();
const sendMessage = z.object({
  QueueUrl: z.string(),
  MessageBody: z.string().min(1),
  DelaySeconds: z.number().int().min(0).max(900).optional(),
  MessageAttributes: attributes,
});
const sendMessageBatch = z.object({
  QueueUrl: z.string(),
  Entries: z
    .array(sendMessage.omit({ QueueUrl: true }).extend({ Id: z.string().min(1) }))
    .min(1)
    .max(10),
});
const getQueueUrl = z.object({ QueueName: z.string().min(1) });
const getQueueAttributes = z.object({ QueueUrl: z.string() });

type Attributes = z.infer<typeof attributes>;

export function isSqsRequest(req: IncomingMessage): boolean {
  const target = req.headers['x-amz-target'];
  return req.method === 'POST' && typeof target === 'string' && target.startsWith(TARGET_PREFIX);
}

/** Serves one SQS JSON-protocol request against the named local queues. */
export async function handleSqsRequest(
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
  queues: ReadonlyMap<string, LocalQueue>,
  origin: string,
): Promise<void> {
  const operation = String(req.headers['x-amz-target']).slice(TARGET_PREFIX.length);
  let status = 200;
  let payload: unknown;
  let queryError: string | undefined;
  try {
    payload = run(operation, parseJson(body), queues, origin);
  } catch (error) {
    const failure =
      error instanceof SqsError
        ? error
        : new SqsError('InternalError', 'InternalError;Receiver', 'Internal error');
    status = failure.type === 'InternalError' ? 500 : 400;
    queryError = failure.queryError;
    payload = { __type: `com.amazonaws.sqs#${failure.type}`, message: failure.message };
  }
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    ...(queryError ? { 'x-amzn-query-error': queryError } : {}),
  });
  res.end(JSON.stringify(payload));
}

function run(
  operation: string,
  input: unknown,
  queues: ReadonlyMap<string, LocalQueue>,
  origin: string,
): unknown {
  switch (operation) {
    case 'SendMessage': {
      const request = parse(sendMessage, input);
      const queue = queueOf(request.QueueUrl, queues);
      return sendOne(queue, request);
    }
    case 'SendMessageBatch': {
      const request = parse(sendMessageBatch, input);
      const queue = queueOf(request.QueueUrl, queues);
      return {
        Successful: request.Entries.map((entry) => ({ Id: entry.Id, ...sendOne(queue, entry) })),
        Failed: [],
      };
    }
    case 'GetQueueUrl': {
      const request = parse(getQueueUrl, input);
      const queue = queues.get(request.QueueName);
      if (!queue) throw nonExistent(request.QueueName);
      return { QueueUrl: queue.url(origin) };
    }
    case 'GetQueueAttributes': {
      const queue = queueOf(parse(getQueueAttributes, input).QueueUrl, queues);
      const stats = queue.stats();
      return {
        Attributes: {
          QueueArn: queue.arn,
          ApproximateNumberOfMessages: String(stats.visible),
          ApproximateNumberOfMessagesNotVisible: String(stats.inFlight),
        },
      };
    }
    default:
      throw new SqsError(
        'InvalidAction',
        'AWS.SimpleQueueService.InvalidAction;Sender',
        `${operation} is not served locally`,
      );
  }
}

function sendOne(
  queue: LocalQueue,
  request: { MessageBody: string; DelaySeconds?: number | undefined; MessageAttributes?: Attributes },
) {
  if (Buffer.byteLength(request.MessageBody) > MAX_MESSAGE_BYTES) {
    throw new SqsError(
      'InvalidParameterValue',
      'InvalidParameterValue;Sender',
      'Message must be shorter than 262144 bytes.',
    );
  }
  const sent = queue.send(
    request.MessageBody,
    toLambdaAttributes(request.MessageAttributes),
    (request.DelaySeconds ?? 0) * 1000,
  );
  return {
    MessageId: sent.messageId,
    MD5OfMessageBody: sent.md5OfBody,
    ...(request.MessageAttributes && Object.keys(request.MessageAttributes).length > 0
      ? { MD5OfMessageAttributes: md5OfMessageAttributes(request.MessageAttributes) }
      : {}),
  };
}

function queueOf(queueUrl: string, queues: ReadonlyMap<string, LocalQueue>): LocalQueue {
  const name = queueUrl.split('/').pop() ?? '';
  const queue = queues.get(name);
  if (!queue) throw nonExistent(name);
  return queue;
}

const nonExistent = (name: string) =>
  new SqsError(
    'QueueDoesNotExist',
    'AWS.SimpleQueueService.NonExistentQueue;Sender',
    `The queue ${name} does not exist.`,
  );

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new SqsError('InvalidParameterValue', 'InvalidParameterValue;Sender', 'Request body is not JSON.');
  }
}

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SqsError(
      'InvalidParameterValue',
      'InvalidParameterValue;Sender',
      `${issue?.path.join('.') || 'request'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

function toLambdaAttributes(input: Attributes): SQSMessageAttributes {
  const output: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(input ?? {})) {
    output[name] = {
      dataType: value.DataType,
      stringListValues: [],
      binaryListValues: [],
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: value.BinaryValue } : {}),
    };
  }
  return output;
}

/** SQS's digest of message attributes, which the SDK checks on SendMessage responses. */
function md5OfMessageAttributes(input: NonNullable<Attributes>): string {
  const hash = createHash('md5');
  const lengthPrefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  };
  for (const name of Object.keys(input).sort()) {
    const value = input[name];
    if (!value) continue;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(value.DataType, 'utf8'));
    if (value.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      lengthPrefixed(Buffer.from(value.BinaryValue, 'base64'));
    } else {
      hash.update(Buffer.from([1]));
      lengthPrefixed(Buffer.from(value.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}
