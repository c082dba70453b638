// scripts/migrate-deploy.ts as an operator runs it, against a real database: every refusal exits 2
// with the database exactly as it was; a confirmed run applies and says the schema is up to date.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { isAlive } from '../../lib/processes';
import { registerRehearsal } from '../../lib/command/rehearsal-registry';
import { databaseResource } from '../../lib/command/resources';
import { applyPrismaMigrations } from '../../lib/migrations/prisma-engine';
import { sql, useDatabases } from '../support/database';
import { useScriptSandboxes } from './helpers/run-script';
import { holdTable } from '../support/held-table';
import { RUN_READY_SECTIONS, runReadyEnv } from '../support/run-ready';

const databases = useDatabases();
const sandbox = useScriptSandboxes();
const BASIC = path.join(import.meta.dirname, 'fixtures/basic');
const NAMES = ['20240101000000_init', '20240102000000_add_name', '20240103000000_add_posts'];
const migrations = { migrations: { dir: path.join(BASIC, 'migrations'), schema: path.join(BASIC, 'schema.prisma') } };
/** Outside local the doctor refuses a deploy while a later step lacks something: these lack nothing. */
const ready = { ...RUN_READY_SECTIONS, ...migrations };

async function previousRelease(): Promise<string> {
  const url = await databases.fresh();
  await applyPrismaMigrations({
    databaseUrl: url,
    schemaPath: path.join(BASIC, 'schema.prisma'),
    migrationsDir: path.join(BASIC, 'migrations'),
    only: NAMES.slice(0, 2),
  });
  return url;
}

