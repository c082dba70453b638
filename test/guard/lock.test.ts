// The advisory lock that keeps two operators' mutations apart, on a real Postgres: a second
// taker is refused at once, and the refusal says what holds the lock. Every session the harness
// opens names itself in pg_stat_activity, so a DBA watching a cutover sees what each one is for.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, test, vi } from 'vitest';
import { dumpToGzipFile } from '../../lib/backup/pg-dump';
import { LockBusy, lockHolder, withAdvisoryLock } from '../../lib/guard/lock';
import { sql, useDatabases } from '../support/database';
import { ROOT, tempDir } from '../support/run-harness';

const databases = useDatabases();
const KEY = 720_461;

describe('the advisory lock', () => {
  test('held, it shows in pg_stat_activity as the harness and what the lock is for; a second taker is refused naming it, and it is free after', async () => {
    const url = await databases.fresh();
    const second = await withAdvisoryLock(url, KEY, 'the attachment migration', async () => {
      const sessions = await sql<{ app: string }>(
        url,
        // This database's sessions only: files running beside this one open harness sessions of their own.
        "SELECT application_name AS app FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'cutover-harness%'",
      );
      expect(sessions.map((s) => s.app)).toEqual(['cutover-harness: lock: the attachment migration']);
      return withAdvisoryLock(url, KEY, 'migrate deploy', async () => 'ran').catch((e: unknown) => e);
    });
    expect(second).toBeInstanceOf(LockBusy);
    expect((second as Error).message).toMatch(
      /^migrate deploy is already running against this database \(lock held by backend pid \d+, "cutover-harness: lock: the attachment migration"\); wait for it/,
    );
    expect(await withAdvisoryLock(url, KEY, 'migrate deploy', async () => 'ran')).toBe('ran');
  });

  test('the refusal names the holder in this database, not a session holding the same key in another one', async () => {
    const here = await databases.fresh();
    const elsewhere = await databases.fresh();
    const holder = new pg.Client({ connectionString: here });
    await holder.connect();
    try {
      let pid = 0;
      const refused = await withAdvisoryLock(elsewhere, KEY, "another database's deploy", async () => {
        pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_advisory_lock($1)', [KEY])).rows[0]!.pid;
        return withAdvisoryLock(here, KEY, 'migrate deploy', async () => 'ran').catch((e: unknown) => e);
      });
      expect(refused).toBeInstanceOf(LockBusy);
      expect((refused as Error).message).toMatch(new RegExp(`\\(lock held by backend pid ${pid}\\);`));
    } finally {
      await holder.end();
    }
  });

  // The refusal above finds this database's holder either way when pg_locks happens to list it
  // first (it has no set order): here the key is held only in another database, so a lookup
  // across databases would name that session.
  test('the holder lookup sees only this database: the key held in another one is no holder here', async () => {
    const here = await databases.fresh();
    const elsewhere = await databases.fresh();
    const client = new pg.Client({ connectionString: here });
    await client.connect();
    try {
      const seen = await withAdvisoryLock(elsewhere, KEY, "another database's deploy", () => lockHolder(client, KEY));
      expect(seen).toBeNull();
      await client.query('SELECT pg_advisory_lock($1)', [KEY]);
      const other = new pg.Client({ connectionString: here });
      await other.connect();
      try {
        expect(await lockHolder(other, KEY)).toMatchObject({ pid: expect.any(Number) });
      } finally {
        await other.end();
      }
    } finally {
      await client.end();
    }
  });
});

// A connection made without harnessConnection() would be a nameless session in the target's
// database: none may be written outside it.
test("every Postgres connection the harness's library opens names itself (harnessConnection)", () => {
  const files = readdirSync(path.join(ROOT, 'lib'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const opened = files.flatMap((file) =>
    [...readFileSync(path.join(ROOT, 'lib', file), 'utf8').matchAll(/new pg\.(?:Client|Pool)\(\s*([^\s(]*)/g)].map(
      (m) => `${file}: ${m[1]}`,
    ),
  );
  expect(opened.length, 'connections found').toBeGreaterThanOrEqual(10);
  expect(opened.filter((o) => !o.endsWith(': harnessConnection'))).toEqual([]);
});

test('pg_dump taking a backup names itself too, seen while it waits for a table another session holds', async () => {
  const url = await databases.fresh();
  await sql(url, 'CREATE TABLE kept (id int); INSERT INTO kept VALUES (1)');
  const blocker = new pg.Client({ connectionString: url });
  await blocker.connect();
  const dir = await tempDir('cutover-selftest-dump');
  try {
    await blocker.query('BEGIN; LOCK TABLE kept IN ACCESS EXCLUSIVE MODE');
    const dump = dumpToGzipFile({ pgDump: 'pg_dump', databaseUrl: url, file: path.join(dir, 'dump.sql.gz'), timeoutMs: 30_000 });
    await vi.waitFor(
      async () => {
        const rows = await sql<{ app: string }>(
          url,
          "SELECT application_name AS app FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'cutover-harness%'",
        );
        expect(rows.map((r) => r.app)).toEqual(['cutover-harness: backup (pg_dump)']);
      },
      { timeout: 10_000, interval: 50 },
    );
    await blocker.query('COMMIT');
    expect((await dump).sizeBytes).toBeGreaterThan(0);
  } finally {
    await blocker.end();
  }
});
