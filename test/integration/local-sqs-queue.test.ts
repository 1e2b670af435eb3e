import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { readBody } from '../../local/http-util.ts';
import { handleSqsRequest, isSqsRequest } from '../../local/sqs-api.ts';
import { LocalQueue } from '../../local/sqs-queue.ts';
import { signal } from '../support/signal.ts';

describe('LocalQueue: SQS semantics for the Lambda consumers', () => {
  const queues: LocalQueue[] = [];
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((queue) => queue.stop()));
  });
  const queue = (opts: ConstructorParameters<typeof LocalQueue>[0]) => {
    const created = new LocalQueue(opts);
    queues.push(created);
    return created;
  };

  it('hands messages over in batches of at most batchSize and deletes them on success', async () => {
    // Prepare
    const batches: number[] = [];
    const q = queue({ name: 'q', batchSize: 3 });
    for (let i = 0; i < 7; i += 1) q.send(`m${i}`);

    // Act
    q.attach(async (event) => {
      batches.push(event.Records.length);
    });
    await q.idle();

    // Assess
    expect(batches).toEqual([3, 3, 1]);
    expect(q.stats()).toMatchObject({ visible: 0, inFlight: 0, sent: 7, deleted: 7 });
  });

  it('stop hands out no more batches and resolves once the batch in flight is answered', async () => {
    // Prepare: the consumer holds its first batch until released.
    const q = queue({ name: 'q', batchSize: 1 });
    q.send('first');
    q.send('second');
    const events: string[] = [];
    const released = signal();
    const started = signal();
    q.attach(async (event) => {
      events.push(`start ${event.Records[0]?.body}`);
      started.fire();
      await released.wait;
      events.push(`end ${event.Records[0]?.body}`);
    });
    await started.wait;

    // Act
    const stopped = q.stop().then(() => events.push('stopped'));
    released.fire();
    await stopped;

    // Assess
    expect(events).toEqual(['start first', 'end first', 'stopped']);
    expect(q.stats()).toMatchObject({ visible: 1, deleted: 1 });
  });

  it('retries only the records listed in batchItemFailures, with a growing receive count', async () => {
    // Prepare
    const seen: string[] = [];
    const q = queue({ name: 'q', batchSize: 10, visibilityTimeoutMs: 5 });
    q.send('good');
    q.send('flaky');

    // Act
    q.attach(async (event: SQSEvent) => {
      const failures = [];
      for (const record of event.Records) {
        seen.push(`${record.body}#${record.attributes.ApproximateReceiveCount}`);
        if (record.body === 'flaky' && record.attributes.ApproximateReceiveCount === '1') {
          failures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures: failures };
    });
    await q.idle();

    // Assess
    expect(seen).toEqual(['good#1', 'flaky#1', 'flaky#2']);
  });

  it('never hands a message out again while an invocation still holds it, however slow', async () => {
    // Prepare
    const q = queue({ name: 'q', visibilityTimeoutMs: 1, concurrency: 4 });
    let receives = 0;
    q.send('slow');

    // Act
    q.attach(async (event) => {
      receives += event.Records.length;
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    await q.idle();

    // Assess
    expect(receives).toBe(1);
  });

  it('parks a message that keeps failing in the dead-letter queue after maxReceiveCount receives', async () => {
    // Prepare
    const dlq = queue({ name: 'dlq' });
    const errors: string[] = [];
    const q = queue({
      name: 'q',
      visibilityTimeoutMs: 5,
      maxReceiveCount: 3,
      deadLetterQueue: dlq,
      onConsumerError: (error, name) => errors.push(`${name}: ${(error as Error).message}`),
    });
    let attempts = 0;
    q.send('poison');

    // Act
    q.attach(async () => {
      attempts += 1;
      throw new Error('boom');
    });
    await q.idle();

    // Assess
    expect(attempts).toBe(3);
    expect(dlq.peek().map((m) => m.body)).toEqual(['poison']);
    expect(q.stats().movedToDeadLetter).toBe(1);
    expect(errors).toEqual(['q: boom', 'q: boom', 'q: boom']);
  });

  it('treats a batch response naming an unknown record as a failure of the whole batch (as Lambda does)', async () => {
    // Prepare
    const q = queue({ name: 'q', visibilityTimeoutMs: 5 });
    const receives: string[] = [];
    q.send('a');
    q.send('b');

    // Act
    q.attach(async (event) => {
      receives.push(...event.Records.map((r) => `${r.body}#${r.attributes.ApproximateReceiveCount}`));
      return receives.length <= 2 ? { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] } : undefined;
    });
    await q.idle();

    // Assess
    expect(receives).toEqual(['a#1', 'b#1', 'a#2', 'b#2']);
  });

  it('redrives the dead-letter queue back to its source', async () => {
    // Prepare
    const dlq = queue({ name: 'dlq' });
    const q = queue({ name: 'q', visibilityTimeoutMs: 5, maxReceiveCount: 1, deadLetterQueue: dlq });
    let healthy = false;
    const processed: string[] = [];
    q.send('later');
    q.attach(async (event) => {
      if (!healthy) throw new Error('down');
      processed.push(...event.Records.map((r) => r.body));
    });
    await q.idle();

    // Act
    healthy = true;
    const moved = dlq.redriveTo(q);
    await q.idle();

    // Assess
    expect(moved).toBe(1);
    expect(processed).toEqual(['later']);
    expect(dlq.peek()).toEqual([]);
  });
});

describe('SQS JSON protocol in front of the local queues', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('accepts SendMessage and SendMessageBatch from the real SQSClient, attributes and MD5s included', async () => {
    // Prepare
    const target = new LocalQueue({ name: 'suppression' });
    const queues = new Map([[target.name, target]]);
    let origin = '';
    server = createServer((req, res) => {
      if (!isSqsRequest(req)) {
        res.writeHead(404).end();
        return;
      }
      void readBody(req, 1024 * 1024).then((body) => handleSqsRequest(req, res, body, queues, origin));
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new SQSClient({
      region: 'us-east-1',
      endpoint: origin,
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    });
    const QueueUrl = target.url(origin);

    // Act
    await client.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: '{"email":"a@example.com"}',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'put' } },
      }),
    );
    const batch = await client.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: '1', MessageBody: 'one' },
          { Id: '2', MessageBody: 'two' },
        ],
      }),
    );
    const missing = await client
      .send(new SendMessageCommand({ QueueUrl: `${origin}/000000000000/nope`, MessageBody: 'x' }))
      .catch((error: unknown) => error as Error);

    // Assess
    expect(target.peek().map((m) => m.body)).toEqual(['{"email":"a@example.com"}', 'one', 'two']);
    expect(batch.Successful?.map((s) => s.Id)).toEqual(['1', '2']);
    expect((missing as Error).name).toBe('QueueDoesNotExist');
    client.destroy();
  });
});
