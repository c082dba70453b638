import { stat } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import type { HarnessContext } from '../context';
import type { TargetClient } from '../http/client';
import { bytesProblem, getAttachment, redirectTarget, servedBytesProblem } from './attachments-api';
import { digestFile, type Digest } from './hash';
import { fileInUploads } from './keys';
import { diskOnlyRows, migratedRows, rowLabel, type AttachmentRow, type LegacyTable } from './legacy';
import { digestObject } from './objects';

export interface LegacyCheckContext {
  db: Pick<pg.ClientBase, 'query'>;
  tables: readonly LegacyTable[];
  uploadsDir: string;
  target: TargetClient;
  harness: Pick<HarnessContext, 'sections'>;
  /** An admin may read every attachment (contract §4); the legacy rows belong to real users. */
  adminToken: string;
  client: S3Client;
  bucket: string;
}

export interface CheckOutcome {
  /** One line per row looked at: what was compared. */
  checked: string[];
  problems: string[];
}

/** The disk file of a row, digested; a problem when it is outside the uploads dir or unreadable. */
async function diskDigest(uploadsDir: string, row: AttachmentRow): Promise<Digest> {
  const file = fileInUploads(uploadsDir, row.diskPath!);
  if (!file) throw new Error(`diskPath points outside the uploads dir (${uploadsDir})`);
  try {
    return await digestFile(file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new Error(
      code === 'ENOENT'
        ? `its disk file is not in ${uploadsDir} (storage.uploadsDir must be the target's uploads dir, as seen from where the harness runs)`
        : `its disk file cannot be read: ${code ?? (error as Error).message}`,
    );
  }
}

/**
 * Job attachments still on disk only: GET /attachments/:id streams them (200) with their disk
 * bytes. Rows whose file is gone are skipped here (the migration reports them).
 */
export async function checkDiskOnlyStreams(ctx: LegacyCheckContext, limit: number): Promise<CheckOutcome> {
  const out: CheckOutcome = { checked: [], problems: [] };
  const jobTables = ctx.tables.filter((t) => t.kind === 'job');
  for (const row of await diskOnlyRows(ctx.db, jobTables, limit * 4)) {
    if (out.checked.length >= limit) break;
    const file = fileInUploads(ctx.uploadsDir, row.diskPath!);
    if (
      !file ||
      !(await stat(file).then(
        (s) => s.isFile(),
        () => false,
      ))
    )
      continue;
    const label = rowLabel(row);
    const disk = await digestFile(file);
    const res = await getAttachment(ctx.target, ctx.harness, ctx.adminToken, row.id);
    if (res.status === 302) {
      out.problems.push(`${label}: has no storageKey yet GET /attachments/${row.id} redirected`);
      continue;
    }
    const problem = servedBytesProblem(res, disk);
    out.checked.push(
      `${label} ${row.diskPath}: streamed ${problem ? `— ${problem}` : `200, ${disk.bytes} bytes, sha256 matches the disk file`}`,
    );
    if (problem) out.problems.push(`${label}: GET /attachments/${row.id} ${problem}`);
  }
  return out;
}

/**
 * Migrated rows (storageKey and diskPath set), the oldest `sampleSize` per table: the stored
 * object's bytes equal the disk file's, and for job attachments GET /attachments/:id answers
 * 302 to a URL that serves those bytes.
 */
export async function checkMigratedSample(ctx: LegacyCheckContext, sampleSize: number): Promise<CheckOutcome> {
  const out: CheckOutcome = { checked: [], problems: [] };
  for (const row of await migratedRows(ctx.db, ctx.tables, sampleSize)) {
    const label = rowLabel(row);
    try {
      const disk = await diskDigest(ctx.uploadsDir, row);
      const stored = await digestObject(ctx.client, ctx.bucket, row.storageKey!);
      if (!stored) throw new Error(`its object ${row.storageKey} is not in the bucket`);
      if (stored.sha256 !== disk.sha256)
        throw new Error(`its object ${row.storageKey} differs from the disk file (sha256; ${stored.bytes} vs ${disk.bytes} bytes)`);
      let via = 'object in the bucket';
      if (row.kind === 'job') {
        const location = redirectTarget(await getAttachment(ctx.target, ctx.harness, ctx.adminToken, row.id));
        const problem = await bytesProblem(ctx.target, location, disk);
        if (problem) throw new Error(`GET /attachments/${row.id} → 302, and the signed URL ${problem}`);
        via = 'GET /attachments/:id → 302 → signed URL, and the object in the bucket';
      }
      out.checked.push(`${label} → ${row.storageKey}: ${disk.bytes} bytes, sha256 matches the disk file (${via})`);
    } catch (error) {
      out.problems.push(`${label}: ${(error as Error).message}`);
      out.checked.push(`${label} → ${row.storageKey}: ${(error as Error).message}`);
    }
  }
  return out;
}
