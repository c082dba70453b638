import { waitDuration } from './duration';
import type { Evidence } from './evidence';

export interface EventuallyOptions {
  /** Give up after this long; the last error is rethrown with the attempt count. */
  timeoutMs: number;
  intervalMs?: number;
  /** What is being waited for, for the console and the evidence ("worker processes the test job"). */
  what: string;
  evidence?: Evidence;
  signal?: AbortSignal;
}

export class EventuallyTimeout extends Error {
  constructor(
    readonly what: string,
    readonly attempts: number,
    readonly elapsedMs: number,
    readonly lastError: unknown,
  ) {
    const last = lastError instanceof Error ? lastError.message : String(lastError);
    super(`${what}: not true after ${attempts} attempt(s) over ${(elapsedMs / 1000).toFixed(1)} s; last: ${last}`);
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** Polls fn until it resolves (returns without throwing), recording every attempt. */
export async function eventually<T>(fn: (attempt: number) => Promise<T>, options: EventuallyOptions): Promise<T> {
  const interval = options.intervalMs ?? 1_000;
  const started = Date.now();
  let attempt = 0;
  let lastError: unknown;
  for (;;) {
    attempt += 1;
    try {
      const value = await fn(attempt);
      await options.evidence?.note(`${options.what}: true at attempt ${attempt} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return value;
    } catch (error) {
      lastError = error;
      const message = error instanceof Error ? error.message : String(error);
      // Elapsed against the deadline: a count of attempts says nothing of how long is left.
      const waited = `${waitDuration(Date.now() - started)} of ${waitDuration(options.timeoutMs)}`;
      await options.evidence?.progress(`${options.what}: not yet after ${waited} (${message.split('\n')[0]})`);
    }
    const elapsed = Date.now() - started;
    if (elapsed + interval > options.timeoutMs) throw new EventuallyTimeout(options.what, attempt, elapsed, lastError);
    await sleep(interval, options.signal);
  }
}
