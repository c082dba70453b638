import pg from 'pg';
import { harnessConnection } from '../pg-connection';
import { PG_DUMP_APPLICATION } from './pg-dump';

/** How long the dump may show no progress before the watch asks Postgres why. */
const QUIET_MS = 5_000;

interface Blocker {
  pid: number;
  app: string;
  state: string | null;
  held_s: number | null;
  relname: string | null;
}

/**
 * pg_dump takes a share lock on each table before it dumps it, and waits (up to its
 * --lock-wait-timeout) for a session holding one: a long transaction, a migration. It says
 * nothing meanwhile, and an operator sees the backup stall. While the dump makes no progress,
 * this asks Postgres whom pg_dump waits for and says so, once per holder. Reading is all it does;
 * a failed look is silent (the dump's own outcome is what counts).
 */
export function watchDumpLockWait(
  databaseUrl: string,
  lockWaitTimeoutMs: number,
  log: (line: string) => void,
  quietMs = QUIET_MS,
): { progressed(): void; stop(): Promise<void> } {
  let client: pg.Client | null = null;
  let lastProgress = Date.now();
  let looking = false;
  const said = new Set<string>();
  const look = async () => {
    if (looking || Date.now() - lastProgress < quietMs) return;
    looking = true;
    try {
      if (!client) {
        client = new pg.Client(
          harnessConnection(databaseUrl, 'backup: lock watch', { connectionTimeoutMillis: 5_000, query_timeout: 5_000 }),
        );
        client.on('error', () => undefined);
        await client.connect();
      }
      const { rows } = await client.query<Blocker>(
        `SELECT b.pid, b.application_name AS app, b.state,
                floor(extract(epoch FROM now() - coalesce(b.xact_start, b.query_start)))::int AS held_s, c.relname
           FROM pg_stat_activity d
           CROSS JOIN LATERAL unnest(pg_blocking_pids(d.pid)) AS bp(pid)
           JOIN pg_stat_activity b ON b.pid = bp.pid
           LEFT JOIN pg_locks l ON l.pid = d.pid AND NOT l.granted AND l.locktype = 'relation'
           LEFT JOIN pg_class c ON c.oid = l.relation
          WHERE d.datname = current_database() AND d.application_name = $1`,
        [PG_DUMP_APPLICATION],
      );
      for (const b of rows) {
        if (said.has(`${b.pid}`)) continue;
        said.add(`${b.pid}`);
        const on = b.relname ? ` on table "${b.relname}"` : '';
        const since = b.held_s === null ? '' : `, its transaction open for ${b.held_s} s`;
        log(
          `[backup] pg_dump waits for a lock${on} held by backend pid ${b.pid} ("${b.app || 'no application_name'}", ${b.state ?? 'unknown state'}${since}); it gives up after ${Math.round(lockWaitTimeoutMs / 1000)} s`,
        );
      }
    } catch {
      // A look that fails says nothing: the dump's own outcome is what counts.
    } finally {
      looking = false;
    }
  };
  const timer = setInterval(() => void look(), Math.max(250, Math.floor(quietMs / 2)));
  timer.unref();
  return {
    progressed: () => (lastProgress = Date.now()),
    async stop() {
      clearInterval(timer);
      while (looking) await new Promise((r) => setTimeout(r, 20));
      await (client as pg.Client | null)?.end().catch(() => undefined);
    },
  };
}
