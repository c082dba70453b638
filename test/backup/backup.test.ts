// lib/backup: real pg_dump of a real database, then every way a backup can be unfit for the cutover.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAttestedSnapshot, checkBackup, checkHarnessBackup, type BackupSettings } from '../../lib/backup/freshness';
import { backupsOf, manifestPathFor, type BackupManifest } from '../../lib/backup/manifest';
import { databaseIdentity } from '../../lib/command/identity';
import { libpqConnection, versionProblem } from '../../lib/backup/pg-dump';
import { takeBackup } from '../../lib/backup/take';
import { sha256File, verifyBackup } from '../../lib/backup/verify';
import { sql, useDatabases } from '../support/database';

const databases = useDatabases();
let databaseUrl: string;

beforeAll(async () => {
  databaseUrl = await databases.fresh();
  await sql(
    databaseUrl,
    "CREATE TABLE account (id serial PRIMARY KEY, email text NOT NULL); INSERT INTO account (email) VALUES ('a@example.test'), ('b@example.test')",
  );
});

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true }))));
async function tmpDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cutover-backup-test-'));
  dirs.push(dir);
  return dir;
}
const settings = (dir: string): BackupSettings => ({
  maxAgeMinutes: 120,
  dir,
  pgDump: 'pg_dump',
  timeoutMs: 60_000,
  lockKey: 1,
  snapshotIdEnv: 'SNAP_ID',
  snapshotAtEnv: 'SNAP_AT',
});

/** Rewrites a backup's bytes and, like a careless script would, its checksums to match. */
async function rewriteConsistently(dir: string, manifest: BackupManifest, bytes: Buffer): Promise<BackupManifest> {
  const file = path.join(dir, manifest.file);
  await fs.writeFile(file, bytes);
  const sha256 = await sha256File(file);
  await fs.writeFile(`${file}.sha256`, `${sha256}  ${manifest.file}\n`);
  return { ...manifest, sha256, sizeBytes: bytes.length };
}

describe('takeBackup', () => {
  it('writes a gzipped plain-SQL dump, its .sha256 and a manifest naming the database but no credentials', async () => {
    const dir = await tmpDir();
    const lines: string[] = [];
    const taken = await takeBackup({ databaseUrl, dir, pgDump: 'pg_dump', timeoutMs: 60_000, log: (l) => lines.push(l) });
    const { manifest } = taken;
    // Progress as the console shows it live (suites/0-preflight): tables n/N and the rate.
    expect(lines.filter((l) => l.includes('progress')).at(-1)).toMatch(/^\[backup\] pg_dump progress (\d+)\/\1 tables, \d+\.\d\/s$/);
    expect(manifest.file).toMatch(/^db-backup-\d{8}T\d{6}Z\.sql\.gz$/);
    expect(manifest.database).toEqual(databaseIdentity(databaseUrl));
    const sql = gunzipSync(await fs.readFile(path.join(dir, manifest.file))).toString('utf8');
    expect(sql).toContain('-- PostgreSQL database dump complete');
    expect(sql).toContain('a@example.test');
    expect((await fs.readFile(path.join(dir, `${manifest.file}.sha256`), 'utf8')).trim()).toBe(`${manifest.sha256}  ${manifest.file}`);
    const written = JSON.parse(await fs.readFile(taken.manifestPath, 'utf8')) as BackupManifest;
    expect(written).toEqual(manifest);
    expect(JSON.stringify(written)).not.toMatch(/postgres:\/\/|password/i);
    expect((await verifyBackup(dir, manifest)).problems).toEqual([]);
  });

  it('gives a second backup in the same second its own name', async () => {
    const dir = await tmpDir();
    const at = new Date('2026-11-28T01:02:03Z');
    const first = await takeBackup({ databaseUrl, dir, pgDump: 'pg_dump', timeoutMs: 60_000, now: () => at });
    const second = await takeBackup({ databaseUrl, dir, pgDump: 'pg_dump', timeoutMs: 60_000, now: () => at });
    expect([first.manifest.file, second.manifest.file]).toEqual([
      'db-backup-20261128T010203Z.sql.gz',
      'db-backup-20261128T010203Z-1.sql.gz',
    ]);
  });

  it('says clearly when pg_dump is missing, and leaves nothing behind', async () => {
    const dir = await tmpDir();
    await expect(takeBackup({ databaseUrl, dir, pgDump: '/nonexistent/pg_dump', timeoutMs: 60_000 })).rejects.toThrow(
      /not found on PATH: install the PostgreSQL client/,
    );
    expect(await fs.readdir(dir).catch(() => [])).toEqual([]);
  });

  it("removes a failed dump and reports pg_dump's words without the password", async () => {
    const dir = await tmpDir();
    const wrong = new URL(databaseUrl);
    wrong.pathname = '/cutover_selftest_no_such_database';
    wrong.password = 'hunter2-selftest-password';
    // the version probe connects first; the dump itself must fail the same way
    const error = await takeBackup({ databaseUrl: wrong.toString(), dir, pgDump: 'pg_dump', timeoutMs: 60_000 }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/does not exist/);
    expect((error as Error).message).not.toContain('hunter2');
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.gz'))).toEqual([]);
  });
});

