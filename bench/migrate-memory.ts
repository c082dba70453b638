/**
 * Memory of the attachment migration as files grow: the harness's streaming migrator (fixed
 * part size and queue) against the backend's own command (reads each file whole), on the same
 * rows, each in its own process, peak RSS (VmHWM) polled from /proc. Needs Postgres
 * (CUTOVER_SELFTEST_DATABASE_URL, default the machine's) and writes files × sizes to a temp dir.
 *
 *   npx tsx bench/migrate-memory.ts [sizes in MiB, default 8,128] [files, default 4]
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startS3rver } from '../fixtures/stack/s3';
import { applyPrismaMigrations } from '../lib/migrations/prisma-engine';

const ROOT = path.resolve(import.meta.dirname, '..');
const SERVER_URL = process.env.CUTOVER_SELFTEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MiB = 1024 * 1024;

export interface MemoryRow {
  runner: 'harness (streaming, 8 MiB parts, queue 2)' | 'backend (readFile per row)';
  fileMiB: number;
  files: number;
  concurrency: number;
  peakRssMiB: number;
  seconds: number;
  exitCode: number | null;
}

async function writeFile(file: string, bytes: number): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const out = createWriteStream(file);
  const chunk = randomBytes(MiB);
  for (let left = bytes; left > 0; left -= MiB) {
    if (!out.write(left >= MiB ? chunk : chunk.subarray(0, left))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Runs a node entry as its own process and polls its peak RSS until it exits. */
function measured(entry: string, args: string[], env: Record<string, string>): Promise<{ peakKiB: number; ms: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
    let peakKiB = 0;
    const poll = setInterval(() => {
      fs.readFile(`/proc/${child.pid}/status`, 'utf8').then(
        (s) => (peakKiB = Math.max(peakKiB, Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0))),
        () => undefined,
      );
    }, 10);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ peakKiB, ms: Date.now() - started, code });
    });
  });
}

export async function benchMigrationMemory(sizesMiB = [8, 128], files = 4, concurrency = 2): Promise<MemoryRow[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cutover-bench-migrate-'));
  const dbName = `cutover_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(SERVER_URL);
  dbUrl.pathname = `/${dbName}`;
  const databaseUrl = dbUrl.toString();
  const s3 = await startS3rver({ dir: path.join(dir, 's3'), bucket: 'bench' });
  const rows: MemoryRow[] = [];
  try {
    await applyPrismaMigrations({ databaseUrl, schemaPath: path.join(ROOT, 'fixtures/target/prisma/schema.prisma'), migrationsDir: path.join(ROOT, 'fixtures/target/prisma/migrations') });
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const { rows: [user] } = await db.query(`INSERT INTO "User" ("email","passwordHash","name","role","updatedAt") VALUES ('b@bench','x','B','CONSUMER',now()) RETURNING "id"`);
    const { rows: [job] } = await db.query(
      `INSERT INTO "Job" ("consumerId","title","description","category","location","zipCode","updatedAt") VALUES ($1,'t','d','c','l','78701',now()) RETURNING "id"`,
      [user.id],
    );
    const uploadsDir = path.join(dir, 'uploads');
    const config = path.join(dir, 'cutover.config.mjs');
    const body = {
      environments: { local: { expect: { stripeMode: 'test' } }, staging: { expect: { stripeMode: 'test' } }, prod: { expect: { stripeMode: 'live' } } },
      storage: { uploadsDir },
      reports: { dir: path.join(dir, 'reports'), auditLog: path.join(dir, 'reports/audit.log') },
    };
    await fs.writeFile(config, `export default ${JSON.stringify(body)};\n`);
    const s3Env = {
      DATABASE_URL: databaseUrl,
      OBJECT_STORAGE_PROVIDER: 's3',
      OBJECT_STORAGE_S3_BUCKET: s3.settings.bucket,
      OBJECT_STORAGE_S3_REGION: s3.settings.region,
      OBJECT_STORAGE_S3_ACCESS_KEY_ID: s3.settings.accessKeyId,
      OBJECT_STORAGE_S3_SECRET_ACCESS_KEY: s3.settings.secretAccessKey,
      OBJECT_STORAGE_S3_ENDPOINT: s3.settings.endpoint,
      OBJECT_STORAGE_S3_FORCE_PATH_STYLE: 'true',
      UPLOADS_DIR: uploadsDir,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    for (const size of sizesMiB) {
      await db.query(`DELETE FROM "JobAttachment"`);
      await fs.rm(uploadsDir, { recursive: true, force: true });
      for (let i = 0; i < files; i += 1) {
        const diskPath = `bench/${size}/${i}.bin`;
        await writeFile(path.join(uploadsDir, diskPath), size * MiB);
        await db.query(`INSERT INTO "JobAttachment" ("jobId","filename","mimeType","sizeBytes","diskPath") VALUES ($1,$2,'video/mp4',$3,$4)`, [job.id, `${i}.bin`, size * MiB, diskPath]);
      }
      const runs = [
        { runner: 'harness (streaming, 8 MiB parts, queue 2)' as const, entry: 'scripts/migrate-attachments.ts', args: [`--limit=${files}`, `--concurrency=${concurrency}`, `--config=${config}`] },
        { runner: 'backend (readFile per row)' as const, entry: 'fixtures/target/migrate-attachments.ts', args: [`--concurrency=${concurrency}`] },
      ];
      for (const run of runs) {
        await db.query(`UPDATE "JobAttachment" SET "storageKey" = NULL`);
        const { peakKiB, ms, code } = await measured(run.entry, run.args, s3Env);
        rows.push({ runner: run.runner, fileMiB: size, files, concurrency, peakRssMiB: Math.round(peakKiB / 1024), seconds: ms / 1000, exitCode: code });
      }
    }
    await db.end();
  } finally {
    await s3.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    await fs.rm(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = (process.argv[2] ?? '8,128').split(',').map(Number);
  const files = Number(process.argv[3] ?? 4);
  const rows = await benchMigrationMemory(sizes, files);
  console.log('Attachment migration, peak RSS of the migrating process (VmHWM):');
  for (const r of rows) {
    console.log(`  ${r.runner.padEnd(44)} ${String(r.files)} × ${String(r.fileMiB).padStart(4)} MiB, concurrency ${r.concurrency}: ${String(r.peakRssMiB).padStart(5)} MiB peak, ${r.seconds.toFixed(1)} s, exit ${r.exitCode}`);
  }
}
