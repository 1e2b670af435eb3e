// `npm run bench:local-burst`: a burst of API requests against `npm start` on loopback, the stack in its own
// process (as a user runs it, demo samples loaded) so its memory is measured alone: peak RSS (VmHWM), latency
// p50/p99 of the answered requests, and how many were answered 200, 503 (shed) or failed.
// Usage: npx tsx bench/local-burst.ts [--requests 7000] [--time-limit-s 180]
import { spawn } from 'node:child_process';
import { setMaxListeners } from 'node:events';
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
const deadline = AbortSignal.timeout(TIME_LIMIT_MS);
setMaxListeners(REQUESTS + 1, deadline);
const latencies: number[] = [];
const counts = new Map<string, number>();
const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
const started = performance.now();
await Promise.all(
  Array.from({ length: REQUESTS }, async (_, i) => {
    const t0 = performance.now();
    try {
      const response = await fetch(`${url}${PATHS[i % PATHS.length]}`, { signal: deadline });
      await response.arrayBuffer();
      count(String(response.status));
      if (response.status === 200) latencies.push(performance.now() - t0);
    } catch (error) {
      count(deadline.aborted ? 'unanswered at the time limit' : `error ${(error as Error).name}`);
    }
  }),
);
const elapsedMs = performance.now() - started;
const peak = await status('VmHWM');
child.kill('SIGTERM');

latencies.sort((a, b) => a - b);
const quantile = (q: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
process.stdout.write(
  `${JSON.stringify(
    {
      requests: REQUESTS,
      node: process.version,
      cpus: cpus().length,
      loadAverage: loadavg().map((n) => Number(n.toFixed(1))),
      elapsedS: Number((elapsedMs / 1000).toFixed(1)),
      answers: Object.fromEntries(counts),
      p50Ms: Number(quantile(0.5).toFixed(1)),
      p99Ms: Number(quantile(0.99).toFixed(1)),
      rssBeforeMb: Math.round(rssBefore),
      peakRssMb: Math.round(peak),
      socketCapacityWarnings: warnings,
    },
    null,
    2,
  )}\n`,
);
