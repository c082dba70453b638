/** One live check of a dependency with the target's own credentials. */
export interface ProbeResult {
  name: string;
  ok: boolean;
  /** What was done and seen, or why it failed: one line, no secret values. */
  detail: string;
  durationMs: number;
}

export class ProbeFailure extends Error {}

/**
 * Runs fn with a deadline. fn gets an AbortSignal that fires at the deadline so it can close
 * what it opened; a probe that does not answer in time fails, it never hangs the run.
 */
export async function runProbe(name: string, timeoutMs: number, fn: (signal: AbortSignal) => Promise<string>): Promise<ProbeResult> {
  const started = Date.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new ProbeFailure(`no answer within ${timeoutMs} ms`));
      reject(controller.signal.reason);
    }, timeoutMs);
  });
  try {
    const detail = await Promise.race([fn(controller.signal), deadline]);
    return { name, ok: true, detail, durationMs: Date.now() - started };
  } catch (error) {
    return { name, ok: false, detail: (error as Error).message || String(error), durationMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** A probe that cannot run because its settings are missing: a failure that says what to set. */
export function notConfigured(name: string, problems: string[]): ProbeResult {
  return { name, ok: false, detail: `cannot probe: ${problems.join('; ')}`, durationMs: 0 };
}
