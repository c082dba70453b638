import pg from 'pg';

export class LockBusy extends Error {}

/**
 * Holds a Postgres session-level advisory lock for the whole of fn, on its own connection,
 * so two operators (or two terminals) cannot run the same mutation at once. Does not wait:
 * a held lock is reported at once with the pid holding it.
 */
export async function withAdvisoryLock<T>(databaseUrl: string, key: number, what: string, fn: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000, statement_timeout: 10_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [key]);
    if (!rows[0]?.locked) {
      const holder = await client
        .query<{ pid: number }>("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted LIMIT 1", [key])
        .catch(() => ({ rows: [] as { pid: number }[] }));
      const pid = holder.rows[0]?.pid;
      throw new LockBusy(
        `${what} is already running against this database${pid ? ` (lock held by backend pid ${pid})` : ''}; wait for it or find who runs it`,
      );
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
