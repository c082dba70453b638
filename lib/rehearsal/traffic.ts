import { request } from 'undici';

/**
 * A trickle of ordinary reads, as real users would send, so the monitoring step has a 5xx
 * rate to measure in the target's request log. Stops with the rehearsal.
 */
export function startTraffic(baseUrl: () => string, path = '/health', everyMs = 250): { stop(): void } {
  let stopped = false;
  let inFlight = false;
  const timer = setInterval(() => {
    if (stopped || inFlight) return;
    inFlight = true;
    request(new URL(path, baseUrl()).toString(), { headersTimeout: 2_000, bodyTimeout: 2_000, headers: { 'user-agent': 'rehearsal-traffic' } })
      .then((res) => res.body.dump())
      .catch(() => undefined)
      .finally(() => { inFlight = false; });
  }, everyMs);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
