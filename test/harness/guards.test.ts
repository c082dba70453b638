// `npm test` outside the rehearsal changes nothing the operator did not name, refuses bad input
// with one line and exit 2, and a run interrupted by a process group's repeated signals still
// ends with its NO-GO document, its audit end entry and exit code 1.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, test, vi } from 'vitest';
import { readAudit } from '../../lib/guard/audit';
import { databaseResource } from '../../lib/command/resources';
import type { RunResult } from '../../reporters/model';
import { useScriptSandboxes } from '../migrations/helpers/run-script';
import { bytesOf, useStorageWorlds } from '../storage/helpers';
import { sql, useDatabases } from '../support/database';
import { ROOT, runHarness, summary, tempDir } from '../support/run-harness';
import { s3Env } from '../support/target-env';

const databases = useDatabases();
const sandbox = useScriptSandboxes();
const storageWorld = useStorageWorlds();
const BASIC = path.join(import.meta.dirname, '../migrations/fixtures/basic');

async function historyOf(url: string): Promise<string[]> {
  const rows = await sql<{ migration_name: string }>(url, 'SELECT migration_name FROM _prisma_migrations ORDER BY 1').catch(() => []);
  return rows.map((r) => r.migration_name);
}

/** A config whose migrations are `dir` (the basic fixture unless given). */
async function configFor(dir = path.join(BASIC, 'migrations')) {
  return sandbox({ migrations: { dir, schema: path.join(BASIC, 'schema.prisma') } });
}

describe('--apply outside the rehearsal', () => {
  test('--env=local --base-url=... --apply=migrations without --confirm is refused: exit 2, one line naming the database, nothing changed', async () => {
    const url = await databases.fresh();
    const box = await configFor();
    const result = await runHarness(
      [`--config=${box.config}`, '--env=local', '--base-url=http://127.0.0.1:9', '--apply=migrations', '--only=1'],
      {
        env: { DATABASE_URL: url, TMPDIR: box.dir },
      },
    );
    expect(result.code, summary(result)).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      `cutover: refusing to apply migrations without --confirm=local: database ${databaseResource(url)}, base URL http://127.0.0.1:9 is not something a running local rehearsal started; nothing was changed`,
    );
    expect(await historyOf(url)).toEqual([]);
    expect(Object.keys(result.artifacts)).toEqual([]);
  });

  test('with --confirm=local it applies, and the console, the document and the audit log name what it changed', async () => {
    const url = await databases.fresh();
    const box = await configFor();
    const result = await runHarness(
      [
        `--config=${box.config}`,
        '--env=local',
        '--base-url=http://127.0.0.1:9',
        '--apply=migrations',
        '--confirm=local',
        '--only=1',
        '--owner=selftest',
      ],
      {
        env: { DATABASE_URL: url },
      },
    );
    expect(result.code, summary(result)).not.toBe(2);
    const changed = `--apply=migrations changes database ${databaseResource(url)}, base URL http://127.0.0.1:9 (confirmed with --confirm=local)`;
    expect(result.stdout).toContain(`cutover: ${changed}`);
    expect(result.run!.meta.notes).toContain(`Changed by this run: ${changed}.`);
    expect(await historyOf(url)).toHaveLength(3);
    const entries = await readAudit(path.join(result.reportsDir, 'audit.log'));
    expect(entries.map((e) => `${e.script} ${e.outcome}`)).toEqual([
      'cutover started',
      'migrate:deploy started',
      'migrate:deploy done',
      'cutover done',
    ]);
    for (const e of entries) expect(e.touches?.database).toBe(databaseResource(url));
  });
});

