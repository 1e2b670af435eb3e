// A fault-injecting proxy on loopback in front of a DynamoDB endpoint (dynalite + its transactions front): a
// seeded share of requests is answered with ProvisionedThroughputExceededException, ThrottlingException or a 500
// before reaching the store, a share is applied and then answered with a 500 (the response lost on the way back),
// and the store behind it can be restarted while clients keep calling.
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DynamoFaults {
  /** Share of requests answered 400 ProvisionedThroughputExceededException (not applied). */
  throughputExceeded?: number;
  /** Share answered 400 ThrottlingException (not applied). */
  throttling?: number;
  /** Share answered 500 InternalServerError (not applied). */
  internalError?: number;
  /** Share applied by the store, then answered 500 InternalServerError (the client cannot tell it happened). */
  lostResponse?: number;
}

export interface FaultCounts {
  requests: number;
  throughputExceeded: number;
  throttling: number;
  internalError: number;
  lostResponse: number;
  /** Requests refused while the store was restarting. */
  unavailable: number;
}

export interface DynamoFaultProxy {
  endpoint: string;
  setFaults(faults: DynamoFaults): void;
  counts(): FaultCounts;
  /**
   * Takes the store down and up again: new requests get a 500 from the moment this is called, requests already
   * forwarded finish (so no transaction is cut in half), then `restart` runs and its endpoint becomes the target.
   * The store stays unavailable for at least `downMs`.
   */
  restartUpstream(restart: () => Promise<string>, downMs: number): Promise<void>;
  close(): Promise<void>;
}

const PREFIX = 'com.amazonaws.dynamodb.v20120810#';

function answer(res: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ __type: type, message });
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': `fault-${Date.now()}`,
  });
  res.end(body);
}

export async function startDynamoFaultProxy(opts: {
  upstream: string;
  random: () => number;
  faults?: DynamoFaults;
}): Promise<DynamoFaultProxy> {
  let upstream = new URL(opts.upstream);
  let faults: DynamoFaults = opts.faults ?? {};
  let down = false;
  let inFlight = 0;
  let drained: (() => void) | null = null;
  const counts: FaultCounts = {
    requests: 0,
    throughputExceeded: 0,
    throttling: 0,
    internalError: 0,
    lostResponse: 0,
    unavailable: 0,
  };
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });

  const settle = () => {
    inFlight -= 1;
    if (inFlight === 0 && drained) drained();
  };

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, loseResponse: boolean) => {
    inFlight += 1;
    const upstreamReq = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host, 'content-length': String(body.length) },
        agent,
      },
      (upstreamRes) => {
        const chunks: Buffer[] = [];
        upstreamRes.on('data', (chunk: Buffer) => chunks.push(chunk));
        upstreamRes.on('end', () => {
          settle();
          if (loseResponse) {
            counts.lostResponse += 1;
            answer(res, 500, `${PREFIX}InternalServerError`, 'Injected: applied, response lost');
            return;
          }
          const payload = Buffer.concat(chunks);
          res.writeHead(upstreamRes.statusCode ?? 500, {
            ...upstreamRes.headers,
            'content-length': String(payload.length),
          });
          res.end(payload);
        });
        upstreamRes.on('error', () => {
          settle();
          res.destroy();
        });
      },
    );
    upstreamReq.on('error', () => {
      settle();
      if (!res.headersSent) answer(res, 500, `${PREFIX}InternalServerError`, 'Upstream unavailable');
      else res.destroy();
    });
    upstreamReq.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      counts.requests += 1;
      if (down) {
        counts.unavailable += 1;
        answer(res, 500, `${PREFIX}InternalServerError`, 'Injected: the store is restarting');
        return;
      }
      const roll = opts.random();
      let edge = faults.throughputExceeded ?? 0;
      if (roll < edge) {
        counts.throughputExceeded += 1;
        answer(
          res,
          400,
          `${PREFIX}ProvisionedThroughputExceededException`,
          'Injected: the level of configured provisioned throughput for the table was exceeded',
        );
        return;
      }
      edge += faults.throttling ?? 0;
      if (roll < edge) {
        counts.throttling += 1;
        answer(
          res,
          400,
          'com.amazon.coral.availability#ThrottlingException',
          'Injected: rate of requests exceeds the allowed throughput',
        );
        return;
      }
      edge += faults.internalError ?? 0;
      if (roll < edge) {
        counts.internalError += 1;
        answer(res, 500, `${PREFIX}InternalServerError`, 'Injected: internal server error');
        return;
      }
      edge += faults.lostResponse ?? 0;
      forward(req, res, Buffer.concat(chunks), roll < edge);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    setFaults: (next) => {
      faults = next;
    },
    counts: () => ({ ...counts }),
    restartUpstream: async (restart, downMs) => {
      down = true;
      const since = Date.now();
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      drained = null;
      agent.destroy();
      upstream = new URL(await restart());
      const left = downMs - (Date.now() - since);
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
      down = false;
    },
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
