// SQS adapters: the suppression queue the processor feeds, and the dead-letter queue where a message that can
// never be processed is parked with its reason as message attributes (its body unchanged, so it can be redriven).
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SuppressionQueue } from '../domain/ports.ts';
import type { Rejection } from '../domain/ses-notification.ts';
import type { SuppressionRequest } from '../domain/suppression-policy.ts';

export class SqsSuppressionQueue implements SuppressionQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(request: SuppressionRequest): Promise<void> {
    await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(request) }),
    );
  }
}

/** For the local stack and tests: requests collected in memory. */
export class InMemorySuppressionQueue implements SuppressionQueue {
  readonly sent: SuppressionRequest[] = [];

  async send(request: SuppressionRequest): Promise<void> {
    this.sent.push(request);
  }
}

export interface ParkedMessage {
  body: string;
  rejection: Rejection;
  sourceMessageId: string;
}

export interface MessageParking {
  park(message: ParkedMessage): Promise<void>;
}

export class SqsMessageParking implements MessageParking {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async park({ body, rejection, sourceMessageId }: ParkedMessage): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: body,
        MessageAttributes: {
          'rejection-code': { DataType: 'String', StringValue: rejection.code },
          'rejection-detail': { DataType: 'String', StringValue: rejection.detail.slice(0, 1024) || '-' },
          'source-message-id': { DataType: 'String', StringValue: sourceMessageId },
        },
      }),
    );
  }
}

/** For the local stack and tests: parked messages kept in memory with their reasons. */
export class InMemoryMessageParking implements MessageParking {
  readonly parked: ParkedMessage[] = [];

  async park(message: ParkedMessage): Promise<void> {
    this.parked.push(message);
  }
}
