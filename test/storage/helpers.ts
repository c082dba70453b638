// A target database (the reference target's schema, via Prisma's engine), an in-process s3rver
// and a temp uploads dir: what the attachment migration works on, for real.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { startS3rver, type LocalS3 } from '../../rehearsal/stack/s3';
import { sectionsSchema, type Sections, type SectionsInput } from '../../lib/config/schema';
import { applyPrismaMigrations } from '../../lib/migrations/prisma-engine';
import { Redactor } from '../../lib/secrets/redactor';
import type { AttachmentKind } from '../../lib/storage/keys';
import { s3Client } from '../../lib/storage/s3-client';
import { sql, useDatabases } from '../support/database';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const TARGET = path.join(ROOT, 'rehearsal/target/prisma');

const PARENT: Record<AttachmentKind, { table: string; column: string }> = {
  job: { table: 'JobAttachment', column: 'jobId' },
  message: { table: 'MessageAttachment', column: 'messageId' },
  verification: { table: 'ProviderVerificationAttachment', column: 'verificationId' },
};

export interface LegacyRow {
  kind: AttachmentKind;
  table: string;
  id: number;
  diskPath: string;
  bytes: Buffer;
}

export interface StorageWorld {
  databaseUrl: string;
  s3: LocalS3;
  uploadsDir: string;
  reportsDir: string;
  /** Sections as the harness would resolve them for this world (plus overrides). */
  sections(overrides?: SectionsInput): Sections;
  /** Writes `bytes` under the uploads dir (unless null) and inserts a disk-only row for it. */
  legacy(kind: AttachmentKind, diskPath: string, bytes: Buffer | null, filename?: string): Promise<LegacyRow>;
  /**
   * Many such rows in one statement: a test that needs hundreds would otherwise open a database
   * session for each, which on a busy machine takes longer than the migration it sets up.
   */
  legacyMany(kind: AttachmentKind, files: { diskPath: string; bytes: Buffer }[]): Promise<LegacyRow[]>;
  rows(table: string): Promise<{ id: number; diskPath: string | null; storageKey: string | null }[]>;
  objectKeys(): Promise<string[]>;
  redactor: Redactor;
}

/** A client that records the S3 calls it makes, by command name. */
export function recordingS3Client(w: StorageWorld) {
  const client = s3Client(w.s3.settings);
  const calls: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      calls.push(context.commandName!);
      return next(args);
    },
    { step: 'initialize' },
  );
  return { client, calls };
}

/** Deterministic pseudo-random bytes (every file differs, and a corrupted copy is noticed). */
export function bytesOf(size: number): Buffer {
  const seed = randomBytes(32);
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += seed.length) seed.copy(out, i, 0, Math.min(seed.length, size - i));
  if (size > 0) out.writeUInt32BE(Math.floor(Math.random() * 0xffffffff) >>> 0, 0);
  return out;
}

