// The local stack configured as it runs off loopback (API token, SNS signatures, expected topic), reached from
// loopback: every write path and every personal-data read needs the token, whoever the client is — the query API
// as a bearer token, the emulated SQS, SESv2 and DynamoDB as the secret key of an AWS SigV4 signature — and
// /sns takes only recent messages signed for the expected topic.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListSuppressedDestinationsCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadLambdaHandlers } from '../../local/lambdas.ts';
import type { SnsSignedMessage } from '../../local/sns-signature.ts';
import { type LocalStack, LocalStackConfigError, startLocalStack } from '../../local/stack.ts';
import { main } from '../../local/start.ts';
import { createSnsTestSigner, type SnsTestSigner } from '../support/sns-test-signer.ts';

const CERT_URL = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-local-test.pem';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ses-feedback';
const TOKEN = 'credentials-test-token-0123456789';

let signer: SnsTestSigner;
let stack: LocalStack;

beforeAll(async () => {
  signer = await createSnsTestSigner();
  stack = await startLocalStack({
    port: 0,
    verifySignatures: true,
    apiToken: TOKEN,
    topicArns: [TOPIC],
    fetchCertificate: async () => signer.certificate,
    loadHandlers: loadLambdaHandlers,
    retryDelayMs: 50,
    environment: { POWERTOOLS_LOG_LEVEL: 'SILENT', SUPPRESSION_RATE_PER_SECOND: '100' },
  });
});

afterAll(async () => {
  await stack?.close();
});

const sqsQueueUrl = () => stack.queues.ingest.url(stack.url);
const credentials = (secretAccessKey: string) => ({ accessKeyId: 'AKIDANYONE', secretAccessKey });
const awsConfig = (secretAccessKey: string) => ({
  region: 'us-east-1',
  credentials: credentials(secretAccessKey),
  maxAttempts: 1,
});

async function bounceMessage(): Promise<string> {
  const sample = join(import.meta.dirname, '..', '..', 'samples', '18-bounce-permanent-outlook-5.1.10.json');
  return JSON.stringify(JSON.parse(await readFile(sample, 'utf8')));
}

async function signedNotification(overrides: Partial<SnsSignedMessage> = {}): Promise<SnsSignedMessage> {
  const { Signature: _unsigned, ...fields } = {
    Type: 'Notification',
    MessageId: '5a0c1d2e-0000-4000-8000-000000000001',
    TopicArn: TOPIC,
    Message: await bounceMessage(),
    Timestamp: new Date().toISOString(),
    SignatureVersion: '2',
    Signature: '',
    SigningCertURL: CERT_URL,
    ...overrides,
  };
  return signer.sign(fields);
}

const postSns = (message: SnsSignedMessage) =>
  fetch(`${stack.url}/sns`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': message.Type },
    body: JSON.stringify(message),
  });

const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { message: string } }).error.message;

