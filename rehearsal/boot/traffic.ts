/**
 * A trickle of ordinary reads, as real users would send, so the monitoring step has a 5xx
 * rate to measure in the target's request log. Before that step, `warmUp()` tops the reads
 * up to a short burst's worth, so that even a run that resumes straight at monitoring (--from)
 * finds a production-like history; sent at the start instead, the burst held back the first
 * step by ~120 ms. Stops with the rehearsal.
 */
export function startTraffic(
  baseUrl: () => string,
  path = '/health',
  everyMs = 250,
  burst = 30,
): { warmUp(): Promise<void>; stop(): void } {
  // undici loads as the traffic starts, after the target is up, not with the wing (see
  // rehearsal/stack/pg-session.ts); a read before it has loaded waits for it.
  const undici = import('undici');
  undici.catch(() => undefined);
  const get = async (url: string) => {
    const { request } = await undici;
    const res = await request(url, { headersTimeout: 2_000, bodyTimeout: 2_000, headers: { 'user-agent': 'rehearsal-traffic' } });
    await res.body.dump();
  };
  let stopped = false;
  let inFlight: Promise<unknown> | undefined;
  let sent = 0;
  const read = () => {
    sent += 1;
    return get(new URL(path, baseUrl()).toString()).catch(() => undefined);
  };
  const timer = setInterval(() => {
    if (stopped || inFlight) return;
    inFlight = read().finally(() => {
      inFlight = undefined;
    });
  }, everyMs);
  timer.unref();
  return {
    async warmUp() {
      while (sent < burst && !stopped) await read();
      // A trickle read counted above may still be on its way: the monitoring step reads the log next.
      await inFlight;
    },
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
