import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { ProbeFailure, runProbe, type ProbeResult } from './probe';

function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * PING, then a set/get/delete of one key under `keyPrefix` (e.g. cutover-harness:<runId>:),
 * with an expiry so a probe killed half-way leaves nothing behind for long. A null prefix
 * stops after PING: the doctor writes nothing anywhere.
 */
export function probeRedis(redisUrl: string, keyPrefix: string | null, timeoutMs: number): Promise<ProbeResult> {
  const at = where(redisUrl);
  return runProbe('redis', timeoutMs, async (signal) => {
    const redis = new Redis(redisUrl, {
      lazyConnect: true,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    let lastError = '';
    redis.on('error', (err: Error & { code?: string }) => {
      lastError = err.code === 'ECONNREFUSED' ? `connection refused at ${at}` : err.message;
    });
    signal.addEventListener('abort', () => redis.disconnect(), { once: true });
    try {
      try {
        await redis.connect();
      } catch (error) {
        throw new ProbeFailure(lastError || `cannot connect to ${at}: ${(error as Error).message}`);
      }
      const pong = await redis.ping();
      if (pong !== 'PONG') throw new ProbeFailure(`PING at ${at} answered ${JSON.stringify(pong)}`);
      if (keyPrefix === null) return `connected to ${at}; PING → PONG`;
      // Its own key, not only the run's: two runs started in the same second share a run id.
      const key = `${keyPrefix}probe-${randomBytes(4).toString('hex')}`;
      const value = randomBytes(8).toString('hex');
      await redis.set(key, value, 'PX', 60_000);
      const read = await redis.get(key);
      if (read !== value) throw new ProbeFailure(`GET of the key just set at ${at} returned another value`);
      const deleted = await redis.del(key);
      if (deleted !== 1) throw new ProbeFailure(`DEL of the probe key at ${at} removed ${deleted} keys`);
      return `connected to ${at}; PING → PONG; SET/GET/DEL ${key} ok`;
    } catch (error) {
      if (error instanceof ProbeFailure) throw error;
      throw new ProbeFailure(`Redis at ${at}: ${lastError || (error as Error).message}`);
    } finally {
      redis.disconnect();
    }
  });
}
