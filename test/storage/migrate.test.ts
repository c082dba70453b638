// The guarded attachment migration against real Postgres (the target's schema) and s3rver:
// streaming and verification at several sizes (one multipart), skips and failures, resume,
// idempotence, read-only dry runs, --limit, the prod dry-run rule, the lock, rollback.
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { processCmdline } from '../../lib/processes';
import { pidsWithCmdline } from '../../rehearsal/stack/util';
import { digestBuffer, digestStream } from '../../lib/storage/hash';
import { legacyObjectKey } from '../../lib/storage/keys';
import { copyFileVerified, VerificationFailed } from '../../lib/storage/objects';
import { setStorageKeys } from '../../lib/storage/legacy';
import { MigrateRefused, migrateAttachments, type MigrateOptions } from '../../lib/storage/migrate/guarded';
import { rollbackMigration } from '../../lib/storage/migrate/rollback';
import { MigrationState } from '../../lib/storage/migrate/state';
import { s3Client } from '../../lib/storage/s3-client';
import { sql } from '../support/database';
import { s3Env } from '../support/target-env';
import { bytesOf, recordingS3Client, useStorageWorlds, type LegacyRow, type StorageWorld } from './helpers';

const world = useStorageWorlds();
const MiB = 1024 * 1024;

function options(w: StorageWorld, extra: Partial<MigrateOptions> = {}): MigrateOptions {
  return {
    env: 'local',
    owner: 'selftest',
    args: ['selftest'],
    dryRun: false,
    limit: 200,
    concurrency: 3,
    sections: w.sections(),
    databaseUrl: w.databaseUrl,
    s3: w.s3.settings,
    redactor: w.redactor,
    ...extra,
  };
}

async function storedBytes(w: StorageWorld, key: string): Promise<Buffer> {
  const client = s3Client(w.s3.settings);
  try {
    const res = await client.send(new GetObjectCommand({ Bucket: w.s3.settings.bucket, Key: key }));
    return Buffer.from(await res.Body!.transformToByteArray());
  } finally {
    client.destroy();
  }
}

const keyOf = (r: LegacyRow) => legacyObjectKey(r.kind, r.id, path.basename(r.diskPath), r.diskPath);