describe('the emulated AWS services of a stack with a token', () => {
  it('refuse an unsigned SQS SendMessage from a loopback client, queueing nothing', async () => {
    // Prepare
    const sentBefore = stack.queues.ingest.stats().sent;

    // Act
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' },
      body: JSON.stringify({ QueueUrl: sqsQueueUrl(), MessageBody: await bounceMessage() }),
    });

    // Assess
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toBe(
      'This local stack requires its API token: an AWS Signature Version 4 Authorization header is required.',
    );
    expect(stack.queues.ingest.stats().sent).toBe(sentBefore);
  });

  it('refuse the real SQSClient signing with another secret, and accept it signing with the token', async () => {
    // Prepare
    const wrong = new SQSClient({ ...awsConfig('not-the-token'), endpoint: stack.url });
    const right = new SQSClient({ ...awsConfig(TOKEN), endpoint: stack.url });
    const queueUrl = stack.queues.suppressionDeadLetter.url(stack.url);

    // Act
    const refused = await wrong
      .send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'operator note' }))
      .catch((error: unknown) => error);
    const accepted = await right.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'operator note' }),
    );
    wrong.destroy();
    right.destroy();

    // Assess
    expect((refused as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(403);
    expect((refused as Error).message).toContain('the signature does not match');
    expect(accepted.MessageId).toBeTruthy();
    expect(stack.queues.suppressionDeadLetter.peek().map((m) => m.body)).toEqual(['operator note']);
  });

  it('refuse to list the SESv2 suppression list without the token', async () => {
    // Act
    const anonymous = await fetch(`${stack.url}/v2/email/suppression/addresses`);
    const bearer = await fetch(`${stack.url}/v2/email/suppression/addresses`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });

    // Assess
    expect(anonymous.status).toBe(403);
    expect(anonymous.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    expect(bearer.status).toBe(200);
  });

  it('refuse an unsigned DynamoDB Scan of the table', async () => {
    // Act
    const response = await fetch(stack.dynamoEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.Scan' },
      body: JSON.stringify({ TableName: stack.tableName }),
    });
    const signedWrong = new DynamoDBClient({ ...awsConfig('guess'), endpoint: stack.dynamoEndpoint });
    const refused = await signedWrong
      .send(new ScanCommand({ TableName: stack.tableName }))
      .catch((error: unknown) => error);
    signedWrong.destroy();

    // Assess
    expect(response.status).toBe(403);
    expect((refused as Error).name).toBe('InvalidSignatureException');
  });
});

describe('POST /sns on a stack that expects one topic', () => {
  it('processes a recent message signed for that topic: the Lambdas reach SQS, SESv2 and DynamoDB with the token', async () => {
    // Act
    const response = await postSns(await signedNotification());
    await stack.idle();
    const ses = new SESv2Client({ ...awsConfig(TOKEN), endpoint: stack.url });
    const listed = await ses.send(new ListSuppressedDestinationsCommand({}));
    ses.destroy();
    const dynamo = new DynamoDBClient({ ...awsConfig(TOKEN), endpoint: stack.dynamoEndpoint });
    const scanned = await dynamo.send(new ScanCommand({ TableName: stack.tableName, Select: 'COUNT' }));
    dynamo.destroy();

    // Assess
    expect(response.status).toBe(200);
    expect(listed.SuppressedDestinationSummaries?.map((entry) => entry.EmailAddress)).toContain(
      'j.smith.1987@outlook.com',
    );
    expect(scanned.Count).toBeGreaterThan(0);
    expect(stack.queues.ingestDeadLetter.peek()).toEqual([]);
  });

  it("refuses a validly signed message from another account's topic", async () => {
    // Act
    const response = await postSns(
      await signedNotification({ TopicArn: 'arn:aws:sns:eu-west-1:999999999999:someone-elses-topic' }),
    );

    // Assess
    expect(response.status).toBe(403);
    expect(await errorOf(response)).toBe(
      'TopicArn arn:aws:sns:eu-west-1:999999999999:someone-elses-topic is not one this endpoint accepts.',
    );
  });

  it('refuses a validly signed message sent years ago', async () => {
    // Act
    const response = await postSns(await signedNotification({ Timestamp: '2023-03-01T08:00:00.000Z' }));

    // Assess
    expect(response.status).toBe(403);
    expect(await errorOf(response)).toContain('is older than 65 minutes');
  });
});

describe('starting off loopback without --topic-arn', () => {
  it('fails before listening, naming the missing option', async () => {
    // Act
    const started = startLocalStack({ host: '0.0.0.0', port: 0, loadHandlers: loadLambdaHandlers });

    // Assess
    await expect(started).rejects.toBeInstanceOf(LocalStackConfigError);
    await expect(started).rejects.toThrow('--topic-arn is required with --host 0.0.0.0');
  });

  it('makes npm start exit 2 with the reason and the usage', async () => {
    // Prepare
    const errors: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      errors.push(String(chunk));
      return true;
    });

    // Act
    const code = await main(['--host', '0.0.0.0', '--port', '0', '--no-demo']);
    stderr.mockRestore();

    // Assess
    expect(code).toBe(2);
    expect(errors.join('')).toContain('--topic-arn is required with --host 0.0.0.0');
    expect(errors.join('')).toContain('usage: npm start');
  });
});
