import type { ChildProcess } from 'node:child_process';
import pg from 'pg';

/**
 * A session named `app` holding `table` (ACCESS EXCLUSIVE, in an open transaction), as a long
 * report or a stuck transaction does on a real database; it lets go once a command it was
 * given to (`releaseWhenSaid` as the command's onSpawn) says on stdout that it waits for a lock.
 */
export async function holdTable(url: string, table: string, app: string) {
  const client = new pg.Client({ connectionString: url, application_name: app });
  await client.connect();
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  await client.query(`BEGIN; LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
  let released: Promise<unknown> | undefined;
  return {
    pid,
    releaseWhenSaid: (child: ChildProcess) => {
      let seen = '';
      child.stdout!.on('data', (d: Buffer) => {
        seen += d.toString('utf8');
        // Once: a later chunk must not send another ROLLBACK, still pending when the test ends the session.
        if (!released && seen.includes(' waits for a lock ')) released = client.query('ROLLBACK').catch(() => undefined);
      });
    },
    end: async () => {
      await released;
      await client.end();
    },
  };
}
