// The local stack as it runs beyond loopback: SNS signatures required (certificate from an SNS host only, fetched
// through an injected fetcher, so nothing leaves the machine) and the query API behind a bearer token.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLambdaHandlers } from '../../local/lambdas.ts';
import { loadSnsPosts } from '../../local/notification-files.ts';
import type { SnsSignedMessage } from '../../local/sns-signature.ts';
import { isLoopback, type LocalStack, startLocalStack } from '../../local/stack.ts';
import { replayInEventOrder } from '../../local/start.ts';
import { createSnsTestSigner, type SnsTestSigner } from '../support/sns-test-signer.ts';

const CERT_URL = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-local-test.pem';
const TOKEN = 'test-token-0123456789';

let signer: SnsTestSigner;
let stack: LocalStack;
const fetched: string[] = [];

beforeAll(async () => {
  signer = await createSnsTestSigner();
  stack = await startLocalStack({
    port: 0,
    verifySignatures: true,
    apiToken: TOKEN,
    fetchCertificate: async (url) => {
      fetched.push(url.href);
      return signer.certificate;
    },
    loadHandlers: loadLambdaHandlers,
    retryDelayMs: 50,
    environment: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
  });
});

afterAll(async () => {
  await stack?.close();
});

async function sesBounce(): Promise<string> {
  const sample = join(import.meta.dirname, '..', '..', 'samples', '18-bounce-permanent-outlook-5.1.10.json');
  return `${JSON.stringify(JSON.parse(await readFile(sample, 'utf8')))}\n`;
}

async function notification(messageId: string): Promise<SnsSignedMessage> {
  return signer.sign({
    Type: 'Notification',
    MessageId: messageId,
    TopicArn: 'arn:aws:sns:eu-west-1:123456789012:ses-feedback',
    Message: await sesBounce(),
    Timestamp: new Date().toISOString(),
    SignatureVersion: '2',
    SigningCertURL: CERT_URL,
  });
}

const post = (body: unknown) =>
  fetch(`${stack.url}/sns`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function errorOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: { message: string } }).error.message;
}

describe('local stack with SNS signature verification on', () => {
  it('refuses a forged signature with 403 and keeps serving', async () => {
    // Prepare
    const genuine = await notification('0c1d5e2a-1111-4a4b-9c9d-000000000001');
    const forged = { ...genuine, Message: genuine.Message.replace('j.smith.1987', 'someone.else') };

    // Act
    const response = await post(forged);
    const message = await errorOf(response);
    const after = await fetch(`${stack.url}/`);

    // Assess
    expect(response.status).toBe(403);
    expect(message).toBe('SNS signature verification failed: the signature does not match the message.');
    expect(after.status).toBe(200);
  });

  it('refuses a bare SES notification and a certificate from a foreign host, fetching nothing from it', async () => {
    // Act
    const bare = await post(await sesBounce());
    const foreign = await post(
      signer.sign({
        ...(await notification('0c1d5e2a-1111-4a4b-9c9d-000000000002')),
        SigningCertURL: 'https://evil.example/x.pem',
      }),
    );

    // Assess
    expect(bare.status).toBe(403);
    expect(await errorOf(bare)).toContain('accepted only on loopback');
    expect(foreign.status).toBe(403);
    expect(await errorOf(foreign)).toContain('is not an SNS host');
    expect(fetched.every((url) => url === CERT_URL)).toBe(true);
  });

  it('processes a correctly signed notification, fetching the certificate once', async () => {
    // Act
    const first = await post(await notification('0c1d5e2a-1111-4a4b-9c9d-000000000003'));
    const second = await post(await notification('0c1d5e2a-1111-4a4b-9c9d-000000000004'));
    await stack.idle();
    const recipient = await fetch(`${stack.url}/recipients/j.smith.1987%40outlook.com`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });

    // Assess
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(fetched.filter((url) => url === CERT_URL)).toHaveLength(1);
    expect(recipient.status).toBe(200);
    expect(((await recipient.json()) as { counts: { hard: number } }).counts.hard).toBe(1);
  });

  it('requires the bearer token on the query API but serves the page itself', async () => {
    // Act
    const without = await fetch(`${stack.url}/bounces`);
    const wrong = await fetch(`${stack.url}/bounces`, { headers: { authorization: 'Bearer nope' } });
    const page = await fetch(`${stack.url}/`);

    // Assess
    expect(without.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});

describe('the demo replay on a stack that verifies signatures', () => {
  it('feeds its unsigned samples in directly instead of through the verified /sns', async () => {
    // Prepare
    const samples = join(import.meta.dirname, '..', '..', 'samples');
    const posts = await loadSnsPosts(
      ['19-bounce-permanent-gmail-disabled-5.2.1.json', 'sns-http-notification-01-duplicate.json'].map(
        (name) => join(samples, name),
      ),
      { shiftToNow: new Date() },
    );

    // Act
    const results = await replayInEventOrder(stack, posts);
    const recipient = await fetch(`${stack.url}/recipients/closed.account.2019%40gmail.com`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });

    // Assess
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(recipient.status).toBe(200);
  });
});

describe('isLoopback decides when verification is on by default', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.20', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopback(host)).toBe(loopback);
  });
});
