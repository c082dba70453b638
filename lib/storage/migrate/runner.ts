import type { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import type { LegacyTable } from '../legacy';
import type { MigrationState } from './state';

/** What both runners (the harness's and the backend's command) work with. */
export interface RunnerOptions {
  runId: string;
  dryRun: boolean;
  limit: number;
  concurrency: number;
  tables: readonly LegacyTable[];
  uploadsDir: string;
  pool: pg.Pool;
  client: S3Client;
  bucket: string;
  state: MigrationState;
  log: (line: string) => void;
}

/** Runs `lanes` workers over items, each item once: bounded concurrency without a dependency. */
export async function inLanes<T>(items: readonly T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, lanes), items.length) }, lane));
}
