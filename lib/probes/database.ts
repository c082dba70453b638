import pg from 'pg';
import { harnessConnection } from '../pg-connection';
import { ProbeFailure, runProbe, type ProbeResult } from './probe';

/** host:port of a connection string, for messages (the URL itself holds the password). */
export function hostPort(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}`;
  } catch {
    return '(unparseable URL)';
  }
}

export function describePgError(error: unknown, where: string): string {
  const err = error as { code?: string; message?: string };
  if (err.code === 'ECONNREFUSED') return `connection refused at ${where}`;
  if (err.code === 'ENOTFOUND') return `host of ${where} not found`;
  if (err.code === '28P01' || err.code === '28000') return `authentication failed at ${where} (check the user and password)`;
  if (err.code === '3D000') return `the database does not exist at ${where}`;
  if (/timeout/i.test(err.message ?? '')) return `no answer from ${where} in time`;
  return `${err.code ? `${err.code} ` : ''}${(err.message ?? String(error)).split('\n')[0]}`;
}

/** Connects with the target's DATABASE_URL and runs SELECT 1. */
export function probeDatabase(databaseUrl: string, timeoutMs: number): Promise<ProbeResult> {
  const where = hostPort(databaseUrl);
  return runProbe('database', timeoutMs, async (signal) => {
    const client = new pg.Client(
      harnessConnection(databaseUrl, 'database probe', { connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs }),
    );
    client.on('error', () => undefined);
    signal.addEventListener('abort', () => void client.end().catch(() => undefined), { once: true });
    try {
      await client.connect();
      const { rows } = await client.query<{ one: number }>('SELECT 1 AS one');
      if (rows[0]?.one !== 1) throw new ProbeFailure(`SELECT 1 at ${where} answered ${JSON.stringify(rows[0] ?? null)}`);
      return `connected to ${where}; SELECT 1 → 1`;
    } catch (error) {
      if (error instanceof ProbeFailure) throw error;
      throw new ProbeFailure(describePgError(error, where));
    } finally {
      await client.end().catch(() => undefined);
    }
  });
}
