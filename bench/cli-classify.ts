// Benchmark of the `ses-bounce classify` JSON Lines stream: lines per second through the real bin, against a floor
// program that only parses each line and writes a same-sized JSON line through the same buffered output; and the
// peak resident memory of each for a 1,000,000-line stream. Run: npm run bench:cli [-- --lines N --runs R]

import { spawn } from 'node:child_process';
import {
  closeSync,
  createWriteStream,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BounceInput } from '../lambdas/domain/classification.ts';
import { classifyBounce } from '../lambdas/domain/classify.ts';

const { values } = parseArgs({
  options: { lines: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '3' } },
});
const LINES = Number(values.lines);
const RUNS = Number(values.runs);
const BIN = fileURLToPath(new URL('../bin/ses-bounce.mjs', import.meta.url));
const FLOOR = fileURLToPath(new URL('./cli-classify-floor.ts', import.meta.url));
// Resolved here so the floor starts from any working directory, like the bin (which loads tsx itself).
const TSX = import.meta.resolve('tsx');

// A realistic mix: the big providers' wording, generic and missing codes, multi-line and non-English text.
const TEMPLATES: ReadonlyArray<(n: number) => Record<string, string | null>> = [
  (n) => ({
    status: '5.1.1',
    diagnosticCode: `smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser ${n}si-gsmtp`,
    bounceType: 'Permanent',
    bounceSubType: 'General',
    action: 'failed',
  }),
  (n) => ({
    status: '5.1.10',
    diagnosticCode: `smtp; 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient user${n}@contoso.com not found by SMTP address lookup`,
    bounceType: 'Permanent',
    bounceSubType: 'General',
    action: 'failed',
  }),
  (n) => ({
    status: '5.2.2',
    diagnosticCode: `smtp; 552-5.2.2 The recipient's inbox is out of storage space. ${n} - gsmtp`,
    bounceType: 'Transient',
    bounceSubType: 'MailboxFull',
    action: 'failed',
  }),
  (n) => ({
    status: '5.7.1',
    diagnosticCode: `smtp; 550 5.7.1 Service unavailable, Client host [192.0.2.${n % 255}] blocked using Spamhaus. To request removal from this list see https://www.spamhaus.org/query/ip/192.0.2.${n % 255}`,
    bounceType: 'Permanent',
    bounceSubType: 'General',
    action: 'failed',
  }),
  (n) => ({
    status: '5.7.26',
    diagnosticCode: `smtp; 550-5.7.26 This mail is unauthenticated, which poses a security risk to the sender and Gmail users, and has been blocked. The sender must authenticate with at least one of SPF or DKIM. ${n} - gsmtp`,
    bounceType: 'Permanent',
    bounceSubType: 'General',
    action: 'failed',
  }),
  (n) => ({
    status: '5.0.0',
    diagnosticCode: `smtp; 554 delivery error: dd This user doesn't have a yahoo.com account (user${n}@yahoo.com) [0] - mta1234.mail.bf1.yahoo.com`,
    bounceType: 'Permanent',
    bounceSubType: 'General',
    action: 'failed',
  }),
  (n) => ({
    status: '4.7.0',
    diagnosticCode: `smtp; 421 4.7.0 [TSS04] Messages from 203.0.113.${n % 255} temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes`,
    bounceType: 'Transient',
    bounceSubType: 'General',
    action: 'failed',
  }),
  (n) => ({
    status: '5.7.606',
    diagnosticCode: `smtp; 550 5.7.606 Access denied, banned sending IP [198.51.100.${n % 255}]. To request removal from this list please visit https://sender.office.com/ and follow the directions.`,
    bounceType: 'Permanent',
    bounceSubType: 'General',
    action: 'failed',
  }),
  (n) => ({
    status: '4.4.7',
    diagnosticCode: `smtp; 550 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.0 Unable to lookup DNS for example${n}.net>`,
    bounceType: 'Transient',
    bounceSubType: 'General',
    action: 'failed',
  }),
  (n) => ({
    status: '5.4.4',
    diagnosticCode: `Amazon SES did not send the message to this address because it is on the suppression list for your account. ${n}`,
    bounceType: 'Permanent',
    bounceSubType: 'OnAccountSuppressionList',
    action: 'failed',
  }),
  (n) => ({
    status: '5.1.1',
    diagnosticCode: `smtp; 550 5.1.1 <user${n}@example.org>: Recipient address rejected: User unknown in virtual mailbox table`,
    bounceType: 'Permanent',
    bounceSubType: 'General',
    action: 'failed',
  }),
  () => ({
    status: null,
    diagnosticCode: null,
    bounceType: 'Undetermined',
    bounceSubType: 'Undetermined',
    action: 'failed',
  }),
  (n) => ({
    status: '5.0.0',
    diagnosticCode: `smtp; 550 Adresat nie istnieje / User unknown (skrzynka ${n} nie istnieje)\n    Remote-MTA: dns; mx.poczta.example.pl`,
    bounceType: 'Permanent',
    bounceSubType: 'General',
    action: 'failed',
  }),
  (n) => ({
    status: '4.2.1',
    diagnosticCode: `smtp; 450-4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered. ${n} - gsmtp`,
    bounceType: 'Transient',
    bounceSubType: 'General',
    action: 'delayed',
  }),
];