/** Call at the top of a test file: a fresh world per call, all torn down after the file. */
export function useStorageWorlds(): () => Promise<StorageWorld> {
  const databases = useDatabases();
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });
  return async () => {
    const databaseUrl = await databases.fresh();
    await applyPrismaMigrations({
      databaseUrl,
      schemaPath: path.join(TARGET, 'schema.prisma'),
      migrationsDir: path.join(TARGET, 'migrations'),
    });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cutover-storage-test-'));
    cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
    const s3 = await startS3rver({ dir: path.join(dir, 's3'), bucket: 'legacy-test' });
    cleanups.push(() => s3.stop());
    const uploadsDir = path.join(dir, 'uploads');
    const reportsDir = path.join(dir, 'reports');
    await fs.mkdir(uploadsDir, { recursive: true });
    const [user] = await sql<{ id: number }>(
      databaseUrl,
      `INSERT INTO "User" ("email", "passwordHash", "name", "role", "updatedAt") VALUES ('c@test', 'x', 'C', 'CONSUMER', now()) RETURNING "id"`,
    );
    const [job] = await sql<{ id: number }>(
      databaseUrl,
      `INSERT INTO "Job" ("consumerId", "title", "description", "category", "location", "zipCode", "updatedAt")
       VALUES ($1, 't', 'd', 'plumbing', 'x', '78701', now()) RETURNING "id"`,
      [user!.id],
    );
    const [message] = await sql<{ id: number }>(
      databaseUrl,
      `INSERT INTO "Message" ("jobId", "senderId", "body") VALUES ($1, $2, 'm') RETURNING "id"`,
      [job!.id, user!.id],
    );
    const [verification] = await sql<{ id: number }>(
      databaseUrl,
      `INSERT INTO "ProviderVerification" ("providerId", "updatedAt") VALUES ($1, now()) RETURNING "id"`,
      [user!.id],
    );
    const parentId: Record<AttachmentKind, number> = { job: job!.id, message: message!.id, verification: verification!.id };
    const insertLegacy = async (kind: AttachmentKind, files: { diskPath: string; bytes: Buffer | null; filename?: string }[]) => {
      for (const { diskPath, bytes } of files) {
        if (!bytes) continue;
        const file = path.join(uploadsDir, diskPath);
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, bytes);
      }
      const { table, column } = PARENT[kind];
      const rows = await sql<{ id: number; diskPath: string }>(
        databaseUrl,
        `INSERT INTO "${table}" ("${column}", "filename", "mimeType", "sizeBytes", "diskPath")
         SELECT $1, f.name, 'image/png', f.size, f.path FROM unnest($2::text[], $3::int[], $4::text[]) WITH ORDINALITY AS f(name, size, path, n)
         ORDER BY f.n RETURNING "id", "diskPath"`,
        [
          parentId[kind],
          files.map((f) => f.filename ?? path.basename(f.diskPath)),
          files.map((f) => f.bytes?.length ?? 0),
          files.map((f) => f.diskPath),
        ],
      );
      // Ids follow the insert order, which follows the files' (RETURNING's own order is not promised).
      const inserted = rows.sort((a, b) => a.id - b.id);
      return files.map((f, i): LegacyRow => {
        const row = inserted[i]!;
        if (row.diskPath !== f.diskPath) throw new Error(`legacy row ${row.id} is ${row.diskPath}, expected ${f.diskPath}`);
        return { kind, table, id: row.id, diskPath: f.diskPath, bytes: f.bytes ?? Buffer.alloc(0) };
      });
    };
    const client = s3Client(s3.settings);
    cleanups.push(async () => client.destroy());
    return {
      databaseUrl,
      s3,
      uploadsDir,
      reportsDir,
      redactor: new Redactor([new URL(databaseUrl).password].filter(Boolean)),
      sections: (overrides = {}) =>
        sectionsSchema.parse({
          ...overrides,
          storage: { ...overrides.storage, uploadsDir, migrate: { partSizeMiB: 5, ...overrides.storage?.migrate } },
          reports: { dir: reportsDir, auditLog: path.join(reportsDir, 'audit.log') },
        }),
      async legacy(kind, diskPath, bytes, filename) {
        const [row] = await insertLegacy(kind, [{ diskPath, bytes, filename }]);
        return row!;
      },
      legacyMany: insertLegacy,
      rows: (table) => sql(databaseUrl, `SELECT "id", "diskPath", "storageKey" FROM "${table}" ORDER BY "id"`),
      async objectKeys() {
        const keys: string[] = [];
        let token: string | undefined;
        do {
          const page = await client.send(new ListObjectsV2Command({ Bucket: s3.settings.bucket, ContinuationToken: token }));
          keys.push(...(page.Contents ?? []).map((o) => o.Key!));
          token = page.NextContinuationToken;
        } while (token);
        return keys.sort();
      },
    };
  };
}

/** beforeAll-built world for files that share one. */
export function sharedWorld(): () => StorageWorld {
  const make = useStorageWorlds();
  let world: StorageWorld | undefined;
  beforeAll(async () => {
    world = await make();
  });
  return () => world!;
}