async function audit(w: StorageWorld): Promise<{ outcome: string; summary?: Record<string, unknown> }[]> {
  const text = await fs.readFile(path.join(w.reportsDir, 'audit.log'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe('migrateAttachments (harness runner)', () => {
  it('streams files of several sizes (one past the multipart threshold) to their keys, verifies them, sets storageKey, keeps diskPath', async () => {
    const w = await world();
    const rows = [
      await w.legacy('job', 'legacy/a/empty.png', bytesOf(0)),
      await w.legacy('job', 'legacy/a/small photo (1).png', bytesOf(1024)),
      await w.legacy('message', 'legacy/b/medium.png', bytesOf(MiB + 17)),
      await w.legacy('verification', 'legacy/c/large.mov', bytesOf(12 * MiB + 5)),
    ];
    const lines: string[] = [];
    const result = await migrateAttachments(options(w, { log: (l) => lines.push(l) }));
    expect(result.passed, result.output).toBe(true);
    expect(result.summary).toMatchObject({
      moved: 4,
      resumed: 0,
      considered: 4,
      pending: 4,
      stoppedAtLimit: false,
      failed: [],
      skipped: [],
    });
    for (const r of rows) {
      const [row] = (await w.rows(r.table)).filter((x) => x.id === r.id);
      expect(row).toEqual({ id: r.id, diskPath: r.diskPath, storageKey: keyOf(r) });
      expect(digestBuffer(await storedBytes(w, keyOf(r))).sha256).toBe(digestBuffer(r.bytes).sha256);
    }
    expect(keyOf(rows[1]!)).toBe(`attachments/job/${rows[1]!.id}/small_photo__1_.png`);
    expect(await w.objectKeys()).toEqual(rows.map(keyOf).sort());
    expect(lines.at(-1)).toMatch(/^\[migrate\] rollback if needed: .*--rollback=/);
    // n/N and the rate, as the console shows it live (suites/3-storage.test.ts).
    expect(lines).toContainEqual(expect.stringMatching(/^\[migrate\] progress 4\/4, \d+\.\d\/s$/));
    expect(result.output).toContain('[migrate] done {');
    expect((await audit(w)).map((e) => e.outcome)).toEqual(['started', 'done']);
    const state = await new MigrationState(w.reportsDir).migratedBy(result.summary.runId);
    expect(state?.map((e) => e.key).sort()).toEqual(rows.map(keyOf).sort());
  });

  it('is idempotent: a second run finds nothing to do and changes nothing', async () => {
    const w = await world();
    await w.legacy('job', 'legacy/x.png', bytesOf(5000));
    await migrateAttachments(options(w));
    const before = await w.rows('JobAttachment');
    const again = await migrateAttachments(options(w));
    expect(again.summary).toMatchObject({ pending: 0, considered: 0, moved: 0, resumed: 0 });
    expect(await w.rows('JobAttachment')).toEqual(before);
    expect(await w.objectKeys()).toHaveLength(1);
  });

  it('skips missing files and paths outside the uploads dir, fails on what it cannot read, and says so in the summary', async () => {
    const w = await world();
    const ok = await w.legacy('job', 'legacy/ok.png', bytesOf(100));
    const gone = await w.legacy('job', 'legacy/gone.png', null);
    const outside = await w.legacy('job', '../../etc/passwd', null);
    await fs.mkdir(path.join(w.uploadsDir, 'legacy/dir.png'), { recursive: true });
    const dir = await w.legacy('message', 'legacy/dir.png', null);
    const result = await migrateAttachments(options(w));
    expect(result.passed).toBe(false);
    expect(result.summary.moved).toBe(1);
    expect(result.summary.skipped).toEqual(
      expect.arrayContaining([
        { row: `job#${gone.id}`, reason: expect.stringMatching(/^missing file/) },
        { row: `job#${outside.id}`, reason: expect.stringMatching(/^outside uploads/) },
      ]),
    );
    expect(result.summary.failed).toEqual([{ row: `message#${dir.id}`, reason: 'legacy/dir.png is not a regular file' }]);
    expect(result.output).toMatch(/\[migrate\] summary: moved 1, skipped 2 \(.*\), failed 1/);
    expect((await w.rows('JobAttachment')).find((r) => r.id === ok.id)?.storageKey).toBe(keyOf(ok));
    expect((await w.rows('JobAttachment')).filter((r) => r.id !== ok.id).every((r) => r.storageKey === null)).toBe(true);
    expect((await audit(w)).at(-1)?.outcome).toBe('failed');
  });

  it('resumes: an object an interrupted run left with the right bytes is verified and kept; one with wrong bytes is replaced', async () => {
    const w = await world();
    const good = await w.legacy('job', 'legacy/good.png', bytesOf(3000));
    const bad = await w.legacy('job', 'legacy/bad.png', bytesOf(3000));
    const client = s3Client(w.s3.settings);
    await client.send(new PutObjectCommand({ Bucket: w.s3.settings.bucket, Key: keyOf(good), Body: good.bytes }));
    await client.send(new PutObjectCommand({ Bucket: w.s3.settings.bucket, Key: keyOf(bad), Body: bytesOf(3000) }));
    client.destroy();
    const result = await migrateAttachments(options(w));
    expect(result.summary).toMatchObject({ moved: 1, resumed: 1, failed: [] });
    expect(digestBuffer(await storedBytes(w, keyOf(bad))).sha256).toBe(digestBuffer(bad.bytes).sha256);
  });

  it('dry run: lists what would move with read-only database credentials, writes nothing anywhere, and is recorded', async () => {
    const w = await world();
    const rows = [await w.legacy('job', 'legacy/1.png', bytesOf(10)), await w.legacy('verification', 'legacy/2.png', bytesOf(20))];
    const role = `cutover_ro_${process.pid}`;
    await sql(w.databaseUrl, `DROP ROLE IF EXISTS ${role}`);
    await sql(w.databaseUrl, `CREATE ROLE ${role} LOGIN PASSWORD 'ro-Selftest-Pw-1'`);
    await sql(w.databaseUrl, `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
    const ro = new URL(w.databaseUrl);
    ro.username = role;
    ro.password = 'ro-Selftest-Pw-1';
    try {
      const result = await migrateAttachments(options(w, { dryRun: true, databaseUrl: ro.toString() }));
      expect(result.passed, result.output).toBe(true);
      expect(result.summary).toMatchObject({ wouldMove: 2, moved: 0 });
      for (const r of rows) expect(result.output).toContain(`would move ${r.kind}#${r.id} ${r.diskPath}`);
      expect(result.output).not.toContain('ro-Selftest-Pw-1');
      expect(await w.objectKeys()).toEqual([]);
      expect((await w.rows('JobAttachment')).every((r) => r.storageKey === null)).toBe(true);
      const plan = (await fs.readFile(path.join(w.reportsDir, 'migrate-attachments/dry-runs.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(plan).toEqual([expect.objectContaining({ env: 'local', passed: true, runId: result.summary.runId })]);
    } finally {
      await sql(w.databaseUrl, `REASSIGN OWNED BY ${role} TO postgres; DROP OWNED BY ${role}; DROP ROLE ${role}`).catch(() => undefined);
    }
  });

  it('--limit: takes only that many rows, says how many remain, and still prints its summary', async () => {
    const w = await world();
    for (let i = 0; i < 5; i += 1) await w.legacy('job', `legacy/l${i}.png`, bytesOf(64));
    const result = await migrateAttachments(options(w, { limit: 2 }));
    expect(result.summary).toMatchObject({ pending: 5, considered: 2, moved: 2, stoppedAtLimit: true });
    expect(result.output).toContain('[migrate] stopped at --limit: 3 row(s) remain for another run');
    expect((await w.rows('JobAttachment')).filter((r) => r.storageKey).length).toBe(2);
  });

  it('prod: a real run is refused without a passing dry run of the same plan (with the command to run), and nothing changes', async () => {
    const w = await world();
    await w.legacy('job', 'legacy/p.png', bytesOf(10));
    const prod = { env: 'prod' as const, rcSha: 'abc1234', baseUrl: 'http://127.0.0.1:9' };
    const refused = await migrateAttachments(options(w, prod)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MigrateRefused);
    const problems = (refused as MigrateRefused).problems;
    expect(problems).toContainEqual(expect.stringContaining('no passing dry run of this plan'));
    expect(problems).toContainEqual(
      expect.stringContaining('npm run migrate:attachments -- --env=prod --dry-run --limit=200 --concurrency=3'),
    );
    await migrateAttachments(options(w, { ...prod, dryRun: true }));
    const refusal = (o: MigrateOptions) =>
      migrateAttachments(o).then(
        () => [] as string[],
        (e: MigrateRefused) => e.problems,
      );
    const other = await refusal(options(w, prod));
    // The dry run now counts; the other prod preconditions (deployed SHA, backup) still refuse here.
    expect(other).not.toContainEqual(expect.stringContaining('no passing dry run'));
    expect(other.length).toBeGreaterThan(0);
    const otherPlan = await refusal(options(w, { ...prod, limit: 50 }));
    expect(otherPlan).toContainEqual(expect.stringContaining('no passing dry run of this plan'));
    expect(await w.objectKeys()).toEqual([]);
  });

  it('refuses while another run holds the migration lock, changing nothing', async () => {
    const w = await world();
    await w.legacy('job', 'legacy/lock.png', bytesOf(10));
    const holder = new pg.Client({ connectionString: w.databaseUrl });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [w.sections().storage.migrate.lockKey]);
      const refused = await migrateAttachments(options(w)).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(MigrateRefused);
      expect((refused as Error).message).toMatch(/already running against this database.*nothing was changed/);
    } finally {
      await holder.end();
    }
    expect(await w.objectKeys()).toEqual([]);
    expect((await audit(w)).map((e) => e.outcome)).toEqual(['started', 'refused']);
  });

  it('rollback clears storageKey only for the rows that run migrated and still carry its key; diskPath stays', async () => {
    const w = await world();
    const first = await w.legacy('job', 'legacy/r1.png', bytesOf(10));
    const run1 = await migrateAttachments(options(w));
    const second = await w.legacy('job', 'legacy/r2.png', bytesOf(10));
    await migrateAttachments(options(w));
    const third = await w.legacy('job', 'legacy/r3.png', bytesOf(10));
    await sql(w.databaseUrl, `UPDATE "JobAttachment" SET "storageKey" = 'attachments/job/elsewhere' WHERE "id" = $1`, [third.id]);
    const common = {
      env: 'local' as const,
      owner: 'selftest',
      args: [],
      sections: w.sections(),
      databaseUrl: w.databaseUrl,
      redactor: w.redactor,
    };
    const dry = await rollbackMigration({ ...common, runId: run1.summary.runId, dryRun: true });
    expect(dry.output).toContain(`would clear storageKey of JobAttachment#${first.id}`);
    expect((await w.rows('JobAttachment')).find((r) => r.id === first.id)?.storageKey).toBe(keyOf(first));
    const done = await rollbackMigration({ ...common, runId: run1.summary.runId, dryRun: false });
    expect(done).toMatchObject({ cleared: 1, unchanged: 0 });
    const rows = await w.rows('JobAttachment');
    expect(rows.find((r) => r.id === first.id)).toEqual({ id: first.id, diskPath: first.diskPath, storageKey: null });
    expect(rows.find((r) => r.id === second.id)?.storageKey).toBe(keyOf(second));
    expect(rows.find((r) => r.id === third.id)?.storageKey).toBe('attachments/job/elsewhere');
    const again = await rollbackMigration({ ...common, runId: run1.summary.runId, dryRun: false });
    expect(again).toMatchObject({ cleared: 0, unchanged: 1 });
    await expect(rollbackMigration({ ...common, runId: 'no-such-run', dryRun: false })).rejects.toThrow(/no run no-such-run is recorded/);
    await expect(rollbackMigration({ ...common, runId: '../../etc', dryRun: false })).rejects.toThrow(/is not a run id/);
  });
});

describe('migrateAttachments (backend runner: rehearsal/target/migrate-attachments.ts)', () => {
  const backend = (w: StorageWorld, faults = '') => ({
    sections: w.sections({
      storage: { migrate: { runner: 'backend', backendCommand: 'npx tsx rehearsal/target/migrate-attachments.ts' } },
    }),
    backendEnv: {
      ...process.env,
      DATABASE_URL: w.databaseUrl,
      OBJECT_STORAGE_PROVIDER: 's3',
      ...s3Env(w.s3.settings),
      UPLOADS_DIR: w.uploadsDir,
      TARGET_FAULTS: faults,
    },
  });

  it("runs the backend's command under the same guards, parses its summary and verifies every row it changed", async () => {
    const w = await world();
    const rows = [await w.legacy('job', 'legacy/b1.png', bytesOf(300)), await w.legacy('message', 'legacy/b2.png', bytesOf(400))];
    await w.legacy('job', 'legacy/missing.png', null);
    const dry = await migrateAttachments({ ...options(w, { dryRun: true }), ...backend(w) });
    expect(dry.passed, dry.output).toBe(true);
    expect(dry.summary).toMatchObject({ runner: 'backend', wouldMove: 2, moved: 0 });
    expect(await w.objectKeys()).toEqual([]);
    const real = await migrateAttachments({ ...options(w), ...backend(w) });
    expect(real.passed, real.output).toBe(true);
    expect(real.summary).toMatchObject({ moved: 2, considered: 3 });
    expect(real.summary.skipped).toEqual([{ row: '(backend)', reason: 'missing file: reported by the backend' }]);
    expect(real.output).toContain('[migrate] verified');
    const state = await new MigrationState(w.reportsDir).migratedBy(real.summary.runId);
    expect(state?.map((e) => e.id).sort()).toEqual(rows.map((r) => r.id).sort());
  });

  // The backend's command runs in its own process group, which an operator's Ctrl-C or a
  // service manager's SIGTERM to the script does not reach: the run's stop must reach it.
  it("a stopped run stops the backend's command, process group and all, and still verifies what it changed", async () => {
    const w = await world();
    await w.legacy('job', 'legacy/s1.png', bytesOf(300));
    // The backend's command migrates the row, then hangs; the flags are appended as its "$@".
    const marker = 'sleep 57.31';
    const command = `sh -c 'npx tsx rehearsal/target/migrate-attachments.ts "$@" && ${marker} & wait' migrate`;
    const slow = { storage: { migrate: { runner: 'backend' as const, backendCommand: command } } };
    const stop = new AbortController();
    const running = setInterval(() => {
      // Its sleep has started (the shells' command lines hold the marker too): the row is migrated.
      if (pidsWithCmdline(marker).some((pid) => processCmdline(pid) === marker)) stop.abort(new Error('interrupted by SIGTERM'));
    }, 50);
    try {
      const run = await migrateAttachments({ ...options(w), ...backend(w), sections: w.sections(slow), signal: stop.signal });
      expect(stop.signal.aborted).toBe(true);
      expect(run.passed).toBe(false);
      expect(run.summary.failed).toEqual([{ row: '(backend)', reason: 'the backend command was stopped (interrupted)' }]);
      expect(run.summary.moved, 'the row it migrated before the stop, verified').toBe(1);
      expect(run.output).toContain('[migrate] verified job#');
      expect(pidsWithCmdline(marker), "the backend command's processes").toEqual([]);
      expect((await audit(w)).map((e) => e.outcome)).toEqual(['started', 'interrupted']);
    } finally {
      clearInterval(running);
      for (const pid of pidsWithCmdline(marker)) process.kill(pid, 'SIGKILL');
    }
  });

  it('fails when an object the backend wrote differs from its disk file, although the backend says it succeeded', async () => {
    const w = await world();
    const row = await w.legacy('job', 'legacy/c1.png', bytesOf(300));
    const real = await migrateAttachments({ ...options(w), ...backend(w, 'attachment-bytes-corrupted') });
    expect(real.passed).toBe(false);
    expect(real.summary.failed).toEqual([{ row: `job#${row.id}`, reason: expect.stringMatching(/differs from the disk file/) }]);
  });

  it('notes a missing summary (the backend exits without it at --limit) and still verifies what changed', async () => {
    const w = await world();
    for (let i = 0; i < 3; i += 1) await w.legacy('job', `legacy/d${i}.png`, bytesOf(100));
    const real = await migrateAttachments({ ...options(w, { limit: 1, concurrency: 1 }), ...backend(w) });
    expect(real.summary.notes.join('\n')).toContain('without its `[migrate] done {...}` summary');
    expect(real.summary.moved).toBeGreaterThanOrEqual(1);
    expect(real.summary.failed).toEqual([]);
  });
});

describe('copyFileVerified', () => {
  const copy = (w: StorageWorld, client: S3Client, key: string, file: string) =>
    copyFileVerified({
      client,
      bucket: w.s3.settings.bucket,
      key,
      file,
      contentType: 'application/octet-stream',
      partSize: 5 * MiB,
      queueSize: 2,
    });

  /** Flips the first byte of every request body after the harness has hashed it: bytes damaged on the way. */
  function damaging(client: S3Client, command: string) {
    client.middlewareStack.add(
      (next, context) => (args) => {
        const req = args.request as { body?: unknown };
        if (context.commandName === command && req.body instanceof Readable) {
          let first = true;
          req.body = req.body.pipe(
            new Transform({
              transform(chunk: Buffer, _enc, done) {
                if (first && chunk.length) {
                  chunk = Buffer.from(chunk);
                  chunk[0]! ^= 0xff;
                  first = false;
                }
                done(null, chunk);
              },
            }),
          );
        }
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low' },
    );
  }

  it("streams a file larger than the part size as a multipart upload, each part checked against the store's MD5, and does not read it back", async () => {
    const w = await world();
    const data = bytesOf(12 * MiB + 5);
    const file = path.join(w.uploadsDir, 'big.bin');
    await fs.writeFile(file, data);
    const { client, calls } = recordingS3Client(w);
    try {
      const copied = await copy(w, client, 'k/big.bin', file);
      expect(copied).toEqual({ bytes: data.length, resumed: false, verifiedBy: 'etag' });
    } finally {
      client.destroy();
    }
    // s3rver's final ETag is the whole object's MD5 (not S3's md5-of-parts): the parts' ETags and the size are the proof
    expect(calls).toEqual([
      'HeadObjectCommand',
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'CompleteMultipartUploadCommand',
      'HeadObjectCommand',
    ]);
    expect(digestBuffer(await storedBytes(w, 'k/big.bin')).sha256).toBe(digestBuffer(data).sha256);
  });

  it('sends a file up to the part size in one PutObject, verified by its ETag', async () => {
    const w = await world();
    const file = path.join(w.uploadsDir, 'small.bin');
    await fs.writeFile(file, bytesOf(1000));
    const { client, calls } = recordingS3Client(w);
    try {
      expect(await copy(w, client, 'k/small.bin', file)).toMatchObject({ resumed: false, verifiedBy: 'etag' });
    } finally {
      client.destroy();
    }
    expect(calls).toEqual(['HeadObjectCommand', 'PutObjectCommand']);
  });

  it('fails when the bytes the store received differ from the file (damaged after hashing), single and multipart', async () => {
    const w = await world();
    const small = path.join(w.uploadsDir, 'dmg-small.bin');
    const big = path.join(w.uploadsDir, 'dmg-big.bin');
    await fs.writeFile(small, bytesOf(1000));
    await fs.writeFile(big, bytesOf(6 * MiB));
    const client = s3Client(w.s3.settings);
    try {
      damaging(client, 'PutObjectCommand');
      damaging(client, 'UploadPartCommand');
      await expect(copy(w, client, 'k/dmg-small.bin', small)).rejects.toThrow(VerificationFailed);
      await expect(copy(w, client, 'k/dmg-big.bin', big)).rejects.toThrow(VerificationFailed);
    } finally {
      client.destroy();
    }
  });

  it("reads the object back when the store's ETag is not the MD5 it expects (SSE-KMS, other stores), and accepts it if the bytes match", async () => {
    const w = await world();
    const file = path.join(w.uploadsDir, 'kms.bin');
    await fs.writeFile(file, bytesOf(1000));
    const { client, calls } = recordingS3Client(w);
    client.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        const body = out.output as { ETag?: string } | undefined;
        if (body?.ETag) body.ETag = '"0123456789abcdef0123456789abcdef"';
        return out;
      },
      { step: 'initialize', priority: 'low' },
    );
    try {
      expect(await copy(w, client, 'k/kms.bin', file)).toMatchObject({ resumed: false, verifiedBy: 'read-back' });
    } finally {
      client.destroy();
    }
    expect(calls.slice(-2)).toEqual(['HeadObjectCommand', 'GetObjectCommand']);
  });
});

describe('setStorageKeys', () => {
  it('sets storageKey in one statement only on rows still disk-only with the planned diskPath', async () => {
    const w = await world();
    const rows = [
      await w.legacy('job', 'legacy/s1.png', bytesOf(10)),
      await w.legacy('job', 'legacy/s2.png', bytesOf(10)),
      await w.legacy('job', 'legacy/s3.png', bytesOf(10)),
    ];
    await sql(w.databaseUrl, `UPDATE "JobAttachment" SET "diskPath" = 'legacy/moved.png' WHERE "id" = $1`, [rows[1]!.id]);
    await sql(w.databaseUrl, `UPDATE "JobAttachment" SET "storageKey" = 'elsewhere' WHERE "id" = $1`, [rows[2]!.id]);
    const planned = rows.map((r) => ({
      row: {
        table: 'JobAttachment',
        kind: 'job' as const,
        id: r.id,
        diskPath: r.diskPath,
        storageKey: null,
        filename: 'x',
        mimeType: 'image/png',
      },
      key: keyOf(r),
    }));
    const db = new pg.Client({ connectionString: w.databaseUrl });
    await db.connect();
    try {
      expect([...(await setStorageKeys(db, 'JobAttachment', planned))]).toEqual([rows[0]!.id]);
    } finally {
      await db.end();
    }
    expect((await w.rows('JobAttachment')).map((r) => r.storageKey)).toEqual([keyOf(rows[0]!), null, 'elsewhere']);
  });
});

describe('digestStream', () => {
  it('hashes in chunks what a buffer hashes at once', async () => {
    const data = bytesOf(100_000);
    async function* chunks() {
      yield data.subarray(0, 3);
      yield data.subarray(3, 70_000);
      yield data.subarray(70_000);
    }
    expect(await digestStream(chunks())).toEqual(digestBuffer(data));
  });
});
