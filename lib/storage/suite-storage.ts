import type { S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { harnessConnection } from '../pg-connection';
import type { HarnessContext } from '../context';
import { readableTargetEnv } from '../env-rules/suite-target-env';
import type { TargetEnv } from '../env-rules/target-env';
import type { LegacyTable } from './legacy';
import { s3SettingsFromEnv, type S3Settings } from './s3';
import { s3Client } from './s3-client';

/** What step 3 works with: the target's own object storage and database, from its env. */
export interface StorageSetup {
  s3: S3Settings;
  client: S3Client;
  db: pg.Pool;
  databaseUrl: string;
  /** ATTACHMENTS_SIGNED_URL_TTL_SECONDS, or the contract's default of 300. */
  ttlSeconds: number;
  /** The table new uploads land in (the job attachments). */
  jobTable: LegacyTable;
}

const DEFAULT_TTL_SECONDS = 300;

type StorageContext = Pick<HarnessContext, 'sections'>;

/**
 * Step 3's storage for the run (the `storage` worker fixture): built at the first `setup()`,
 * where every missing or malformed setting is listed in one error, and closed at the end.
 */
export class SuiteStorage {
  private current: StorageSetup | undefined;

  constructor(
    private readonly harness: StorageContext,
    private readonly targetEnv: TargetEnv,
  ) {}

  setup(): StorageSetup {
    this.current ??= buildSetup(this.harness, readableTargetEnv(this.targetEnv));
    return this.current;
  }

  async close(): Promise<void> {
    const setup = this.current;
    this.current = undefined;
    setup?.client.destroy();
    await setup?.db.end().catch(() => undefined);
  }
}

function buildSetup(harness: StorageContext, env: TargetEnv): StorageSetup {
  const names = harness.sections.credentials;
  const { settings, problems } = s3SettingsFromEnv(env.values, names.s3);
  const databaseUrl = env.values[names.databaseUrl]?.trim();
  if (!databaseUrl) problems.push(`${names.databaseUrl} is not set`);
  const rawTtl = env.values[names.s3.signedUrlTtl]?.trim();
  if (rawTtl && !/^\d+$/.test(rawTtl)) problems.push(`${names.s3.signedUrlTtl} is not a whole number of seconds`);
  const jobTable = harness.sections.storage.legacyTables.find((t) => t.kind === 'job');
  if (!jobTable) problems.push("storage.legacyTables has no table of kind 'job' (where new uploads land)");
  if (problems.length || !settings || !databaseUrl || !jobTable) {
    throw new Error(`step 3 needs the target's storage settings (from ${env.source}): ${problems.join('; ')}`);
  }
  const db = new pg.Pool(
    harnessConnection(databaseUrl, 'step 3 legacy attachments', {
      max: 2,
      connectionTimeoutMillis: harness.sections.http.timeoutMs,
      query_timeout: 60_000,
    }),
  );
  db.on('error', () => undefined);
  return {
    s3: settings,
    client: s3Client(settings, { requestTimeoutMs: harness.sections.http.timeoutMs * 6 }),
    db,
    databaseUrl,
    ttlSeconds: rawTtl ? Number(rawTtl) : DEFAULT_TTL_SECONDS,
    jobTable,
  };
}
