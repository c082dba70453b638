import { stat } from 'node:fs/promises';
import { diskOnlyRows, legacyStatus, rowLabel, setStorageKeys, type AttachmentRow } from '../legacy';
import { fileInUploads, legacyObjectKey } from '../keys';
import { copyFileVerified, type CopyResult } from '../objects';
import { ObjectIndex } from '../object-index';
import { progressLine } from '../../progress';
import { inLanes, type RunnerOptions } from './runner';
import type { MigrateSummary } from './summary';

export interface HarnessRunnerOptions extends RunnerOptions {
  /** Multipart part size in bytes, and parts in flight per file; parts are streamed from disk, never held. */
  partSize: number;
  queueSize: number;
  /** Once aborted, no further row starts; the rows in flight finish, verified and committed, so a stop leaves no row half done. */
  signal?: AbortSignal;
  /** Verified rows committed together (one run-file append, one UPDATE per table): at most this many, or after batchWaitMs. */
  batchRows?: number;
  batchWaitMs?: number;
}

const size = (n: number) => (n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`);

interface Verified {
  row: AttachmentRow;
  key: string;
  copied: CopyResult;
}

/**
 * Verified rows wait here and are committed in batches: first appended to the run's list (what
 * --rollback reads), then storageKey set in one statement per table. Uploads go on meanwhile.
 * A kill between verification and commit leaves the row disk-only with its object in place;
 * the next run finds the object by its ETag and only commits it (resumed).
 */
class BatchCommitter {
  private pending: Verified[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly o: HarnessRunnerOptions,
    private readonly summary: MigrateSummary,
    private readonly maxRows: number,
    private readonly maxWaitMs: number,
  ) {}

  add(v: Verified): void {
    this.pending.push(v);
    if (this.pending.length >= this.maxRows) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.maxWaitMs);
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0);
    if (batch.length) this.chain = this.chain.then(() => this.commit(batch));
    return this.chain;
  }

  private async commit(batch: Verified[]): Promise<void> {
    const { o, summary } = this;
    const at = new Date().toISOString();
    try {
      await o.state.recordMigrated(o.runId, ...batch.map((v) => ({ table: v.row.table, id: v.row.id, key: v.key, at })));
      for (const table of new Set(batch.map((v) => v.row.table))) {
        const rows = batch.filter((v) => v.row.table === table);
        const changed = await setStorageKeys(o.pool, table, rows);
        for (const { row, key, copied } of rows) {
          const label = rowLabel(row);
          if (!changed.has(row.id)) {
            summary.skipped.push({ row: label, reason: 'changed meanwhile: the row got a storageKey or another diskPath during the run' });
            o.log(`[migrate] skip ${label}: changed meanwhile`);
            continue;
          }
          if (copied.resumed) summary.resumed += 1;
          else summary.moved += 1;
          o.log(
            `[migrate] ${copied.resumed ? 'resumed' : 'moved'} ${label} → ${key} (${size(copied.bytes)}, verified by ${copied.verifiedBy === 'etag' ? "the store's MD5 (ETag)" : 'reading it back'})`,
          );
        }
      }
    } catch (error) {
      // not set: those rows stay disk-only, their objects verified in place for the next run
      for (const { row } of batch)
        summary.failed.push({ row: rowLabel(row), reason: `verified, but storageKey not set: ${(error as Error).message.split('\n')[0]}` });
      o.log(`[migrate] failed to commit ${batch.length} verified row(s): ${(error as Error).message.split('\n')[0]}`);
    }
  }
}

/**
 * The harness's own migration of disk-only attachments. Per row: stream the file to its
 * deterministic key, verify the stored object (the store's MD5 of what it received, else read
 * back), then commit it in a batch: recorded in the run's list, and only then storageKey set
 * (diskPath stays). Killed at any point, a re-run finds the row still disk-only and either
 * reuses the verified object or copies it again. Fills `summary` as it goes, so whoever called
 * it can print it even if it throws half-way.
 */
export async function runHarnessMigration(o: HarnessRunnerOptions, summary: MigrateSummary): Promise<void> {
  summary.pending = (await legacyStatus(o.pool, o.tables)).reduce((n, t) => n + t.diskOnly, 0);
  const rows = await diskOnlyRows(o.pool, o.tables, o.limit);
  summary.considered = rows.length;
  summary.stoppedAtLimit = summary.pending > rows.length;
  o.log(
    `[migrate] ${summary.pending} row(s) with diskPath and no storageKey; taking ${rows.length} (--limit=${o.limit}, --concurrency=${o.concurrency})${o.dryRun ? '; dry run: nothing is written' : ''}`,
  );

  const committer = new BatchCommitter(o, summary, o.batchRows ?? 100, o.batchWaitMs ?? 250);
  const keyOf = (row: AttachmentRow) => legacyObjectKey(row.kind, row.id, row.filename, row.diskPath!);
  // What an earlier, interrupted run left at the keys: listed per range, not one HeadObject per row.
  const stored = o.dryRun ? undefined : new ObjectIndex(o.client, o.bucket, rows.map(keyOf));
  let done = 0;
  const started = Date.now();
  let notStarted = 0;
  const handle = async (row: AttachmentRow) => {
    if (o.signal?.aborted) {
      notStarted += 1;
      return;
    }
    const label = rowLabel(row);
    const key = keyOf(row);
    const skip = (reason: string) => {
      summary.skipped.push({ row: label, reason });
      o.log(`[migrate] skip ${label}: ${reason}`);
    };
    try {
      const file = fileInUploads(o.uploadsDir, row.diskPath!);
      if (!file) return skip('outside uploads: diskPath points outside the uploads dir');
      const info = await stat(file).catch((error: { code?: string }) => {
        if (error.code === 'ENOENT') return null;
        throw error;
      });
      if (!info) return skip(`missing file: ${row.diskPath} is not in the uploads dir`);
      if (!info.isFile()) throw new Error(`${row.diskPath} is not a regular file`);
      if (o.dryRun) {
        summary.wouldMove += 1;
        return o.log(`[migrate] would move ${label} ${row.diskPath} (${size(info.size)}) → ${key}`);
      }
      const copied = await copyFileVerified({
        client: o.client,
        bucket: o.bucket,
        key,
        file,
        contentType: row.mimeType || 'application/octet-stream',
        partSize: o.partSize,
        queueSize: o.queueSize,
        size: info.size,
        existing: await stored?.lookup(key),
      });
      committer.add({ row, key, copied });
    } catch (error) {
      summary.failed.push({ row: label, reason: (error as Error).message.split('\n')[0]! });
      o.log(`[migrate] failed ${label}: ${(error as Error).message.split('\n')[0]}`);
    } finally {
      done += 1;
      if (done % 10 === 0 || done === rows.length) o.log(`[migrate] progress ${progressLine(done, rows.length, Date.now() - started)}`);
    }
  };
  try {
    await inLanes(rows, o.concurrency, handle);
  } finally {
    await committer.flush();
  }
  if (notStarted) summary.failed.push({ row: '(run)', reason: `interrupted: ${notStarted} row(s) not started; run it again to finish` });
}
