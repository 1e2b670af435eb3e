// The five load-and-fault scenarios of issue 7, each bounded in messages and time: a seeded workload fed to the
// local stack as fast as the processor takes it, faults switched on where the scenario says, DLQs redriven, and
// the end state checked against the workload's own expectations.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type ApiCheck, checkThroughApi } from './api-check.ts';
import type { DynamoFaults, FaultCounts } from './dynamo-fault-proxy.ts';
import { LOAD_TABLE, type LoadStack, snsBodyOf, startLoadStack } from './load-stack.ts';
import { type StateCheck, verifyEndState } from './verify.ts';
import { generateWorkload, seededRandom, type Workload } from './workload.ts';

export const SCENARIOS = ['burst', 'dynamo-faults', 'ses-faults', 'poison', 'query-under-load'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface ScenarioOptions {
  scenario: ScenarioName;
  notifications: number;
  seed: number;
  /** Events happen in the 25 days before this instant (the same for every scenario of one run). */
  base: Date;
  /** The whole scenario, feeding to verdict, must end within this. */
  timeLimitMs: number;
  /** Query API budget for scenario 5. */
  queryBudget?: { p50Ms: number; p99Ms: number };
  /** Messages waiting in the notification queue at most (the feeder waits for the processor). */
  window?: number;
  /** How long DynamoDB stays down in scenario 2 (long enough for messages to exhaust their receives). */
  restartDownMs?: number;
  /** Fault shares of scenarios 2 and 3 (defaults: DYNAMO_FAULTS, SES_FAULTS). */
  dynamoFaults?: DynamoFaults;
  sesFaults?: { throttleRate: number; errorRate: number };
}

export interface QueryStats {
  /** p50/p99 per route template, to see which query suffers. */
  routes: Record<string, { requests: number; p50Ms: number; p99Ms: number }>;
  requests: number;
  failures: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  budget: { p50Ms: number; p99Ms: number };
}

export interface PoisonStats {
  sent: number;
  /** Distinct poison messages found in the DLQ. */
  parked: number;
  /** DLQ entries of poison (more than `parked` if SQS handed one out twice). */
  copies: number;
  parkedWithReason: number;
  maxReceives: number;
  reasons: Record<string, number>;
}

export interface ScenarioResult {
  scenario: ScenarioName;
  /** Messages delivered to the notification queue (duplicates and poison included). */
  messagesIn: number;
  distinctEvents: number;
  check: StateCheck;
  /** Distinct events per second over the processing phase (first message in → notification queue empty). */
  throughput: number;
  processingSeconds: number;
  /** CPU time of this process (processor, worker, store, queues, feeder) per distinct event while processing. */
  cpuMsPerEvent: number;
  suppressionDrainSeconds: number;
  p50LatencyMs: number;
  p99LatencyMs: number;
  redriveRounds: number;
  redriven: number;
  dynamoFaults?: FaultCounts;
  sesFaultCalls?: { throttled: number; failed: number; total: number };
  /** SendMessage calls refused during the SQS outage of scenario 3. */
  sqsRefused?: number;
  poison?: PoisonStats;
  query?: QueryStats;
  /** The end state read back through the query API. */
  api: ApiCheck;
  timedOut: boolean;
  verdict: 'PASS' | 'FAIL';
  reasons: string[];
}

export const DEFAULT_QUERY_BUDGET = { p50Ms: 200, p99Ms: 1000 };

export const DYNAMO_FAULTS: DynamoFaults = {
  throughputExceeded: 0.03,
  throttling: 0.03,
  internalError: 0.03,
  lostResponse: 0.01,
};
const RETRY_DELAY_MS: Record<ScenarioName, number> = {
  burst: 10_000,
  'dynamo-faults': 200,
  'ses-faults': 1_000,
  poison: 10_000,
  'query-under-load': 10_000,
};
export const SES_FAULTS = { throttleRate: 0.2, errorRate: 0.1 };

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

class ScenarioTimeout extends Error {}

function deadlineOf(opts: ScenarioOptions) {
  const end = performance.now() + opts.timeLimitMs;
  return {
    check: () => {
      if (performance.now() > end)
        throw new ScenarioTimeout(`time limit of ${opts.timeLimitMs / 1000} s reached`);
    },
    left: () => Math.max(0, end - performance.now()),
  };
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ScenarioTimeout(`time limit reached while ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Poison of scenario 4: each kind is something a retry can never fix; expected to be parked with a reason. */
export function poisonBodies(
  count: number,
  random: () => number,
  validMessage: string,
): Array<{ kind: string; body: string; envelope: boolean }> {
  const kinds = [
    'not-json',
    'truncated',
    'non-ses',
    'missing-fields',
    'oversized',
    'raw-garbage',
    'bad-recipient',
  ] as const;
  return Array.from({ length: count }, (_, i) => {
    const kind = kinds[i % kinds.length] as (typeof kinds)[number];
    const tag = `${i}-${Math.floor(random() * 1e9).toString(36)}`;
    switch (kind) {
      case 'not-json':
        return { kind, envelope: true, body: `Bounce for poison-${tag}: this is not JSON {` };
      case 'truncated':
        return { kind, envelope: true, body: validMessage.slice(0, Math.floor(validMessage.length / 2)) };
      case 'non-ses':
        return { kind, envelope: true, body: JSON.stringify({ hello: 'world', poison: tag }) };
      case 'missing-fields': {
        const doc = JSON.parse(validMessage) as { mail: Record<string, unknown> };
        delete doc.mail.messageId;
        return { kind, envelope: true, body: JSON.stringify(doc) };
      }
      case 'oversized':
        // ~200 KiB: far above any SES notification, still within SNS's and SQS's 256 KiB.
        return {
          kind,
          envelope: true,
          body: JSON.stringify({
            export: tag,
            rows: Array.from({ length: 4000 }, (_, k) => `row-${k}-${'x'.repeat(40)}`),
          }),
        };
      case 'bad-recipient': {
        // A valid bounce (its good recipient is an expected event) plus a recipient that is no address: the good
        // one is recorded, the message parked with its reason.
        const doc = JSON.parse(validMessage) as { bounce: { bouncedRecipients: unknown[] } };
        doc.bounce.bouncedRecipients.push({
          emailAddress: `undisclosed-recipients-${tag}:;`,
          status: '5.1.1',
        });
        return { kind, envelope: true, body: JSON.stringify(doc) };
      }
      default:
        return { kind, envelope: false, body: `\u0000\u0001 not an SNS envelope ${tag}` };
    }
  });
}

async function feed(
  stack: LoadStack,
  bodies: string[],
  window: number,
  deadline: ReturnType<typeof deadlineOf>,
  midway?: () => Promise<void>,
): Promise<Promise<void> | null> {
  let restart: Promise<void> | null = null;
  for (const body of bodies) {
    while (stack.outstanding() >= window) {
      deadline.check();
      await stack.progress(50);
    }
    stack.send(body);
    // Mid-run means half the messages processed, not half sent: the feeder runs ahead by a window.
    if (midway && !restart && stack.processed.length >= bodies.length / 2) restart = midway();
  }
  return restart;
}

async function queryLoop(stack: LoadStack, workload: Workload, stop: () => boolean, random: () => number) {
  const latencies: number[] = [];
  const byRoute = new Map<string, number[]>();
  let failures = 0;
  const recipients = [...workload.expected.recipients.keys()];
  const days = [...workload.expected.days.keys()].sort();
  const from = `${days[0]}T00:00:00.000Z`;
  const to = `${days.at(-1)}T23:59:59.999Z`;
  const routes = [
    'GET /recipients/{email}',
    'GET /recipients/{email}/events',
    'GET /bounces',
    'GET /bounces?type&verdict',
    'GET /stats',
  ];
  const paths = [
    () =>
      `/recipients/${encodeURIComponent(recipients[Math.floor(random() * recipients.length)] ?? 'x@example.org')}`,
    () =>
      `/recipients/${encodeURIComponent(recipients[Math.floor(random() * recipients.length)] ?? 'x@example.org')}/events?limit=20`,
    () => `/bounces?limit=50&from=${from}&to=${to}`,
    () => `/bounces?type=bounce&verdict=hard&limit=50&from=${from}&to=${to}`,
    () => `/stats?from=${from.slice(0, 10)}&to=${to.slice(0, 10)}`,
  ];
  let i = 0;
  while (!stop()) {
    const route = routes[i % routes.length] as string;
    const path = (paths[i % paths.length] as () => string)();
    i += 1;
    const started = performance.now();
    try {
      const response = await fetch(`${stack.url}${path}`);
      await response.arrayBuffer();
      const ms = performance.now() - started;
      latencies.push(ms);
      byRoute.set(route, [...(byRoute.get(route) ?? []), ms]);
      if (response.status !== 200 && response.status !== 404) failures += 1;
    } catch {
      failures += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const perRoute = Object.fromEntries(
    [...byRoute].map(([route, values]) => [
      route,
      { requests: values.length, p50Ms: percentile(values, 50), p99Ms: percentile(values, 99) },
    ]),
  );
  return { latencies, failures, perRoute };
}

export async function runScenario(opts: ScenarioOptions): Promise<ScenarioResult> {
  const deadline = deadlineOf(opts);
  const random = seededRandom(opts.seed ^ 0xfa17);
  const workload = generateWorkload({ notifications: opts.notifications, seed: opts.seed, base: opts.base });
  const window = opts.window ?? 100;
  const dataDir =
    opts.scenario === 'dynamo-faults' ? await mkdtemp(join(tmpdir(), 'ses-bounce-load-')) : undefined;
  const stack = await startLoadStack({
    seed: opts.seed,
    ...(dataDir ? { dataDir, faultProxy: true } : {}),
    ...(opts.scenario === 'ses-faults' ? { sesFaults: opts.sesFaults ?? SES_FAULTS } : {}),
    // Visibility timeout: short where retries are the point (they then also overlap slow batches, a harder test
    // of exactly-once), long enough elsewhere that a slow batch on a busy machine is not handed out twice.
    retryDelayMs: RETRY_DELAY_MS[opts.scenario],
    ingestMaxReceiveCount: opts.scenario === 'dynamo-faults' ? 3 : 5,
  });
  const reasons: string[] = [];
  const timestamp = opts.base.toISOString();
  let timedOut = false;
  let processingSeconds = 0;
  let cpuMsPerEvent = 0;
  let suppressionDrainSeconds = 0;
  let redriveRounds = 0;
  let redriven = 0;
  let query: QueryStats | undefined;
  let poison: PoisonStats | undefined;
  const poisonSet = new Set<string>();
  try {
    const bodies: string[] = [];
    for (const index of workload.deliveries) {
      const n = workload.notifications[index];
      if (n) bodies.push(await snsBodyOf(n.message, n.snsMessageId, timestamp));
    }
    let poisonList: ReturnType<typeof poisonBodies> = [];
    if (opts.scenario === 'poison') {
      poisonList = poisonBodies(
        Math.max(7, Math.round(bodies.length * 0.01)),
        random,
        workload.notifications[0]?.message ?? '{}',
      );
      for (const [k, p] of poisonList.entries()) {
        const body = p.envelope ? await snsBodyOf(p.body, `poison-0000-4000-8000-${k}`, timestamp) : p.body;
        poisonSet.add(body);
        bodies.splice(Math.floor(random() * (bodies.length + 1)), 0, body);
      }
    }
    if (opts.scenario === 'dynamo-faults') stack.proxy.setFaults(opts.dynamoFaults ?? DYNAMO_FAULTS);

    let writing = true;
    const queries =
      opts.scenario === 'query-under-load'
        ? queryLoop(stack, workload, () => !writing, seededRandom(opts.seed ^ 0x9e7))
        : null;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    try {
      const midway =
        opts.scenario === 'dynamo-faults'
          ? () => stack.restartDynamo(opts.restartDownMs ?? 3000)
          : opts.scenario === 'ses-faults'
            ? // Suppression requests whose events are committed but whose queue message cannot be sent.
              async () => {
                await stack.sqsOutage(2000);
              }
            : undefined;
      const restart = await feed(stack, bodies, window, deadline, midway);
      // A small run may be fed before half of it is processed: restart once the processor is halfway.
      const halfway = async () => {
        while (stack.processed.length < bodies.length / 2 && stack.outstanding() > 0) {
          deadline.check();
          await stack.progress(50);
        }
        await stack.restartDynamo(opts.restartDownMs ?? 3000);
      };
      if (opts.scenario === 'dynamo-faults')
        await within(restart ?? halfway(), deadline.left(), 'restarting DynamoDB');
      await within(
        (async () => {
          for (;;) {
            await stack.queues.ingest.idle();
            if (stack.outstanding() === 0) return;
          }
        })(),
        deadline.left(),
        'processing',
      );
    } finally {
      writing = false;
    }
    processingSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    cpuMsPerEvent = (cpu.user + cpu.system) / 1000 / workload.expected.events.size;
    if (queries) {
      const { latencies, failures, perRoute } = await queries;
      const budget = opts.queryBudget ?? DEFAULT_QUERY_BUDGET;
      query = {
        routes: perRoute,
        requests: latencies.length + failures,
        failures,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        maxMs: Math.max(0, ...latencies),
        budget,
      };
    }

    const drainStarted = performance.now();
    await within(stack.idle(), deadline.left(), 'draining the suppression queue');
    // Faults end with the incident; the operator redrives what the DLQs caught.
    stack.proxy.setFaults({});
    stack.sesv2.setFaults({});
    while (redriveRounds < 5) {
      const parkedPoison = stack.queues.ingestDeadLetter.peek().filter((m) => poisonSet.has(m.body)).length;
      const waiting =
        stack.queues.ingestDeadLetter.stats().visible -
        parkedPoison +
        stack.queues.suppressionDeadLetter.stats().visible;
      if (waiting <= 0) break;
      redriveRounds += 1;
      // Parked poison goes back too, as a real redrive moves everything; it is parked again on first receipt.
      redriven += stack.redrive();
      await within(stack.idle(), deadline.left(), 'processing the redrive');
    }
    suppressionDrainSeconds = (performance.now() - drainStarted) / 1000;

    if (opts.scenario === 'poison') {
      const parked = stack.queues.ingestDeadLetter.peek().filter((m) => poisonSet.has(m.body));
      const reasonsByCode: Record<string, number> = {};
      for (const m of parked) {
        const code = m.attributes['rejection-code'] ?? '(none)';
        reasonsByCode[code] = (reasonsByCode[code] ?? 0) + 1;
      }
      const receives = stack.processed.filter((m) => poisonSet.has(m.body)).map((m) => m.receiveCount);
      poison = {
        sent: poisonSet.size,
        parked: new Set(parked.map((m) => m.body)).size,
        copies: parked.length,
        parkedWithReason: new Set(
          parked.filter((m) => (m.attributes['rejection-code'] ?? '') !== '').map((m) => m.body),
        ).size,
        maxReceives: Math.max(0, ...receives),
        reasons: reasonsByCode,
      };
    }
  } catch (error) {
    if (!(error instanceof ScenarioTimeout)) throw error;
    timedOut = true;
    reasons.push(error.message);
  }

  const nonPoisonInDlq = stack.queues.ingestDeadLetter.peek().filter((m) => !poisonSet.has(m.body)).length;
  const check = await verifyEndState({
    client: stack.verificationClient(),
    table: LOAD_TABLE,
    expected: workload.expected,
    suppressionList: stack.sesv2.entries(),
    sesCalls: stack.sesv2.calls(),
    suppressionRequests: stack.suppressionRequests,
    ...(process.env.LOAD_STATE_DUMP_DIR
      ? {
          dumpTo: `${process.env.LOAD_STATE_DUMP_DIR}/${opts.scenario}-${opts.notifications}-${opts.seed}.state`,
        }
      : {}),
    deadLetters: { ingest: nonPoisonInDlq, suppression: stack.queues.suppressionDeadLetter.stats().visible },
  });
  const api = timedOut
    ? { requests: 0, problems: ['skipped: timed out'] }
    : await checkThroughApi(stack.url, workload, 30);
  const latencies = stack.processed.flatMap((m) => (m.latencyMs === null ? [] : [m.latencyMs]));
  const sesCalls = stack.sesv2.calls();
  const result: ScenarioResult = {
    scenario: opts.scenario,
    messagesIn: workload.deliveries.length + poisonSet.size,
    distinctEvents: workload.expected.events.size,
    check,
    throughput: processingSeconds > 0 ? check.recorded / processingSeconds : 0,
    processingSeconds,
    cpuMsPerEvent,
    suppressionDrainSeconds,
    p50LatencyMs: percentile(latencies, 50),
    p99LatencyMs: percentile(latencies, 99),
    redriveRounds,
    redriven,
    ...(opts.scenario === 'dynamo-faults' ? { dynamoFaults: stack.proxy.counts() } : {}),
    ...(opts.scenario === 'ses-faults'
      ? {
          sesFaultCalls: {
            throttled: sesCalls.filter((c) => c.status === 429).length,
            failed: sesCalls.filter((c) => c.status >= 500).length,
            total: sesCalls.length,
          },
          sqsRefused: stack.sqsRefused(),
        }
      : {}),
    ...(poison ? { poison } : {}),
    ...(query ? { query } : {}),
    api,
    timedOut,
    verdict: 'PASS',
    reasons,
  };
  await stack.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });

  const failures = [...check.problems, ...api.problems.map((p) => `API: ${p}`)];
  if (timedOut) failures.push('timed out');
  if (check.lost > 0 || check.duplicates > 0 || check.unexpected > 0 || check.duplicateSuppressions > 0)
    failures.push('loss or double count');
  if (poison) {
    if (poison.parked !== poison.sent)
      failures.push(`${poison.sent - poison.parked} poison messages not parked`);
    if (poison.parkedWithReason !== poison.parked) failures.push('poison parked without a reason');
    if (poison.maxReceives > 1) failures.push(`poison received ${poison.maxReceives} times`);
  }
  if (query) {
    if (query.failures > 0) failures.push(`${query.failures} query requests failed`);
    if (query.p50Ms > query.budget.p50Ms || query.p99Ms > query.budget.p99Ms)
      failures.push('query latency over budget');
    if (query.requests === 0) failures.push('no query was answered during the run');
  }
  if (opts.scenario === 'dynamo-faults' && (result.dynamoFaults?.unavailable ?? 0) === 0) {
    failures.push('the store restart refused no request: it did not happen under load');
  }
  result.verdict = failures.length === 0 ? 'PASS' : 'FAIL';
  result.reasons = [...reasons, ...failures];
  return result;
}