describe('bad input that used to run: one line, exit 2, nothing created', () => {
  test.each([
    ['http://a b/', '--base-url: is not a URL (it contains whitespace)'],
    ['http://127.0.0.1:99999', '--base-url: has a port outside 1-65535'],
  ])('--base-url=%s', async (value, said) => {
    const result = await runHarness([`--base-url=${value}`, '--only=env']);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`cutover: ${said}; give an http(s) URL such as https://api.example.com`);
    expect(Object.keys(result.artifacts)).toEqual([]);
  });

  test('STAGING_BASE_URL that is not an http(s) URL is named as such', async () => {
    const result = await runHarness(['--env=staging', '--only=env', '-t', 'x'], { env: { STAGING_BASE_URL: 'ftp://x' } });
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      "cutover: STAGING_BASE_URL is not an http(s) URL (it is ftp:): set it to the target's base URL, such as https://api.example.com (in the environment or .env.staging), or pass --base-url",
    );
    expect(Object.keys(result.artifacts)).toEqual([]);
  });

  // Found unusable only at the end, the run had made its changes and then crashed, no document.
  test('a reports dir that cannot be created (a file in its path): one line naming it, exit 2, no step run', async () => {
    const file = path.join(await tempDir('cutover-reports-parent'), 'a-file');
    await fs.writeFile(file, '');
    const result = await runHarness(['--base-url=http://127.0.0.1:9', '--only=env', '-t', 'GET /healthz'], {
      reportsDir: path.join(file, 'reports'),
    });
    expect(result.code, summary(result)).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      `cutover: CUTOVER_REPORTS_DIR: ${file}/reports cannot be created: ${file} is a file, not a directory; set it to a directory this user can write (nothing was run)`,
    );
    expect(result.stdout).not.toContain('▶ Step');
  });

  test('the guarded scripts refuse it the same way, before touching the database', async () => {
    const url = await databases.fresh();
    const box = await configFor();
    const file = path.join(box.dir, 'a-file');
    await fs.writeFile(file, '');
    const run = await box.run('backup', ['--env=local', '--confirm=local'], {
      DATABASE_URL: url,
      CUTOVER_REPORTS_DIR: path.join(file, 'r'),
    });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr.trim()).toBe(
      `backup: CUTOVER_REPORTS_DIR: ${file}/r cannot be created: ${file} is a file, not a directory; set it to a directory this user can write (nothing was run)`,
    );
    await expect(fs.stat(box.backupsDir)).rejects.toThrow(/ENOENT/);
  });

  test.each(['ts', 'mjs'])('a .%s config with a syntax error: its path once, the line and column', async (ext) => {
    const dir = await tempDir('cutover-config');
    const file = path.join(dir, `broken.config.${ext}`);
    await fs.writeFile(file, "export default {\n  environments: {\n    local: { expect: { stripeMode: 'test' } },,\n  },\n};\n");
    const result = await runHarness([`--config=${file}`, '--base-url=http://127.0.0.1:9']);
    expect(result.code).toBe(2);
    const line = result.stderr.split('\n')[0]!;
    expect(line).toMatch(new RegExp(`^cutover: ${file.replace(/[.]/g, '\\.')}: cannot be loaded: syntax error at line 3, column 47: `));
    expect(line.split(file)).toHaveLength(2);
    expect(Object.keys(result.artifacts)).toEqual([]);
  });
});

