// Each live probe against the real thing (the machine's Postgres and Redis, an in-process
// s3rver, Stripe's API as the rehearsal simulates it): passes when it should, fails with a
// clear line when it should, never hangs, leaves nothing behind.
import { delay, http } from 'msw';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3rver, type LocalS3 } from '../../rehearsal/stack/s3';
import { REDIS_URL, STRIPE_KEY, useSimulatedStripe } from './helpers';
import { closedPort } from '../../rehearsal/faults/step-2';
import { probeDatabase } from '../../lib/probes/database';
import { probeObjectStorage } from '../../lib/probes/object-storage';
import { runProbe } from '../../lib/probes/probe';
import { probeRedis } from '../../lib/probes/redis';
import { probeStripe } from '../../lib/probes/stripe';
import { SERVER_URL } from '../support/database';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const stripe = useSimulatedStripe();
const API = 'https://api.stripe.com';

describe('runProbe', () => {
  it('fails a probe that does not answer in time, and tells it to stop', async () => {
    let aborted = false;
    const result = await runProbe('slow', 100, (signal) => {
      signal.addEventListener('abort', () => (aborted = true));
      return new Promise<string>(() => undefined);
    });
    expect(result).toMatchObject({ name: 'slow', ok: false, detail: 'no answer within 100 ms' });
    expect(aborted).toBe(true);
  });
});

describe('probeDatabase', () => {
  it('connects and runs SELECT 1', async () => {
    const result = await probeDatabase(SERVER_URL, 5_000);
    expect(result).toMatchObject({ ok: true, detail: expect.stringMatching(/^connected to .*; SELECT 1 → 1$/) });
  });

  it('a closed port is a refused connection, named by host:port only', async () => {
    const url = new URL(SERVER_URL);
    url.port = String(await closedPort());
    url.password = 'Probe-Db-Password-1';
    const result = await probeDatabase(url.toString(), 5_000);
    expect(result).toMatchObject({ ok: false, detail: `connection refused at 127.0.0.1:${url.port}` });
  });

  it('a database that does not exist says so', async () => {
    const url = new URL(SERVER_URL);
    url.pathname = '/cutover_probe_no_such_db';
    const result = await probeDatabase(url.toString(), 5_000);
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/does not exist/);
  });
});

describe('probeRedis', () => {
  it('PING, then set/get/delete under the prefix, leaving no key', async () => {
    const prefix = `cutover-harness:selftest-${process.pid}:`;
    const result = await probeRedis(REDIS_URL, prefix, 5_000);
    expect(result).toMatchObject({ ok: true, detail: expect.stringMatching(new RegExp(`SET/GET/DEL ${prefix}probe-[0-9a-f]{8} ok$`)) });
    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.keys(`${prefix}*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it("runs that share a run id (started in the same second) probe at once without reading each other's key", async () => {
    const prefix = `cutover-harness:selftest-${process.pid}-same-second:`;
    const results = await Promise.all(Array.from({ length: 20 }, () => probeRedis(REDIS_URL, prefix, 5_000)));
    expect(results.filter((r) => !r.ok).map((r) => r.detail)).toEqual([]);
  });

  it('without a prefix (the doctor) it stops after PING: nothing is written', async () => {
    const result = await probeRedis(REDIS_URL, null, 5_000);
    expect(result).toMatchObject({ ok: true, detail: expect.stringMatching(/^connected to \S+; PING → PONG$/) });
  });

  it('a closed port fails at once with the address', async () => {
    const port = await closedPort();
    const result = await probeRedis(`redis://:Redis-Pw-1@127.0.0.1:${port}`, 'x:', 5_000);
    expect(result).toMatchObject({ ok: false, detail: `connection refused at 127.0.0.1:${port}` });
  });
});

describe('probeObjectStorage', () => {
  let s3: LocalS3;
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cutover-probe-s3-'));
    s3 = await startS3rver({ dir, bucket: 'probe-bucket' });
  });
  afterAll(async () => {
    await s3.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('HeadBucket, then put/get/delete of a canary that is gone afterwards', async () => {
    const result = await probeObjectStorage(s3.settings, 'cutover-harness/selftest/', 5_000);
    expect(result).toMatchObject({
      ok: true,
      detail: expect.stringMatching(
        /HeadBucket ok; canary cutover-harness\/selftest\/canary-\w+\.txt put, read back identical \(sha256\), deleted/,
      ),
    });
    const left = await fs.readdir(path.join(dir, 'probe-bucket')).catch(() => []);
    expect(left.filter((f) => !f.startsWith('.'))).toEqual([]);
  });

  it('without a prefix (the doctor) it lists at most one key instead: no object is written', async () => {
    const before = (await fs.readdir(dir, { recursive: true })).sort();
    const result = await probeObjectStorage(s3.settings, null, 5_000);
    expect(result).toMatchObject({ ok: true, detail: expect.stringContaining('HeadBucket ok; ListObjectsV2 (1 key at most) ok') });
    expect((await fs.readdir(dir, { recursive: true })).sort()).toEqual(before);
  });

  it('a bucket that does not exist is named', async () => {
    const result = await probeObjectStorage({ ...s3.settings, bucket: 'no-such-bucket' }, 'x/', 5_000);
    expect(result).toMatchObject({
      ok: false,
      detail: `bucket "no-such-bucket" at 127.0.0.1:${s3.port}: the bucket does not exist (HeadBucket 404)`,
    });
  });

  it('an endpoint nobody listens on fails within the deadline', async () => {
    const result = await probeObjectStorage({ ...s3.settings, endpoint: `http://127.0.0.1:${await closedPort()}` }, 'x/', 5_000);
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/HeadBucket: connection refused/);
  });
});

describe('probeStripe', () => {
  it('the key works and is in the expected mode', async () => {
    expect(await probeStripe(STRIPE_KEY, 'test', API, 5_000)).toMatchObject({
      ok: true,
      detail: 'GET /v1/account → acct_rehearsal; test key, as expected',
    });
  });

  it('a key Stripe does not know is refused (401), without quoting it', async () => {
    const result = await probeStripe('sk_test_UnknownSelftestKey000000', 'test', API, 5_000);
    expect(result).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^GET \/v1\/account: Stripe refused STRIPE_SECRET_KEY \(401\)/),
    });
    expect(result.detail).not.toContain('UnknownSelftestKey');
  });

  it('a working key of the other mode fails', async () => {
    const result = await probeStripe(STRIPE_KEY, 'live', API, 5_000);
    expect(result).toMatchObject({
      ok: false,
      detail: 'the key works (account acct_rehearsal) but is a test key; this environment expects live (environment.expect.stripeMode)',
    });
  });

  it('Stripe not answering fails within the deadline', async () => {
    stripe.use(
      http.get('https://api.stripe.com/v1/account', async () => {
        await delay('infinite');
        return new Response();
      }),
    );
    try {
      const result = await probeStripe(STRIPE_KEY, 'test', API, 300);
      expect(result.ok).toBe(false);
      expect(result.detail).toMatch(/no answer within 300 ms|cannot reach Stripe/);
    } finally {
      stripe.resetHandlers();
    }
  });

  it('a key that is no Stripe secret key is refused before any call', async () => {
    expect(await probeStripe('pk_live_PublishableSelftest01', 'live', API, 5_000)).toMatchObject({
      ok: false,
      detail: 'the secret key is not an sk_/rk_ live or test key',
    });
  });
});
