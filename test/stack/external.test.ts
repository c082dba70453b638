// The external provider against this machine's own Postgres and Redis (as on a CI runner):
// CUTOVER_STACK_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) and
// CUTOVER_STACK_REDIS_URL (default redis://127.0.0.1:6379).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Client } from '../../lib/storage/s3-client';
import { startStack, stackRecord, type Stack } from '../../rehearsal/stack/index';
import { dropStaleDatabases, externalConfigProblems } from '../../rehearsal/stack/external';
import { creatorApplicationName } from '../../rehearsal/stack/postgres';
import { sleep } from '../../rehearsal/stack/util';
import type { StackRecord } from '../../rehearsal/stack/cleanup';
import { registryFiles, stackDirs, useIsolatedTmpdir } from './helpers/env';

const base = useIsolatedTmpdir();
const SERVER_URL = process.env.CUTOVER_STACK_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.CUTOVER_STACK_REDIS_URL || 'redis://127.0.0.1:6379';

const saved: Record<string, string | undefined> = {};
function setEnv(vars: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(vars)) {
    if (!(k in saved)) saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

async function serverQuery<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 5_000 });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}
const databaseExists = async (name: string) => (await serverQuery('SELECT 1 FROM pg_database WHERE datname = $1', [name])).length === 1;
/** Whether the server still runs the session that creates `name` (see creatorApplicationName). */
const creatorRuns = async (name: string) =>
  (await serverQuery("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'", [creatorApplicationName(name)]))
    .length === 1;

/** A stack registry record of a run that is gone, which had begun creating `name`. */
function recordKilledRun(ownerPid: number, name: string): void {
  const record: StackRecord = {
    id: `killed-run-${name}`,
    provider: 'external',
    ownerPid,
    createdAt: new Date().toISOString(),
    processes: [],
    dirs: [],
    pgDataDirs: [],
    externalDatabase: { server: '127.0.0.1:5432', name },
  };
  fs.mkdirSync(path.join(base, 'cutover-harness-stacks'), { recursive: true });
  fs.writeFileSync(path.join(base, 'cutover-harness-stacks', `${record.id}.json`), JSON.stringify(record));
}

/**
 * A process creating `name`, killed while the server still runs its CREATE DATABASE (which the
 * server then finishes on its own): the creator's pid, or undefined when the CREATE ended first.
 */
async function killMidCreate(name: string): Promise<number | undefined> {
  const root = path.resolve(import.meta.dirname, '../..');
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/stack/helpers/create-database.ts', SERVER_URL, name], {
    cwd: root,
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 20_000;
  while (!(await creatorRuns(name)) && child.exitCode === null && Date.now() < deadline) await sleep(2);
  child.kill('SIGKILL');
  await exited;
  return (await creatorRuns(name)) ? child.pid : undefined;
}

