// The counter rollup of the tests' tables: the transaction front's change sink feeds an emulated stream (the local
// stack's), and the real rollup handler consumes it with the deployed filters and a tumbling window's shard id.
// Counters are read after `settle()`, as /stats reads them after the rollup's window in AWS.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createCounterRollupHandler } from '../../lambdas/adapters/counter-rollup-lambda.ts';
import { DynamoCounterRollupStore } from '../../lambdas/adapters/dynamo-counter-rollup.ts';
import { LocalStream, type StreamConsumer } from '../../local/event-stream.ts';
import { ROLLUP_SUBSCRIPTION } from '../../local/stack.ts';

export interface StreamRollup {
  /** The change sink to start the DynamoDB front with. */
  onChange: LocalStream['add'];
  /** Starts the rollup on the table (after the front is up); `off`: leave the stream to the test. */
  attach(client: DynamoDBDocumentClient, off?: boolean): void;
  /** Resolves once every change so far was rolled up (or given up, see `failures`). */
  settle(): Promise<void>;
  /** Batches the rollup gave up on: none, in every test that does not inject failures. */
  failures: string[];
  /** The emulated stream itself, for a test that drives the rollup's batches on its own. */
  stream: LocalStream;
}

export function streamRollup(tableName: string, now: () => Date = () => new Date()): StreamRollup {
  const failures: string[] = [];
  const stream = new LocalStream(tableName, (message) => failures.push(message));
  return {
    onChange: stream.add,
    attach(client, off = false) {
      if (off) return;
      const handler = createCounterRollupHandler({
        store: new DynamoCounterRollupStore(client, {
          tableName,
          eventRetentionDays: 400,
          now,
          sleep: async () => {},
        }),
        logger: new Logger({ serviceName: 'rollup-test', logLevel: 'SILENT' }),
        metrics: new Metrics({ namespace: 'Test', serviceName: 'rollup-test' }),
      });
      stream.attach(handler as StreamConsumer, ROLLUP_SUBSCRIPTION);
    },
    settle: () => stream.idle(),
    failures,
    stream,
  };
}
