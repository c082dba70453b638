import fs from 'node:fs/promises';
import path from 'node:path';

/** Which database a backup is of: never the user or password. */
export interface DatabaseIdentity {
  host: string;
  port: string;
  name: string;
  /** The schema the URL names (Prisma's ?schema=): only it is dumped. Absent: the whole database. */
  schema?: string;
}

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

export function databaseIdentity(databaseUrl: string): DatabaseIdentity {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error('the database URL is not a valid postgres:// URL');
  }
  // libpq also takes the host as a query parameter (unix sockets)
  const host = url.hostname || url.searchParams.get('host') || 'localhost';
  const schema = url.searchParams.get('schema') || undefined;
  return { host, port: url.port || url.searchParams.get('port') || '5432', name: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres', ...(schema ? { schema } : {}) };
}

export function describeDatabase(db: DatabaseIdentity): string {
  return `${db.host}:${db.port}/${db.name}${db.schema ? ` (schema "${db.schema}")` : ''}`;
}

/** host:port/name (schema "x") of a database URL, for plan lines and notes; '' when it is not a URL. */
export function describeDatabaseUrl(databaseUrl: string): string {
  try {
    return describeDatabase(databaseIdentity(databaseUrl));
  } catch {
    return '';
  }
}

/** Whether backup `a` covers database `b`: the same database, and all of it or b's schema. */
export function sameDatabase(a: DatabaseIdentity, b: DatabaseIdentity): boolean {
  return a.host === b.host && a.port === b.port && a.name === b.name && (!a.schema || a.schema === b.schema);
}

/** `db-backup-<UTC timestamp>`, e.g. db-backup-20261128T054012Z, as the backend's own backup names them. */
export function backupStem(at: Date): string {
  return `db-backup-${at.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '')}`;
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
