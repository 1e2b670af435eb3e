// Embedded DynamoDB for the local stack and integration tests: dynalite on loopback, in memory unless a data
// directory is given, and the table created from the same plain-data definition the CDK stack uses.
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

export interface DynaliteOptions {
  /** Persist to this directory (LevelDB); in memory when omitted. */
  dataDir?: string;
  port?: number;
  host?: string;
}

export interface RunningDynalite {
  endpoint: string;
  close(): Promise<void>;
}

export async function startDynalite(opts: DynaliteOptions = {}): Promise<RunningDynalite> {
  if (opts.dataDir) await mkdir(opts.dataDir, { recursive: true });
  // Tables are ACTIVE at once: the default 500 ms CREATING state only slows tests and start-up.
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(opts.dataDir ? { path: opts.dataDir } : {}),
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
