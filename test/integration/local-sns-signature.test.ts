import { beforeAll, describe, expect, it } from 'vitest';
import { interpretSnsPost, SNS_MAX_MESSAGE_AGE_MS, SnsIntakeError } from '../../local/sns-endpoint.ts';
import {
  createSnsSignatureVerifier,
  SnsSignatureError,
  type SnsSignedMessage,
  snsCertificateUrl,
} from '../../local/sns-signature.ts';
import { createSnsTestSigner, type SnsTestSigner } from '../support/sns-test-signer.ts';

const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-local-test.pem';

let signer: SnsTestSigner;

beforeAll(async () => {
  signer = await createSnsTestSigner();
});

const sesBounce = `${JSON.stringify({ notificationType: 'Bounce', mail: { messageId: 'm' } })}\n`;

function notification(version: '1' | '2'): SnsSignedMessage {
  return signer.sign({
    Type: 'Notification',
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-feedback',
    Subject: 'Amazon SES Email Event Notification',
    Message: sesBounce,
    Timestamp: '2026-11-01T10:00:00.000Z',
    SignatureVersion: version,
    SigningCertURL: CERT_URL,
  });
}

function countingFetcher() {
  const fetched: string[] = [];
  return {
    fetched,
    fetchCertificate: async (url: URL) => {
      fetched.push(url.href);
      return signer.certificate;
    },
  };
}

describe('SNS signature verification', () => {
  it.each(['1', '2'] as const)('accepts a message signed with SignatureVersion %s', async (version) => {
    // Prepare
    const { fetchCertificate } = countingFetcher();
    const verify = createSnsSignatureVerifier({ fetchCertificate });

    // Act / Assess
    await expect(verify(notification(version))).resolves.toBeUndefined();
  });

  it('rejects a message whose body was altered after signing', async () => {
    // Prepare
    const { fetchCertificate } = countingFetcher();
    const verify = createSnsSignatureVerifier({ fetchCertificate });
    const forged = { ...notification('2'), Message: sesBounce.replace('Bounce', 'Complaint') };

    // Act / Assess
    await expect(verify(forged)).rejects.toThrow('the signature does not match the message');
  });

  it('keeps the trailing newline of an event-publishing Message as part of what was signed', async () => {
    // Prepare
    const { fetchCertificate } = countingFetcher();
    const verify = createSnsSignatureVerifier({ fetchCertificate });
    const trimmed = { ...notification('1'), Message: sesBounce.trimEnd() };

    // Act / Assess
    await expect(verify(trimmed)).rejects.toBeInstanceOf(SnsSignatureError);
  });

  it('verifies confirmations over SubscribeURL and Token, and caches the certificate', async () => {
    // Prepare
    const { fetched, fetchCertificate } = countingFetcher();
    const verify = createSnsSignatureVerifier({ fetchCertificate });
    const confirmation = signer.sign({
      Type: 'SubscriptionConfirmation',
      MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-feedback',
      Message: 'You have chosen to subscribe to the topic.',
      Timestamp: '2026-11-01T10:00:00.000Z',
      SignatureVersion: '1',
      SigningCertURL: CERT_URL,
      SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=abc',
      Token: 'abc',
    });

    // Act
    await verify(confirmation);
    await verify(notification('1'));

    // Assess
    expect(fetched).toEqual([CERT_URL]);
  });

  it.each([
    ['http://sns.us-east-1.amazonaws.com/cert.pem', 'plain https URL'],
    ['https://sns.us-east-1.amazonaws.com.evil.example/cert.pem', 'is not an SNS host'],
    ['https://evil.example/sns.us-east-1.amazonaws.com/cert.pem', 'is not an SNS host'],
    ['https://sns.us-east-1.amazonaws.com:8443/cert.pem', 'plain https URL'],
    ['https://sns.us-east-1.amazonaws.com/cert.txt', '.pem'],
    // S3 bucket host names under amazonaws.com: anyone can create a bucket called "sns".
    ['https://sns.s3.amazonaws.com/cert.pem', 'is not an SNS host'],
    ['https://sns.s3.us-east-1.amazonaws.com/cert.pem', 'is not an SNS host'],
    ['https://sns.s3-website-us-east-1.amazonaws.com/cert.pem', 'is not an SNS host'],
    ['https://sns.amazonaws.com/cert.pem', 'is not an SNS host'],
    ['https://sns.cn-north-1.amazonaws.com/cert.pem', 'is not an SNS host'],
    ['https://sns.us-east-1.amazonaws.com.cn/cert.pem', 'is not an SNS host'],
  ])('refuses to fetch a certificate from %s', (url, reason) => {
    expect(() => snsCertificateUrl(url)).toThrow(reason);
  });

  it.each([
    'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem',
    'https://sns.eu-central-2.amazonaws.com/SimpleNotificationService-1.pem',
    'https://sns.ap-southeast-5.amazonaws.com/SimpleNotificationService-1.pem',
    'https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-1.pem',
    'https://sns.cn-northwest-1.amazonaws.com.cn/SimpleNotificationService-1.pem',
  ])('accepts the SNS regional host of %s', (url) => {
    expect(snsCertificateUrl(url).href).toBe(url);
  });

  it('refuses a certificate from an SNS host that names another subject', async () => {
    // Prepare
    const other = await createSnsTestSigner('attacker.example');
    const verify = createSnsSignatureVerifier({ fetchCertificate: async () => other.certificate });
    const { Signature: _unused, ...unsigned } = notification('2');

    // Act / Assess
    await expect(verify(other.sign(unsigned))).rejects.toThrow(
      'the signing certificate names "attacker.example", not sns.amazonaws.com',
    );
  });

  it('never fetches from a foreign host even when the signature would match', async () => {
    // Prepare
    const { fetched, fetchCertificate } = countingFetcher();
    const verify = createSnsSignatureVerifier({ fetchCertificate });
    const foreign = signer.sign({
      ...notification('1'),
      SigningCertURL: 'https://attacker.example/cert.pem',
    });

    // Act / Assess
    await expect(verify(foreign)).rejects.toThrow('not an SNS host');
    expect(fetched).toEqual([]);
  });

  it('rejects an unknown SignatureVersion', async () => {
    const verify = createSnsSignatureVerifier({ fetchCertificate: countingFetcher().fetchCertificate });
    await expect(verify({ ...notification('1'), SignatureVersion: '3' })).rejects.toThrow(
      'unsupported SignatureVersion 3',
    );
  });

  it('does not cache a failed certificate fetch', async () => {
    // Prepare
    let calls = 0;
    const verify = createSnsSignatureVerifier({
      fetchCertificate: async () => {
        calls += 1;
        if (calls === 1) throw new Error('connection reset');
        return signer.certificate;
      },
    });

    // Act
    const first = verify(notification('1'));
    await expect(first).rejects.toThrow('could not be fetched');
    await verify(notification('1'));

    // Assess
    expect(calls).toBe(2);
  });
});

