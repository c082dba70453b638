// scripts/backup.ts as an operator runs it: refusals change nothing (exit 2), a local run writes a verified backup.
import fs from 'node:fs/promises';
import pg from 'pg';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { databaseResource } from '../../lib/command/resources';
import { sql, useDatabases } from '../support/database';
import { useScriptSandboxes } from '../migrations/helpers/run-script';
import { holdTable } from '../support/held-table';

const databases = useDatabases();
const sandbox = useScriptSandboxes();
let databaseUrl: string;

beforeAll(async () => {
  databaseUrl = await databases.fresh();
});

const files = (dir: string) => fs.readdir(dir).catch(() => [] as string[]);

describe('npm run backup', () => {
  it('refuses staging without --confirm: one line, exit 2, no dump written, the refusal audited', async () => {
    const box = await sandbox();
    const run = await box.run('backup', ['--env=staging'], { DATABASE_URL: databaseUrl });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      'backup: refusing to dump the database on staging without --confirm=staging; nothing was changed',
    ]);
    expect(await files(box.backupsDir)).toEqual([]);
    expect((await box.audit()).map((e) => e.outcome)).toEqual(['refused']);
  });

  it('refuses a --confirm that names another environment', async () => {
    const box = await sandbox();
    const run = await box.run('backup', ['--env=prod', '--confirm=staging'], { DATABASE_URL: databaseUrl });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--confirm=staging does not match --env=prod; nothing was changed');
    expect(await files(box.backupsDir)).toEqual([]);
  });

  it('rejects unknown flags, and lists every input problem at once (confirm and a missing DATABASE_URL)', async () => {
    const box = await sandbox();
    const run = await box.run('backup', ['--env=staging', '--dir=/tmp'], { DATABASE_URL: undefined });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('backup: unknown option --dir');
    const again = await box.run('backup', ['--env=staging'], { DATABASE_URL: undefined });
    expect(again.stderr).toContain('refusing to dump the database on staging');
    expect(again.stderr).toContain('DATABASE_URL is not set');
  });

  it('--help says what it does and how it exits, and changes nothing', async () => {
    const box = await sandbox();
    const run = await box.run('backup', ['--help'], { DATABASE_URL: databaseUrl });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('usage: npm run backup -- [flags]');
    expect(run.stdout).toContain('Exit codes: 0 done, 1 failed, 2 refused or bad input (nothing changed).');
    expect(await files(box.backupsDir)).toEqual([]);
  });

  it("has no default environment, and in local dumps only a rehearsal's database unless confirmed: exit 2, nothing written", async () => {
    const box = await sandbox();
    const none = await box.run('backup', [], { DATABASE_URL: databaseUrl });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('backup: --env is required (local, staging, prod): the guarded scripts have no default environment');
    const local = await box.run('backup', ['--env=local'], { DATABASE_URL: databaseUrl, TMPDIR: box.dir });
    expect(local.code).toBe(2);
    expect(local.stderr.trim().split('\n')).toEqual([
      `backup: refusing to dump the database without --confirm=local: database ${databaseResource(databaseUrl)} is not something a running local rehearsal started; nothing was changed`,
    ]);
    expect(await files(box.backupsDir)).toEqual([]);
    expect((await box.audit()).map((e) => e.outcome)).toEqual(['refused']);
  });

  it('names runs an earlier audit entry says started and never ended', async () => {
    const box = await sandbox();
    const started = {
      time: '2026-11-28T05:00:00.000Z',
      host: 'another-host',
      pid: 4242,
      id: 'abc123',
      script: 'migrate:deploy',
      env: 'staging',
      owner: 'Dana',
      args: [],
      outcome: 'started',
      touches: { database: 'db.example:5432/app' },
    };
    const finished = { ...started, id: 'def456' };
    await fs.writeFile(box.auditLog, [started, finished, { ...finished, outcome: 'done' }].map((e) => JSON.stringify(e)).join('\n') + '\n');
    const run = await box.run('backup', ['--env=staging'], { DATABASE_URL: databaseUrl });
    expect(run.code).toBe(2);
    const note = run.stderr.split('\n').find((l) => l.startsWith('backup: note: '));
    expect(note).toContain(
      `1 earlier run(s) in ${box.auditLog} started and never recorded an end: migrate:deploy on staging (db.example:5432/app) started 2026-11-28T05:00:00.000Z by Dana, pid 4242 on another-host ended without saying how`,
    );
  });

  // pg_dump waits (up to its lock timeout) for a table another session holds: the stop must end it,
  // not leave it holding a session for a minute after the script, with a partial file behind.
  it('SIGTERM while pg_dump waits on a locked table: pg_dump stopped, no partial backup left, the entry ends interrupted, exit 1', async () => {
    const url = await databases.fresh();
    await sql(url, 'CREATE TABLE busy (id int)');
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    const box = await sandbox();
    const dumping = async () =>
      (
        await sql<{ n: number }>(
          url,
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'cutover-harness: backup (pg_dump)'",
        )
      )[0]!.n;
    try {
      await blocker.query('BEGIN; LOCK TABLE busy IN ACCESS EXCLUSIVE MODE');
      let signalled = false;
      const run = await box.run('backup', ['--env=local', '--confirm=local'], { DATABASE_URL: url }, (child) => {
        const poll = setInterval(() => {
          void dumping().then((n) => {
            if (n === 0 || signalled) return;
            signalled = true;
            child.kill('SIGTERM');
          });
        }, 100);
        child.once('close', () => clearInterval(poll));
      });
      expect(signalled, run.stderr).toBe(true);
      expect(run.code, run.stderr).toBe(1);
      expect(await files(box.backupsDir)).toEqual([]);
      expect((await box.audit()).map((e) => e.outcome)).toEqual(['started', 'interrupted']);
      await vi.waitFor(async () => expect(await dumping(), 'pg_dump sessions').toBe(0), { timeout: 5_000, interval: 100 });
      expect(run.stderr).toContain('backup: SIGTERM: stopping pg_dump and removing the partial backup (again to force)');
      expect(run.stderr).toContain('pg_dump was stopped (interrupted)');
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.end();
    }
  });

  // A long transaction holding a table stalls the dump silently for up to a minute otherwise.
  it('says whom pg_dump waits for while a session holds a table, then finishes once it lets go', async () => {
    const url = await databases.fresh();
    await sql(url, 'CREATE TABLE busy (id int)');
    const held = await holdTable(url, 'busy', 'nightly report');
    try {
      const box = await sandbox();
      const run = await box.run('backup', ['--env=local', '--confirm=local'], { DATABASE_URL: url }, held.releaseWhenSaid);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(
        new RegExp(
          `^\\[backup\\] pg_dump waits for a lock on table "busy" held by backend pid ${held.pid} \\("nightly report", idle in transaction, its transaction open for \\d+ s\\); it gives up after 60 s$`,
          'm',
        ),
      );
      expect(run.stdout.match(/pg_dump waits for a lock/g)).toHaveLength(1);
      expect((await box.audit()).map((e) => e.outcome)).toEqual(['started', 'done']);
    } finally {
      await held.end();
    }
  });

  it('backs up the local database: dump, .sha256 and manifest, audited start and end', async () => {
    const box = await sandbox();
    const run = await box.run('backup', ['--env=local', '--confirm=local'], { DATABASE_URL: databaseUrl });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `backup: about to dump the database on local: database ${databaseResource(databaseUrl)} (confirmed with --confirm=local)`,
    );
    const written = await files(box.backupsDir);
    expect(written).toHaveLength(3);
    expect(written.some((f) => /^db-backup-\d{8}T\d{6}Z\.sql\.gz$/.test(f))).toBe(true);
    expect((await box.audit()).map((e) => e.outcome)).toEqual(['started', 'done']);
  });

  it('fails (exit 1) without leaking the password when pg_dump cannot reach the database', async () => {
    const box = await sandbox();
    const wrong = new URL(databaseUrl);
    wrong.pathname = '/cutover_selftest_missing_db';
    wrong.password = 'selftest-Secret-Password-9';
    const run = await box.run('backup', ['--env=local', '--confirm=local'], { DATABASE_URL: wrong.toString() });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/backup: failed: .*does not exist/);
    expect(run.stdout + run.stderr).not.toContain('selftest-Secret-Password-9');
    expect((await files(box.backupsDir)).filter((f) => f.endsWith('.gz'))).toEqual([]);
  });
});