function generate(path: string, lines: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(path);
    out.on('error', reject);
    let i = 0;
    const write = () => {
      let ok = true;
      while (i < lines && ok) {
        const template = TEMPLATES[(i * 7919) % TEMPLATES.length];
        ok = out.write(`${JSON.stringify(template?.(i) ?? {})}\n`);
        i++;
      }
      if (i < lines) out.once('drain', write);
      else out.end(resolve);
    };
    write();
  });
}

interface RunResult {
  seconds: number;
  /** User + system CPU seconds of the child (null without /usr/bin/time). */
  cpuSeconds: number | null;
  lines: number;
  outputBytes: number;
  peakRssMb: number;
  exitCode: number | null;
}

function peakRss(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Number(match[1]) / 1024;
  } catch {
    return 0;
  }
}

// GNU time gives exact CPU time and peak RSS of the child; without it, peak RSS is sampled from /proc.
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

function runOnce(args: string[], inputPath: string, dir: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const input = openSync(inputPath, 'r');
    const usagePath = join(dir, 'usage.txt');
    const [command, commandArgs] =
      GNU_TIME === null
        ? [process.execPath, args]
        : [GNU_TIME, ['-f', '%U %S %M', '-o', usagePath, process.execPath, ...args]];
    const started = process.hrtime.bigint();
    const child = spawn(command, commandArgs, { stdio: [input, 'pipe', 'inherit'] });
    closeSync(input);
    let lines = 0;
    let outputBytes = 0;
    let peak = 0;
    // VmHWM is the process's own high-water mark, so sampling it shortly before exit sees the true peak.
    const sampler = setInterval(() => {
      if (GNU_TIME === null && child.pid !== undefined) peak = Math.max(peak, peakRss(child.pid));
    }, 20);
    child.stdout?.on('data', (chunk: Buffer) => {
      outputBytes += chunk.length;
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
    });
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearInterval(sampler);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      let cpuSeconds: number | null = null;
      if (GNU_TIME !== null) {
        const [user = 0, system = 0, maxRssKb = 0] = readFileSync(usagePath, 'utf8')
          .trim()
          .split(/\s+/)
          .map(Number);
        cpuSeconds = user + system;
        peak = maxRssKb / 1024;
      }
      resolve({ seconds, cpuSeconds, lines, outputBytes, peakRssMb: peak, exitCode });
    });
  });
}

/** In-process CPU cost of classifyBounce alone on (a sample of) the same input, in seconds per line. */
function classifierSecondsPerLine(inputPath: string, sample: number): number {
  const text = readFileSync(inputPath, 'utf8');
  const inputs: BounceInput[] = [];
  for (let from = 0, i = 0; i < sample && from < text.length; i++) {
    const end = text.indexOf('\n', from);
    inputs.push(JSON.parse(text.slice(from, end === -1 ? text.length : end)) as BounceInput);
    from = end === -1 ? text.length : end + 1;
  }
  let best = Number.POSITIVE_INFINITY;
  // CPU time, like the children's: wall time on a busy machine would count time spent waiting for a core.
  for (let round = 0; round < 3; round++) {
    const started = process.cpuUsage();
    for (const input of inputs) classifyBounce(input);
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 1e6 / inputs.length);
  }
  return best;
}

const median = (numbers: number[]) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)] ?? 0;

