import type pg from 'pg';
import type { AttachmentKind } from './keys';

/** A table with `diskPath?` and `storageKey?` columns (contract §4), by its Prisma model name. */
export interface LegacyTable {
  table: string;
  kind: AttachmentKind;
}

export interface AttachmentRow {
  table: string;
  kind: AttachmentKind;
  id: number;
  diskPath: string | null;
  storageKey: string | null;
  filename: string;
  mimeType: string;
}

export interface TableStatus {
  table: string;
  kind: AttachmentKind;
  /** diskPath set, storageKey not: still served from disk, what the migration moves. */
  diskOnly: number;
  /** both set: migrated, disk copy kept until verified. */
  migrated: number;
  /** storageKey only: uploaded straight to object storage. */
  objectOnly: number;
}

type Db = Pick<pg.ClientBase, 'query'>;

/** Table names come from config, validated as plain identifiers; quoted to keep Prisma's case. */
const q = (table: string) => `"${table.replace(/"/g, '""')}"`;

export const rowLabel = (row: Pick<AttachmentRow, 'kind' | 'id'>) => `${row.kind}#${row.id}`;

export async function legacyStatus(db: Db, tables: readonly LegacyTable[]): Promise<TableStatus[]> {
  const out: TableStatus[] = [];
  for (const { table, kind } of tables) {
    const { rows } = await db.query<{ disk_only: string; migrated: string; object_only: string }>(
      `SELECT count(*) FILTER (WHERE "diskPath" IS NOT NULL AND "storageKey" IS NULL) AS disk_only,
              count(*) FILTER (WHERE "diskPath" IS NOT NULL AND "storageKey" IS NOT NULL) AS migrated,
              count(*) FILTER (WHERE "diskPath" IS NULL AND "storageKey" IS NOT NULL) AS object_only
       FROM ${q(table)}`,
    );
    const r = rows[0]!;
    out.push({ table, kind, diskOnly: Number(r.disk_only), migrated: Number(r.migrated), objectOnly: Number(r.object_only) });
  }
  return out;
}

export function formatLegacyStatus(status: readonly TableStatus[]): string {
  const width = Math.max(...status.map((s) => s.table.length), 5);
  return [
    `${'table'.padEnd(width)}  disk only (to migrate)  migrated (both set)  object storage only`,
    ...status.map(
      (s) =>
        `${s.table.padEnd(width)}  ${String(s.diskOnly).padStart(22)}  ${String(s.migrated).padStart(19)}  ${String(s.objectOnly).padStart(19)}`,
    ),
  ].join('\n');
}

const COLUMNS = `"id", "diskPath", "storageKey", "filename", "mimeType"`;

/** Rows still on disk only, in table order then id order, at most `limit` in all. */
export async function diskOnlyRows(db: Db, tables: readonly LegacyTable[], limit: number): Promise<AttachmentRow[]> {
  const out: AttachmentRow[] = [];
  for (const { table, kind } of tables) {
    if (out.length >= limit) break;
    const { rows } = await db.query<Omit<AttachmentRow, 'table' | 'kind'>>(
      `SELECT ${COLUMNS} FROM ${q(table)} WHERE "diskPath" IS NOT NULL AND "storageKey" IS NULL ORDER BY "id" LIMIT $1`,
      [limit - out.length],
    );
    out.push(...rows.map((r) => ({ ...r, table, kind })));
  }
  return out;
}

/** Migrated rows (both set), the oldest `perTable` of each table: the same sample every run. */
export async function migratedRows(db: Db, tables: readonly LegacyTable[], perTable: number): Promise<AttachmentRow[]> {
  const out: AttachmentRow[] = [];
  for (const { table, kind } of tables) {
    const { rows } = await db.query<Omit<AttachmentRow, 'table' | 'kind'>>(
      `SELECT ${COLUMNS} FROM ${q(table)} WHERE "diskPath" IS NOT NULL AND "storageKey" IS NOT NULL ORDER BY "id" LIMIT $1`,
      [perTable],
    );
    out.push(...rows.map((r) => ({ ...r, table, kind })));
  }
  return out;
}

/** Every disk-only row id per table: what a run may change, to find what it did change. */
export async function diskOnlyIds(db: Db, tables: readonly LegacyTable[]): Promise<Map<LegacyTable, number[]>> {
  const out = new Map<LegacyTable, number[]>();
  for (const t of tables) {
    const { rows } = await db.query<{ id: number }>(
      `SELECT "id" FROM ${q(t.table)} WHERE "diskPath" IS NOT NULL AND "storageKey" IS NULL ORDER BY "id"`,
    );
    out.set(
      t,
      rows.map((r) => r.id),
    );
  }
  return out;
}

export async function rowsById(db: Db, table: LegacyTable, ids: readonly number[]): Promise<AttachmentRow[]> {
  if (!ids.length) return [];
  const { rows } = await db.query<Omit<AttachmentRow, 'table' | 'kind'>>(
    `SELECT ${COLUMNS} FROM ${q(table.table)} WHERE "id" = ANY($1::int[]) ORDER BY "id"`,
    [ids],
  );
  return rows.map((r) => ({ ...r, table: table.table, kind: table.kind }));
}

/**
 * Sets storageKey on rows of one table in one statement, only where the row is as it was
 * planned: still disk-only, same diskPath. Returns the ids it changed; the others were changed
 * by someone else meanwhile. diskPath is never cleared.
 */
export async function setStorageKeys(db: Db, table: string, rows: readonly { row: AttachmentRow; key: string }[]): Promise<Set<number>> {
  if (!rows.length) return new Set();
  const res = await db.query<{ id: number }>(
    `UPDATE ${q(table)} AS t SET "storageKey" = v.key
     FROM unnest($1::int[], $2::text[], $3::text[]) AS v(id, key, disk)
     WHERE t."id" = v.id AND t."storageKey" IS NULL AND t."diskPath" = v.disk
     RETURNING t."id"`,
    [rows.map((r) => r.row.id), rows.map((r) => r.key), rows.map((r) => r.row.diskPath)],
  );
  return new Set(res.rows.map((r) => r.id));
}

/** The rollback: reads fall back to disk. Only where the key is still the one this run set and the disk copy exists. */
export async function clearStorageKey(db: Db, table: string, id: number, key: string): Promise<boolean> {
  const res = await db.query(
    `UPDATE ${q(table)} SET "storageKey" = NULL WHERE "id" = $1 AND "storageKey" = $2 AND "diskPath" IS NOT NULL`,
    [id, key],
  );
  return res.rowCount === 1;
}
