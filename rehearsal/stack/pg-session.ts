// One pg session on a stack's server, with the stack's timeouts. pg is imported when a session
// first opens, not with the wing: the CLI loads the wing before the stack's processes start,
// and pg (about 90 ms) then loads while they boot instead of before.
import type { Client, ClientConfig } from 'pg';
import { TIMEOUTS } from './types';
import { hostPort, withTimeout } from './util';

/** Connects to `url`, runs `fn` and ends the session, whatever `fn` did. */
export async function withPgSession<T>(
  url: string,
  fn: (client: Client) => Promise<T>,
  opts: { signal?: AbortSignal; applicationName?: string } = {},
): Promise<T> {
  const { default: pg } = await import('pg');
  const config: ClientConfig = { connectionString: url, connectionTimeoutMillis: TIMEOUTS.connectMs, query_timeout: TIMEOUTS.queryMs };
  if (opts.applicationName) config.application_name = opts.applicationName;
  const client = new pg.Client(config);
  client.on('error', () => undefined);
  try {
    await withTimeout(client.connect(), TIMEOUTS.connectMs + 1_000, `connect to postgres at ${hostPort(url)}`, opts.signal);
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
