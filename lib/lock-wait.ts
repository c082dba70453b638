import pg from 'pg';
import { harnessConnection } from './pg-connection';

/** How long a session may show no progress before the watch asks Postgres why. */
const QUIET_MS = 5_000;

/** A session the watched one waits for. */
export interface LockHolder {
  pid: number;
  app: string;
  state: string | null;
  /** How long its transaction (else its query) has been open, in seconds. */
  heldS: number | null;
  /** The table the watched session waits to lock, where it is one. */
  table: string | null;
}

/** "on table "x" held by backend pid N ("app", idle in transaction, its transaction open for 40 s)" */
export function describeHolder(h: LockHolder): string {
  const on = h.table ? ` on table "${h.table}"` : '';
  const since = h.heldS === null ? '' : `, its transaction open for ${h.heldS} s`;
  return `${on} held by backend pid ${h.pid} ("${h.app || 'no application_name'}", ${h.state ?? 'unknown state'}${since})`;
}

/**
 * A session of the harness's (pg_dump, the migration engine) that waits for a lock another
 * session holds waits silently: a dump stalls for up to its lock timeout, a migration's ALTER
 * for up to the deploy's, with every query on that table queued behind it. While the work makes
 * no progress, this asks Postgres whom the sessions named `application` wait for, and `say`s
 * each holder once. Reading is all it does; a look that fails says nothing (the work's own
 * outcome is what counts).
 */
export function watchLockWait(o: { databaseUrl: string; application: string; say: (holder: LockHolder) => void; quietMs?: number }): {
  progressed(): void;
  stop(): Promise<void>;
} {
  const quietMs = o.quietMs ?? QUIET_MS;
  let client: pg.Client | null = null;
  let lastProgress = Date.now();
  let looking: Promise<void> | null = null;
  const said = new Set<number>();
  const look = async () => {
    try {
      if (!client) {
        client = new pg.Client(harnessConnection(o.databaseUrl, 'lock watch', { connectionTimeoutMillis: 5_000, query_timeout: 5_000 }));
        client.on('error', () => undefined);
        await client.connect();
      }
      const { rows } = await client.query<LockHolder>(
        `SELECT b.pid, b.application_name AS app, b.state,
                floor(extract(epoch FROM now() - coalesce(b.xact_start, b.query_start)))::int AS "heldS", c.relname AS "table"
           FROM pg_stat_activity w
           CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS bp(pid)
           JOIN pg_stat_activity b ON b.pid = bp.pid
           LEFT JOIN pg_locks l ON l.pid = w.pid AND NOT l.granted AND l.locktype = 'relation'
           LEFT JOIN pg_class c ON c.oid = l.relation
          WHERE w.datname = current_database() AND w.application_name = $1`,
        [o.application],
      );
      for (const holder of rows) {
        // Another of the watched sessions (the engine's pool) is no one to name.
        if (said.has(holder.pid) || holder.app === o.application) continue;
        said.add(holder.pid);
        o.say(holder);
      }
    } catch {
      // A look that fails says nothing: the work's own outcome is what counts.
    }
  };
  const timer = setInterval(
    () => {
      if (looking || Date.now() - lastProgress < quietMs) return;
      looking = look().finally(() => (looking = null));
    },
    Math.max(250, Math.floor(quietMs / 2)),
  );
  timer.unref();
  return {
    progressed: () => (lastProgress = Date.now()),
    async stop() {
      clearInterval(timer);
      await looking;
      await (client as pg.Client | null)?.end().catch(() => undefined);
    },
  };
}
