// Classifications per second in-process, on one core (this thread), over the real-diagnostics corpus and the SES
// samples, and over worst cases (long texts). Run: `npm run bench:classify` (add `-- --write` to update the
// "Classifier (in-process)" section of BENCHMARKS.md).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { BounceInput } from '../lambdas/domain/classification.ts';
import { classifyBounce, MAX_SCANNED_CHARS } from '../lambdas/domain/classify.ts';

const ROOT = join(import.meta.dirname, '..');
const ROUNDS = 7;
const TARGET_SECONDS_PER_ROUND = 0.5;

function loadCorpus(): BounceInput[] {
  const dir = join(ROOT, 'test', 'fixtures', 'diagnostics');
  const entries = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as BounceInput[]);
  const sesDir = join(ROOT, 'test', 'fixtures', 'ses');
  for (const file of readdirSync(sesDir).filter((f) => /^\d\d-/.test(f))) {
    const doc = JSON.parse(readFileSync(join(sesDir, file), 'utf8')) as {
      bounce?: { bounceType: string; bounceSubType: string; bouncedRecipients: BounceInput[] };
    };
    for (const r of doc.bounce?.bouncedRecipients ?? []) {
      entries.push({ bounceType: doc.bounce?.bounceType, bounceSubType: doc.bounce?.bounceSubType, ...r });
    }
  }
  // Only the fields a caller passes; the fixtures' `expected`/`source` keys are not part of the input.
  return entries.map(({ status, diagnosticCode, bounceType, bounceSubType, action }) => ({
    status,
    diagnosticCode,
    bounceType,
    bounceSubType,
    action,
  }));
}

interface Result {
  name: string;
  inputs: number;
  avgChars: number;
  /** Classifications per second of this process's CPU time: what one core does, whatever else runs. */
  perCpuSecond: number;
  /** Classifications per second of wall-clock time (lower when the machine is shared). */
  perWallSecond: number;
}

const median = (values: number[]): number =>
  values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

let sink = 0;

/** Median classifications/s (CPU and wall) over ROUNDS rounds of roughly TARGET_SECONDS_PER_ROUND each. */
function measure(name: string, inputs: readonly BounceInput[]): Result {
  const n = inputs.length;
  for (let i = 0; i < 20_000; i++) sink += classifyBounce(inputs[i % n] as BounceInput).evidence.length; // warm up
  let calls = 1_000;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) sink += classifyBounce(inputs[i % n] as BounceInput).evidence.length;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (seconds > TARGET_SECONDS_PER_ROUND / 4) {
      calls = Math.ceil((calls * TARGET_SECONDS_PER_ROUND) / seconds);
      break;
    }
    calls *= 4;
  }
  const cpuRates: number[] = [];
  const wallRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const wall = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    for (let i = 0; i < calls; i++) sink += classifyBounce(inputs[i % n] as BounceInput).evidence.length;
    const used = process.cpuUsage(cpu);
    cpuRates.push(calls / ((used.user + used.system) / 1e6));
    wallRates.push(calls / (Number(process.hrtime.bigint() - wall) / 1e9));
  }
  const avgChars = inputs.reduce((sum, i) => sum + (i.diagnosticCode?.length ?? 0), 0) / n;
  return {
    name,
    inputs: n,
    avgChars: Math.round(avgChars),
    perCpuSecond: median(cpuRates),
    perWallSecond: median(wallRates),
  };
}

const corpus = loadCorpus();
const longNoMatch = Array.from({ length: 64 }, (_, i) => ({
  status: '5.0.0',
  diagnosticCode: `smtp; 550 ${'lorem ipsum dolor sit amet '.repeat(200)} ${i}`,
}));
const longLateMatch = Array.from({ length: 64 }, (_, i) => ({
  diagnosticCode: `${'x'.repeat(MAX_SCANNED_CHARS - 40)} ${i} 550 5.1.1 user unknown`,
}));
const tenMegabytes = [{ diagnosticCode: `smtp; 550 5.1.1 user unknown ${'y'.repeat(10 * 1024 * 1024)}` }];
const codesOnly = corpus.map(({ status, bounceType, bounceSubType }) => ({
  status,
  bounceType,
  bounceSubType,
}));

const results = [
  measure('corpus mix (real diagnostics + SES samples)', corpus),
  measure('same inputs, status and SES labels only (no text)', codesOnly),
  measure(`worst case: ${longNoMatch[0]?.diagnosticCode.length}-char text, no phrase matches`, longNoMatch),
  measure(`worst case: match at the end of the ${MAX_SCANNED_CHARS}-char scan window`, longLateMatch),
  measure('worst case: one 10 MB diagnostic (read up to the window)', tenMegabytes),
];

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const load = loadavg()[0]?.toFixed(1) ?? '?';
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const lines = [
  '## Classifier (in-process)',
  '',
  `\`npm run bench:classify\` (bench/classify.ts): \`classifyBounce\` called in a loop on one core (the main thread),`,
  `median of ${ROUNDS} rounds of ~${TARGET_SECONDS_PER_ROUND} s after warm-up. Node ${process.version}, ${cpus().length} x ${cpu},`,
  `load average ${load} while measuring. "per CPU-second" divides by this process's CPU time (process.cpuUsage),`,
  'which is what one core delivers even on a shared machine; "per wall-second" is what this run saw.',
  'Target: at least 500,000 classifications/s on one core on the corpus mix.',
  '',
  '| workload | inputs | avg diagnostic chars | classifications / CPU-second | ns of CPU per call | classifications / wall-second |',
  '|---|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.name} | ${r.inputs} | ${r.avgChars} | ${fmt(r.perCpuSecond)} | ${fmt(1e9 / r.perCpuSecond)} | ${fmt(r.perWallSecond)} |`,
  ),
  '',
  `Measured ${new Date().toISOString().slice(0, 10)}. The text is read up to ${MAX_SCANNED_CHARS} characters in one`,
  'pass (an Aho-Corasick automaton over all rule phrases, case/accent/whitespace folded while scanning), so the cost',
  'of a long or hostile diagnostic is bounded.',
  '',
  'Performance pass of 2026-11-26 (fixed text, not this run): five paired runs of this bench at load 1.1-2.0,',
  'the classifier of commit 7bfe7b0 against the new one: corpus mix 728-779 → 670-774 ns per call (medians 757',
  '→ 691), no text 141-151 → 121-124 ns (match and decision objects built once per rule, not per call; the code',
  'rules consulted only when no wording decided). Long texts read 11.1-11.5 → 12.1-12.5 µs here, but that is the',
  'JIT warm-up history of this bench, not the scan: in a separate process warmed on the corpus mix they took 13.2',
  '(old) vs 12.1 µs (new), unwarmed 10.3 µs both. Construction (module import) went from ~60 to ~20 ms of CPU:',
  'see "Lambda bundles".',
  '',
];
const section = lines.join('\n');
process.stdout.write(`${section}\n`);

if (process.argv.includes('--write')) {
  const file = join(ROOT, 'BENCHMARKS.md');
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\n';
  const start = before.indexOf('## Classifier (in-process)');
  let after: string;
  if (start < 0) {
    after = `${before.replace(/\n*$/, '\n\n')}${section}`;
  } else {
    const next = before.indexOf('\n## ', start + 1);
    after = before.slice(0, start) + section + (next < 0 ? '' : `\n${before.slice(next + 1)}`);
  }
  writeFileSync(file, after);
  process.stdout.write(`updated ${file}\n`);
}
if (sink === 42) process.stdout.write('\n'); // keep the results observable so nothing is optimised away
