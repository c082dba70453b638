// lib/migrations/prisma-engine.ts against a real Postgres (an embedded stack): real
// `_prisma_migrations` rows, re-runs, `only`, failures (P3018 -> P3009), P3005, timeouts,
// no credentials in errors, and connections released.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../rehearsal/stack/index';
import { PrismaMigrateError, applyPrismaMigrations, migrationChecksum, readMigrationsDir } from '../../lib/migrations/prisma-engine';

const FIX = path.join(import.meta.dirname, 'fixtures');
const basic = { schemaPath: path.join(FIX, 'basic', 'schema.prisma'), migrationsDir: path.join(FIX, 'basic', 'migrations') };
const failing = { schemaPath: path.join(FIX, 'failing', 'schema.prisma'), migrationsDir: path.join(FIX, 'failing', 'migrations') };
const semicolons = { schemaPath: path.join(FIX, 'semicolons', 'schema.prisma'), migrationsDir: path.join(FIX, 'semicolons', 'migrations') };
const BASIC_NAMES = ['20240101000000_init', '20240102000000_add_name', '20240103000000_add_posts'];

let stack: Stack;
let n = 0;

beforeAll(async () => {
  stack = await startStack({ provider: 'embedded', log: () => undefined });
});
afterAll(async () => {
  await stack?.stop();
});

