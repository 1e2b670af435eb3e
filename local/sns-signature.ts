// Verifies the signature SNS puts on every HTTP(S) delivery (SignatureVersion 1 = SHA1-RSA, 2 = SHA256-RSA),
// fetching the signing certificate only over HTTPS from an SNS host, checking whom it names, and caching it.

import { createVerify, X509Certificate } from 'node:crypto';
import { request } from 'node:https';

export interface SnsSignedMessage {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  Subject?: string | undefined;
  SubscribeURL?: string | undefined;
  Token?: string | undefined;
}

/** Fetches a PEM certificate; injected in tests so nothing leaves loopback. */
export type CertificateFetcher = (url: URL) => Promise<string>;

export class SnsSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnsSignatureError';
  }
}

/**
 * SNS's own regional endpoints, exactly: sns.<region>.amazonaws.com in the commercial and GovCloud partitions
 * (us-gov-west-1, …) and sns.<region>.amazonaws.com.cn in China (cn-north-1, cn-northwest-1), as listed in
 * "Amazon Simple Notification Service endpoints and quotas" (https://docs.aws.amazon.com/general/latest/gr/sns.html).
 * Any other name under amazonaws.com may be someone's S3 bucket (sns.s3.amazonaws.com) and is refused.
 */
const SNS_CERT_HOST =
  /^sns\.(?:(?!cn-)[a-z]{2}(?:-gov)?-[a-z]+-\d{1,2}\.amazonaws\.com|cn-[a-z]+-\d{1,2}\.amazonaws\.com\.cn)$/;

/**
 * The common name SNS's signing certificates carry: sns.amazonaws.com. For the China partition we have seen no
 * certificate, so its partition name and the regional host are accepted too (from a China SNS host only).
 */
function expectedSubjects(certificateHost: string): string[] {
  return certificateHost.endsWith('.amazonaws.com.cn')
    ? ['sns.amazonaws.com', 'sns.amazonaws.com.cn', certificateHost]
    : ['sns.amazonaws.com'];
}
const MAX_CERT_BYTES = 64 * 1024;

/** The certificate URL must be https://sns.<region>.amazonaws.com/....pem, nothing else. */
export function snsCertificateUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SnsSignatureError('SigningCertURL is not a URL');
  }
  if (url.protocol !== 'https:' || url.port !== '' || url.username !== '' || url.password !== '') {
    throw new SnsSignatureError('SigningCertURL must be a plain https URL');
  }
  if (!SNS_CERT_HOST.test(url.hostname)) {
    throw new SnsSignatureError(
      `SigningCertURL host ${url.hostname} is not an SNS host (sns.<region>.amazonaws.com)`,
    );
  }
  if (!url.pathname.endsWith('.pem')) throw new SnsSignatureError('SigningCertURL must point to a .pem file');
  return url;
}

/** The canonical string SNS signs: `key\nvalue\n` for a fixed list of keys per message type. */
export function stringToSign(message: SnsSignedMessage): string {
  const keys =
    message.Type === 'Notification'
      ? (['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const)
      : (['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const);
  let text = '';
  for (const key of keys) {
    const value = message[key];
    if (value === undefined || value === null) {
      if (key === 'Subject') continue;
      throw new SnsSignatureError(`${message.Type} is missing ${key}, which SNS signs`);
    }
    text += `${key}\n${value}\n`;
  }
  return text;
}

export interface SnsSignatureVerifierOptions {
  fetchCertificate?: CertificateFetcher;
  now?: () => Date;
}

export type SnsSignatureVerifier = (message: SnsSignedMessage) => Promise<void>;

export function createSnsSignatureVerifier(opts: SnsSignatureVerifierOptions = {}): SnsSignatureVerifier {
  const fetchCertificate = opts.fetchCertificate ?? fetchCertificateOverHttps;
  const now = opts.now ?? (() => new Date());
  const cache = new Map<string, Promise<X509Certificate>>();

  const certificateFor = (url: URL): Promise<X509Certificate> => {
    const key = url.href;
    let pending = cache.get(key);
    if (!pending) {
      pending = fetchCertificate(url).then((pem) => {
        try {
          return new X509Certificate(pem);
        } catch {
          throw new SnsSignatureError('the signing certificate is not a valid X.509 certificate');
        }
      });
      // A failed fetch is not cached, so a transient error does not poison later messages.
      pending.catch(() => cache.delete(key));
      cache.set(key, pending);
    }
    return pending;
  };

  return async (message) => {
    const algorithm =
      message.SignatureVersion === '1' ? 'RSA-SHA1' : message.SignatureVersion === '2' ? 'RSA-SHA256' : null;
    if (!algorithm) throw new SnsSignatureError(`unsupported SignatureVersion ${message.SignatureVersion}`);
    const url = snsCertificateUrl(message.SigningCertURL);
    const canonical = stringToSign(message);
    let certificate: X509Certificate;
    try {
      certificate = await certificateFor(url);
    } catch (error) {
      if (error instanceof SnsSignatureError) throw error;
      throw new SnsSignatureError('the signing certificate could not be fetched');
    }
    const subject = commonNameOf(certificate);
    if (subject === undefined || !expectedSubjects(url.hostname).includes(subject)) {
      throw new SnsSignatureError(
        `the signing certificate names ${subject === undefined ? 'no common name' : JSON.stringify(subject)}, not sns.amazonaws.com`,
      );
    }
    const at = now().getTime();
    if (at < Date.parse(certificate.validFrom) || at > Date.parse(certificate.validTo)) {
      throw new SnsSignatureError('the signing certificate is outside its validity period');
    }
    const valid = createVerify(algorithm)
      .update(canonical, 'utf8')
      .verify(certificate.publicKey, message.Signature, 'base64');
    if (!valid) throw new SnsSignatureError('the signature does not match the message');
  };
}

function commonNameOf(certificate: X509Certificate): string | undefined {
  for (const line of certificate.subject.split('\n')) {
    if (line.startsWith('CN=')) return line.slice(3);
  }
  return undefined;
}

function fetchCertificateOverHttps(url: URL): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', timeout: 5_000 }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new SnsSignatureError(`fetching the signing certificate answered HTTP ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_CERT_BYTES) {
          req.destroy(new SnsSignatureError('the signing certificate is too large'));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new SnsSignatureError('fetching the signing certificate timed out')));
    req.on('error', reject);
    req.end();
  });
}
