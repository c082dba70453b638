import { describeShellEnd, runShell } from '../../shell';
import { digestFile } from '../hash';
import { fileInUploads } from '../keys';
import { diskOnlyIds, rowLabel, rowsById, type AttachmentRow } from '../legacy';
import { digestObject } from '../objects';
import { inLanes, type RunnerOptions } from './runner';
import type { MigrateSummary } from './summary';

export interface BackendRunnerOptions extends RunnerOptions {
  /** storage.migrate.backendCommand; the flags are appended in the backend's `=` form. */
  command: string;
  timeoutMs: number;
  /** The backend's environment (its DATABASE_URL, OBJECT_STORAGE_*, UPLOADS_DIR). */
  env: NodeJS.ProcessEnv;
  /** Stops the backend's command (SIGTERM to its process group); what it changed by then is still verified. */
  signal?: AbortSignal;
}

/** The counts the backend prints on its last line: `[migrate] done {processed, migrated, failed, ...}`. */
export interface BackendCounts {
  processed?: number;
  migrated?: number;
  wouldMigrate?: number;
  failed?: number;
  skippedMissingFile?: number;
  skippedInvalidPath?: number;
}

export function parseBackendSummary(output: string): BackendCounts | null {
  const lines = output.split('\n').filter((l) => l.startsWith('[migrate] done '));
  const last = lines.pop();
  if (!last) return null;
  try {
    const parsed: unknown = JSON.parse(last.slice('[migrate] done '.length));
    return parsed && typeof parsed === 'object' ? (parsed as BackendCounts) : null;
  } catch {
    return null;
  }
}

/**
 * The backend's own `migrate:attachments`, wrapped: the same guards around it, its summary
 * parsed, and what it claims checked rather than believed. Every row it gave a storageKey is
 * recorded for rollback and verified (the object's sha256 against the disk file's); a dry run
 * that changed anything fails.
 */
export async function runBackendMigration(o: BackendRunnerOptions, summary: MigrateSummary): Promise<void> {
  const before = await diskOnlyIds(o.pool, o.tables);
  summary.pending = [...before.values()].reduce((n, ids) => n + ids.length, 0);
  const command = `${o.command} ${o.dryRun ? '--dry-run ' : ''}--limit=${o.limit} --concurrency=${o.concurrency}`;
  o.log(`[migrate] running the backend's command: ${command}`);
  const result = await runShell(command, { timeoutMs: o.timeoutMs, env: o.env, signal: o.signal });
  for (const line of result.output.split('\n')) if (line.trim()) o.log(`  ${line}`);

  const counts = parseBackendSummary(result.stdout);
  if (!counts) {
    summary.notes.push(
      "the backend's command ended without its `[migrate] done {...}` summary (it does so at --limit); the rows it changed are verified below instead",
    );
  }
  summary.considered = counts?.processed ?? 0;
  summary.wouldMove = counts?.wouldMigrate ?? 0;
  for (let i = 0; i < (counts?.skippedMissingFile ?? 0); i += 1)
    summary.skipped.push({ row: '(backend)', reason: 'missing file: reported by the backend' });
  for (let i = 0; i < (counts?.skippedInvalidPath ?? 0); i += 1)
    summary.skipped.push({ row: '(backend)', reason: 'outside uploads: reported by the backend' });
  if (counts?.failed)
    summary.failed.push({ row: '(backend)', reason: `the backend reported ${counts.failed} failed row(s); see its output above` });
  if (result.code !== 0 && !counts?.failed)
    summary.failed.push({ row: '(backend)', reason: describeShellEnd('the backend command', result, o.timeoutMs) });

  const changed: AttachmentRow[] = [];
  for (const [table, ids] of before) changed.push(...(await rowsById(o.pool, table, ids)).filter((r) => r.storageKey));
  if (o.dryRun) {
    if (changed.length) summary.failed.push({ row: '(backend)', reason: `its dry run set storageKey on ${changed.length} row(s)` });
  } else {
    await verifyChanged(o, changed, summary);
  }
  summary.stoppedAtLimit = summary.pending - changed.length > 0 && summary.considered >= o.limit;
}

async function verifyChanged(o: BackendRunnerOptions, changed: AttachmentRow[], summary: MigrateSummary): Promise<void> {
  await inLanes(changed, o.concurrency, async (row) => {
    const label = rowLabel(row);
    await o.state.recordMigrated(o.runId, { table: row.table, id: row.id, key: row.storageKey!, at: new Date().toISOString() });
    try {
      const file = fileInUploads(o.uploadsDir, row.diskPath!);
      if (!file) throw new Error('diskPath points outside the uploads dir, yet it was migrated');
      const [disk, stored] = await Promise.all([digestFile(file), digestObject(o.client, o.bucket, row.storageKey!)]);
      if (!stored) throw new Error(`no object at ${row.storageKey}`);
      if (stored.sha256 !== disk.sha256)
        throw new Error(`the object at ${row.storageKey} differs from the disk file (sha256; ${stored.bytes} vs ${disk.bytes} bytes)`);
      summary.moved += 1;
      o.log(`[migrate] verified ${label} → ${row.storageKey} (sha256 matches the disk file)`);
    } catch (error) {
      summary.failed.push({ row: label, reason: (error as Error).message });
      o.log(`[migrate] failed verification ${label}: ${(error as Error).message}`);
    }
  });
}