describe('an interrupted run still ends with its document and audit entry', () => {
  test('the next run names an audit entry that started and never ended, on the console and in the document', async () => {
    const reportsDir = await tempDir('cutover-selftest-reports');
    const started = {
      time: '2026-11-28T05:00:00.000Z',
      host: 'another-host',
      pid: 4242,
      id: 'abc123',
      script: 'cutover',
      env: 'staging',
      owner: 'Dana',
      args: [],
      outcome: 'started',
      touches: { database: 'db.example:5432/app' },
    };
    await fs.writeFile(path.join(reportsDir, 'audit.log'), `${JSON.stringify(started)}\n`);
    const result = await runHarness(['--base-url=http://127.0.0.1:9', '--only=env', '-t', 'GET /healthz'], { reportsDir });
    const said =
      '1 earlier run(s) in ' +
      path.join(reportsDir, 'audit.log') +
      ' started and never recorded an end: cutover on staging (db.example:5432/app) started 2026-11-28T05:00:00.000Z by Dana, pid 4242 on another-host ended without saying how';
    expect(result.stderr).toContain(`cutover: note: ${said}`);
    expect(result.run!.meta.notes.join('\n')).toContain(said);
  });

  // A migration cut off halfway would stay failed in _prisma_migrations and block every later
  // deploy: the run lets it finish, then stops.
  test('SIGINT to the whole process group 3 times, 20 ms apart, during the step-1 apply: the migration finishes, then NO-GO document, run interrupted, exit 1', async () => {
    const url = await databases.fresh();
    const migrations = await tempDir('cutover-slow-migrations');
    await fs.cp(path.join(BASIC, 'migrations'), migrations, { recursive: true });
    await fs.mkdir(path.join(migrations, '20240104000000_slow'));
    await fs.writeFile(
      path.join(migrations, '20240104000000_slow', 'migration.sql'),
      'SELECT pg_sleep(4);\nCREATE TABLE "Slow" (id int);\n',
    );
    const box = await configFor(migrations);
    const reportsDir = await tempDir('cutover-selftest-reports');

    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, CUTOVER_REPORTS_DIR: reportsDir, DATABASE_URL: url }))
      if (v !== undefined && !k.startsWith('VITEST')) env[k] = v;
    const args = [
      `--config=${box.config}`,
      '--env=local',
      '--base-url=http://127.0.0.1:9',
      '--apply=migrations',
      '--confirm=local',
      '--only=1',
    ];
    // As `npm test` runs it, in a process group of its own, as a terminal or a CI runner has it.
    const child = spawn(process.execPath, ['bin/cutover.mjs', ...args], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('exit', (code, signal) => resolve([code, signal])),
    );
    const killer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 120_000);
    try {
      // The slow migration is running when Postgres shows its pg_sleep.
      let sleeping = false;
      for (let i = 0; i < 600 && !sleeping && child.exitCode === null; i += 1) {
        const rows = await sql(
          url,
          "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'SELECT pg_sleep(4)%' AND state = 'active'",
        );
        sleeping = rows.length > 0;
        if (!sleeping) await new Promise((r) => setTimeout(r, 100));
      }
      expect(sleeping, output).toBe(true);
      for (let i = 0; i < 3; i += 1) {
        try {
          process.kill(-child.pid!, 'SIGINT');
        } catch (error) {
          // A run that stops at once can write its document and exit before the burst ends.
          if (i === 0 || (error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      const [code, signal] = await exited;
      expect({ code, signal }, output).toEqual({ code: 1, signal: null });
    } finally {
      clearTimeout(killer);
    }
    const names = await fs.readdir(reportsDir);
    const json = names.find((n) => n.endsWith('-go-no-go.json'));
    expect(json, output).toBeDefined();
    const run = JSON.parse(await fs.readFile(path.join(reportsDir, json!), 'utf8')) as RunResult;
    expect(run.decision).toBe('NO-GO');
    expect(run.reason).toContain('interrupted by SIGINT (Ctrl-C)');
    // The check that applied it reports what it did: the run is cancelled only after its result.
    const markdown = await fs.readFile(
      path.join(
        reportsDir,
        names.find((n) => n.endsWith('-go-no-go.md'))!,
      ),
      'utf8',
    );
    expect(markdown).toContain('_Step 1 — Migrations (Prisma): **PASSED**_');
    expect(markdown).toContain('migration status after deploy');
    expect(names.some((n) => n.endsWith('-go-no-go.md'))).toBe(true);
    const entries = await readAudit(path.join(reportsDir, 'audit.log'));
    const ends = entries.filter((e) => e.outcome !== 'started').map((e) => `${e.script} ${e.outcome}`);
    expect(ends.sort(), output).toEqual(['cutover interrupted', 'migrate:deploy done']);
    for (const e of entries) expect(e.touches?.database).toBe(databaseResource(url));
    expect(output).toContain('cutover: first finishing the migrations being applied (cut off, one would stay failed in _prisma_migrations');
    const history = await sql<{ migration_name: string; finished_at: Date | null }>(
      url,
      'SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY 1',
    );
    expect(
      history.filter((h) => h.finished_at === null).map((h) => h.migration_name),
      'left failed',
    ).toEqual([]);
    expect(history.map((h) => h.migration_name)).toContain('20240104000000_slow');
    expect(await sql(url, 'SELECT * FROM "Slow"')).toEqual([]);
  });

  // pg_dump runs in the suites' worker thread, which the run's cancel ends at once: without the
  // stop, pg_dump went on by itself, holding its session, and its partial file stayed on disk.
  test("SIGTERM to the CLI alone while --apply=backup's pg_dump waits on a lock: pg_dump stopped, no partial backup, NO-GO document, exit 1", async () => {
    const url = await databases.fresh();
    await sql(url, 'CREATE TABLE kept (id int)');
    const box = await configFor();
    const dumps = () =>
      sql<{ waiting: string | null }>(
        url,
        "SELECT wait_event_type AS waiting FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'cutover-harness: backup (pg_dump)'",
      );
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN; LOCK TABLE kept IN ACCESS EXCLUSIVE MODE');
      let signalled: Promise<unknown> = Promise.resolve();
      const result = await runHarness(
        [
          `--config=${box.config}`,
          '--env=local',
          '--base-url=http://127.0.0.1:9',
          '--apply=backup',
          '--confirm=local',
          '--only=0',
          '-t',
          'DB backup/snapshot completed',
        ],
        {
          env: { DATABASE_URL: url },
          // As a service manager or a CI runner's `kill` sends it: to the CLI's pid, not its group.
          onSpawn: (child) => {
            signalled = vi
              .waitFor(async () => expect((await dumps()).map((d) => d.waiting)).toEqual(['Lock']), { timeout: 60_000, interval: 100 })
              .finally(() => child.kill('SIGTERM'));
          },
        },
      );
      await signalled;
      expect(result.code, summary(result)).toBe(1);
      expect(result.stderr).toContain('cutover: first stopping pg_dump and removing the partial backup');
      expect(result.run!.reason).toBe('the run did not finish: interrupted by SIGTERM');
      expect(await fs.readdir(box.backupsDir)).toEqual([]);
      await vi.waitFor(async () => expect(await dumps(), 'pg_dump still connected').toEqual([]), { timeout: 5_000 });
      const entries = await readAudit(path.join(result.reportsDir, 'audit.log'));
      const ends = entries.filter((e) => e.outcome !== 'started').map((e) => `${e.script} ${e.outcome}`);
      expect(ends).toEqual(['backup interrupted', 'cutover interrupted']);
      // The stopped check's own result is in the document, not a bare NOT RUN.
      expect(result.markdown).toContain(
        '- [ ] DB backup/snapshot completed (timestamp): `__________` — **FAILED**: DB backup/snapshot completed: fresh, checksummed and restorable: pg_dump was stopped (interrupted)',
      );
    } finally {
      await blocker.end();
    }
  });

  // The attachment migration runs in the suites' worker thread too: cut off there, a row could
  // stop between its upload and its commit, and no summary would say what moved.
  test('SIGTERM to the CLI alone during the --apply=storage migration: the rows in flight finish, its summary is in the document, exit 1', async () => {
    const w = await storageWorld();
    const rows = 240;
    await w.legacyMany(
      'job',
      Array.from({ length: rows }, (_, i) => ({ diskPath: `legacy/t/${i}.png`, bytes: bytesOf(16 * 1024) })),
    );
    const box = await sandbox({ storage: { uploadsDir: w.uploadsDir, migrate: { partSizeMiB: 5, limit: 1000, concurrency: 1 } } });
    let signalled = false;
    const result = await runHarness(
      [
        `--config=${box.config}`,
        '--env=local',
        '--base-url=http://127.0.0.1:9',
        '--apply=storage',
        '--confirm=local',
        '--only=storage',
        '-t',
        'migration: npm run',
      ],
      {
        env: { DATABASE_URL: w.databaseUrl, ...s3Env(w.s3.settings) },
        onStdout: (text, child) => {
          if (signalled || !text.includes('[migrate] progress')) return;
          signalled = true;
          child.kill('SIGTERM');
        },
      },
    );
    expect(signalled, summary(result)).toBe(true);
    expect(result.code, summary(result)).toBe(1);
    expect(result.run!.reason).toBe('the run did not finish: interrupted by SIGTERM');
    expect(result.stderr).toContain('cutover: first finishing the rows in flight, then printing the summary');
    const moved = (await w.rows('JobAttachment')).filter((r) => r.storageKey).length;
    expect(moved).toBeGreaterThan(0);
    expect(moved).toBeLessThan(rows);
    // Every row it recorded has its object, and no object lacks its row.
    expect(await w.objectKeys()).toHaveLength(moved);
    expect(result.markdown).toContain(`[migrate] summary: moved ${moved}, skipped 0, failed 1`);
    expect(result.markdown).toContain(`(run): interrupted: ${rows - moved} row(s) not started; run it again to finish`);
    const entries = await readAudit(path.join(result.reportsDir, 'audit.log'));
    const ends = entries.filter((e) => e.outcome !== 'started');
    expect(ends.map((e) => `${e.script} ${e.outcome}`)).toEqual(['migrate:attachments interrupted', 'cutover interrupted']);
    expect(ends[0]!.summary).toMatchObject({ moved });
  });
});
