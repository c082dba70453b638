// lib/migrations/deploy.ts in-process against real Postgres: the guards hold, the lock holds, the audit log tells.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeBackup } from '../../lib/backup/take';
import { sectionsSchema, type Sections } from '../../lib/config/schema';
import { LockBusy } from '../../lib/guard/lock';
import { DeployFailed, DeployRefused, deployMigrations, type DeployOptions } from '../../lib/migrations/deploy';
import { applyPrismaMigrations } from '../../lib/migrations/prisma-engine';
import { readMigrationStatus } from '../../lib/migrations/status';
import { Redactor } from '../../lib/secrets/redactor';
import { tinyTarget } from '../support/tiny-target';
import { useDatabases } from '../support/database';

const databases = useDatabases();
const BASIC = path.join(import.meta.dirname, 'fixtures/basic');
const NAMES = ['20240101000000_init', '20240102000000_add_name', '20240103000000_add_posts'];
const RC = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

let work: string;
let target: Awaited<ReturnType<typeof tinyTarget>>;
beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'cutover-deploy-test-'));
  target = await tinyTarget({ 'GET /healthz': () => ({ body: { ok: true }, headers: { 'x-release-sha': RC } }) });
});
afterAll(async () => {
  await target.close();
  await fs.rm(work, { recursive: true, force: true });
});

/** A database at the previous release: the first two migrations applied, the third pending. */
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

function sections(over: Record<string, unknown> = {}): Sections {
  return sectionsSchema.parse({
    reports: { auditLog: path.join(work, `audit-${Math.random().toString(36).slice(2)}.log`) },
    migrations: { dir: path.join(BASIC, 'migrations'), schema: path.join(BASIC, 'schema.prisma'), timeoutMs: 30_000 },
    ...over,
  });
}

function options(databaseUrl: string, s: Sections, over: Partial<DeployOptions> = {}): DeployOptions {
  return {
    env: 'local',
    owner: 'selftest',
    rcSha: RC,
    baseUrl: target.url,
    sections: s,
    databaseUrl,
    redactor: new Redactor([]),
    args: ['--env=local'],
    ...over,
  };
}

async function auditOutcomes(s: Sections): Promise<string[]> {
  const text = await fs.readFile(s.reports.auditLog, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { outcome: string }).outcome);
}

const pendingOf = async (url: string) => (await readMigrationStatus(url, path.join(BASIC, 'migrations'))).pending;

describe('deployMigrations', () => {
  it("applies what is pending with Prisma's engine, audited start and end", async () => {
    const url = await previousRelease();
    const s = sections();
    const result = await deployMigrations(options(url, s));
    expect(result.before.pending).toEqual([NAMES[2]]);
    expect(result.after.pending).toEqual([]);
    expect(result.output).toContain('All migrations have been successfully applied.');
    expect(await auditOutcomes(s)).toEqual(['started', 'done']);
  });

  it('refuses, changing nothing, while another operator holds the lock', async () => {
    const url = await previousRelease();
    const s = sections();
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [s.migrations.lockKey]);
      await expect(deployMigrations(options(url, s))).rejects.toBeInstanceOf(LockBusy);
    } finally {
      await other.end();
    }
    expect(await pendingOf(url)).toEqual([NAMES[2]]);
    expect(await auditOutcomes(s)).toEqual([]);
  });

  it('refuses over a failed migration row, changing nothing', async () => {
    const url = await previousRelease();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ('f', 'x', $1, now(), 0)`,
      [NAMES[2]],
    );
    await c.end();
    const error = await deployMigrations(options(url, sections())).catch((e: Error) => e);
    expect(error).toBeInstanceOf(DeployRefused);
    expect((error as DeployRefused).problems).toEqual([
      expect.stringMatching(/20240103000000_add_posts started .* never finished \(failed\): Prisma refuses to deploy over it \(P3009\)/),
    ]);
    expect((await readMigrationStatus(url, path.join(BASIC, 'migrations'))).applied).toHaveLength(2);
  });

  it('runs a configured deploy command with the database URL in its env, and pastes its output', async () => {
    const url = await previousRelease();
    const s = sections({
      migrations: { dir: path.join(BASIC, 'migrations'), deployCommand: 'echo "deploying to ${DATABASE_URL%%@*}@…"; echo done' },
    });
    const result = await deployMigrations(options(url, s, { redactor: new Redactor([url]) }));
    expect(result.output).toMatch(/^\$ echo/);
    expect(result.output).toContain('deploying to postgres://postgres@…');
    expect(result.output).toContain('done');
    // the command applied nothing, and the re-read status says so
    expect(result.after.pending).toEqual([NAMES[2]]);
  });

  it('reports a failing deploy command with its output, audited as failed', async () => {
    const url = await previousRelease();
    const s = sections({
      migrations: { dir: path.join(BASIC, 'migrations'), deployCommand: 'echo "Error: P3018 migration failed" >&2; exit 1' },
    });
    const error = await deployMigrations(options(url, s)).catch((e: Error) => e);
    expect(error).toBeInstanceOf(DeployFailed);
    expect((error as DeployFailed).message).toMatch(/exited with code 1/);
    expect((error as DeployFailed).output).toContain('Error: P3018 migration failed');
    expect(await auditOutcomes(s)).toEqual(['started', 'failed']);
  });

  describe('in prod', () => {
    const prod = (backupsDir: string) =>
      sections({
        preflight: { deployedSha: { source: 'header', header: 'x-release-sha', path: '/healthz' }, backup: { dir: backupsDir } },
      });

    it('refuses without a fresh backup, and when the deployed build is not the RC, changing nothing', async () => {
      const url = await previousRelease();
      const s = prod(path.join(work, 'no-backups'));
      const error = await deployMigrations(options(url, s, { env: 'prod', rcSha: 'ffffffffffffffffffffffffffffffffffffffff' })).catch(
        (e: Error) => e,
      );
      expect(error).toBeInstanceOf(DeployRefused);
      const problems = (error as DeployRefused).problems.join('\n');
      expect(problems).toMatch(/prod precondition: the deployed build reports a1b2c3d.* not the RC SHA ffff/);
      expect(problems).toMatch(/prod precondition: no backup of/);
      expect(await pendingOf(url)).toEqual([NAMES[2]]);
    });

    it("refuses when the deployed SHA cannot be read at all (source 'none')", async () => {
      const url = await previousRelease();
      const s = sections({ preflight: { backup: { dir: path.join(work, 'none') } } });
      const error = await deployMigrations(options(url, s, { env: 'prod' })).catch((e: Error) => e);
      expect((error as DeployRefused).problems.join()).toMatch(
        /deployed build's SHA cannot be checked \(preflight.deployedSha.source is 'none'\)/,
      );
      expect(await pendingOf(url)).toEqual([NAMES[2]]);
    });

    it('applies once the deployed build is the RC and a fresh backup exists', async () => {
      const url = await previousRelease();
      const backups = await fs.mkdtemp(path.join(work, 'backups-'));
      await takeBackup({ databaseUrl: url, dir: backups, pgDump: 'pg_dump', timeoutMs: 60_000 });
      const result = await deployMigrations(options(url, prod(backups), { env: 'prod' }));
      expect(result.after.pending).toEqual([]);
    });
  });
});