describe('verifyBackup: restorable, not merely present', () => {
  let dir: string;
  let manifest: BackupManifest;
  beforeAll(async () => {
    dir = await tmpDir();
    manifest = (await takeBackup({ databaseUrl, dir, pgDump: 'pg_dump', timeoutMs: 60_000 })).manifest;
  });

  it('catches a dump truncated mid-stream even when its checksums were recomputed', async () => {
    const bytes = await fs.readFile(path.join(dir, manifest.file));
    const cut = await rewriteConsistently(dir, manifest, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect((await verifyBackup(dir, cut)).problems).toEqual([expect.stringMatching(/does not decompress to the end/)]);
    await rewriteConsistently(dir, manifest, bytes);
  });

  it('catches a well-formed gzip whose SQL lacks pg_dump\'s "dump complete" trailer', async () => {
    const bytes = await fs.readFile(path.join(dir, manifest.file));
    const sqlText = gunzipSync(bytes).toString('utf8');
    const cut = await rewriteConsistently(
      dir,
      manifest,
      gzipSync(sqlText.slice(0, sqlText.indexOf('-- PostgreSQL database dump complete'))),
    );
    expect((await verifyBackup(dir, cut)).problems).toEqual([
      expect.stringMatching(/ends without pg_dump's "-- PostgreSQL database dump complete" line/),
    ]);
    await rewriteConsistently(dir, manifest, bytes);
  });

  it('catches a file that no longer matches its manifest or .sha256, and a missing file', async () => {
    const file = path.join(dir, manifest.file);
    const original = await fs.readFile(file);
    await fs.writeFile(file, Buffer.concat([original.subarray(0, original.length - 1), Buffer.from([original.at(-1)! ^ 0xff])]));
    const problems = (await verifyBackup(dir, manifest)).problems.join('\n');
    expect(problems).toMatch(/does not match its manifest/);
    expect(problems).toMatch(/\.sha256 records/);
    await fs.writeFile(file, original);
    expect((await verifyBackup(dir, { ...manifest, file: 'db-backup-19990101T000000Z.sql.gz' })).problems).toEqual([
      expect.stringMatching(/is missing/),
    ]);
  });
});

describe('checkBackup (A.backup)', () => {
  const now = new Date();

  it('fails when there is no backup of this database and no snapshot, saying how to get one', async () => {
    const check = await checkBackup({ settings: settings(await tmpDir()), databaseUrl, env: {}, now });
    expect(check.problems).toEqual([
      expect.stringMatching(/no backup of .* `npm run backup -- --env=<env> --confirm=<env>` or set SNAP_ID and SNAP_AT/),
    ]);
  });

  it("ignores another database's backups", async () => {
    const dir = await tmpDir();
    await takeBackup({ databaseUrl, dir, pgDump: 'pg_dump', timeoutMs: 60_000 });
    const other = new URL(databaseUrl);
    other.pathname = '/some_other_db';
    expect((await backupsOf(dir, databaseIdentity(other.toString()))).found).toEqual([]);
    expect((await checkBackup({ settings: settings(dir), databaseUrl: other.toString(), env: {}, now })).problems.join()).toMatch(
      /no backup of/,
    );
  });

  it('accepts the newest fresh, restorable backup and reports its time, file and checksum', async () => {
    const dir = await tmpDir();
    await takeBackup({ databaseUrl, dir, pgDump: 'pg_dump', timeoutMs: 60_000, now: () => new Date(now.getTime() - 3 * 3_600_000) });
    const fresh = await takeBackup({
      databaseUrl,
      dir,
      pgDump: 'pg_dump',
      timeoutMs: 60_000,
      now: () => new Date(now.getTime() - 10 * 60_000),
    });
    const check = await checkBackup({ settings: settings(dir), databaseUrl, env: {}, now });
    expect(check.problems).toEqual([]);
    expect(check.ageMinutes).toBe(10);
    expect(check.value).toContain(fresh.manifest.file);
    expect(check.value).toContain(fresh.manifest.sha256.slice(0, 12));
  });

  it('fails a backup older than the configured age', async () => {
    const dir = await tmpDir();
    const taken = await takeBackup({
      databaseUrl,
      dir,
      pgDump: 'pg_dump',
      timeoutMs: 60_000,
      now: () => new Date(now.getTime() - 121 * 60_000),
    });
    const check = await checkHarnessBackup(dir, taken.manifest, 120, now);
    expect(check.problems).toEqual([expect.stringMatching(/is 121 min old .* newer than 120 min/)]);
  });

  it('fails a backup dated in the future', async () => {
    const dir = await tmpDir();
    const taken = await takeBackup({
      databaseUrl,
      dir,
      pgDump: 'pg_dump',
      timeoutMs: 60_000,
      now: () => new Date(now.getTime() + 60 * 60_000),
    });
    expect((await checkHarnessBackup(dir, taken.manifest, 120, now)).problems.join()).toMatch(/in the future/);
  });

  it('reports unreadable manifests instead of skipping them silently', async () => {
    const dir = await tmpDir();
    await fs.writeFile(manifestPathFor(dir, 'db-backup-20261128T000000Z.sql.gz'), '{ not json');
    expect((await checkBackup({ settings: settings(dir), databaseUrl, env: {}, now })).problems.join()).toMatch(
      /unreadable manifests there: db-backup-20261128T000000Z\.manifest\.json/,
    );
  });

  it('takes an operator-named provider snapshot as operator-attested, and still checks its age', async () => {
    const s = settings(await tmpDir());
    const fresh = await checkBackup({
      settings: s,
      databaseUrl,
      env: { SNAP_ID: 'rds:prod-2026-11-28', SNAP_AT: new Date(now.getTime() - 30 * 60_000).toISOString() },
      now,
    });
    expect(fresh).toMatchObject({ problems: [], attested: true });
    expect(fresh.value).toMatch(/provider snapshot rds:prod-2026-11-28 \(operator-attested\)$/);
    const stale = checkAttestedSnapshot('snap-1', new Date(now.getTime() - 5 * 3_600_000).toISOString(), s, now);
    expect(stale?.problems.join()).toMatch(/300 min old/);
  });

  it('refuses a half-described snapshot or a time without a zone', () => {
    const s = settings('unused');
    expect(checkAttestedSnapshot('snap-1', undefined, s)?.problems.join()).toMatch(/SNAP_AT is not/);
    expect(checkAttestedSnapshot(undefined, '2026-11-28T01:00:00Z', s)?.problems.join()).toMatch(/SNAP_ID is not/);
    expect(checkAttestedSnapshot('snap-1', '2026-11-28 01:00', s)?.problems.join()).toMatch(/not an ISO 8601 time with a zone/);
    expect(checkAttestedSnapshot(undefined, undefined, s)).toBeUndefined();
  });
});

describe('pg_dump plumbing', () => {
  it('keeps the password out of the command line and drops Prisma-only URL parameters', () => {
    const { url, password } = libpqConnection(
      'postgresql://app:s3cr%40t@db.internal:6543/app?schema=tenant&sslmode=require&connection_limit=5',
    );
    expect(password).toBe('s3cr@t');
    expect(url).toBe('postgresql://app@db.internal:6543/app?sslmode=require');
  });

  it('says which client to install when pg_dump is older than the server', () => {
    expect(versionProblem('pg_dump', '14.11', '15.6')).toMatch(
      /pg_dump 14.11 is older than the server \(PostgreSQL 15.6\): install postgresql-client-15/,
    );
    expect(versionProblem('pg_dump', '16.2', '15.6')).toBeUndefined();
  });
});
