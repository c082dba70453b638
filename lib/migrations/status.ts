import path from 'node:path';
import pg from 'pg';
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

async function readRows(databaseUrl: string, timeoutMs: number): Promise<{ rows: Row[] | null; database: string }> {
  const { connectionString, schema } = splitSchema(databaseUrl);
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs, statement_timeout: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const table = `${client.escapeIdentifier(schema)}."_prisma_migrations"`;
    const { rows: exists } = await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table]);
    if (!exists[0]?.t) return { rows: null, database: describeDatabase(databaseUrl, schema) };
    const { rows } = await client.query<Row>(
      `SELECT migration_name, checksum, started_at, finished_at, rolled_back_at, logs FROM ${table} ORDER BY started_at, migration_name`,
    );
    return { rows, database: describeDatabase(databaseUrl, schema) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The truth about migrations, read from the database against the release's migrations directory. */
export async function readMigrationStatus(databaseUrl: string, dir: string, timeoutMs = 15_000): Promise<MigrationStatus> {
  const local = await readMigrationsDir(dir);
  const { rows, database } = await readRows(databaseUrl, timeoutMs);
  return { ...compareMigrations(local, rows ?? []), database, dir, tableMissing: rows === null };
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
    applied: finished.filter((r) => byName.has(r.migration_name)).map((r) => ({ name: r.migration_name, finishedAt: r.finished_at!.toISOString() })),
    pending: local.filter((m) => !finishedNames.has(m.name)).map((m) => m.name),
    failed: live.filter((r) => !r.finished_at).map((r) => ({ name: r.migration_name, startedAt: r.started_at.toISOString(), logs: r.logs })),
    edited: finished.filter((r) => byName.has(r.migration_name) && !sameScript(byName.get(r.migration_name)!, r.checksum)).map((r) => r.migration_name),
    drift: [...new Set(finished.filter((r) => !byName.has(r.migration_name)).map((r) => r.migration_name))],
    rolledBack: rows.filter((r) => r.rolled_back_at).map((r) => ({ name: r.migration_name, reapplied: finishedNames.has(r.migration_name) })),
  };
}

/** What stops a deploy before it starts: Prisma would refuse, or the history no longer matches the release. */
export function blockingProblems(status: MigrationStatus): string[] {
  return [
    ...status.failed.map((f) => `migration ${f.name} started ${f.startedAt} and never finished (failed): Prisma refuses to deploy over it (P3009)`),
    ...status.edited.map((n) => `migration ${n} was edited after it was applied: its migration.sql no longer matches the checksum recorded in _prisma_migrations`),
    ...status.drift.map((n) => `migration ${n} is applied to the database but missing from ${status.dir} (drift): this release does not describe the live schema`),
  ];
}

/** A status report in the spirit of `prisma migrate status`, for B.status. */
export function formatStatus(status: MigrationStatus, applyHint: string): string {
  const relative = path.relative(process.cwd(), path.resolve(status.dir));
  const dir = relative && !relative.startsWith('..') ? relative : path.resolve(status.dir);
  const list = (title: string, items: string[]) => (items.length ? [`${title} (${items.length}):`, ...items.map((i) => `  ${i}`)] : [`${title}: none`]);
  const lines = [
    `Datasource: PostgreSQL ${status.database}`,
    `${status.local.length} migration${status.local.length === 1 ? '' : 's'} found in ${dir}`,
    status.tableMissing ? '_prisma_migrations does not exist: no migration was ever deployed to this database' : '',
    '',
    ...list('Applied', status.applied.map((a) => `${a.name.padEnd(44)} finished ${a.finishedAt}`)),
    ...list('Not yet applied', status.pending),
    ...list('Failed (started, never finished)', status.failed.map((f) => `${f.name} started ${f.startedAt}${f.logs ? `: ${f.logs.split('\n')[0]!.slice(0, 160)}` : ''}`)),
    ...list('Edited after they were applied', status.edited),
    ...list('Applied but missing from the migrations directory', status.drift),
    ...list('Rolled back', status.rolledBack.map((r) => `${r.name} (${r.reapplied ? 're-applied since' : 'not re-applied: pending'})`)),
    '',
  ].filter((l, i, all) => l !== '' || all[i - 1] !== '');
  const problems = blockingProblems(status);
  if (problems.length) lines.push(`Status: NOT deployable (${problems.length} problem${problems.length === 1 ? '' : 's'} above). Do not run migrate deploy; see the rollback plan.`);
  else if (status.pending.length) lines.push(`Status: ${status.pending.length} migration${status.pending.length === 1 ? '' : 's'} pending. To apply: ${applyHint}`);
  else lines.push('Status: Database schema is up to date!');
  return lines.join('\n');
}
