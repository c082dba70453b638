import { request } from 'undici';

const get = (url: string) =>
  request(url, { headersTimeout: 2_000, bodyTimeout: 2_000, headers: { 'user-agent': 'rehearsal-traffic' } }).then((res) =>
    res.body.dump(),
  );

/**
 * A trickle of ordinary reads, as real users would send, so the monitoring step has a 5xx
 * rate to measure in the target's request log. A short burst first, so that even a run that
 * resumes straight at monitoring (--from) finds a production-like history. Stops with the rehearsal.
 */
export async function startTraffic(baseUrl: () => string, path = '/health', everyMs = 250, warmUp = 30): Promise<{ stop(): void }> {
  for (let i = 0; i < warmUp; i += 1) await get(new URL(path, baseUrl()).toString()).catch(() => undefined);
  let stopped = false;
  let inFlight = false;
  const timer = setInterval(() => {
    if (stopped || inFlight) return;
    inFlight = true;
    get(new URL(path, baseUrl()).toString())
      .catch(() => undefined)
      .finally(() => {
        inFlight = false;
      });
  }, everyMs);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