describe('POST /sns interpretation', () => {
  it('wraps a bare SES notification in the envelope SNS would deliver to SQS, keeping its bytes', async () => {
    // Act
    const result = await interpretSnsPost(sesBounce, undefined);

    // Assess
    expect(result.kind).toBe('enqueue');
    if (result.kind !== 'enqueue') return;
    const envelope = JSON.parse(result.sqsBody) as Record<string, string>;
    expect(envelope.Type).toBe('Notification');
    expect(envelope.Message).toBe(sesBounce);
    expect(result.bare).toBe(true);
  });

  it('notes an UnsubscribeConfirmation without queueing anything', async () => {
    // Act
    const result = await interpretSnsPost(
      JSON.stringify({
        Type: 'UnsubscribeConfirmation',
        MessageId: '47138184-6831-46b8-8f7c-afc488602d7d',
        Token: '2336412f37',
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-feedback',
        Message: 'You have chosen to deactivate subscription.',
        SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=2336412f37',
        Timestamp: '2026-11-01T10:00:00.000Z',
      }),
      'UnsubscribeConfirmation',
    );

    // Assess
    expect(result).toEqual({
      kind: 'confirmation',
      type: 'UnsubscribeConfirmation',
      topicArn: 'arn:aws:sns:us-east-1:123456789012:ses-feedback',
      subscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=2336412f37',
    });
  });

  it('passes a signed notification through when verification is on', async () => {
    // Prepare
    const verifier = createSnsSignatureVerifier({ fetchCertificate: countingFetcher().fetchCertificate });
    const message = notification('2');

    // Act
    const result = await interpretSnsPost(JSON.stringify(message), 'Notification', { verifier });

    // Assess
    expect(result.kind === 'enqueue' && JSON.parse(result.sqsBody).MessageId).toBe(message.MessageId);
  });

  it.each([
    ['not json', undefined, 400, 'not JSON'],
    ['[1,2]', undefined, 400, 'must be a JSON object'],
    ['{"hello":"world"}', undefined, 400, 'neither an SNS message'],
    ['{"Type":"Bogus"}', undefined, 400, 'Unsupported SNS message Type "Bogus"'],
    ['{"Type":"Notification","MessageId":"x","TopicArn":"t","Timestamp":"t"}', undefined, 400, 'Message'],
    [
      '{"Type":"Notification","MessageId":"x","TopicArn":"t","Message":"m","Timestamp":"t"}',
      'SubscriptionConfirmation',
      400,
      'does not match',
    ],
  ])('rejects %s with a clear reason', async (body, header, status, message) => {
    const error = await interpretSnsPost(body, header).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnsIntakeError);
    expect((error as SnsIntakeError).status).toBe(status);
    expect((error as SnsIntakeError).message).toContain(message);
  });

  it('refuses a message from a topic outside the accepted list with 403', async () => {
    // Prepare
    const message = JSON.stringify(notification('1'));

    // Act
    const other = await interpretSnsPost(message, undefined, {
      topicArns: ['arn:aws:sns:us-east-1:123456789012:another-topic'],
    }).catch((e: unknown) => e);
    const listed = await interpretSnsPost(message, undefined, {
      topicArns: ['arn:aws:sns:us-east-1:123456789012:ses-feedback'],
    });

    // Assess
    expect((other as SnsIntakeError).status).toBe(403);
    expect((other as SnsIntakeError).message).toBe(
      'TopicArn arn:aws:sns:us-east-1:123456789012:ses-feedback is not one this endpoint accepts.',
    );
    expect(listed.kind).toBe('enqueue');
  });

  it('refuses a signed message older than SNS retries, or from the future, when an age bound is set', async () => {
    // Prepare: the message says it was sent at 2026-11-01T10:00:00Z.
    const verifier = createSnsSignatureVerifier({ fetchCertificate: countingFetcher().fetchCertificate });
    const body = JSON.stringify(notification('2'));
    const at = (iso: string) => ({ verifier, maxAgeMs: SNS_MAX_MESSAGE_AGE_MS, now: () => new Date(iso) });

    // Act
    const withinTheHour = await interpretSnsPost(body, undefined, at('2026-11-01T11:04:00.000Z'));
    const yearsLater = await interpretSnsPost(body, undefined, at('2029-05-01T10:00:00.000Z')).catch(
      (e: unknown) => e,
    );
    const beforeSent = await interpretSnsPost(body, undefined, at('2026-11-01T09:50:00.000Z')).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(withinTheHour.kind).toBe('enqueue');
    expect((yearsLater as SnsIntakeError).status).toBe(403);
    expect((yearsLater as SnsIntakeError).message).toBe(
      'Message sent at 2026-11-01T10:00:00.000Z is older than 65 minutes (SNS retries for at most an hour): refused as a replay.',
    );
    expect((beforeSent as SnsIntakeError).message).toBe(
      'Message Timestamp 2026-11-01T10:00:00.000Z lies in the future.',
    );
  });

  it('refuses unsigned and bare messages with 403 when verification is on', async () => {
    // Prepare
    const verifier = createSnsSignatureVerifier({ fetchCertificate: countingFetcher().fetchCertificate });
    const { Signature: _dropped, ...unsigned } = notification('1');

    // Act
    const bare = await interpretSnsPost(sesBounce, undefined, { verifier }).catch((e: unknown) => e);
    const missing = await interpretSnsPost(JSON.stringify(unsigned), undefined, { verifier }).catch(
      (e: unknown) => e,
    );
    const forged = await interpretSnsPost(
      JSON.stringify({ ...notification('1'), Message: '{"notificationType":"Delivery"}' }),
      undefined,
      { verifier },
    ).catch((e: unknown) => e);

    // Assess
    expect((bare as SnsIntakeError).status).toBe(403);
    expect((missing as SnsIntakeError).message).toContain('SNS signature required');
    expect((forged as SnsIntakeError).message).toBe(
      'SNS signature verification failed: the signature does not match the message.',
    );
  });
});
