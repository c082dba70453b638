// `npm test` outside the rehearsal changes nothing the operator did not name, refuses bad input
// with one line and exit 2, and a run interrupted by a process group's repeated signals still
// ends with its NO-GO document, its audit end entry and exit code 1.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { readAudit } from '../../lib/guard/audit';
import { databaseResource } from '../../lib/command/resources';
import type { RunResult } from '../../reporters/model';
import { useScriptSandboxes } from '../migrations/helpers/run-script';
import { sql, useDatabases } from '../support/database';
import { ROOT, runHarness, summary, tempDir } from '../support/run-harness';

const databases = useDatabases();
const sandbox = useScriptSandboxes();
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
    expect(names.some((n) => n.endsWith('-go-no-go.md'))).toBe(true);
    const entries = await readAudit(path.join(reportsDir, 'audit.log'));
    const ends = entries.filter((e) => e.outcome !== 'started').map((e) => `${e.script} ${e.outcome}`);
    expect(ends.sort(), output).toEqual(['cutover interrupted', 'migrate:deploy done']);
    for (const e of entries) expect(e.touches?.database).toBe(databaseResource(url));
    expect(output).toContain('cutover: finishing the migrations being applied (cut off, one would stay failed in _prisma_migrations');
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
});
