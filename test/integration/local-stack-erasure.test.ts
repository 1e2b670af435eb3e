// `npm run replay` after an erasure, on the local stack: the same notification posted again to /sns goes through
// the local queue and the processor Lambda, and finds the erased event's tombstone.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLambdaHandlers } from '../../local/lambdas.ts';
import { loadSnsPosts, type SnsPost } from '../../local/notification-files.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { replayInEventOrder } from '../../local/start.ts';

const SAMPLE = join(
  import.meta.dirname,
  '..',
  '..',
  'samples',
  '09-bounce-permanent-multiple-recipients.json',
);

let stack: LocalStack;
let posts: SnsPost[];

async function call(method: string, path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${stack.url}${path}`, { method });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    loadHandlers: loadLambdaHandlers,
    retryDelayMs: 50,
    environment: { POWERTOOLS_LOG_LEVEL: 'SILENT', SUPPRESSION_RATE_PER_SECOND: '100' },
    log: () => {},
  });
  posts = await loadSnsPosts([SAMPLE], { shiftToNow: new Date() });
  await replayInEventOrder(stack, posts);
});

afterAll(async () => {
  await stack?.close();
});

describe('replay after erasure (local stack)', () => {
  it('brings back neither the erased recipient nor its events; the others stay as they were', async () => {
    // Prepare
    const listed = (await call('GET', '/bounces?limit=100')).body as { items: Array<{ email: string }> };
    const emails = [...new Set(listed.items.map((item) => item.email))].sort();
    const [erased, ...others] = emails;
    // Act
    const erasure = await call('DELETE', `/recipients/${encodeURIComponent(erased ?? '')}`);
    await replayInEventOrder(stack, posts);
    // Assess
    expect(others.length).toBeGreaterThan(0);
    expect(erasure.status).toBe(200);
    expect((await call('GET', `/recipients/${encodeURIComponent(erased ?? '')}?ses=false`)).status).toBe(404);
    const after = (await call('GET', '/bounces?limit=100')).body as { items: Array<{ email: string }> };
    expect(after.items.map((item) => item.email).sort()).toEqual(
      listed.items
        .map((item) => item.email)
        .filter((email) => email !== erased)
        .sort(),
    );
  });
});
