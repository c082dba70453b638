// lib/migrations/status.ts: Prisma's reading of `_prisma_migrations`, pure and against a real database.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPrismaMigrations, migrationChecksum } from '../../lib/migrations/prisma-engine';
import {
  blockingProblems,
  compareMigrations,
  formatStatus,
  PRISMA_MIGRATE_LOCK_KEY,
  readMigrationStatus,
} from '../../lib/migrations/status';
import { sql, useDatabases } from '../support/database';

const databases = useDatabases();
const BASIC = path.join(import.meta.dirname, 'fixtures/basic');
const NAMES = ['20240101000000_init', '20240102000000_add_name', '20240103000000_add_posts'];

const local = [
  { name: 'a_init', sql: 'CREATE TABLE a (id int);\n' },
  { name: 'b_more', sql: 'ALTER TABLE a ADD COLUMN b int;\n' },
];
const at = new Date('2026-11-28T01:00:00Z');
const row = (name: string, over: Partial<{ sql: string; finished: boolean; rolledBack: boolean }> = {}) => ({
  migration_name: name,
  checksum: migrationChecksum(over.sql ?? local.find((m) => m.name === name)?.sql ?? ''),
  started_at: at,
  finished_at: over.finished === false ? null : at,
  rolled_back_at: over.rolledBack ? at : null,
  logs: over.finished === false ? 'ERROR: boom' : null,
});

describe('compareMigrations (Prisma semantics)', () => {
  it('splits applied from pending', () => {
    const s = compareMigrations(local, [row('a_init')]);
    expect(s.applied.map((a) => a.name)).toEqual(['a_init']);
    expect(s.pending).toEqual(['b_more']);
    expect([s.failed, s.edited, s.drift]).toEqual([[], [], []]);
  });

  it('a row that started and never finished is failed, and its migration still pending', () => {
    const s = compareMigrations(local, [row('a_init'), row('b_more', { finished: false })]);
    expect(s.failed).toEqual([{ name: 'b_more', startedAt: at.toISOString(), logs: 'ERROR: boom' }]);
    expect(s.pending).toEqual(['b_more']);
  });

  it('a rolled-back row is no problem: re-applied it is applied, not re-applied it is pending', () => {
    const reapplied = compareMigrations(local, [row('a_init'), row('b_more', { finished: false, rolledBack: true }), row('b_more')]);
    expect(reapplied).toMatchObject({ pending: [], failed: [], rolledBack: [{ name: 'b_more', reapplied: true }] });
    const notYet = compareMigrations(local, [row('a_init'), row('b_more', { finished: false, rolledBack: true })]);
    expect(notYet).toMatchObject({ pending: ['b_more'], failed: [], rolledBack: [{ name: 'b_more', reapplied: false }] });
  });

  it('an applied migration whose file changed is edited; line endings alone do not count', () => {
    expect(compareMigrations(local, [row('a_init', { sql: 'CREATE TABLE a (id bigint);\n' })]).edited).toEqual(['a_init']);
    const crlf = [{ name: 'a_init', sql: local[0]!.sql.replace(/\n/g, '\r\n') }];
    expect(compareMigrations(crlf, [row('a_init')]).edited).toEqual([]);
  });

  it('an applied migration the directory does not have is drift', () => {
    const s = compareMigrations(local, [row('a_init'), row('b_more'), row('c_hotfix', { sql: 'SELECT 1' })]);
    expect(s.drift).toEqual(['c_hotfix']);
    expect(s.applied.map((a) => a.name)).toEqual(['a_init', 'b_more']);
  });
});

