import fs from 'node:fs/promises';
import path from 'node:path';
import type { DatabaseIdentity } from '../command/identity';

/** Written beside every dump the harness takes, so a later check knows what it holds. */
export interface BackupManifest {
  kind: 'cutover-harness database backup';
  file: string;
  /** pg_dump's snapshot is taken as it starts: the data is as of this instant. */
  startedAt: string;
  finishedAt: string;
  sizeBytes: number;
  sha256: string;
  format: 'plain SQL (pg_dump), gzip';
  database: DatabaseIdentity;
  pgDumpVersion: string;
  serverVersion: string;
}

export const MANIFEST_SUFFIX = '.manifest.json';

/** Whether backup `a` covers database `b`: the same database, and all of it or b's schema. */
export function sameDatabase(a: DatabaseIdentity, b: DatabaseIdentity): boolean {
  return a.host === b.host && a.port === b.port && a.name === b.name && (!a.schema || a.schema === b.schema);
}

/** `db-backup-<UTC timestamp>`, e.g. db-backup-20261128T054012Z, as the backend's own backup names them. */
export function backupStem(at: Date): string {
  return `db-backup-${at
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '')}`;
}

export function manifestPathFor(dir: string, file: string): string {
  return path.join(dir, file.replace(/\.sql\.gz$/, MANIFEST_SUFFIX));
}

export interface FoundManifest {
  path: string;
  manifest: BackupManifest;
}

/** The harness's backups of this database in dir, newest first. Unreadable manifests are reported, not skipped silently. */
export async function backupsOf(dir: string, db: DatabaseIdentity): Promise<{ found: FoundManifest[]; unreadable: string[] }> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { found: [], unreadable: [] };
    throw error;
  }
  const found: FoundManifest[] = [];
  const unreadable: string[] = [];
  for (const name of names.filter((n) => n.startsWith('db-backup-') && n.endsWith(MANIFEST_SUFFIX))) {
    const file = path.join(dir, name);
    try {
      const manifest = JSON.parse(await fs.readFile(file, 'utf8')) as BackupManifest;
      if (manifest.kind !== 'cutover-harness database backup' || !manifest.database || Number.isNaN(Date.parse(manifest.startedAt))) {
        throw new Error('not a backup manifest');
      }
      if (sameDatabase(manifest.database, db)) found.push({ path: file, manifest });
    } catch {
      unreadable.push(name);
    }
  }
  found.sort((a, b) => Date.parse(b.manifest.startedAt) - Date.parse(a.manifest.startedAt));
  return { found, unreadable };
}
