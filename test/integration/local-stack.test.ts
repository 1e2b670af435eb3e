// The local stack end to end: every sample replayed through POST /sns, then checked only through HTTP (the query
// API and the SESv2 suppression-list paths), as a user of `npm start` would.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListSuppressedDestinationsCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadLambdaHandlers } from '../../local/lambdas.ts';
import { loadSnsPosts, type SnsPost } from '../../local/notification-files.ts';
import { postAll, type ReplayResult, main as replayMain } from '../../local/replay.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { replayInEventOrder } from '../../local/start.ts';

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');
// The replay puts every sample within the last 30 days; a tight window keeps the time-index Queries few.
const SINCE = new Date(Date.now() - 40 * 86_400_000).toISOString();

interface Recipient {
  email: string;
  sendStatus: string;
  counts: { hard: number; soft: number; complaints: number; deliveries: number };
  softBounceStreak: number;
  suppression: { suppressed: boolean; reason: string | null } | null;
}

let stack: LocalStack;
let replayed: ReplayResult[];
let posts: SnsPost[];
let sampleFiles: string[];
const logs: string[] = [];

async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${stack.url}${path}`);
  return { status: response.status, body: (await response.json()) as T };
}

/** The SESv2 account suppression list, read page by page with the real SESv2Client. */
async function suppressionList(): Promise<Map<string, string>> {
  const client = new SESv2Client({
    endpoint: stack.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
  });
  const listed = new Map<string, string>();
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListSuppressedDestinationsCommand({ PageSize: 5, NextToken }));
    for (const s of page.SuppressedDestinationSummaries ?? [])
      listed.set(s.EmailAddress ?? '', s.Reason ?? '');
    NextToken = page.NextToken;
  } while (NextToken);
  client.destroy();
  return listed;
}

async function deadLetters(): Promise<unknown[]> {
  return (await getJson<{ ingest: unknown[] }>('/local/dead-letters')).body.ingest;
}

/** The distinct recipient events the samples describe, computed from the files themselves. */
async function expectedEventKeys(files: readonly string[]): Promise<Set<string>> {
  const keys = new Set<string>();
  const normalize = (address: string) => (/<([^>]+)>/.exec(address)?.[1] ?? address).trim().toLowerCase();
  for (const file of files) {
    let document = JSON.parse(await readFile(file, 'utf8'));
    if (Array.isArray(document.Records)) document = JSON.parse(document.Records[0].Sns.Message);
    else if (document.Type === 'Notification') document = JSON.parse(document.Message);
    else if (document.Type) continue;
    const type = document.notificationType ?? document.eventType;
    if (type === 'Bounce') {
      for (const r of document.bounce.bouncedRecipients)
        keys.add(`bounce|${document.bounce.feedbackId}|${normalize(r.emailAddress)}`);
    } else if (type === 'Complaint') {
      for (const r of document.complaint.complainedRecipients)
        keys.add(`complaint|${document.complaint.feedbackId}|${normalize(r.emailAddress)}`);
    } else if (type === 'Delivery') {
      for (const r of document.delivery.recipients)
        keys.add(`delivery|${document.mail.messageId}|${normalize(r)}`);
    }
  }
  return keys;
}

beforeAll(async () => {
  // Prepare: the stack on a free port, fast retries, SES pacing lifted so the test takes seconds.
  stack = await startLocalStack({
    port: 0,
    loadHandlers: loadLambdaHandlers,
    retryDelayMs: 50,
    // Every delivery kept (deliveryHistory all): the samples' deliveries are listed with the other events.
    environment: {
      SUPPRESSION_RATE_PER_SECOND: '100',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      DELIVERY_HISTORY: 'all',
    },
    log: (line) => logs.push(line),
  });
  sampleFiles = (await readdir(SAMPLES))
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join(SAMPLES, name));

  // Act: replay every sample the way the demo does (oldest first, as SES sent them over the month).
  posts = await loadSnsPosts(sampleFiles, { shiftToNow: new Date() });
  replayed = await replayInEventOrder(stack, posts);
});

afterAll(async () => {
  await stack?.close();
});

describe('npm start stack: samples replayed through POST /sns', () => {
  it('accepts every sample file', () => {
    expect(replayed.length).toBe(sampleFiles.length);
    expect(replayed.filter((r) => r.status !== 200)).toEqual([]);
    expect(logs.some((line) => line.startsWith('SubscriptionConfirmation for arn:aws:sns'))).toBe(true);
  });

  it('records each distinct recipient event exactly once, whatever the wrapper or redelivery', async () => {
    // Prepare
    const expected = await expectedEventKeys(sampleFiles);
    const byType = { bounce: 0, complaint: 0, delivery: 0 };
    for (const key of expected) byType[key.split('|')[0] as keyof typeof byType] += 1;

    // Act
    const counts: Record<string, number> = {};
    for (const type of Object.keys(byType)) {
      const ids = new Set<string>();
      let total = 0;
      let cursor: string | null = null;
      do {
        const query = `/bounces?type=${type}&limit=1000&from=${SINCE}`;
        const page: { status: number; body: { items: Array<{ id: string }>; nextCursor: string | null } } =
          await getJson(cursor ? `${query}&cursor=${encodeURIComponent(cursor)}` : query);
        expect(page.status).toBe(200);
        for (const item of page.body.items) ids.add(item.id);
        total += page.body.items.length;
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(total, `${type}: no event listed twice`).toBe(ids.size);
      counts[type] = ids.size;
    }

    // Assess
    expect(counts).toEqual(byType);
    expect(await deadLetters()).toEqual([]);
  });

  it('counts a bounce delivered three ways (bare, SNS HTTP duplicate) once', async () => {
    const { status, body } = await getJson<Recipient>('/recipients/no.such.user.8841%40gmail.com');
    expect(status).toBe(200);
    expect(body.counts).toEqual({
      hard: 1,
      soft: 0,
      complaints: 0,
      deliveries: 0,
      onAccountSuppressionList: 0,
    });
    expect(body.sendStatus).toBe('suppressed');
  });

  it('stores a display-name, mixed-case recipient under its normalised address', async () => {
    const { status, body } = await getJson<Recipient>('/recipients/jane.roe%40example.org');
    expect(status).toBe(200);
    expect(body.email).toBe('jane.roe@example.org');
  });

  it('answers 404 for a destination that never bounced (mail.destination is not a bounce)', async () => {
    const { status } = await getJson('/recipients/ceo%40contoso.example');
    expect(status).toBe(404);
  });

  it('suppresses after the third soft bounce in the window, and not when a delivery broke the streak', async () => {
    const streak = await getJson<Recipient>('/recipients/always.full%40yahoo.com');
    const interrupted = await getJson<Recipient>('/recipients/sometimes.full%40hotmail.com');
    expect(streak.body.counts.soft).toBe(3);
    expect(streak.body.sendStatus).toBe('suppressed');
    expect(interrupted.body.counts).toMatchObject({ soft: 3, deliveries: 1 });
    expect(interrupted.body.sendStatus).not.toBe('suppressed');
  });

  it('puts exactly the addresses the policy names on the SESv2 list, read with the real SESv2Client', async () => {
    // Act
    const listed = await suppressionList();

    // Assess: recipient-side permanent failures, the soft streak and complaints are listed...
    for (const address of [
      'no.such.user.8841@gmail.com',
      'ghost.account@yahoo.com',
      'left.the.company@fabrikam.example',
      'j.smith.1987@outlook.com',
      'gone.for.good@yahoo.com',
      'always.full@yahoo.com',
    ]) {
      expect(listed.get(address), address).toBe('BOUNCE');
    }
    for (const address of ['angry.reader@yahoo.com', 'not.interested@yahoo.com', 'annoyed.user@aol.com']) {
      expect(listed.get(address), address).toBe('COMPLAINT');
    }
    // ...and nothing sender-side, already listed, soft, undetermined, delivered or never bounced.
    for (const address of [
      'partner.desk@gmail.com',
      'jane.roe@example.org',
      'previously.complained@example.com',
      'sometimes.full@hotmail.com',
      'full.inbox@gmail.com',
      'design.team@fabrikam.example',
      'someone@legacy-host.example',
      'shared.box@contoso.example',
      'ceo@contoso.example',
      'happy.customer@gmail.com',
    ]) {
      expect(listed.has(address), address).toBe(false);
    }
  });
});

describe('the whole sample set delivered again, all at once', () => {
  it('adds no event and no suppression (at-least-once delivery, batches processed concurrently)', async () => {
    // Prepare
    const countEvents = async () => {
      const page = await getJson<{ items: unknown[]; nextCursor: string | null }>(
        `/bounces?limit=1000&from=${SINCE}`,
      );
      return page.body.items.length + (page.body.nextCursor ? 1_000_000 : 0);
    };
    const before = await countEvents();
    const listedBefore = await suppressionList();

    // Act
    const again = await postAll(stack.url, posts);
    await stack.idle();

    // Assess
    expect(again.every((r) => r.status === 200)).toBe(true);
    expect(await countEvents()).toBe(before);
    expect(await suppressionList()).toEqual(listedBefore);
    expect(await deadLetters()).toEqual([]);
  });
});

describe('npm run replay against the running stack', () => {
  it('posts files, waits for the queues to drain, and reports the dead-letter count', async () => {
    // Prepare
    const lines: string[] = [];
    const output = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });

    const expected = (await readdir(SAMPLES)).filter(
      (name) => name.startsWith('1') && name.endsWith('.json'),
    ).length;

    // Act
    const code = await replayMain(['--url', stack.url, '--shift', join(SAMPLES, '1*.json')]);
    output.mockRestore();

    // Assess
    expect(code).toBe(0);
    expect(lines.filter((line) => line.startsWith('200 '))).toHaveLength(expected);
    expect(lines).toContain(`${expected} accepted, 0 rejected\n`);
    expect(lines).toContain('processed; dead-letter queues hold 0 message(s)\n');
  });
});

describe('a notification the processor cannot use', () => {
  it('is accepted at /sns, parked in the dead-letter queue with its reason, and can be redriven', async () => {
    // Prepare: SES-shaped enough for /sns, but with no mail object for the processor.
    const body = JSON.stringify({ notificationType: 'Bounce', bounce: { bounceType: 'Permanent' } });

    // Act
    const accepted = await fetch(`${stack.url}/sns`, { method: 'POST', body });
    await stack.idle();
    const parked = await getJson<{ ingest: Array<{ body: string; attributes: Record<string, string> }> }>(
      '/local/dead-letters',
    );
    const redrive = await fetch(`${stack.url}/local/dead-letters/redrive`, { method: 'POST' });
    await stack.idle();
    const after = await getJson<{ ingest: unknown[] }>('/local/dead-letters');

    // Assess
    expect(accepted.status).toBe(200);
    expect(parked.body.ingest).toHaveLength(1);
    const [dead] = parked.body.ingest;
    expect(JSON.parse(JSON.parse(dead?.body ?? '{}').Message)).toEqual(JSON.parse(body));
    expect(dead?.attributes['rejection-code']).toBeTruthy();
    expect(((await redrive.json()) as { moved: number }).moved).toBe(1);
    // Redriven, the same poison is parked again (once), and nothing else moved.
    expect(after.body.ingest).toHaveLength(1);
  });
});

describe('POST /sns with bad input', () => {
  const post = (body: string | Uint8Array, headers: Record<string, string> = {}) =>
    fetch(`${stack.url}/sns`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...headers },
      body,
    });

  it.each([
    ['not JSON', 'this is not json', 400, 'Body is not JSON'],
    ['a JSON array', '[1, 2, 3]', 400, 'must be a JSON object'],
    ['an object of no known kind', '{"hello":"world"}', 400, 'neither an SNS message'],
    ['an unknown SNS Type', '{"Type":"Reminder","MessageId":"x"}', 400, 'Unsupported SNS message Type'],
  ])('rejects %s with a 4xx and a clear message', async (_label, body, status, message) => {
    const response = await post(body);
    const payload = (await response.json()) as { error: { message: string } };
    expect(response.status).toBe(status);
    expect(payload.error.message).toContain(message);
  });

  it('rejects a 10 MB body with 413 and keeps serving', async () => {
    // Act
    const response = await post(new Uint8Array(10 * 1024 * 1024).fill(0x20));
    const payload = (await response.json()) as { error: { message: string } };
    const after = await fetch(`${stack.url}/`);

    // Assess
    expect(response.status).toBe(413);
    expect(payload.error.message).toBe('Body exceeds 1048576 bytes.');
    expect(after.status).toBe(200);
  });

  it('answers 405 to GET /sns', async () => {
    const response = await fetch(`${stack.url}/sns`);
    expect(response.status).toBe(405);
  });
});
