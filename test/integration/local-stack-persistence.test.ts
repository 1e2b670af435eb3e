// `npm start -- --data DIR`: the table and the SESv2 suppression list survive a restart. The Lambda handlers are
// not needed for that, so this test gives the stack inert ones (the handlers are covered in local-stack.test.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetSuppressedDestinationCommand,
  PutSuppressedDestinationCommand,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { afterEach, describe, expect, it } from 'vitest';
import { type LambdaHandlers, startLocalStack } from '../../local/stack.ts';

const inertHandlers = async (): Promise<LambdaHandlers> => ({
  processor: async () => undefined,
  suppressionWorker: async () => undefined,
  queryApi: async () => ({ statusCode: 204, body: '' }),
});

const sesv2 = (endpoint: string) =>
  new SESv2Client({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 't' },
  });

describe('local stack with a data directory', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a data directory whose table has the indexes of another EVENT_INDEXES stage', async () => {
    // Prepare: a table made at v1 (the first model's indexes).
    dir = await mkdtemp(join(tmpdir(), 'local-data-'));
    const first = await startLocalStack({
      port: 0,
      dataDir: dir,
      loadHandlers: inertHandlers,
      environment: { EVENT_INDEXES: 'v1' },
    });
    await first.close();
    // Act
    const second = startLocalStack({
      port: 0,
      dataDir: dir,
      loadHandlers: inertHandlers,
      environment: { EVENT_INDEXES: 'v2' },
    });
    // Assess
    await expect(second).rejects.toThrow(
      'has the indexes byDomain, byId, byTime, EVENT_INDEXES=v2 reads byDomain2, byTime2',
    );
  });

  it('keeps the table and the SESv2 suppression list across a restart', async () => {
    // Prepare
    dir = await mkdtemp(join(tmpdir(), 'local-data-'));
    const first = await startLocalStack({ port: 0, dataDir: dir, loadHandlers: inertHandlers });
    const client = sesv2(first.url);
    await client.send(
      new PutSuppressedDestinationCommand({ EmailAddress: 'kept@example.com', Reason: 'COMPLAINT' }),
    );
    client.destroy();
    await first.close();

    // Act
    const second = await startLocalStack({ port: 0, dataDir: dir, loadHandlers: inertHandlers });
    const again = sesv2(second.url);
    const entry = await again.send(new GetSuppressedDestinationCommand({ EmailAddress: 'kept@example.com' }));
    again.destroy();
    await second.close();

    // Assess
    expect([first.tableState, second.tableState]).toEqual(['created', 'existing']);
    expect(entry.SuppressedDestination?.Reason).toBe('COMPLAINT');
  });

  it('starts empty in memory without one', async () => {
    // Act
    const stack = await startLocalStack({ port: 0, loadHandlers: inertHandlers });
    await stack.close();

    // Assess
    expect(stack.tableState).toBe('created');
    expect(stack.sesv2.entries()).toEqual([]);
  });
});