function urlFor(db: string): string {
  const u = new URL(stack.databaseUrl);
  u.pathname = `/${db}`;
  return u.toString();
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** A fresh empty database on the stack's server. */
async function freshDb(): Promise<string> {
  const name = `mig_${process.pid}_${++n}`;
  await query(urlFor('postgres'), `CREATE DATABASE ${name}`);
  return urlFor(name);
}

interface Row {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
  logs: string | null;
}
const rows = (url: string) => query<Row>(url, 'SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name');
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('readMigrationsDir', () => {
  it('lists migration directories sorted by name with their SQL, ignoring files beside them', async () => {
    const list = await readMigrationsDir(basic.migrationsDir);
    expect(list.map((m) => m.name)).toEqual(BASIC_NAMES);
    expect(list[1]!.sql).toBe(fs.readFileSync(path.join(basic.migrationsDir, BASIC_NAMES[1]!, 'migration.sql'), 'utf8'));
  });

  it('fails on a missing directory and on a migration without migration.sql', async () => {
    await expect(readMigrationsDir('/nonexistent/prisma/migrations')).rejects.toThrow(/migrations directory not found/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mig-'));
    try {
      fs.mkdirSync(path.join(dir, '20240101000000_empty'));
      await expect(readMigrationsDir(dir)).rejects.toThrow(/20240101000000_empty has no migration.sql/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('applyPrismaMigrations', () => {
  it('applies every migration to a fresh database, records real _prisma_migrations rows, and prints migrate-deploy output', async () => {
    const url = await freshDb();
    const logged: string[] = [];
    const res = await applyPrismaMigrations({ databaseUrl: url, ...basic, log: (l) => logged.push(l) });
    expect(res.applied).toEqual(BASIC_NAMES);
    const r = await rows(url);
    expect(r.map((x) => x.migration_name)).toEqual(BASIC_NAMES);
    for (const row of r) {
      expect(row.checksum).toBe(sha256(path.join(basic.migrationsDir, row.migration_name, 'migration.sql')));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    expect(migrationChecksum(fs.readFileSync(path.join(basic.migrationsDir, BASIC_NAMES[0]!, 'migration.sql'), 'utf8'))).toBe(
      r[0]!.checksum,
    );
    const cols = await query<{ column_name: string }>(
      url,
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'User' ORDER BY 1`,
    );
    expect(cols.map((c) => c.column_name)).toEqual(['email', 'id', 'name']);

    expect(res.output).toContain('3 migrations found in basic/migrations');
    for (const name of BASIC_NAMES) expect(res.output).toContain(`Applying migration \`${name}\``);
    expect(res.output).toContain('The following migration(s) have been applied:');
    expect(res.output).toContain(`migrations/\n  └─ ${BASIC_NAMES[0]}/\n    └─ migration.sql`);
    expect(res.output.trimEnd().endsWith('All migrations have been successfully applied.')).toBe(true);
    expect(logged).toContain(`Applying migration \`${BASIC_NAMES[2]}\``);
  });

  it('a re-run applies nothing, says so, and does not wait on the migration lock (its pool was ended)', async () => {
    const url = await freshDb();
    await applyPrismaMigrations({ databaseUrl: url, ...basic });
    const dbName = new URL(url).pathname.slice(1);
    const others = await query<{ n: number }>(urlFor('postgres'), 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [
      dbName,
    ]);
    expect(others[0]!.n).toBe(0);

    const again = await applyPrismaMigrations({ databaseUrl: url, ...basic });
    // No session of its own is left holding the lock for the next run.
    const after = await query<{ n: number }>(urlFor('postgres'), 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [
      dbName,
    ]);
    expect(after[0]!.n).toBe(0);
    expect(again.applied).toEqual([]);
    expect(again.output).toContain('No pending migrations to apply.');
    expect(again.output).not.toContain('Applying migration');
    expect((await rows(url)).length).toBe(3);
  });

  it('`only` gives the engine just that prefix (the previous release); a later full run applies the rest', async () => {
    const url = await freshDb();
    const prev = await applyPrismaMigrations({ databaseUrl: url, ...basic, only: BASIC_NAMES.slice(0, 2) });
    expect(prev.applied).toEqual(BASIC_NAMES.slice(0, 2));
    expect(prev.output).toContain('Rehearsal: only the first 2 of 3 migrations are given to the engine');
    expect(prev.output).toContain('2 migrations found in basic/migrations');
    expect((await rows(url)).map((r) => r.migration_name)).toEqual(BASIC_NAMES.slice(0, 2));
    expect(await query(url, `SELECT 1 FROM information_schema.tables WHERE table_name = 'Post'`)).toHaveLength(0);

    const rest = await applyPrismaMigrations({ databaseUrl: url, ...basic });
    expect(rest.applied).toEqual([BASIC_NAMES[2]]);
  });

  it('`only` that is not a prefix, or names an unknown migration, is refused before touching the database', async () => {
    const url = await freshDb();
    await expect(applyPrismaMigrations({ databaseUrl: url, ...basic, only: [BASIC_NAMES[1]!] })).rejects.toThrow(/must be a prefix/);
    await expect(applyPrismaMigrations({ databaseUrl: url, ...basic, only: ['20990101000000_nope'] })).rejects.toThrow(
      /unknown migration\(s\) 20990101000000_nope/,
    );
    expect(await query(url, `SELECT 1 FROM information_schema.tables WHERE table_name = '_prisma_migrations'`)).toHaveLength(0);
  });

  it('a failing migration: P3018 with the database error, an unfinished row, nothing of it applied; the next run fails with P3009', async () => {
    const url = await freshDb();
    const err = await applyPrismaMigrations({ databaseUrl: url, ...failing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrismaMigrateError);
    const e = err as PrismaMigrateError;
    expect(e.code).toBe('P3018');
    expect(e.migrationName).toBe('20240102000000_broken');
    expect(e.message).toMatch(/^P3018: A migration failed to apply/);
    expect(e.message).toContain('Migration name: 20240102000000_broken');
    expect(e.message).toContain('Database error code: 42703');
    expect(e.message).toContain('column "nickname" does not exist');
    expect(e.output).toContain('Applying migration `20240101000000_init`');
    expect(e.output).toContain('Error: P3018');

    const r = await rows(url);
    expect(r.map((x) => [x.migration_name, x.finished_at !== null, x.rolled_back_at])).toEqual([
      ['20240101000000_init', true, null],
      ['20240102000000_broken', false, null],
    ]);
    // like native Prisma, the script ran as one implicit transaction: its first statement is undone too
    const cols = await query<{ column_name: string }>(url, `SELECT column_name FROM information_schema.columns WHERE table_name = 'User'`);
    expect(cols.map((c) => c.column_name)).not.toContain('name');

    const next = (await applyPrismaMigrations({ databaseUrl: url, ...failing }).catch((x: unknown) => x)) as PrismaMigrateError;
    expect(next).toBeInstanceOf(PrismaMigrateError);
    expect(next.code).toBe('P3009');
    expect(next.message).toMatch(/^P3009: migrate found failed migrations/);
    expect(next.message).toContain('20240102000000_broken');
    expect((await rows(url)).length).toBe(2);
  });

  it('a non-empty database without migration history: P3005', async () => {
    const url = await freshDb();
    await query(url, 'CREATE TABLE legacy (id int)');
    const err = (await applyPrismaMigrations({ databaseUrl: url, ...basic }).catch((e: unknown) => e)) as PrismaMigrateError;
    expect(err).toBeInstanceOf(PrismaMigrateError);
    expect(err.code).toBe('P3005');
    expect(err.message).toMatch(/^P3005: The database schema is not empty/);
  });

  it('runs each migration.sql whole: ";" inside literals and $$ bodies is fine (the pg adapter alone would split them)', async () => {
    const url = await freshDb();
    const res = await applyPrismaMigrations({ databaseUrl: url, ...semicolons });
    expect(res.applied).toEqual(['20240101000000_functions']);
    await query(url, `INSERT INTO "Note" DEFAULT VALUES`);
    expect((await query<{ body: string }>(url, 'SELECT body FROM "Note"'))[0]!.body).toBe('a; b;');
  });

  it('connection errors carry Prisma codes and never the password', async () => {
    const refused = 'postgres://postgres:S3cr3t-pw-xyz@127.0.0.1:1/db';
    const e1 = (await applyPrismaMigrations({ databaseUrl: refused, ...basic }).catch((e: unknown) => e)) as PrismaMigrateError;
    expect(e1.code).toBe('P1001');
    expect(`${e1.message}\n${e1.output}`).not.toContain('S3cr3t-pw-xyz');

    const wrongPw = new URL(urlFor('postgres'));
    wrongPw.password = 'S3cr3t-pw-xyz';
    const e2 = (await applyPrismaMigrations({ databaseUrl: wrongPw.toString(), ...basic }).catch((e: unknown) => e)) as PrismaMigrateError;
    expect(e2).toBeInstanceOf(PrismaMigrateError);
    expect(e2.code).toBe('P1000');
    expect(`${e2.message}\n${e2.output}`).not.toContain('S3cr3t-pw-xyz');

    const e3 = (await applyPrismaMigrations({ databaseUrl: urlFor('no_such_db'), ...basic }).catch(
      (e: unknown) => e,
    )) as PrismaMigrateError;
    expect(e3.code).toBe('P1003');

    // and the real password of a working URL never appears in a success output either
    const url = await freshDb();
    const ok = await applyPrismaMigrations({ databaseUrl: url, ...basic });
    expect(ok.output).not.toContain(decodeURIComponent(new URL(url).password));
  });

  it('times out instead of hanging when the migration lock is held elsewhere, and releases its connections', async () => {
    const url = await freshDb();
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock(72707369)'); // Prisma's migration lock id
    try {
      const err = (await applyPrismaMigrations({ databaseUrl: url, ...basic, timeoutMs: 1_500 }).catch(
        (e: unknown) => e,
      )) as PrismaMigrateError;
      expect(err).toBeInstanceOf(PrismaMigrateError);
      expect(err.message).toMatch(/timed out after 1500 ms/);
    } finally {
      await holder.query('SELECT pg_advisory_unlock(72707369)');
      await holder.end();
    }
    const dbName = new URL(url).pathname.slice(1);
    const left = await query<{ n: number }>(urlFor('postgres'), 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [
      dbName,
    ]);
    expect(left[0]!.n).toBe(0);
    // and the engine is usable again afterwards
    expect((await applyPrismaMigrations({ databaseUrl: url, ...basic })).applied).toEqual(BASIC_NAMES);
  });
});

const TARGET = path.resolve(import.meta.dirname, '..', '..', 'rehearsal', 'target', 'prisma');
describe("the reference target's own migrations", () => {
  it('apply to a fresh database, then re-apply nothing', async () => {
    const url = await freshDb();
    const target = { schemaPath: path.join(TARGET, 'schema.prisma'), migrationsDir: path.join(TARGET, 'migrations') };
    const names = (await readMigrationsDir(target.migrationsDir)).map((m) => m.name);
    expect(names.length).toBeGreaterThan(0);
    const res = await applyPrismaMigrations({ databaseUrl: url, ...target });
    expect(res.applied).toEqual(names);
    expect(res.output).toContain(`found in prisma/migrations`);
    expect((await applyPrismaMigrations({ databaseUrl: url, ...target })).applied).toEqual([]);
  });
});
