/**
 * The attachment migration side by side, on the same files and rows at the same concurrency:
 * the harness's guarded migrator (scripts/migrate-attachments.ts, prebuilt, as `npm run migrate:attachments`
 * runs it), the backend's own command
 * (rehearsal/target/migrate-attachments.ts) and a plain @aws-sdk/lib-storage upload loop
 * (bench/migrate/plain-upload.ts). Each runs as its own process (start-up included), peak RSS of
 * its process tree sampled from /proc. Postgres comes from the project's stack (embedded unless
 * CUTOVER_STACK says otherwise), the store is an s3rver in this process, a fresh bucket per run.
 *
 * BENCH_MIGRATE_SCALE (default 1) scales the file counts down for a quick proof run.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startStack, type Stack } from '../rehearsal/stack';
import { ensureBucket, startS3rver, type LocalS3 } from '../rehearsal/stack/s3';
import { applyPrismaMigrations } from '../lib/migrations/prisma-engine';
import { guardedNode, mib, measure, ROOT, spread, spreadSeconds, tsxNode, type BenchSection, type Measured } from './measure';

const MiB = 1024 * 1024;
const sizeLabel = (bytes: number) => (bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / 1024} KiB`);
const CONCURRENCY = 4;
const PART_MIB = 8;
const QUEUE = 2;

interface FileSet {
  name: string;
  files: number;
  bytes: number;
}

function fileSets(): FileSet[] {
  const scale = Number(process.env.BENCH_MIGRATE_SCALE ?? 1);
  if (!(scale > 0 && scale <= 1)) throw new Error('BENCH_MIGRATE_SCALE must be a number in (0, 1]');
  return [
    { name: 'large', files: Math.max(1, Math.round(8 * scale)), bytes: 128 * MiB },
    { name: 'small', files: Math.max(1, Math.round(2000 * scale)), bytes: 100 * 1024 },
  ];
}

async function writeRandomFile(file: string, bytes: number): Promise<void> {
  const out = createWriteStream(file);
  for (let left = bytes; left > 0; left -= MiB) {
    if (!out.write(randomBytes(Math.min(MiB, left)))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

type RunnerName = 'harness' | 'backend' | 'plain';
const LABEL: Record<RunnerName, string> = {
  harness: `harness (streamed, ETag-verified, batched commits)`,
  backend: "backend's command (readFile + PutObject)",
  plain: 'plain lib-storage loop (no DB, no verification)',
};

export async function benchMigration(rounds = 3, log: (line: string) => void = console.log): Promise<BenchSection> {
  const sets = fileSets();
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'cutover-bench-migrate-'));
  let stack: Stack | undefined;
  let s3: LocalS3 | undefined;
  const stackLog: string[] = [];
  try {
    stack = await startStack({
      provider: (process.env.CUTOVER_STACK as 'auto' | 'embedded' | undefined) ?? 'embedded',
      log: (l) => stackLog.push(l),
    });
    s3 = await startS3rver({ dir: path.join(work, 's3'), bucket: 'bench-setup' });
    const databaseUrl = stack.databaseUrl;
    await applyPrismaMigrations({
      databaseUrl,
      schemaPath: path.join(ROOT, 'rehearsal/target/prisma/schema.prisma'),
      migrationsDir: path.join(ROOT, 'rehearsal/target/prisma/migrations'),
    });
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const results = new Map<string, Measured[]>();
    try {
      const {
        rows: [user],
      } = await db.query(
        `INSERT INTO "User" ("email","passwordHash","name","role","updatedAt") VALUES ('b@bench','x','B','CONSUMER',now()) RETURNING "id"`,
      );
      const {
        rows: [job],
      } = await db.query(
        `INSERT INTO "Job" ("consumerId","title","description","category","location","zipCode","updatedAt") VALUES ($1,'t','d','c','l','78701',now()) RETURNING "id"`,
        [user.id],
      );
      const config = path.join(work, 'cutover.config.mjs');
      const uploadsDir = path.join(work, 'uploads');
      const body = {
        environments: {
          local: { expect: { stripeMode: 'test' } },
          staging: { expect: { stripeMode: 'test' } },
          prod: { expect: { stripeMode: 'live' } },
        },
        storage: { uploadsDir, migrate: { partSizeMiB: PART_MIB, queueSize: QUEUE } },
        reports: { dir: path.join(work, 'reports'), auditLog: path.join(work, 'reports/audit.log') },
      };
      await fs.writeFile(config, `export default ${JSON.stringify(body)};\n`);
      let bucketNo = 0;
      // Built once untimed, as `npm ci` builds it for an operator: no round pays for a stale dist/.
      const [buildCmd, buildArgs] = guardedNode('migrate-attachments', '--help');
      const built = spawnSync(buildCmd, buildArgs, { cwd: ROOT, encoding: 'utf8' });
      if (built.status !== 0) throw new Error(`building the guarded scripts failed:\n${built.stderr}`);

      for (const set of sets) {
        await fs.rm(uploadsDir, { recursive: true, force: true });
        await db.query(`DELETE FROM "JobAttachment"`);
        const paths: string[] = [];
        for (let i = 0; i < set.files; i += 1) {
          const diskPath = `bench/${set.name}/${Math.floor(i / 500)}/${i}.bin`;
          await fs.mkdir(path.dirname(path.join(uploadsDir, diskPath)), { recursive: true });
          await writeRandomFile(path.join(uploadsDir, diskPath), set.bytes);
          paths.push(diskPath);
        }
        await db.query(
          `INSERT INTO "JobAttachment" ("jobId","filename","mimeType","sizeBytes","diskPath")
           SELECT $1, regexp_replace(p, '^.*/', ''), 'application/octet-stream', $2, p FROM unnest($3::text[]) AS p`,
          [job.id, set.bytes, paths],
        );
        log(`  ${set.name}: ${set.files} × ${sizeLabel(set.bytes)} written; ${rounds} round(s) per runner, concurrency ${CONCURRENCY}`);

        for (let round = 1; round <= rounds; round += 1) {
          for (const runner of ['harness', 'backend', 'plain'] as RunnerName[]) {
            const bucket = `bench-${(bucketNo += 1)}`;
            await ensureBucket({ ...s3.settings, bucket });
            await db.query(`UPDATE "JobAttachment" SET "storageKey" = NULL`);
            const env = {
              ...process.env,
              DATABASE_URL: databaseUrl,
              OBJECT_STORAGE_PROVIDER: 's3',
              OBJECT_STORAGE_S3_BUCKET: bucket,
              OBJECT_STORAGE_S3_REGION: s3.settings.region,
              OBJECT_STORAGE_S3_ACCESS_KEY_ID: s3.settings.accessKeyId,
              OBJECT_STORAGE_S3_SECRET_ACCESS_KEY: s3.settings.secretAccessKey,
              OBJECT_STORAGE_S3_ENDPOINT: s3.settings.endpoint,
              OBJECT_STORAGE_S3_FORCE_PATH_STYLE: 'true',
              UPLOADS_DIR: uploadsDir,
              AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            };
            const [cmd, args] =
              runner === 'harness'
                ? guardedNode(
                    'migrate-attachments',
                    '--env=local',
                    '--confirm=local',
                    `--limit=${set.files}`,
                    `--concurrency=${CONCURRENCY}`,
                    `--config=${config}`,
                  )
                : runner === 'backend'
                  ? tsxNode('rehearsal/target/migrate-attachments.ts', `--concurrency=${CONCURRENCY}`)
                  : tsxNode('bench/migrate/plain-upload.ts', uploadsDir, String(CONCURRENCY), String(PART_MIB), String(QUEUE));
            const m = await measure(cmd, args, { env, timeoutMs: 600_000 });
            const {
              rows: [{ n }],
            } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "JobAttachment" WHERE "storageKey" IS NOT NULL`);
            const complete = runner === 'plain' ? m.code === 0 : m.code === 0 && Number(n) === set.files;
            await fs.rm(path.join(s3.dir, bucket), { recursive: true, force: true });
            log(
              `  ${set.name} round ${round}: ${runner}: ${(m.ms / 1000).toFixed(2)} s, ${mib(m.treePeakKiB)}, exit ${m.code}${runner === 'plain' ? '' : `, ${n}/${set.files} rows migrated`}`,
            );
            if (!complete)
              throw new Error(
                `${LABEL[runner]} did not finish the ${set.name} set (exit ${m.code}, ${n}/${set.files} rows):\n${(m.stdout + m.stderr).trim().split('\n').slice(-8).join('\n')}`,
              );
            const key = `${set.name}/${runner}`;
            results.set(key, [...(results.get(key) ?? []), m]);
          }
        }
      }
    } finally {
      await db.end();
    }

    const rows: string[][] = [];
    const notes: string[] = [];
    for (const set of sets) {
      const total = set.files * set.bytes;
      const throughput = (r: RunnerName) => total / MiB / (spread(results.get(`${set.name}/${r}`)!.map((m) => m.ms)).median / 1000);
      for (const r of ['harness', 'backend', 'plain'] as RunnerName[]) {
        const ms = results.get(`${set.name}/${r}`)!.map((m) => m.ms);
        const rss = results.get(`${set.name}/${r}`)!.map((m) => m.treePeakKiB);
        rows.push([
          `${set.files} × ${sizeLabel(set.bytes)}`,
          LABEL[r],
          spreadSeconds(spread(ms)),
          `${throughput(r).toFixed(0)} MiB/s`,
          mib(Math.max(...rss)),
          (throughput(r) / throughput('plain')).toFixed(2),
        ]);
      }
      notes.push(
        `${set.name} set: harness ÷ plain loop throughput ${(throughput('harness') / throughput('plain')).toFixed(2)}× (goal ≥ 0.9×, every object verified).`,
      );
    }
    const scale = Number(process.env.BENCH_MIGRATE_SCALE ?? 1);
    return {
      name: 'migrate',
      title: 'Attachment migration',
      method: [
        `Method (\`bench/migrate.ts\`): ${sets.map((s) => `${s.files} files of ${sizeLabel(s.bytes)}`).join(' and ')}${scale !== 1 ? ` (scaled down by BENCH_MIGRATE_SCALE=${scale})` : ''}, random bytes, one disk-only JobAttachment row each, in a database of the project's ${stack.provider} stack; an s3rver in the bench's process as the store, a fresh bucket per run. Every runner works at concurrency ${CONCURRENCY} as its own process, start-up included (the harness prebuilt on plain node as \`npm run migrate:attachments\` runs it, the other two \`node --import tsx\`); ${rounds} round(s) each, interleaved, median (min–max) wall time; throughput is the set's bytes over the median; peak RSS is the highest summed RSS of the process tree over the rounds.`,
        '',
        `- harness: \`node bin/guarded.mjs migrate-attachments --env=local --confirm=local --limit=N --concurrency=${CONCURRENCY}\` (the bench's own stack is no rehearsal's, so it is confirmed) (guards, lock, audit): what an earlier run left at the keys found by one ListObjectsV2 per 1000 keys (HeadObject only where a listing falls short); each file streamed from disk (PutObject up to ${PART_MIB} MiB, else multipart with ${PART_MIB} MiB parts, ${QUEUE} in flight per file, each streamed with its length, nothing buffered), MD5 computed while sending and compared with the store's ETag of every object and part (multipart: plus HeadObject size, or S3's md5-of-parts ETag where the store gives one); read back (sha256) only where an ETag is not an MD5 or does not match; verified rows committed in batches (one run-file append and one UPDATE per table per batch);`,
        '- backend: `rehearsal/target/migrate-attachments.ts` (reads each file whole, PutObject, one UPDATE per row, no verification);',
        `- plain: \`bench/migrate/plain-upload.ts\`, an \`@aws-sdk/lib-storage\` Upload per file (${PART_MIB} MiB parts, queue ${QUEUE}), no database, no verification: the upload floor.`,
        '',
        "s3rver (3.7.1) ignores Content-MD5 and x-amz-checksum-* headers (its source raises no BadDigest), but it computes each object's and part's MD5 over the bytes it stored and answers it as the ETag, as S3 (without SSE-KMS/SSE-C) and MinIO do: that is the store-side check the harness relies on.",
      ].join('\n'),
      header: ['files', 'runner', 'wall, median (min–max)', 'throughput', 'peak RSS (tree)', '÷ plain'],
      rows,
      notes: [...notes, 'Goal: peak RSS ≤ 150 MiB for 1 GiB of files (the large set).'],
    };
  } catch (error) {
    if (stackLog.length)
      log(
        stackLog
          .slice(-5)
          .map((l) => `    ${l}`)
          .join('\n'),
      );
    throw error;
  } finally {
    await s3?.stop();
    await stack?.stop();
    await fs.rm(work, { recursive: true, force: true });
  }
}
