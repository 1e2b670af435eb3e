// `npm run bench:load`: the load-and-fault scenarios of issue 7, each in its own process (fresh Lambda
// containers, own environment), one table of what went in, what was recorded, lost or counted twice, and why a
// scenario failed. Usage: npx tsx bench/load.ts [--notifications N] [--seed S] [--only a,b] [--time-limit-s T]
import { spawn } from 'node:child_process';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { SCENARIOS, type ScenarioName, type ScenarioResult } from '../harness/load/scenarios.ts';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const notifications = Number(option('--notifications') ?? 2000);
const seed = Number(option('--seed') ?? 7);
const timeLimitS = Number(option('--time-limit-s') ?? 1800);
const only = option('--only')?.split(',') ?? [...SCENARIOS];
// One base instant for every scenario, so equal inputs must give equal end states.
const base = new Date().toISOString().slice(0, 10);

function runChild(scenario: ScenarioName): Promise<ScenarioResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        new URL('./load/run-one.ts', import.meta.url).pathname,
        '--scenario',
        scenario,
        '--notifications',
        String(notifications),
        '--seed',
        String(seed),
        '--base',
        base,
        '--time-limit-s',
        String(timeLimitS),
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line) as ScenarioResult);
      } catch {
        reject(new Error(`${scenario}: exited ${code} without a result`));
      }
    });
  });
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const loadNow = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const machine = `${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM (${(freemem() / 2 ** 30).toFixed(1)} GiB free), node ${process.version}`;
const loadBefore = loadNow();
const started = Date.now();
const results: ScenarioResult[] = [];
for (const scenario of SCENARIOS) {
  if (!only.includes(scenario)) continue;
  process.stderr.write(`running ${scenario} (${fmt(notifications)} notifications, load ${loadNow()}) ...\n`);
  results.push(await runChild(scenario));
}

// Equal inputs, equal end state: the fault scenarios must end where the burst ended.
const burst = results.find((r) => r.scenario === 'burst');
for (const r of results) {
  if (!burst || r === burst || r.scenario === 'query-under-load') continue;
  if (r.check.digest !== burst.check.digest) {
    r.verdict = 'FAIL';
    r.reasons.push(`end state differs from the burst's (${r.check.digest} vs ${burst.check.digest})`);
  }
}

const header = [
  'scenario',
  'events in',
  'distinct',
  'recorded',
  'duplicates',
  'lost',
  'suppressions exp / act',
  'throughput (events/s)',
  'p99 processing latency',
  'verdict',
];
const rows = results.map((r) => [
  r.scenario,
  fmt(r.messagesIn),
  fmt(r.distinctEvents),
  fmt(r.check.recorded),
  fmt(r.check.duplicates + r.check.duplicateSuppressions),
  fmt(r.check.lost),
  `${fmt(r.check.suppressionsExpected)} / ${fmt(r.check.suppressionsActual)}`,
  r.throughput.toFixed(1),
  `${(r.p99LatencyMs / 1000).toFixed(2)} s`,
  r.verdict,
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
const output = [
  `Machine: ${machine}; load average before ${loadBefore}, after ${loadNow()}`,
  `Workload: ${fmt(notifications)} notifications per scenario (+10% delivered twice, shuffled), seed ${seed}; ${((Date.now() - started) / 60000).toFixed(1)} min in total`,
  '',
  line(header),
  line(widths.map((w) => '-'.repeat(w))),
  ...rows.map(line),
  '',
];
for (const r of results) {
  const notes = [
    `processing ${r.processingSeconds.toFixed(1)} s (${r.cpuMsPerEvent.toFixed(1)} ms CPU per event), suppression queue drained ${r.suppressionDrainSeconds.toFixed(1)} s later, p50 latency ${(r.p50LatencyMs / 1000).toFixed(2)} s`,
  ];
  if (r.check.rePuts > 0)
    notes.push(
      `${r.check.rePuts} SES re-puts of an already confirmed request (confirm write failed; upsert)`,
    );
  if (r.redriven > 0) notes.push(`${r.redriven} messages redriven in ${r.redriveRounds} round(s)`);
  if (r.dynamoFaults) {
    const f = r.dynamoFaults;
    notes.push(
      `DynamoDB: ${fmt(f.requests)} requests, injected ${f.throughputExceeded} ProvisionedThroughputExceeded, ${f.throttling} Throttling, ${f.internalError} 500, ${f.lostResponse} applied-then-500, ${f.unavailable} refused during the restart`,
    );
  }
  if (r.sesFaultCalls) {
    notes.push(
      `SESv2: ${r.sesFaultCalls.total} calls, ${r.sesFaultCalls.throttled} answered 429, ${r.sesFaultCalls.failed} answered 500; ` +
        `SQS refused SendMessage ${r.sqsRefused ?? 0}× during a 2 s outage`,
    );
  }
  if (r.poison) {
    notes.push(
      `poison: ${r.poison.sent} sent, ${r.poison.parked} parked (${r.poison.parkedWithReason} with a reason: ${Object.entries(
        r.poison.reasons,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}), received at most ${r.poison.maxReceives}×`,
    );
  }
  if (r.query) {
    const q = r.query;
    notes.push(
      `query API during the burst: ${q.requests} requests, ${q.failures} failed, p50 ${fmt(q.p50Ms)} ms, p99 ${fmt(q.p99Ms)} ms (budget p50 ≤ ${q.budget.p50Ms} ms, p99 ≤ ${q.budget.p99Ms} ms); ` +
        Object.entries(q.routes)
          .map(([route, s]) => `${route} p50 ${fmt(s.p50Ms)} / p99 ${fmt(s.p99Ms)} ms`)
          .join('; '),
    );
  }
  if (r.reasons.length > 0) notes.push(`FAIL because: ${r.reasons.join('; ')}`);
  output.push(`- ${r.scenario}: ${notes.join('; ')}`);
}
process.stdout.write(`${output.join('\n')}\n`);
process.exitCode = results.every((r) => r.verdict === 'PASS') ? 0 : 1;