describe('readMigrationStatus (real database)', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true }))));

  it('a database never migrated has every migration pending', async () => {
    const url = await databases.fresh();
    const status = await readMigrationStatus(url, path.join(BASIC, 'migrations'));
    expect(status).toMatchObject({ tableMissing: true, pending: NAMES, applied: [] });
    expect(formatStatus(status, 'npm run migrate:deploy')).toContain('_prisma_migrations does not exist');
  });

  it('reads what the engine applied', async () => {
    const url = await databases.fresh();
    await applyPrismaMigrations({
      databaseUrl: url,
      schemaPath: path.join(BASIC, 'schema.prisma'),
      migrationsDir: path.join(BASIC, 'migrations'),
      only: NAMES.slice(0, 2),
    });
    const status = await readMigrationStatus(url, path.join(BASIC, 'migrations'));
    expect(status.applied.map((a) => a.name)).toEqual(NAMES.slice(0, 2));
    expect(status.pending).toEqual([NAMES[2]]);
    expect(blockingProblems(status)).toEqual([]);
    const text = formatStatus(status, 'npm run migrate:deploy -- --env=local');
    expect(text).toContain(`Not yet applied (1):\n  ${NAMES[2]}`);
    expect(text).toContain('Status: 1 migration pending. To apply: npm run migrate:deploy -- --env=local');

    // Prisma's ?schema= names where the table lives: another schema, another history
    await sql(url, 'CREATE SCHEMA tenant; CREATE TABLE tenant._prisma_migrations (LIKE public._prisma_migrations INCLUDING ALL)');
    await sql(url, 'INSERT INTO tenant._prisma_migrations SELECT * FROM public._prisma_migrations WHERE migration_name = $1', [NAMES[0]]);
    const tenant = await readMigrationStatus(`${url}?schema=tenant`, path.join(BASIC, 'migrations'));
    expect(tenant.database).toMatch(/\(schema "tenant"\)$/);
    expect(tenant.pending).toEqual(NAMES.slice(1));
  });

  it('finds an edited migration, a failed row and drift, each by name', async () => {
    const url = await databases.fresh();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cutover-status-test-'));
    dirs.push(dir);
    await fs.cp(path.join(BASIC, 'migrations'), dir, { recursive: true });
    await applyPrismaMigrations({
      databaseUrl: url,
      schemaPath: path.join(BASIC, 'schema.prisma'),
      migrationsDir: dir,
      only: NAMES.slice(0, 2),
    });
    await fs.appendFile(path.join(dir, NAMES[0]!, 'migration.sql'), '\n-- edited\n');
    const insert = `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES ($1, 'x', $2, now(), $3, 0)`;
    await sql(url, insert, ['f1', NAMES[2], null]);
    await sql(url, insert, ['d1', '20240201000000_hand_applied', new Date()]);
    const status = await readMigrationStatus(url, dir);
    expect(status.edited).toEqual([NAMES[0]]);
    expect(status.failed.map((f) => f.name)).toEqual([NAMES[2]]);
    expect(status.drift).toEqual(['20240201000000_hand_applied']);
    expect(blockingProblems(status)).toHaveLength(3);
    expect(formatStatus(status, 'x')).toContain('Status: NOT deployable (3 problems above)');
  });

  // Two operators at once: the second reads the first's unfinished row while the first applies it.
  for (const [holder, key] of [
    ["Prisma's migrate", PRISMA_MIGRATE_LOCK_KEY],
    ["the harness's", 72_707_001],
  ] as const) {
    it(`a migration being applied under ${holder} lock is in progress, with who holds it, and no restore advice`, async () => {
      const url = await databases.fresh();
      await applyPrismaMigrations({
        databaseUrl: url,
        schemaPath: path.join(BASIC, 'schema.prisma'),
        migrationsDir: path.join(BASIC, 'migrations'),
        only: NAMES.slice(0, 2),
      });
      const other = new pg.Client({ connectionString: url, application_name: 'other-operator' });
      await other.connect();
      try {
        const [{ pid, since }] = (
          await other.query<{ pid: number; since: Date }>(
            'SELECT pg_backend_pid() AS pid, backend_start AS since FROM pg_stat_activity WHERE pid = pg_backend_pid()',
          )
        ).rows as [{ pid: number; since: Date }];
        await other.query('SELECT pg_advisory_lock($1)', [key]);
        await other.query(
          `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ('p1', 'x', $1, now(), 0)`,
          [NAMES[2]],
        );

        const status = await readMigrationStatus(url, path.join(BASIC, 'migrations'), undefined, 72_707_001);
        expect(status.failed).toEqual([]);
        expect(status.inProgress.map((m) => m.name)).toEqual([NAMES[2]]);
        expect(status.lock).toMatchObject({ pid, since: since.toISOString(), host: '127.0.0.1' });
        const said = [...blockingProblems(status), formatStatus(status, 'npm run migrate:deploy')].join('\n');
        expect(said).toContain(`another run holds the migration lock (since ${since.toISOString()}, pid ${pid}, host 127.0.0.1)`);
        expect(said).toContain(`applying ${NAMES[2]}`);
        expect(said).not.toMatch(/restor|rollback plan|P3009|NOT deployable/i);
        expect(said).toContain('Failed (started, never finished): none');
      } finally {
        await other.end();
      }
      // Once the lock is gone, the same row is what it then is: failed.
      const after = await readMigrationStatus(url, path.join(BASIC, 'migrations'), undefined, 72_707_001);
      expect(after.lock).toBeNull();
      expect(after.failed.map((f) => f.name)).toEqual([NAMES[2]]);
    });
  }

  it('fails closed when the database cannot be reached', async () => {
    await expect(readMigrationStatus('postgres://postgres@127.0.0.1:9/nothing', path.join(BASIC, 'migrations'), 2_000)).rejects.toThrow();
  });
});
