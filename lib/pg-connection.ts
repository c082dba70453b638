import type { PoolConfig } from 'pg';

/** What every session the harness opens calls itself in pg_stat_activity, before what it is for. */
export const HARNESS_APPLICATION = 'cutover-harness';

/**
 * The settings of a connection the harness opens to a target's database. It names itself
 * (application_name: "cutover-harness: <purpose>"), so a DBA watching a cutover can tell the
 * harness's sessions from the backend's and see what each is for, and a held lock names its
 * holder. Postgres keeps the first 63 bytes. An application_name in the URL wins.
 */
export function harnessConnection(
  connectionString: string,
  purpose: string,
  settings: Omit<PoolConfig, 'connectionString' | 'application_name'>,
): PoolConfig {
  return { ...settings, connectionString, application_name: `${HARNESS_APPLICATION}: ${purpose}` };
}
