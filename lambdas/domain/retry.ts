// The one retry loop: run an attempt until it is done or the attempts run out, pausing between attempts with an
// injected sleep (tests and benches pass their own clock). Callers say what "exhausted" means (a typed error, or
// handing the work back to the queue).

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Pause after the given failed attempt (1-based) before the next one, in ms. */
  pauseMs(attempt: number): number;
  sleep(ms: number): Promise<void>;
}

/** What one attempt achieved: done with a value, or try again (at once when `pause` is false). */
export type AttemptResult<T> = { done: true; value: T } | { done: false; pause: boolean };

export const done = <T>(value: T): AttemptResult<T> => ({ done: true, value });
export const again = (pause = true): AttemptResult<never> => ({ done: false, pause });

/**
 * Jittered pause growing with the attempt (10–30 ms, 20–60 ms, …): after a write lost to a concurrent one (a
 * transaction conflict, a condition another writer changed), so the writers do not meet again at once.
 */
export const contentionPause = (attempt: number): number =>
  10 * attempt + Math.floor(Math.random() * 20 * attempt);

/** The attempts' value, or `exhausted` when every attempt asked for another. */
export async function retry<T, E>(
  policy: RetryPolicy,
  run: (attempt: number) => Promise<AttemptResult<T>>,
  exhausted: () => E,
): Promise<T | E> {
  for (let attempt = 1; attempt <= policy.attempts; attempt += 1) {
    const result = await run(attempt);
    if (result.done) return result.value;
    if (result.pause && attempt < policy.attempts) await policy.sleep(policy.pauseMs(attempt));
  }
  return exhausted();
}

/** Runs one request no sooner than its pace allows. */
export type Paced = <T>(request: () => Promise<T>) => Promise<T>;

/** What paces requests: a rate and an injected clock (tests and operator commands pass their own). */
export interface Pacing {
  /** At most this many requests per second. */
  requestsPerSecond: number;
  /** Epoch milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Spaces requests evenly at `requestsPerSecond`, one after another (the operator commands' `--rate`). */
export function pacer(options: Pacing): Paced {
  const interval = 1000 / options.requestsPerSecond;
  let nextRequestAt = 0;
  return async (request) => {
    const wait = nextRequestAt - options.now();
    if (wait > 0) await options.sleep(wait);
    nextRequestAt = Math.max(nextRequestAt, options.now()) + interval;
    return request();
  };
}

/** A sleep on the real clock, for the handlers. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
