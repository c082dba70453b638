import path from 'node:path';
import pg from 'pg';
import { harnessConnection } from '../pg-connection';
import { migrationChecksum, readMigrationsDir } from './prisma-engine';

/** A `_prisma_migrations` row, as Prisma writes it. */
interface Row {
  migration_name: string;
  checksum: string;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

export interface MigrationStatus {
  /** host:port/database (schema), never credentials. */
  database: string;
  dir: string;
  /** No `_prisma_migrations` table: nothing was ever deployed here. */
  tableMissing: boolean;
  local: string[];
  applied: { name: string; finishedAt: string }[];
  /** In the directory with no finished, not-rolled-back row: what `migrate deploy` would apply. */
  pending: string[];
  /** Started and neither finished nor rolled back: Prisma refuses to deploy (P3009). */
  failed: { name: string; startedAt: string; logs: string | null }[];
  /** Applied, but migration.sql changed since (its checksum no longer matches the row's). */
  edited: string[];
  /** Applied to the database, unknown to the directory: the database runs a schema this release does not describe. */
  drift: string[];
  /** Rolled back (`migrate resolve --rolled-back`); only a problem if not re-applied, and then it is simply pending. */
  rolledBack: { name: string; reapplied: boolean }[];
  /** Another session holds the migration lock (Prisma's or the harness's): a deploy is running now. */
  lock: MigrationLock | null;
  /** Started, not finished, while the lock is held: being applied now, not failed. */
  inProgress: { name: string; startedAt: string }[];
}

export interface MigrationLock {
  /** Whose lock: Prisma's own (migrate deploy anywhere) or the harness's (lib/guard/lock.ts). */
  holder: 'prisma' | 'harness';
  pid: number;
  /** When the holding session connected (Postgres does not record when a lock was taken). */
  since: string | null;
  /** The holder's client address, as Postgres sees it; null over a local socket or when hidden from this role. */
  host: string | null;
}

/** The advisory lock `prisma migrate deploy` takes (its schema engine: SELECT pg_advisory_lock(72707369)). */
export const PRISMA_MIGRATE_LOCK_KEY = 72_707_369;

/** The sentence the operator reads; never advice to restore (nothing has failed yet). */
export function describeLock(lock: MigrationLock): string {
  const host = lock.host ?? 'unknown (a local socket, or not visible to this role)';
  return `another run holds the migration lock (since ${lock.since ?? 'unknown'}, pid ${lock.pid}, host ${host})`;
}

/** Prisma's ?schema= is not a pg option: it names the schema the table lives in. */
function splitSchema(databaseUrl: string): { connectionString: string; schema: string } {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') || 'public';
  url.searchParams.delete('schema');
  return { connectionString: url.toString(), schema };
}

function describeDatabase(databaseUrl: string, schema: string): string {
  const url = new URL(databaseUrl);
  return `${url.hostname}:${url.port || '5432'}/${decodeURIComponent(url.pathname.slice(1)) || 'postgres'} (schema "${schema}")`;
}

/**
 * Prisma compares checksums on the file as written and with its line endings normalised (a
 * checkout on Windows must not look edited); so do we.
 */
function sameScript(sql: string, checksum: string): boolean {
  const variants = [sql, sql.replace(/\r\n/g, '\n'), sql.replace(/\r?\n/g, '\r\n')];
  return variants.some((v) => migrationChecksum(v) === checksum);
}

/** A session other than ours holding one of the migration locks in this database (pg_locks + pg_stat_activity). */
async function readLock(client: pg.Client, harnessLockKey: number | undefined): Promise<MigrationLock | null> {
  const keys = [PRISMA_MIGRATE_LOCK_KEY, ...(harnessLockKey === undefined ? [] : [harnessLockKey])];
  // A bigint key below 2^32 is classid 0, objid = key, objsubid 1 in pg_locks.
  const { rows } = await client.query<{ pid: number; key: string; since: Date | null; host: string | null }>(
    `SELECT l.pid, l.objid::text AS key, a.backend_start AS since, host(a.client_addr) AS host
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.objid::text::bigint = ANY($1::bigint[]) AND l.pid <> pg_backend_pid()
      ORDER BY a.backend_start NULLS LAST LIMIT 1`,
    [keys],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    holder: Number(row.key) === PRISMA_MIGRATE_LOCK_KEY ? 'prisma' : 'harness',
    pid: row.pid,
    since: row.since?.toISOString() ?? null,
    host: row.host,
  };
}

async function readRows(
  databaseUrl: string,
  timeoutMs: number,
  harnessLockKey: number | undefined,
): Promise<{ rows: Row[] | null; database: string; lock: MigrationLock | null }> {
  const { connectionString, schema } = splitSchema(databaseUrl);
  const client = new pg.Client(
    harnessConnection(connectionString, 'migration status', {
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      statement_timeout: timeoutMs,
    }),
  );
  client.on('error', () => undefined);
  try {
    await client.connect();
    const lock = await readLock(client, harnessLockKey);
    const table = `${client.escapeIdentifier(schema)}."_prisma_migrations"`;
    const { rows: exists } = await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table]);
    if (!exists[0]?.t) return { rows: null, database: describeDatabase(databaseUrl, schema), lock };
    const { rows } = await client.query<Row>(
      `SELECT migration_name, checksum, started_at, finished_at, rolled_back_at, logs FROM ${table} ORDER BY started_at, migration_name`,
    );
    return { rows, database: describeDatabase(databaseUrl, schema), lock };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The truth about migrations, read from the database against the release's migrations directory.
 * With the migration lock held by another session, a row that started and has not finished is
 * being applied right now: it is in progress, not failed. Pass the harness's lock key
 * (migrations.lockKey) unless the caller holds that lock itself.
 */
export async function readMigrationStatus(
  databaseUrl: string,
  dir: string,
  timeoutMs = 15_000,
  harnessLockKey?: number,
): Promise<MigrationStatus> {
  const local = await readMigrationsDir(dir);
  const { rows, database, lock } = await readRows(databaseUrl, timeoutMs, harnessLockKey);
  const compared = compareMigrations(local, rows ?? []);
  const inProgress = lock ? compared.failed.map(({ name, startedAt }) => ({ name, startedAt })) : [];
  return { ...compared, failed: lock ? [] : compared.failed, lock, inProgress, database, dir, tableMissing: rows === null };
}

/** Prisma's reading of the table against the directory (pure, for tests). */
export function compareMigrations(
  local: { name: string; sql: string }[],
  rows: Row[],
): Pick<MigrationStatus, 'local' | 'applied' | 'pending' | 'failed' | 'edited' | 'drift' | 'rolledBack'> {
  const byName = new Map(local.map((m) => [m.name, m.sql]));
  const live = rows.filter((r) => !r.rolled_back_at);
  const finished = live.filter((r) => r.finished_at);
  const finishedNames = new Set(finished.map((r) => r.migration_name));
  return {
    local: local.map((m) => m.name),
    applied: finished
      .filter((r) => byName.has(r.migration_name))
      .map((r) => ({ name: r.migration_name, finishedAt: r.finished_at!.toISOString() })),
    pending: local.filter((m) => !finishedNames.has(m.name)).map((m) => m.name),
    failed: live
      .filter((r) => !r.finished_at)
      .map((r) => ({ name: r.migration_name, startedAt: r.started_at.toISOString(), logs: r.logs })),
    edited: finished
      .filter((r) => byName.has(r.migration_name) && !sameScript(byName.get(r.migration_name)!, r.checksum))
      .map((r) => r.migration_name),
    drift: [...new Set(finished.filter((r) => !byName.has(r.migration_name)).map((r) => r.migration_name))],
    rolledBack: rows
      .filter((r) => r.rolled_back_at)
      .map((r) => ({ name: r.migration_name, reapplied: finishedNames.has(r.migration_name) })),
  };
}

/** What stops a deploy before it starts: Prisma would refuse, or the history no longer matches the release. */
export function blockingProblems(status: MigrationStatus): string[] {
  return [
    ...(status.lock ? [`${describeLock(status.lock)}${inProgressNote(status)}: wait for it to end, then read the status again`] : []),
    ...status.failed.map(
      (f) => `migration ${f.name} started ${f.startedAt} and never finished (failed): Prisma refuses to deploy over it (P3009)`,
    ),
    ...status.edited.map(
      (n) =>
        `migration ${n} was edited after it was applied: its migration.sql no longer matches the checksum recorded in _prisma_migrations`,
    ),
    ...status.drift.map(
      (n) =>
        `migration ${n} is applied to the database but missing from ${status.dir} (drift): this release does not describe the live schema`,
    ),
  ];
}

function inProgressNote(status: MigrationStatus): string {
  return status.inProgress.length ? `, applying ${status.inProgress.map((m) => `${m.name} (started ${m.startedAt})`).join(', ')}` : '';
}

/** A status report in the spirit of `prisma migrate status`, for B.status. */
export function formatStatus(status: MigrationStatus, applyHint: string): string {
  const relative = path.relative(process.cwd(), path.resolve(status.dir));
  const dir = relative && !relative.startsWith('..') ? relative : path.resolve(status.dir);
  const list = (title: string, items: string[]) =>
    items.length ? [`${title} (${items.length}):`, ...items.map((i) => `  ${i}`)] : [`${title}: none`];
  const lines = [
    `Datasource: PostgreSQL ${status.database}`,
    `${status.local.length} migration${status.local.length === 1 ? '' : 's'} found in ${dir}`,
    status.tableMissing ? '_prisma_migrations does not exist: no migration was ever deployed to this database' : '',
    '',
    ...list(
      'Applied',
      status.applied.map((a) => `${a.name.padEnd(44)} finished ${a.finishedAt}`),
    ),
    ...list('Not yet applied', status.pending),
    ...(status.lock
      ? list(
          `In progress (${describeLock(status.lock)})`,
          status.inProgress.map((m) => `${m.name} started ${m.startedAt}`),
        )
      : []),
    ...list(
      'Failed (started, never finished)',
      status.failed.map((f) => `${f.name} started ${f.startedAt}${f.logs ? `: ${f.logs.split('\n')[0]!.slice(0, 160)}` : ''}`),
    ),
    ...list('Edited after they were applied', status.edited),
    ...list('Applied but missing from the migrations directory', status.drift),
    ...list(
      'Rolled back',
      status.rolledBack.map((r) => `${r.name} (${r.reapplied ? 're-applied since' : 'not re-applied: pending'})`),
    ),
    '',
  ].filter((l, i, all) => l !== '' || all[i - 1] !== '');
  const problems = blockingProblems(status);
  if (status.lock)
    lines.push(`Status: ${describeLock(status.lock)}${inProgressNote(status)}. Wait for it to end, then read the status again.`);
  else if (problems.length)
    lines.push(
      `Status: NOT deployable (${problems.length} problem${problems.length === 1 ? '' : 's'} above). Do not run migrate deploy; see the rollback plan.`,
    );
  else if (status.pending.length)
    lines.push(`Status: ${status.pending.length} migration${status.pending.length === 1 ? '' : 's'} pending. To apply: ${applyHint}`);
  else lines.push('Status: Database schema is up to date!');
  return lines.join('\n');
}
