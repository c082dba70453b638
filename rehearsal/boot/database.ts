// The target's database as the previous release left it: every migration but the RC's newest
// (which step 1 applies), and the test accounts and legacy uploads the runbook's checks use.
import pg from 'pg';
import { applyPrismaMigrations, readMigrationsDir } from '../../lib/migrations/prisma-engine';
import { seedTarget } from '../target/seed';
import type { RehearsalCredentials, RehearsalPaths } from './settings';
import { BCRYPT_ROUNDS } from './settings';

/** Returns the seeded test job's id. Without step 1 in the run, every migration is applied here. */
export async function previousRelease(
  databaseUrl: string,
  paths: RehearsalPaths,
  creds: RehearsalCredentials,
  runsStep1: boolean,
): Promise<number> {
  const migrations = await readMigrationsDir(paths.migrationsDir);
  const previous = migrations.slice(0, runsStep1 ? -1 : undefined).map((m) => m.name);
  await applyPrismaMigrations({ databaseUrl, schemaPath: paths.schemaPath, migrationsDir: paths.migrationsDir, only: previous });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2, connectionTimeoutMillis: 10_000 });
  try {
    const seeded = await seedTarget(pool, { uploadsDir: paths.uploadsDir, accounts: creds.accounts, bcryptRounds: BCRYPT_ROUNDS });
    return seeded.jobId;
  } finally {
    await pool.end();
  }
}