describe('external provider', () => {
  let stack: Stack;
  let dbName: string;
  const logs: string[] = [];

  beforeAll(async () => {
    setEnv({
      CUTOVER_STACK_DATABASE_URL: SERVER_URL,
      CUTOVER_STACK_REDIS_URL: REDIS_URL,
      CUTOVER_STACK_S3_ENDPOINT: undefined,
    });
    stack = await startStack({ provider: 'external', log: (l) => logs.push(l) });
    dbName = new URL(stack.databaseUrl).pathname.slice(1);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('creates a fresh, uniquely named, empty database on the given server', async () => {
    expect(stack.provider).toBe('external');
    expect(dbName).toMatch(/^cutover_\d{14}_[0-9a-f]{8}$/);
    expect(await databaseExists(dbName)).toBe(true);
    const c = new pg.Client({ connectionString: stack.databaseUrl });
    await c.connect();
    try {
      expect((await c.query('SELECT current_database() AS d')).rows[0].d).toBe(dbName);
      expect((await c.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'`)).rowCount).toBe(0);
    } finally {
      await c.end();
    }
    const u = new URL(stack.databaseUrl);
    const s = new URL(SERVER_URL);
    expect(`${u.hostname}:${u.port}`).toBe(`${s.hostname}:${s.port}`);
  });

  it('passes the Redis URL through after checking it answers', async () => {
    expect(stack.redisUrl).toBe(REDIS_URL);
    const r = new Redis(stack.redisUrl!, { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await r.connect();
      expect(await r.ping()).toBe('PONG');
    } finally {
      r.disconnect();
    }
  });

  it('without CUTOVER_STACK_S3_ENDPOINT runs s3rver in-process, bucket created', async () => {
    expect(stack.s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = s3Client(stack.s3);
    try {
      await client.send(new PutObjectCommand({ Bucket: stack.s3.bucket, Key: 'k', Body: 'external' }));
      const got = await client.send(new GetObjectCommand({ Bucket: stack.s3.bucket, Key: 'k' }));
      expect(await got.Body!.transformToString()).toBe('external');
    } finally {
      client.destroy();
    }
  });

  it('describes itself in one line without credentials', () => {
    expect(stack.describe()).toMatch(
      /^external: postgres \S+ at 127\.0\.0\.1:5432 \(db cutover_\S+\), redis \S+ at 127\.0\.0\.1:6379, s3rver :\d+ bucket \S+$/,
    );
  });

  it('stop() drops the database even with a session still open, and removes its temp dir', async () => {
    const root = stackRecord(stack)!.dirs[0]!;
    expect(fs.existsSync(root)).toBe(true);
    const c = new pg.Client({ connectionString: stack.databaseUrl });
    c.on('error', () => undefined);
    await c.connect();
    await stack.stop();
    await c.end().catch(() => undefined);
    expect(await databaseExists(dbName)).toBe(false);
    expect(fs.existsSync(root)).toBe(false);
    expect(registryFiles()).toEqual([]);
    await expect(stack.stop()).resolves.toBeUndefined();
  });
});

describe('external provider, configuration and failures', () => {
  it('lists every configuration problem at once', () => {
    expect(externalConfigProblems({})).toEqual([expect.stringMatching(/^CUTOVER_STACK_DATABASE_URL is not set: .*CREATE DATABASE/)]);
    const problems = externalConfigProblems({
      CUTOVER_STACK_DATABASE_URL: 'mysql://x',
      CUTOVER_STACK_REDIS_URL: 'http://x',
      CUTOVER_STACK_S3_ENDPOINT: 'http://minio:9000',
    });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/not a postgres:\/\/ URL[\s\S]*not a redis:\/\/ URL/);
    expect(problems.join('\n')).toMatch(/CUTOVER_STACK_S3_SECRET_ACCESS_KEY is required/);
  });

  it('without CUTOVER_STACK_DATABASE_URL fails with a clear error and creates nothing', async () => {
    setEnv({ CUTOVER_STACK_DATABASE_URL: undefined });
    try {
      await expect(startStack({ provider: 'external', log: () => undefined })).rejects.toThrow(/CUTOVER_STACK_DATABASE_URL is not set/);
    } finally {
      setEnv({ CUTOVER_STACK_DATABASE_URL: SERVER_URL });
    }
    expect(registryFiles()).toEqual([]);
  });

  it('an unreachable Postgres fails fast, naming host:port but not the password', async () => {
    setEnv({ CUTOVER_STACK_DATABASE_URL: 'postgres://postgres:hunter2-secret@127.0.0.1:1/postgres' });
    try {
      const err = await startStack({ provider: 'external', log: () => undefined }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/Postgres at 127\.0\.0\.1:1 .*not usable/);
      expect((err as Error).message).not.toContain('hunter2');
    } finally {
      setEnv({ CUTOVER_STACK_DATABASE_URL: SERVER_URL });
    }
    expect(registryFiles()).toEqual([]);
  });

  it('a Redis URL that does not answer fails the start, and the database already created is dropped again', async () => {
    setEnv({ CUTOVER_STACK_DATABASE_URL: SERVER_URL, CUTOVER_STACK_REDIS_URL: 'redis://:redispw-secret@127.0.0.1:1' });
    let message: string;
    try {
      const err = await startStack({ provider: 'external', log: () => undefined }).catch((e: Error) => e);
      message = (err as Error).message;
    } finally {
      setEnv({ CUTOVER_STACK_REDIS_URL: REDIS_URL });
    }
    expect(message).toMatch(/Redis at .*127\.0\.0\.1:1 did not answer PING/);
    expect(message).not.toContain('redispw-secret');
    // By its name, not by a before/after list of the server's databases: other self-tests
    // create and drop theirs on the same server meanwhile.
    const dropped = /the database (cutover_\w+) it had created on \S+ was dropped again/.exec(message)?.[1];
    expect(dropped, message).toBeDefined();
    expect(await databaseExists(dropped!)).toBe(false);
    expect(registryFiles()).toEqual([]);
    expect(stackDirs()).toEqual([]);
  });

  it('an abort that lands as the start finishes still rejects it, and the database it created is dropped', async () => {
    const ac = new AbortController();
    let database = '';
    // The provider's last line, after its last look at the signal: the abort lands there.
    const log = (line: string) => {
      const started = / \(db (cutover_\w+)\).* - started in /.exec(line);
      if (!started) return;
      database = started[1]!;
      ac.abort(new Error('operator pressed Ctrl-C'));
    };
    await expect(startStack({ provider: 'external', log, signal: ac.signal })).rejects.toThrow(/Ctrl-C/);
    expect(database).not.toBe('');
    expect(await databaseExists(database)).toBe(false);
    expect(registryFiles()).toEqual([]);
    expect(stackDirs()).toEqual([]);
  });

  it('drops a database that a killed earlier run left on the same server', async () => {
    const leftover = `cutover_19990101000000_${Math.random().toString(16).slice(2, 10)}`;
    await serverQuery(`CREATE DATABASE ${leftover}`);
    recordKilledRun(2 ** 22 - 1, leftover);
    setEnv({ CUTOVER_STACK_DATABASE_URL: SERVER_URL, CUTOVER_STACK_REDIS_URL: REDIS_URL });
    const logs: string[] = [];
    const stack = await startStack({ provider: 'external', log: (l) => logs.push(l) });
    try {
      expect(await databaseExists(leftover)).toBe(false);
      expect(logs.join('\n')).toContain(`dropped database ${leftover} left by an earlier killed run`);
    } finally {
      await stack.stop();
    }
    expect(registryFiles()).toEqual([]);
  });

  it('drops a database whose creator was killed while the server still ran its CREATE DATABASE', async () => {
    // The server finishes such a CREATE after the kill: a DROP in that moment found nothing, and
    // the database stayed (the self-tests' killed batch run left one on the machine's server).
    let name = '';
    let creatorPid: number | undefined;
    for (let attempt = 0; attempt < 10 && creatorPid === undefined; attempt += 1) {
      if (name) await serverQuery(`DROP DATABASE IF EXISTS ${name}`);
      name = `cutover_19990101000000_${Math.random().toString(16).slice(2, 10)}`;
      creatorPid = await killMidCreate(name);
    }
    try {
      expect(creatorPid, 'no attempt caught the CREATE DATABASE still running after the kill').toBeDefined();
      recordKilledRun(creatorPid!, name);
      const logs: string[] = [];
      await dropStaleDatabases(SERVER_URL, '127.0.0.1:5432', (l) => logs.push(l));
      // Had the creator's session been left to finish, its database would appear now.
      const settled = Date.now() + 5_000;
      while ((await creatorRuns(name)) && Date.now() < settled) await sleep(25);
      await sleep(200);
      expect(await databaseExists(name)).toBe(false);
      expect(logs.join('\n')).toContain(`dropped database ${name} left by an earlier killed run`);
      expect(registryFiles()).toEqual([]);
    } finally {
      // Red or green, this test leaves no database on the shared server.
      await serverQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  });
});
