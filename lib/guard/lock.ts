import pg from 'pg';
import { harnessConnection } from '../pg-connection';

export class LockBusy extends Error {}

/**
 * Holds a Postgres session-level advisory lock for the whole of fn, on its own connection,
 * so two operators (or two terminals) cannot run the same mutation at once. Does not wait:
 * a held lock is reported at once with the pid holding it.
 */
export async function withAdvisoryLock<T>(databaseUrl: string, key: number, what: string, fn: () => Promise<T>): Promise<T> {
  const client = new pg.Client(
    harnessConnection(databaseUrl, `lock: ${what}`, { connectionTimeoutMillis: 10_000, statement_timeout: 10_000 }),
  );
  await client.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [key]);
    if (!rows[0]?.locked) {
      const { pid, app } = (await lockHolder(client, key)) ?? {};
      const by = pid ? ` (lock held by backend pid ${pid}${app ? `, "${app}"` : ''})` : '';
      throw new LockBusy(`${what} is already running against this database${by}; wait for it or find who runs it`);
    }
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The session holding advisory lock `key` in the client's database, with its application_name
 * (what holds it, when it is a harness: see harnessConnection); null when none is seen.
 */
export async function lockHolder(client: pg.Client, key: number): Promise<{ pid: number; app: string | null } | null> {
  const { rows } = await client
    .query<{ pid: number; app: string | null }>(
      // Advisory locks are per database: the same key held in another database of the server is not this one.
      `SELECT l.pid, a.application_name AS app FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.classid = 0 AND l.objid = $1 AND l.objsubid = 1 AND l.granted
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1`,
      [key],
    )
    .catch(() => ({ rows: [] as { pid: number; app: string | null }[] }));
  return rows[0] ?? null;
}
