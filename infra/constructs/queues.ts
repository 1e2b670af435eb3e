// A work queue with its dead-letter queue, both encrypted at rest and TLS-only: the one queue shape of this app.
import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** How long a parked message waits in a dead-letter queue for an operator (SQS's maximum). */
const DEAD_LETTER_RETENTION = Duration.days(14);

export interface QueueWithDeadLetterProps {
  readonly visibilityTimeout: Duration;
  /** Receives before a message is moved to the dead-letter queue. */
  readonly maxReceiveCount: number;
}

export class QueueWithDeadLetter extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: QueueWithDeadLetterProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    this.queue = new Queue(this, 'Queue', {
      // SSE-SQS: encrypted at rest without a key policy SNS would need for a customer-managed key.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
  }
}
