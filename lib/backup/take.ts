import fs from 'node:fs/promises';
import path from 'node:path';
import { databaseIdentity, describeDatabase } from '../command/identity';
import { backupStem, manifestPathFor, type BackupManifest } from './manifest';
import { progressLine } from '../progress';
import {
  BackupToolProblem,
  dumpToGzipFile,
  PG_DUMP_APPLICATION,
  PG_DUMP_LOCK_WAIT_MS,
  pgDumpVersion,
  serverVersion,
  tablesToDump,
  versionProblem,
} from './pg-dump';
import { describeHolder, watchLockWait } from '../lock-wait';
import { verifyBackup } from './verify';

export interface TakeBackupOptions {
  databaseUrl: string;
  dir: string;
  pgDump: string;
  timeoutMs: number;
  log?: (line: string) => void;
  /** The clock, for tests that need an old backup. */
  now?: () => Date;
  /** Stops pg_dump; the partial dump is removed and the backup fails as interrupted. */
  signal?: AbortSignal;
}

export interface TakenBackup {
  manifest: BackupManifest;
  manifestPath: string;
  dir: string;
}

async function freeStem(dir: string, at: Date): Promise<string> {
  const stem = backupStem(at);
  for (let n = 0; ; n += 1) {
    const candidate = n === 0 ? stem : `${stem}-${n}`;
    const taken = await fs.stat(path.join(dir, `${candidate}.sql.gz`)).then(
      () => true,
      () => false,
    );
    if (!taken) return candidate;
  }
}

/**
 * The runbook's backup: pg_dump as plain SQL, gzipped, integrity-tested, with a `.sha256` beside
 * it and a manifest saying when, how big, which checksum and which database (no credentials).
 * A dump that fails its own verification is removed and reported, never left to be trusted.
 */
export async function takeBackup(opts: TakeBackupOptions): Promise<TakenBackup> {
  const log = opts.log ?? (() => undefined);
  const now = opts.now ?? (() => new Date());
  const database = databaseIdentity(opts.databaseUrl);
  const dumpVersion = await pgDumpVersion(opts.pgDump);
  const server = await serverVersion(opts.databaseUrl);
  const mismatch = versionProblem(opts.pgDump, dumpVersion, server);
  if (mismatch) throw new BackupToolProblem(mismatch);

  await fs.mkdir(opts.dir, { recursive: true });
  const startedAt = now();
  const stem = await freeStem(opts.dir, startedAt);
  const file = `${stem}.sql.gz`;
  const target = path.join(opts.dir, file);
  log(`[backup] pg_dump ${dumpVersion} of ${describeDatabase(database)} (server ${server}) → ${target}`);
  try {
    const tables = await tablesToDump(opts.databaseUrl);
    const dumpStarted = Date.now();
    const lockWait = watchLockWait({
      databaseUrl: opts.databaseUrl,
      application: PG_DUMP_APPLICATION,
      say: (holder) =>
        log(`[backup] pg_dump waits for a lock${describeHolder(holder)}; it gives up after ${PG_DUMP_LOCK_WAIT_MS / 1000} s`),
    });
    const dumped = await dumpToGzipFile({
      pgDump: opts.pgDump,
      databaseUrl: opts.databaseUrl,
      file: target,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      onTable: (done) => {
        lockWait.progressed();
        log(`[backup] pg_dump progress ${progressLine(Math.min(done, tables), tables, Date.now() - dumpStarted, ' tables')}`);
      },
    }).finally(() => lockWait.stop());
    const manifest: BackupManifest = {
      kind: 'cutover-harness database backup',
      file,
      startedAt: startedAt.toISOString(),
      finishedAt: now().toISOString(),
      sizeBytes: dumped.sizeBytes,
      sha256: dumped.sha256,
      format: 'plain SQL (pg_dump), gzip',
      database,
      pgDumpVersion: dumpVersion,
      serverVersion: server,
    };
    await fs.writeFile(`${target}.sha256`, `${dumped.sha256}  ${file}\n`);
    const verification = await verifyBackup(opts.dir, manifest);
    if (verification.problems.length) throw new Error(`the new backup failed its integrity test: ${verification.problems.join('; ')}`);
    const manifestPath = manifestPathFor(opts.dir, file);
    await fs.writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    log(
      `[backup] done: ${file} (${dumped.sizeBytes} bytes, sha256 ${dumped.sha256}, ${verification.sqlBytes} bytes of SQL, ends with "dump complete")`,
    );
    return { manifest, manifestPath, dir: opts.dir };
  } catch (error) {
    await fs.rm(target, { force: true });
    await fs.rm(`${target}.sha256`, { force: true });
    throw error;
  }
}