/** Everything a deploy could change: the migration history and the tables. */
async function snapshot(url: string): Promise<string> {
  const history = await sql(
    url,
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name',
  );
  const tables = await sql(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
  return JSON.stringify({ history, tables });
}

const SLOW = '20240104000000_slow_backfill';

/** A confirmed deploy whose last migration takes 2 s; `interrupt` is called once it is seen running. */
async function deployInterrupted(interrupt: (child: ChildProcess) => Promise<void>) {
  const url = await previousRelease();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cutover-slow-migrations-'));
  try {
    await fs.cp(path.join(BASIC, 'migrations'), dir, { recursive: true });
    await fs.mkdir(path.join(dir, SLOW));
    await fs.writeFile(
      path.join(dir, SLOW, 'migration.sql'),
      'SELECT pg_sleep(2);\nCREATE TABLE "SlowBackfill" ("id" INTEGER PRIMARY KEY);\n',
    );
    const box = await sandbox({ ...ready, migrations: { ...migrations.migrations, dir } });
    let interrupted: Promise<void> | undefined;
    const run = await box.run(
      'migrate-deploy',
      ['--env=staging', '--confirm=staging'],
      { ...runReadyEnv(), DATABASE_URL: url },
      (child) => {
        interrupted = (async () => {
          while (child.exitCode === null) {
            const running = await sql(
              url,
              "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(2)%' AND state = 'active'",
            );
            if (running.length) return interrupt(child);
            await new Promise((r) => setTimeout(r, 20));
          }
          throw new Error('the slow migration was never seen running');
        })();
      },
    );
    await interrupted;
    const history = await sql<{ migration_name: string; finished_at: Date | null }>(
      url,
      'SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name',
    );
    return { run, history, outcomes: (await box.audit()).map((e) => e.outcome) };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** A rehearsal "running" in this test process that started `databaseUrl`, registered where the script (TMPDIR=dir) looks. */
function pretendRehearsalOwns(dir: string, databaseUrl: string): () => void {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    return registerRehearsal({ database: databaseResource(databaseUrl), baseUrl: 'http://127.0.0.1:9' });
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}

describe('npm run migrate:deploy: nothing changes that the operator did not name', () => {
  it('DATABASE_URL exported and no flags: exit 2, one line, the database untouched, no audit log created', async () => {
    const url = await previousRelease();
    const before = await snapshot(url);
    const box = await sandbox(migrations);
    const run = await box.run('migrate-deploy', [], { DATABASE_URL: url });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      'migrate:deploy: --env is required (local, staging, prod): the guarded scripts have no default environment',
      '(npm run migrate:deploy -- --help for usage)',
    ]);
    expect(await snapshot(url)).toBe(before);
    expect(await fs.readdir(box.dir)).toEqual(['cutover.config.mjs']);
  });

  it('--env=local on a database no running rehearsal started needs --confirm=local, and names that database', async () => {
    const url = await previousRelease();
    const before = await snapshot(url);
    const box = await sandbox(migrations);
    const run = await box.run('migrate-deploy', ['--env=local'], { DATABASE_URL: url, TMPDIR: box.dir });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      `migrate:deploy: refusing to apply migrations without --confirm=local: database ${databaseResource(url)} is not something a running local rehearsal started; nothing was changed`,
    ]);
    expect(await snapshot(url)).toBe(before);
    // A rehearsal that has ended (its pid is gone) vouches for nothing.
    await fs.mkdir(path.join(box.dir, `cutover-rehearsals-${process.getuid!()}`), { recursive: true, mode: 0o700 });
    await fs.writeFile(
      path.join(box.dir, `cutover-rehearsals-${process.getuid!()}`, 'dead.json'),
      JSON.stringify({ pid: 2 ** 22 + 7, startedAt: '', resources: { database: databaseResource(url) } }),
      { mode: 0o600 },
    );
    const stale = await box.run('migrate-deploy', ['--env=local'], { DATABASE_URL: url, TMPDIR: box.dir });
    expect(stale.code).toBe(2);
    expect(await snapshot(url)).toBe(before);

    const confirmed = await box.run('migrate-deploy', ['--env=local', '--confirm=local'], { DATABASE_URL: url, TMPDIR: box.dir });
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(confirmed.stdout).toContain(
      `migrate:deploy: about to apply migrations on local: database ${databaseResource(url)} (confirmed with --confirm=local)`,
    );
    const entries = await box.audit();
    expect(entries.map((e) => e.outcome)).toEqual(['refused', 'refused', 'started', 'done']);
    expect(entries.every((e) => (e as { touches?: { database?: string } }).touches?.database === databaseResource(url))).toBe(true);
    expect(JSON.stringify(entries)).not.toMatch(/postgres:\/\//);
  });

  it('a database a running local rehearsal started is migrated without --confirm, saying why', async () => {
    const url = await previousRelease();
    const box = await sandbox(migrations);
    const forget = pretendRehearsalOwns(box.dir, url);
    try {
      const run = await box.run('migrate-deploy', ['--env=local'], { DATABASE_URL: url, TMPDIR: box.dir });
      expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
      expect(run.stdout).toContain(
        `about to apply migrations on local: database ${databaseResource(url)} (started by the running local rehearsal (pid ${process.pid}))`,
      );
      expect(run.stdout).toContain('Status: Database schema is up to date!');
    } finally {
      forget();
    }
  });

  it('bad --base-url values are refused before anything is read or written', async () => {
    const url = await previousRelease();
    const box = await sandbox(migrations);
    for (const bad of ['http://a b/', 'http://127.0.0.1:99999']) {
      const run = await box.run('migrate-deploy', ['--env=staging', '--confirm=staging', `--base-url=${bad}`], { DATABASE_URL: url });
      expect(run.code).toBe(2);
      expect(run.stderr.split('\n')[0]).toMatch(
        /^migrate:deploy: --base-url: (is not a URL \(it contains whitespace\)|has a port outside 1-65535); give an http\(s\) URL/,
      );
    }
    expect(await fs.readdir(box.dir)).toEqual(['cutover.config.mjs']);
  });
});

