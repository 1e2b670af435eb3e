// A throwaway RSA key and self-signed certificate standing in for SNS's signing certificate, and a signer that
// signs messages the way SNS does (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA). Needs the openssl command.
import { execFileSync } from 'node:child_process';
import { createSign } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SnsSignedMessage, stringToSign } from '../../local/sns-signature.ts';

export interface SnsTestSigner {
  /** PEM of the self-signed certificate, to be served by an injected certificate fetcher. */
  certificate: string;
  sign(message: Omit<SnsSignedMessage, 'Signature'>): SnsSignedMessage;
}

/** `commonName` is the certificate's subject CN (SNS's own certificates name sns.amazonaws.com). */
export async function createSnsTestSigner(commonName = 'sns.amazonaws.com'): Promise<SnsTestSigner> {
  const dir = await mkdtemp(join(tmpdir(), 'sns-signer-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        `/CN=${commonName}`,
      ],
      { stdio: 'ignore' },
    );
    const privateKey = await readFile(join(dir, 'key.pem'), 'utf8');
    const certificate = await readFile(join(dir, 'cert.pem'), 'utf8');
    return {
      certificate,
      sign(message) {
        const algorithm = message.SignatureVersion === '2' ? 'RSA-SHA256' : 'RSA-SHA1';
        const Signature = createSign(algorithm)
          .update(stringToSign({ ...message, Signature: '' }))
          .sign(privateKey, 'base64');
        return { ...message, Signature };
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
