import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import pg from 'pg';
import { HARNESS_APPLICATION, harnessConnection } from '../pg-connection';

// Parameters Prisma (or the pg driver) accepts in DATABASE_URL that libpq rejects ("invalid URI query parameter").
const NOT_LIBPQ = [
  'schema',
  'connection_limit',
  'pool_timeout',
  'pgbouncer',
  'statement_cache_size',
  'socket_timeout',
  'sslaccept',
  'sslidentity',
  'sslpassword',
];

/** A libpq URL without its password (that goes in PGPASSWORD, out of `ps`) or Prisma-only parameters. */
export function libpqConnection(databaseUrl: string): { url: string; password: string | undefined } {
  const url = new URL(databaseUrl);
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  url.password = '';
  for (const p of NOT_LIBPQ) url.searchParams.delete(p);
  return { url: url.toString(), password };
}

export class BackupToolProblem extends Error {}

function major(version: string): number {
  return Number(/^(\d+)/.exec(version)?.[1] ?? NaN);
}

/** pg_dump's version, or a clear word on why it cannot be used. */
export async function pgDumpVersion(pgDump: string, timeoutMs = 10_000): Promise<string> {
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(pgDump, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (text += d.toString('utf8')));
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        err.code === 'ENOENT'
          ? new BackupToolProblem(
              `${pgDump} not found on PATH: install the PostgreSQL client matching the server's major version (e.g. apt-get install -y postgresql-client-15) or set preflight.backup.pgDump`,
            )
          : err,
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(text);
      else reject(new BackupToolProblem(`${pgDump} --version failed (exit ${code ?? 'killed'})`));
    });
  });
  const version = /(\d+(?:\.\d+)*)/.exec(out)?.[1];
  if (!version) throw new BackupToolProblem(`${pgDump} --version printed no version: ${out.slice(0, 80)}`);
  return version;
}

/** The tables whose contents pg_dump will dump: the N of its progress (its --verbose names each as it starts). */
export async function tablesToDump(databaseUrl: string): Promise<number> {
  const schema = new URL(databaseUrl).searchParams.get('schema');
  const client = new pg.Client(
    harnessConnection(databaseUrl, 'backup: table count', { connectionTimeoutMillis: 10_000, query_timeout: 10_000 }),
  );
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
        WHERE c.relkind = 'r' AND ($1::text IS NULL AND ns.nspname NOT IN ('pg_catalog', 'information_schema') AND ns.nspname NOT LIKE 'pg_toast%' OR ns.nspname = $1)`,
      [schema],
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function serverVersion(databaseUrl: string): Promise<string> {
  const client = new pg.Client(
    harnessConnection(databaseUrl, 'backup: server version', { connectionTimeoutMillis: 10_000, query_timeout: 10_000 }),
  );
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return /^[\d.]+/.exec(rows[0]?.server_version ?? '')?.[0] ?? 'unknown';
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** pg_dump refuses a newer server; say so plainly before it starts. */
export function versionProblem(pgDump: string, dumpVersion: string, server: string): string | undefined {
  if (major(dumpVersion) < major(server)) {
    return `${pgDump} ${dumpVersion} is older than the server (PostgreSQL ${server}): install postgresql-client-${major(server)} or newer and point preflight.backup.pgDump at it`;
  }
  return undefined;
}

/** pg_dump's session name in pg_stat_activity. */
export const PG_DUMP_APPLICATION = `${HARNESS_APPLICATION}: backup (pg_dump)`;
/** How long pg_dump waits for a table another session holds before it fails (--lock-wait-timeout). */
export const PG_DUMP_LOCK_WAIT_MS = 60_000;

export interface DumpResult {
  sizeBytes: number;
  sha256: string;
}

/**
 * Streams `pg_dump` (plain SQL) through gzip into file, hashing what is written. A dump that
 * fails or outlives timeoutMs is an error carrying pg_dump's last words; the caller removes
 * the partial file.
 */
export async function dumpToGzipFile(opts: {
  pgDump: string;
  databaseUrl: string;
  file: string;
  timeoutMs: number;
  /** Called as pg_dump starts each table's contents (counted from its --verbose lines). */
  onTable?: (done: number) => void;
  /** Stops pg_dump (an operator's Ctrl-C or SIGTERM): the dump fails as stopped, the caller removes the partial file. */
  signal?: AbortSignal;
}): Promise<DumpResult> {
  const { url, password } = libpqConnection(opts.databaseUrl);
  // The schema the URL names is the backend's whole world: dump it (quoted: a name, not a pattern), and fail if it is not there.
  const schema = new URL(opts.databaseUrl).searchParams.get('schema');
  const only = schema ? [`--schema="${schema.replaceAll('"', '""')}"`, '--strict-names'] : [];
  const child = spawn(
    opts.pgDump,
    ['--format=plain', '--no-password', `--lock-wait-timeout=${PG_DUMP_LOCK_WAIT_MS}`, '--verbose', ...only, `--dbname=${url}`],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PGPASSWORD: password ?? process.env.PGPASSWORD ?? '',
        PGCONNECT_TIMEOUT: '10',
        PGAPPNAME: PG_DUMP_APPLICATION,
      },
    },
  );
  // --verbose narrates every object: the table lines count progress; only the rest is kept for an error.
  let stderr = '';
  let partial = '';
  let tables = 0;
  child.stderr.on('data', (d: Buffer) => {
    const lines = (partial + d.toString('utf8')).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (/^pg_dump: dumping contents of table /.test(line)) opts.onTable?.(++tables);
      else if ((!/^pg_dump: /.test(line) || /^pg_dump: (error|warning|detail|hint)/i.test(line)) && stderr.length < 16_384)
        stderr += `${line}\n`;
    }
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
  }, opts.timeoutMs);
  const onAbort = () => child.kill('SIGTERM');
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  // A process that exits meanwhile (a forced stop) takes pg_dump and the partial file with it:
  // pg_dump waiting on a lock would hold its session for a minute, and nothing would remove the file.
  const onExit = () => {
    child.kill('SIGKILL');
    rmSync(opts.file, { force: true });
  };
  process.once('exit', onExit);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });

  const hash = createHash('sha256');
  let sizeBytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      sizeBytes += chunk.length;
      done(null, chunk);
    },
  });
  try {
    const [code] = await Promise.all([exited, pipeline(child.stdout, createGzip(), tap, createWriteStream(opts.file, { flags: 'wx' }))]);
    if (timedOut) throw new Error(`pg_dump did not finish within ${Math.round(opts.timeoutMs / 1000)} s and was stopped`);
    if (opts.signal?.aborted) throw new Error('pg_dump was stopped (interrupted)');
    if (code !== 0)
      throw new Error(
        `pg_dump failed (exit ${code ?? 'killed'}): ${(stderr + partial).trim().split('\n').slice(-3).join(' / ') || 'no message'}`,
      );
  } catch (error) {
    if (opts.signal?.aborted) throw new Error('pg_dump was stopped (interrupted)');
    throw error;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    process.off('exit', onExit);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  return { sizeBytes, sha256: hash.digest('hex') };
}
