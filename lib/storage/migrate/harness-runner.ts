import { stat } from 'node:fs/promises';
import { diskOnlyRows, legacyStatus, rowLabel, setStorageKey, type AttachmentRow } from '../legacy';
import { fileInUploads, legacyObjectKey } from '../keys';
import { copyFileVerified } from '../objects';
import { inLanes, type RunnerOptions } from './runner';
import type { MigrateSummary } from './summary';

export interface HarnessRunnerOptions extends RunnerOptions {
  /** Multipart part size in bytes, and parts in flight per file: what bounds memory. */
  partSize: number;
  queueSize: number;
  signal?: AbortSignal;
}

const size = (n: number) => (n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`);

/**
 * The harness's own migration of disk-only attachments. Per row: stream the file to its
 * deterministic key, verify the stored object (size and sha256 read back), record the row in
 * the run's list, and only then set storageKey (diskPath stays). Killed at any point, a re-run
 * finds the row still disk-only and either reuses the verified object or copies it again.
 * Fills `summary` as it goes, so whoever called it can print it even if it throws half-way.
 */
export async function runHarnessMigration(o: HarnessRunnerOptions, summary: MigrateSummary): Promise<void> {
  summary.pending = (await legacyStatus(o.pool, o.tables)).reduce((n, t) => n + t.diskOnly, 0);
  const rows = await diskOnlyRows(o.pool, o.tables, o.limit);
  summary.considered = rows.length;
  summary.stoppedAtLimit = summary.pending > rows.length;
  o.log(`[migrate] ${summary.pending} row(s) with diskPath and no storageKey; taking ${rows.length} (--limit=${o.limit}, --concurrency=${o.concurrency})${o.dryRun ? '; dry run: nothing is written' : ''}`);

  let done = 0;
  let notStarted = 0;
  const handle = async (row: AttachmentRow) => {
    if (o.signal?.aborted) {
      notStarted += 1;
      return;
    }
    const label = rowLabel(row);
    const key = legacyObjectKey(row.kind, row.id, row.filename, row.diskPath!);
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
        signal: o.signal,
      });
      await o.state.recordMigrated(o.runId, { table: row.table, id: row.id, key, at: new Date().toISOString() });
      if (!(await setStorageKey(o.pool, row, key))) {
        return skip('changed meanwhile: the row got a storageKey or another diskPath during the run');
      }
      if (copied.resumed) summary.resumed += 1;
      else summary.moved += 1;
      o.log(`[migrate] ${copied.resumed ? 'resumed' : 'moved'} ${label} → ${key} (${size(copied.bytes)}, sha256 ${copied.sha256.slice(0, 12)}… verified)`);
    } catch (error) {
      summary.failed.push({ row: label, reason: (error as Error).message.split('\n')[0]! });
      o.log(`[migrate] failed ${label}: ${(error as Error).message.split('\n')[0]}`);
    } finally {
      done += 1;
      if (done % 10 === 0 || done === rows.length) o.log(`[migrate] progress ${done}/${rows.length}`);
    }
  };
  await inLanes(rows, o.concurrency, handle);
  if (notStarted) summary.failed.push({ row: '(run)', reason: `interrupted: ${notStarted} row(s) not started; run it again to finish` });
}