const dir = mkdtempSync(join(tmpdir(), 'ses-bounce-bench-'));
try {
  const inputPath = join(dir, 'bounces.jsonl');
  await generate(inputPath, LINES);
  const inputMb = statSync(inputPath).size / 1024 / 1024;
  console.error(`input: ${LINES} lines, ${inputMb.toFixed(1)} MB`);

  const cli: RunResult[] = [];
  const cliWorkers: RunResult[] = [];
  const floor: RunResult[] = [];
  let lineLength = 150;
  const check = (name: string, r: RunResult) => {
    if (r.exitCode !== 0 || r.lines !== LINES) throw new Error(`${name} run failed: ${JSON.stringify(r)}`);
    return r;
  };
  for (let run = 0; run < RUNS; run++) {
    const c = check('CLI', await runOnce([BIN, 'classify'], inputPath, dir));
    cli.push(c);
    lineLength = Math.round(c.outputBytes / c.lines) - 1;
    const s = check('CLI --threads 2', await runOnce([BIN, 'classify', '--threads', '2'], inputPath, dir));
    cliWorkers.push(s);
    const f = check('floor', await runOnce(['--import', TSX, FLOOR, String(lineLength)], inputPath, dir));
    floor.push(f);
    console.error(
      `run ${run + 1}: cli ${c.seconds.toFixed(2)} s ${c.peakRssMb.toFixed(0)} MB; cli --threads 2 ${s.seconds.toFixed(2)} s ${s.peakRssMb.toFixed(0)} MB; floor ${f.seconds.toFixed(2)} s ${f.peakRssMb.toFixed(0)} MB`,
    );
  }
  const rate = (runs: RunResult[]) => LINES / median(runs.map((r) => r.seconds));
  const peak = (runs: RunResult[]) => Math.round(Math.max(...runs.map((r) => r.peakRssMb)));
  const floorRate = rate(floor);
  const classifierPerLine = classifierSecondsPerLine(inputPath, Math.min(LINES, 200_000));
  // Lines per CPU-second: less sensitive than wall time to other work on a shared machine.
  const cpuRate = (runs: RunResult[]) => {
    const cpu = runs.map((r) => r.cpuSeconds).filter((c): c is number => c !== null);
    return cpu.length === 0 ? null : LINES / median(cpu);
  };
  const ratio = (a: number | null, b: number | null) =>
    a === null || b === null ? null : Number((a / b).toFixed(3));
  const summary = {
    lines: LINES,
    inputMb: Number(inputMb.toFixed(1)),
    runs: RUNS,
    cpus: availableParallelism(),
    cliDefaultThreads: Math.max(1, Math.min(availableParallelism() - 1, 4)),
    cliLinesPerSecond: Math.round(rate(cli)),
    cliTwoWorkersLinesPerSecond: Math.round(rate(cliWorkers)),
    floorLinesPerSecond: Math.round(floorRate),
    cliVsFloor: Number((rate(cli) / floorRate).toFixed(3)),
    cliTwoWorkersVsFloor: Number((rate(cliWorkers) / floorRate).toFixed(3)),
    cliLinesPerCpuSecond: Math.round(cpuRate(cli) ?? 0),
    cliTwoWorkersLinesPerCpuSecond: Math.round(cpuRate(cliWorkers) ?? 0),
    floorLinesPerCpuSecond: Math.round(cpuRate(floor) ?? 0),
    cliVsFloorPerCpuSecond: ratio(cpuRate(cli), cpuRate(floor)),
    classifierInProcessPerSecond: Math.round(1 / classifierPerLine),
    cliOwnOverheadMicrosecondsPerLine: ((): number | null => {
      const c = cpuRate(cli);
      const f = cpuRate(floor);
      return c === null || f === null ? null : Number(((1 / c - 1 / f - classifierPerLine) * 1e6).toFixed(2));
    })(),
    loadAverageAtEnd: loadavg()[0],
    cliPeakRssMb: peak(cli),
    cliTwoWorkersPeakRssMb: peak(cliWorkers),
    floorPeakRssMb: peak(floor),
    avgOutputLineBytes: lineLength + 1,
    floorAvgOutputLineBytes: Math.round(median(floor.map((r) => r.outputBytes / r.lines))),
    node: process.version,
  };
  console.log(JSON.stringify(summary, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
