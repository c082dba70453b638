// The embedded provider for real: postgres, redis-server and s3rver start, answer, and leave
// nothing behind (processes, temp dirs, registry entries) on stop, on a failed start and on abort.
import fs from 'node:fs';
import net from 'node:net';
import { Readable } from 'node:stream';
import { createHash, randomBytes } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Client } from '../../lib/storage/s3-client';
import { startStack, stackRecord, type Stack } from '../../rehearsal/stack/index';
import { childrenOf, isAlive, processesUnder, registryFiles, stackDirs, useIsolatedTmpdir, waitUntil } from './helpers/env';

const base = useIsolatedTmpdir();

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port, timeout: 1_000 });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

describe('embedded provider', () => {
  let stack: Stack;
  const logs: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ provider: 'embedded', log: (l) => logs.push(l) });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('starts postgres, redis-server and s3rver and says so in one line', () => {
    expect(stack.provider).toBe('embedded');
    expect(logs.some((l) => l.startsWith('stack provider: embedded'))).toBe(true);
    expect(stack.describe()).toMatch(
      /^embedded: postgres 15\.\d+ \(pid \d+, :\d+, db cutover_\d{14}_[0-9a-f]{8}, \/.+\), redis-server \d+\.\d+\.\d+ \(pid \d+, :\d+\), s3rver :\d+ bucket \S+$/,
    );
  });

  it('never prints the generated postgres password', () => {
    const password = decodeURIComponent(new URL(stack.databaseUrl).password);
    expect(password.length).toBeGreaterThanOrEqual(16);
    expect(stack.describe()).not.toContain(password);
    for (const line of logs) expect(line).not.toContain(password);
  });

  it('gives a fresh, empty, uniquely named database that takes queries', async () => {
    const client = new pg.Client({ connectionString: stack.databaseUrl, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      const db = (
        await client.query<{ db: string; su: boolean }>(
          'SELECT current_database() AS db, usesuper AS su FROM pg_user WHERE usename = current_user',
        )
      ).rows[0]!;
      expect(db.db).toBe(new URL(stack.databaseUrl).pathname.slice(1));
      expect(db.db).toMatch(/^cutover_/);
      expect(db.su).toBe(true);
      const tables = await client.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'`);
      expect(tables.rowCount).toBe(0);
      await client.query('CREATE TABLE t (id int primary key, v text)');
      await client.query(`INSERT INTO t VALUES (1, 'x')`);
      expect((await client.query('SELECT v FROM t WHERE id = 1')).rows[0].v).toBe('x');
    } finally {
      await client.end();
    }
  });

  it('refuses a wrong password (scram auth is on, not trust)', async () => {
    const u = new URL(stack.databaseUrl);
    u.password = 'wrong-password';
    const client = new pg.Client({ connectionString: u.toString(), connectionTimeoutMillis: 5_000 });
    await expect(client.connect()).rejects.toThrow(/password authentication failed/);
    await client.end().catch(() => undefined);
  });

  it('gives a Redis that answers PING', async () => {
    expect(stack.redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.redisMissing).toBeUndefined();
    const redis = new Redis(stack.redisUrl!, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0 });
    try {
      await redis.connect();
      expect(await redis.ping()).toBe('PONG');
      expect(await redis.set('k', 'v')).toBe('OK');
      expect(await redis.config('GET', 'save')).toEqual(['save', '']);
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
    } finally {
      redis.disconnect();
    }
  });

  it('gives an S3 store with the bucket created: put/get, also a streamed upload, round-trips intact', async () => {
    expect(stack.s3).toMatchObject({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1', forcePathStyle: true });
    const client = s3Client(stack.s3);
    try {
      await client.send(new PutObjectCommand({ Bucket: stack.s3.bucket, Key: 'attachments/a.txt', Body: 'hello' }));
      const got = await client.send(new GetObjectCommand({ Bucket: stack.s3.bucket, Key: 'attachments/a.txt' }));
      expect(await got.Body!.transformToString()).toBe('hello');

      const data = randomBytes(1024 * 1024 + 17);
      await client.send(
        new PutObjectCommand({
          Bucket: stack.s3.bucket,
          Key: 'attachments/stream.bin',
          Body: Readable.from([data.subarray(0, 300_000), data.subarray(300_000)]),
          ContentLength: data.length,
        }),
      );
      const back = Buffer.from(
        await (
          await client.send(new GetObjectCommand({ Bucket: stack.s3.bucket, Key: 'attachments/stream.bin' }))
        ).Body!.transformToByteArray(),
      );
      expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    } finally {
      client.destroy();
    }
  });

  it('stop() ends every process (postmaster, its backends, redis-server), closes s3rver, removes temp dir and registry entry; a second stop() is a no-op', async () => {
    const record = stackRecord(stack)!;
    expect(record).toBeDefined();
    const pgPid = record.processes.find((p) => p.kind === 'postgres')!.pid;
    const redisPid = record.processes.find((p) => p.kind === 'redis-server')!.pid;
    const [root] = record.dirs;
    // hold a connection open: stop must not wait for clients
    const client = new pg.Client({ connectionString: stack.databaseUrl });
    client.on('error', () => undefined);
    await client.connect();
    const pgChildren = childrenOf(pgPid);
    expect(pgChildren.length).toBeGreaterThan(2);
    expect(isAlive(pgPid) && isAlive(redisPid)).toBe(true);
    const s3Port = Number(new URL(stack.s3.endpoint).port);
    expect(await canConnect(s3Port)).toBe(true);
    expect(fs.existsSync(root!)).toBe(true);
    expect(registryFiles()).toHaveLength(1);

    await stack.stop();
    await client.end().catch(() => undefined);

    expect(isAlive(pgPid)).toBe(false);
    expect(isAlive(redisPid)).toBe(false);
    expect(await waitUntil(() => pgChildren.every((p) => !isAlive(p)), 3_000)).toBe(true);
    expect(processesUnder(base)).toEqual([]);
    expect(await canConnect(s3Port)).toBe(false);
    expect(fs.existsSync(root!)).toBe(false);
    expect(stackDirs()).toEqual([]);
    expect(registryFiles()).toEqual([]);
    await expect(stack.stop()).resolves.toBeUndefined();
  });
});

