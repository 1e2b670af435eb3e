// Who may talk to the local stack from a browser. On loopback the stack has no token, so two browser attacks are
// closed here: DNS rebinding (a page on attacker.example whose name now resolves to 127.0.0.1 is same-origin with
// the stack, so its Host header names attacker.example: only loopback names and addresses are served) and
// cross-site writes (a page elsewhere may POST a text/plain body with no preflight: a write whose Origin is not
// the stack's own is refused). Clients that send no Origin (curl, the AWS SDKs, SNS) are not browsers and pass.
import type { IncomingMessage } from 'node:http';

export interface Refusal {
  status: 403;
  code: string;
  message: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True for loopback names and addresses: localhost, 127.0.0.0/8, ::1 (bracketed or not). */
export function isLoopback(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

function hostnameOf(hostHeader: string): string | null {
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return null;
  }
}

/** On a loopback stack, a request whose Host is not a loopback name or address (DNS rebinding). */
export function rebindingRefusal(req: IncomingMessage): Refusal | null {
  const host = req.headers.host;
  if (host === undefined) return null;
  const hostname = hostnameOf(host);
  if (hostname !== null && isLoopback(hostname)) return null;
  return {
    status: 403,
    code: 'misdirected-request',
    message: 'This local stack answers only requests addressed to localhost, 127.0.0.1 or [::1].',
  };
}

/** A write (any method but GET/HEAD/OPTIONS) sent by a page of another origin than the stack itself. */
export function crossSiteWriteRefusal(req: IncomingMessage): Refusal | null {
  if (SAFE_METHODS.has(req.method ?? 'GET')) return null;
  const origin = req.headers.origin;
  const fetchSite = req.headers['sec-fetch-site'];
  const sameOrigin = origin === undefined || origin === `http://${req.headers.host ?? ''}`;
  if (sameOrigin && fetchSite !== 'cross-site' && fetchSite !== 'same-site') return null;
  return {
    status: 403,
    code: 'cross-site-request',
    message: `Writes are accepted only from the stack's own page, not from origin ${JSON.stringify(origin ?? fetchSite)}.`,
  };
}
