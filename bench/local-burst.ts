// `npm run bench:local-burst`: a burst of API requests against `npm start` on loopback, the stack in its own
// process (as a user runs it, demo samples loaded) so its memory is measured alone: peak RSS (VmHWM), latency
// p50/p99/max by answer (200, 503 shed, or failed), and the latency of the next request once the burst is over.
// Usage: npx tsx bench/local-burst.ts [--requests 7000] [--time-limit-s 180]
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(name);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const REQUESTS = option('--requests', 7_000);
const TIME_LIMIT_MS = option('--time-limit-s', 180) * 1000;
// The page's own calls: the list, the 30-day stats, one recipient.
const PATHS = [
  '/bounces?limit=50',
  `/stats?from=${new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10)}`,
  '/recipients/no.such.user.8841%40gmail.com',
];

const root = join(import.meta.dirname, '..');
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'local', 'start.ts'), '--port', '0'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'pipe'],
});
// Never leave the stack running, whatever ends this process.
process.on('exit', () => child.kill('SIGTERM'));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => process.exit(1));
}
let warnings = 0;
createInterface({ input: child.stderr }).on('line', (line) => {
  if (line.includes('socket usage at capacity')) warnings += 1;
});
const lines = createInterface({ input: child.stdout });
const url = await new Promise<string>((resolve, reject) => {
  let found = '';
  lines.on('line', (line) => {
    if (line.includes('socket usage at capacity')) warnings += 1;
    const page = /page\s+(http:\/\/\S+)\/$/.exec(line);
    if (page?.[1]) found = page[1];
    if (line.startsWith('Replay more with')) resolve(found);
  });
  child.once('exit', (code) => reject(new Error(`the stack exited early (${code})`)));
});

const status = async (field: 'VmHWM' | 'VmRSS') => {
  const text = await readFile(`/proc/${child.pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)?.[1] ?? 0) / 1024;
};
const rssBefore = await status('VmRSS');
const latencies = new Map<string, number[]>();
const counts = new Map<string, number>();
const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
const started = performance.now();
await Promise.all(
  Array.from({ length: REQUESTS }, async (_, i) => {
    const t0 = performance.now();
    // One signal per request: a shared one would collect thousands of abort listeners.
    const deadline = AbortSignal.timeout(Math.max(1, Math.ceil(TIME_LIMIT_MS - (t0 - started))));
    try {
      const response = await fetch(`${url}${PATHS[i % PATHS.length]}`, { signal: deadline });
      await response.arrayBuffer();
      count(String(response.status));
      const own = latencies.get(String(response.status)) ?? [];
      own.push(performance.now() - t0);
      latencies.set(String(response.status), own);
    } catch (error) {
      count(deadline.aborted ? 'unanswered at the time limit' : `error ${(error as Error).name}`);
    }
  }),
);
const elapsedMs = performance.now() - started;
// What the next user sees once the burst is over.
const after = performance.now();
const afterStatus = await fetch(`${url}${PATHS[0]}`, { signal: AbortSignal.timeout(30_000) }).then(
  (response) => response.status,
  (error: Error) => (error.name === 'TimeoutError' ? 'no answer within 30 s' : `failed (${error.name})`),
);
const afterMs = performance.now() - after;
const peak = await status('VmHWM');
child.kill('SIGTERM');

const quantiles = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN).toFixed(1));
  return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1) };
};
process.stdout.write(
  `${JSON.stringify(
    {
      requests: REQUESTS,
      node: process.version,
      cpus: cpus().length,
      loadAverage: loadavg().map((n) => Number(n.toFixed(1))),
      elapsedS: Number((elapsedMs / 1000).toFixed(1)),
      answers: Object.fromEntries(counts),
      latencyByStatus: Object.fromEntries([...latencies].map(([key, values]) => [key, quantiles(values)])),
      nextRequestAfterBurst: { status: afterStatus, ms: Number(afterMs.toFixed(1)) },
      rssBeforeMb: Math.round(rssBefore),
      peakRssMb: Math.round(peak),
      socketCapacityWarnings: warnings,
    },
    null,
    2,
  )}\n`,
);