describe('embedded provider, unhappy paths', () => {
  it('without redis-server: redisUrl null and redisMissing says why, the rest works', async () => {
    process.env.CUTOVER_STACK_REDIS_SERVER = 'none';
    try {
      const stack = await startStack({ provider: 'embedded', log: () => undefined });
      try {
        expect(stack.redisUrl).toBeNull();
        expect(stack.redisMissing).toMatch(/CUTOVER_STACK_REDIS_SERVER=none/);
        expect(stack.describe()).toContain('redis: none');
      } finally {
        await stack.stop();
      }
    } finally {
      delete process.env.CUTOVER_STACK_REDIS_SERVER;
    }
    expect(stackDirs()).toEqual([]);
  });

  it('the hint for a redis-server missing from PATH names the fixes', async () => {
    const { REDIS_MISSING_HINT } = await import('../../rehearsal/stack/redis');
    expect(REDIS_MISSING_HINT).toContain('apt-get install -y redis-server');
    expect(REDIS_MISSING_HINT).toContain('CUTOVER_STACK_REDIS_URL');
  });

  it('a part failing half-way (redis-server exits at once) stops the parts that started and leaves nothing', async () => {
    process.env.CUTOVER_STACK_REDIS_SERVER = '/bin/false';
    try {
      await expect(startStack({ provider: 'embedded', log: () => undefined })).rejects.toThrow(
        /redis-server \(port \d+\) exited during startup/,
      );
    } finally {
      delete process.env.CUTOVER_STACK_REDIS_SERVER;
    }
    expect(processesUnder(base)).toEqual([]);
    expect(stackDirs()).toEqual([]);
    expect(registryFiles()).toEqual([]);
  });

  it('an abort during startup rejects promptly and leaves nothing', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('operator pressed Ctrl-C')), 150);
    await expect(startStack({ provider: 'embedded', log: () => undefined, signal: ac.signal })).rejects.toThrow(/Ctrl-C/);
    expect(await waitUntil(() => processesUnder(base).length === 0, 5_000)).toBe(true);
    expect(stackDirs()).toEqual([]);
    expect(registryFiles()).toEqual([]);
  });
});
