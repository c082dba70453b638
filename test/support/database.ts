// Real Postgres for the self-tests: the machine's server (as CI has it), one fresh database
// per call, dropped again after the file.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';

export const SERVER_URL = process.env.CUTOVER_SELFTEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function withDatabase(name: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, query_timeout: 15_000 });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** Names of this self-test run's databases start so: the run's end finds any left behind. */
export function selfTestDatabasePrefix(): string {
  return `cutover_selftest_${process.env.CUTOVER_SELFTEST_RUN ?? process.pid}`;
}

/**
 * Call at the top of a test file: fresh() makes a new empty database, and all of them are
 * dropped after the file.
 */
export function useDatabases(): { fresh(): Promise<string> } {
  const created: string[] = [];
  afterAll(async () => {
    for (const db of created.splice(0)) await dropDatabase(db);
  });
  return {
    async fresh() {
      const name = `${selfTestDatabasePrefix()}_${randomBytes(3).toString('hex')}`;
      await sql(SERVER_URL, `CREATE DATABASE ${name}`);
      created.push(name);
      return withDatabase(name);
    },
  };
}

/**
 * Drops a test database. pg's pool.end() resolves before its sockets have closed, and a FORCE
 * drop that terminates such a closing session makes pg throw an uncaught error in this process:
 * wait (briefly) for the sessions to go first.
 */
export async function dropDatabase(name: string): Promise<void> {
  for (let i = 0; i < 50; i += 1) {
    const [row] = await sql<{ n: number }>(SERVER_URL, 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
    if (!row || row.n === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await sql(SERVER_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}