describe('npm run migrate:deploy', () => {
  it('refuses staging without --confirm: exit 2, one line, nothing changed', async () => {
    const url = await previousRelease();
    const before = await snapshot(url);
    const box = await sandbox(migrations);
    const run = await box.run('migrate-deploy', ['--env=staging'], { DATABASE_URL: url });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      'migrate:deploy: refusing to apply migrations on staging without --confirm=staging; nothing was changed',
    ]);
    expect(await snapshot(url)).toBe(before);
  });

  it('without migrations.dir and migrations.schema in the config it lists both (no default into the reference target): exit 2, nothing changed', async () => {
    const url = await previousRelease();
    const before = await snapshot(url);
    const box = await sandbox();
    const run = await box.run('migrate-deploy', ['--env=staging', '--confirm=staging'], { DATABASE_URL: url });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^migrate:deploy: migrations\.dir is not set in .*cutover\.config\.mjs \(needed for migration status against the release\): set it to your backend's prisma\/migrations directory/,
      ),
      expect.stringMatching(
        /^migrate:deploy: migrations\.schema is not set in .*cutover\.config\.mjs \(needed for migrate deploy with the in-process engine\): set it to your backend's schema\.prisma/,
      ),
    ]);
    expect(await snapshot(url)).toBe(before);
    // A dry run only reads the status: it needs the directory alone.
    const dry = await box.run('migrate-deploy', ['--env=staging', '--dry-run'], { DATABASE_URL: url });
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain('migrations.dir is not set');
    expect(dry.stderr).not.toContain('migrations.schema');
  });

  it('refuses prod without a readable deployed SHA and a fresh backup, even confirmed: exit 2, nothing changed', async () => {
    const url = await previousRelease();
    const before = await snapshot(url);
    const args = ['--env=prod', '--confirm=prod', `--sha=${'a'.repeat(40)}`];
    const env = { ...runReadyEnv(), DATABASE_URL: url };
    // No deployed-SHA source at all: the doctor names the setting before the deploy is tried.
    const unset = await (await sandbox(ready)).run('migrate-deploy', args, env);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/^migrate:deploy: preflight\.deployedSha is not set in .* \(needed for prod mutations/m);
    // A source that reports no SHA: the deploy's own prod preconditions refuse.
    const deployedSha = { source: 'command', command: 'echo no-sha-here' };
    const box = await sandbox({ ...ready, preflight: { ...ready.preflight, deployedSha } });
    const run = await box.run('migrate-deploy', args, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/prod precondition: `echo no-sha-here` printed no commit SHA/);
    expect(run.stderr).toMatch(/prod precondition: no backup of/);
    expect(await snapshot(url)).toBe(before);
    const audited = await box.audit();
    expect(audited.map((e) => e.outcome)).toEqual(['refused']);
    // Refused by the deploy itself, after the confirmation: audited against what it would have changed.
    expect(audited[0]!.touches?.database).toContain(new URL(url).pathname.slice(1));
  });

  it('refuses while another operator holds the migration lock: exit 2, nothing changed', async () => {
    const url = await previousRelease();
    const before = await snapshot(url);
    const box = await sandbox(ready);
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock(72707001)');
      const run = await box.run('migrate-deploy', ['--env=staging', '--confirm=staging'], { ...runReadyEnv(), DATABASE_URL: url });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/migrate deploy is already running against this database \(lock held by backend pid \d+\)/);
    } finally {
      await other.end();
    }
    expect(await snapshot(url)).toBe(before);
  });

  it('--dry-run needs no confirmation, prints the status and changes nothing', async () => {
    const url = await previousRelease();
    const before = await snapshot(url);
    const box = await sandbox(migrations);
    const run = await box.run('migrate-deploy', ['--env=staging', '--dry-run'], { DATABASE_URL: url });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Not yet applied (1):\n  ${NAMES[2]}`);
    // The hint repeats the flags the script was given: pasted as-is, it reads the same config.
    const config = `--config=${box.config}`;
    expect(run.stdout).toContain(`To apply: \`npm run migrate:deploy -- --env=staging ${config} --confirm=staging\``);
    expect(await snapshot(url)).toBe(before);
  });

  it('applies when confirmed, pastes the output and ends with nothing pending', async () => {
    const url = await previousRelease();
    const box = await sandbox(ready);
    const run = await box.run('migrate-deploy', ['--env=staging', '--confirm=staging'], { ...runReadyEnv(), DATABASE_URL: url });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Applying migration \`${NAMES[2]}\``);
    expect(run.stdout).toContain('Status: Database schema is up to date!');
    expect((await box.audit()).map((e) => e.outcome)).toEqual(['started', 'done']);
  });

  // A backend's own deploy command (`npx prisma migrate deploy`) printed nothing until its end.
  it("a configured deploy command's output is printed as it comes, once", async () => {
    const url = await previousRelease();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cutover-deploy-mark-'));
    const mark = path.join(dir, 'go');
    try {
      // It finishes only once the test has seen its first line.
      const deployCommand = 'echo first; while [ ! -f "$DEPLOY_MARK" ]; do sleep 0.05; done; echo second';
      const box = await sandbox({ ...ready, migrations: { dir: migrations.migrations.dir, deployCommand, timeoutMs: 20_000 } });
      const run = await box.run(
        'migrate-deploy',
        ['--env=staging', '--confirm=staging'],
        { ...runReadyEnv(), DATABASE_URL: url, DEPLOY_MARK: mark },
        (child) => {
          let seen = '';
          child.stdout!.on('data', (d: Buffer) => {
            seen += d.toString('utf8');
            if (/^first$/m.test(seen)) void fs.writeFile(mark, '');
          });
        },
      );
      expect(run.stdout, run.stderr).toMatch(/^second$/m);
      expect(run.stdout.split('\n').filter((l) => l === `$ ${deployCommand}`)).toHaveLength(1);
      expect((await box.audit()).map((e) => e.outcome)).toEqual(['started', 'done']);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  // Its advisory lock goes with the script's database session: a deploy command left running
  // would go on changing the database with nothing keeping a second deploy out.
  it("kill -9 of the script while the backend's deploy command runs: the command ends with it, and its entry stays unfinished", async () => {
    const url = await previousRelease();
    const deployCommand = 'sleep 58.77 & echo "deploying $!"; wait';
    const box = await sandbox({ ...ready, migrations: { dir: migrations.migrations.dir, deployCommand, timeoutMs: 60_000 } });
    let deploying: number | undefined;
    const run = await box.run(
      'migrate-deploy',
      ['--env=staging', '--confirm=staging'],
      { ...runReadyEnv(), DATABASE_URL: url },
      (child) => {
        let seen = '';
        child.stdout!.on('data', (d: Buffer) => {
          seen += d.toString('utf8');
          const pid = /^deploying (\d+)$/m.exec(seen)?.[1];
          if (pid && deploying === undefined) {
            deploying = Number(pid);
            child.kill('SIGKILL');
          }
        });
      },
    );
    try {
      expect(run.signal, run.stdout + run.stderr).toBe('SIGKILL');
      expect(deploying, run.stdout).toBeDefined();
      await vi.waitFor(() => expect(isAlive(deploying!), `the deploy command's sleep (pid ${deploying})`).toBe(false), {
        timeout: 10_000,
        interval: 50,
      });
      expect((await box.audit()).map((e) => e.outcome)).toEqual(['started']);
    } finally {
      if (deploying && isAlive(deploying)) process.kill(deploying, 'SIGKILL');
    }
  });

  // A migration's ALTER that waits for a table another session holds stalls silently otherwise,
  // with every query on that table queued behind it.
  it('says whom a migration waits for while a session holds its table, then applies once it lets go', async () => {
    const url = await previousRelease();
    const held = await holdTable(url, 'User', 'nightly report');
    try {
      const box = await sandbox(ready);
      const run = await box.run(
        'migrate-deploy',
        ['--env=staging', '--confirm=staging'],
        { ...runReadyEnv(), DATABASE_URL: url },
        held.releaseWhenSaid,
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(
        new RegExp(
          `^migrate deploy: \`${NAMES[2]}\` waits for a lock on table "User" held by backend pid ${held.pid} \\("nightly report", idle in transaction, its transaction open for \\d+ s\\); queries on that table wait behind it \\(the deploy gives up after \\d+ s\\)$`,
          'm',
        ),
      );
      expect((await box.audit()).map((e) => e.outcome)).toEqual(['started', 'done']);
    } finally {
      await held.end();
    }
  });

  // Cut off halfway, a migration is left failed in _prisma_migrations (finished_at empty) and
  // every later deploy refuses until someone resolves it by hand: a signal lets it finish.
  it('a SIGTERM while a migration is applied lets it finish: nothing left failed, the deploy recorded done', async () => {
    const { run, history, outcomes } = await deployInterrupted(async (child) => {
      child.kill('SIGTERM');
    });
    expect(run.stderr).toContain('migrate:deploy: SIGTERM: finishing the migrations being applied');
    expect(run.stderr).toContain('migrate:deploy: interrupted by SIGTERM, after which the deploy ran to its end');
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(
      history.filter((h) => h.finished_at === null).map((h) => h.migration_name),
      'left failed',
    ).toEqual([]);
    expect(history.map((h) => h.migration_name)).toContain(SLOW);
    expect(outcomes).toEqual(['started', 'done']);
  });

  it('Ctrl-C three times, 20 ms apart, during the apply is absorbed as one: said once, nothing left failed', async () => {
    const { run, history, outcomes } = await deployInterrupted(async (child) => {
      for (let i = 0; i < 3; i += 1) {
        child.kill('SIGINT');
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    expect(run.stderr.match(/SIGINT: finishing the migrations being applied/g)).toHaveLength(1);
    expect(run.stderr).not.toContain('recording it in');
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(
      history.filter((h) => h.finished_at === null).map((h) => h.migration_name),
      'left failed',
    ).toEqual([]);
    expect(outcomes).toEqual(['started', 'done']);
  });
});
