// Checks AWS Signature Version 4 on calls to the emulated AWS services (SQS, SESv2, DynamoDB) of a stack that has
// an API token: the token is the secret access key, so the in-process Lambdas (whose SDK clients sign with
// AWS_SECRET_ACCESS_KEY) and an operator's SDK client need the same credential as the query API.
// The signature is recomputed with the SDK's own signer (@smithy/signature-v4) over the headers the client signed.
import { createHash, createHmac, type Hash, type Hmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';

/** What AWS allows between the signing time and its own clock (SigV4: "within 15 minutes"); stricter here. */
const MAX_SIGNING_SKEW_MS = 5 * 60_000;

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** SHA-256 (or HMAC-SHA-256 with a secret) in the shape the signer expects. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash =
      secret === undefined
        ? createHash('sha256')
        : createHmac('sha256', typeof secret === 'string' ? secret : toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
  reset(): void {}
}

function toBuffer(data: ArrayBuffer | ArrayBufferView): Buffer {
  return ArrayBuffer.isView(data)
    ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    : Buffer.from(data);
}

/**
 * Null when `req` (with its already read `body`) carries a valid SigV4 signature made with `secret`; otherwise
 * why not, in words fit for the caller.
 */
export async function awsSignatureProblem(
  req: IncomingMessage,
  body: string | Buffer,
  secret: string,
  now: Date = new Date(),
): Promise<string | null> {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? AUTHORIZATION.exec(header) : null;
  if (!match) return 'an AWS Signature Version 4 Authorization header is required';
  const [, accessKeyId = '', , region = '', service = '', signedHeaderList = '', signature = ''] = match;
  const amzDate = AMZ_DATE.exec(String(req.headers['x-amz-date'] ?? ''));
  if (!amzDate) return 'the X-Amz-Date header is missing or malformed';
  const [, y, mo, d, h, mi, s] = amzDate;
  const signingDate = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
  if (Math.abs(now.getTime() - signingDate.getTime()) > MAX_SIGNING_SKEW_MS) {
    return 'the request was signed more than 5 minutes away from now';
  }
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date')) {
    return 'Host and X-Amz-Date must be signed';
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = req.headers[name];
    if (value === undefined) return `the signed header ${name} is missing`;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const declaredHash = headers['x-amz-content-sha256'];
  if (declaredHash !== undefined && declaredHash !== createHash('sha256').update(body).digest('hex')) {
    return 'X-Amz-Content-SHA256 does not match the body';
  }
  const rawUrl = req.url ?? '/';
  const queryStart = rawUrl.indexOf('?');
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(queryStart < 0 ? '' : rawUrl.slice(queryStart + 1))) {
    const previous = query[name];
    query[name] =
      previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  const signer = new SignatureV4({
    service,
    region,
    credentials: { accessKeyId, secretAccessKey: secret },
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: req.method ?? 'GET',
      protocol: 'http:',
      hostname: headers.host ?? '',
      path: queryStart < 0 ? rawUrl : rawUrl.slice(0, queryStart),
      query,
      headers,
      body,
    },
    { signingDate, signingRegion: region, signingService: service },
  );
  const expected = /Signature=([0-9a-f]{64})$/.exec(String(signed.headers.authorization ?? ''))?.[1] ?? '';
  const given = Buffer.from(signature);
  const computed = Buffer.from(expected);
  return given.length === computed.length && timingSafeEqual(given, computed)
    ? null
    : 'the signature does not match (sign with the API token as the secret access key)';
}
