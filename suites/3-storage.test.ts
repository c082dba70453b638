import { afterAll, expect, type TestContext } from 'vitest';
import { requiredSetting } from '../lib/config/settings';
import { harnessContext, type HarnessContext } from '../lib/context';
import { setting } from '../lib/credentials';
import { readableTargetEnv } from '../lib/env-rules/harness-view';
import type { Evidence } from '../lib/evidence';
import { deleteTestUpload, getAttachment, bytesProblem, redirectTarget, uploadTestAttachment, type TestUpload } from '../lib/storage/attachments-api';
import { closeStorageSetup, storageSetup, type StorageSetup } from '../lib/storage/harness-setup';
import { formatLegacyStatus, legacyStatus } from '../lib/storage/legacy';
import { checkDiskOnlyStreams, checkMigratedSample, type LegacyCheckContext } from '../lib/storage/legacy-checks';
import { commandLine, migrateAttachments } from '../lib/storage/migrate/guarded';
import { expiryProblems, locationProblems, parseSignedUrl, signatureProblems, type SignedUrl } from '../lib/storage/signed-url';
import { describeStep, notApplicable, proves, redactor, test } from '../lib/suite';
import type { TargetClient } from '../lib/target/client';
import { login } from '../lib/target/session';

let upload: TestUpload | undefined;
let signed: SignedUrl | undefined;
let cleanedUp = false;

function theUpload(): TestUpload {
  if (!upload?.storageKey) throw new Error('there is no object-storage test upload to check (the new-upload check above did not pass)');
  return upload;
}

function theSignedUrl(): SignedUrl {
  if (!signed) throw new Error('there is no signed URL to check (the redirect check above did not pass)');
  return signed;
}

/** storage.cleanup: 'delete' removes the row and the object; 'mark' leaves them, named as harness data. */
async function cleanUp(harness: HarnessContext, setup: StorageSetup): Promise<string> {
  if (!upload || cleanedUp) return 'nothing to clean up';
  cleanedUp = true;
  if (harness.sections.storage.cleanup === 'mark') {
    return `left the test upload (storage.cleanup=mark): ${setup.jobTable.table}#${upload.id}, named ${upload.filename}`;
  }
  return deleteTestUpload(setup.db, setup.jobTable.table, upload, setup.client, setup.s3.bucket);
}

type Ctx = Pick<TestContext, 'annotate' | 'skip'>;

/** Rows of the legacy part apply only where there are legacy uploads to migrate (config). */
async function legacyApplies(ctx: Ctx, harness: HarnessContext): Promise<void> {
  if (!harness.environment.optional.legacyStorageMigration) {
    await notApplicable(ctx, `environments.${harness.env}.optional.legacyStorageMigration is false: no legacy disk uploads to migrate here`);
  }
}

async function attachmentsApply(ctx: Ctx, harness: HarnessContext): Promise<void> {
  if (!harness.environment.optional.attachments) {
    await notApplicable(ctx, `environments.${harness.env}.optional.attachments is false: attachments are not enabled here`);
  }
}

/** The migration changes prod: it runs only when the operator asked for it (--apply=storage). */
async function migrationApplied(ctx: Ctx, harness: HarnessContext, evidence: Evidence): Promise<void> {
  if (harness.apply.includes('storage')) return;
  const reason = 'not applied: the attachment migration runs only with --apply=storage (and --confirm outside local); status and the sample are checked without it';
  await evidence.note(reason);
  ctx.skip(reason);
}

async function legacyContext(harness: HarnessContext, target: TargetClient): Promise<LegacyCheckContext> {
  const setup = storageSetup(harness);
  const admin = await login(target, harness, 'admin');
  return {
    db: setup.db,
    tables: harness.sections.storage.legacyTables,
    uploadsDir: requiredSetting(harness.sections, 'storage.uploadsDir', 'step 3, the legacy attachment checks'),
    target,
    harness,
    adminToken: admin.token,
    client: setup.client,
    bucket: setup.s3.bucket,
  };
}

async function runMigration(harness: HarnessContext, evidence: Evidence, dryRun: boolean) {
  const setup = storageSetup(harness);
  const m = harness.sections.storage.migrate;
  const before = await legacyStatus(setup.db, harness.sections.storage.legacyTables);
  const options = { dryRun, limit: m.limit, concurrency: m.concurrency, env: harness.env };
  const result = await migrateAttachments({
    ...options,
    owner: harness.owner,
    args: ['--apply=storage', ...(dryRun ? ['--dry-run'] : []), `--limit=${m.limit}`, `--concurrency=${m.concurrency}`],
    sections: harness.sections,
    databaseUrl: setup.databaseUrl,
    s3: setup.s3,
    redactor: redactor(),
    rcSha: harness.rcSha,
    baseUrl: harness.baseUrl,
    backendEnv: { ...process.env, ...readableTargetEnv(harness).values },
  });
  await evidence.paste('D.output', result.output, commandLine(options));
  const after = await legacyStatus(setup.db, harness.sections.storage.legacyTables);
  return { result, before, after };
}

const diskOnly = (status: { diskOnly: number }[]) => status.reduce((n, t) => n + t.diskOnly, 0);

describeStep('storage', () => {
  afterAll(async () => {
    // A check that failed half-way must not leave the test upload behind either.
    if (upload && !cleanedUp) {
      const harness = harnessContext();
      await cleanUp(harness, storageSetup(harness)).catch((error: Error) =>
        console.error(`step 3: the test upload could not be removed: ${redactor().redact(error.message)}`),
      );
    }
    await closeStorageSetup();
  });

  test('new uploads: POST /jobs/:jobId/attachments/upload stores the file in object storage (storageKey set, no diskPath)', { meta: proves('D.new-uploads') }, async ({ harness, target, evidence, annotate, skip }) => {
    const ctx = { annotate, skip };
    await attachmentsApply(ctx, harness);
    const { jobTable } = storageSetup(harness);
    const consumer = await login(target, harness, 'consumer');
    const jobId = setting(harness.sections.credentials.testJobId, 'the job the test upload is attached to');
    upload = await uploadTestAttachment(target, harness, consumer.token, jobId);
    await evidence.note(`uploaded ${upload.filename} (${upload.bytes.length} bytes) as ${jobTable.table}#${upload.id}: storageKey ${upload.storageKey ?? 'null'}, diskPath ${upload.diskPath ?? 'null'}`);
    expect(upload.diskPath, 'the new upload went to the uploads dir (diskPath set): the target is not using object storage for new uploads').toBeNull();
    expect(upload.storageKey, 'the new upload has no storageKey: it is not in object storage').toBeTruthy();
  });

  test('GET /attachments/:id → 302 to a signed URL on the configured endpoint and bucket, for the row\'s storageKey', { tags: ['readonly'], meta: proves('D.signed-url') }, async ({ harness, target, evidence, annotate, skip }) => {
    const ctx = { annotate, skip };
    await attachmentsApply(ctx, harness);
    const u = theUpload();
    const consumer = await login(target, harness, 'consumer');
    const res = await getAttachment(target, harness, consumer.token, u.id);
    const location = redirectTarget(res);
    const { s3 } = storageSetup(harness);
    const url = parseSignedUrl(location, s3);
    await evidence.note(`302 → ${location} (${url.style} style; Cache-Control: ${res.headers['cache-control'] ?? 'none'})`);
    const problems = locationProblems(url, s3, u.storageKey!);
    expect(problems, problems.join('\n')).toEqual([]);
    signed = url;
  });

  test('signed URL: X-Amz-Expires equals ATTACHMENTS_SIGNED_URL_TTL_SECONDS (default 300) and the URL is valid now', { tags: ['readonly'], meta: proves('D.signed-url') }, async ({ harness, evidence, annotate, skip }) => {
    await attachmentsApply({ annotate, skip }, harness);
    const url = theSignedUrl();
    const { ttlSeconds } = storageSetup(harness);
    await evidence.measure({ name: 'X-Amz-Expires (s)', value: url.expiresSeconds ?? 'missing', threshold: `= ${ttlSeconds}`, ok: url.expiresSeconds === ttlSeconds });
    const problems = expiryProblems(url, ttlSeconds);
    expect(problems, problems.join('\n')).toEqual([]);
  });

  test('signed URL: the SigV4 signature is valid for the configured credentials (recomputed, since the store may not check)', { tags: ['readonly'], meta: proves('D.signed-url') }, async ({ harness, evidence, annotate, skip }) => {
    await attachmentsApply({ annotate, skip }, harness);
    const problems = await signatureProblems(theSignedUrl(), storageSetup(harness).s3);
    await evidence.note(problems.length ? problems.join('; ') : 'X-Amz-Signature recomputed from the URL\'s date, scope and signed headers with the configured key: identical');
    expect(problems, problems.join('\n')).toEqual([]);
  });

  test('signed URL: serves the uploaded bytes (sha256), then the test upload is removed (storage.cleanup)', { meta: proves('D.signed-url') }, async ({ harness, target, evidence, annotate, skip }) => {
    const ctx = { annotate, skip };
    await attachmentsApply(ctx, harness);
    const u = theUpload();
    let problem: string | null;
    try {
      problem = await bytesProblem(target, theSignedUrl().url.toString(), u.bytes);
    } finally {
      await evidence.note(await cleanUp(harness, storageSetup(harness)));
    }
    expect(problem, `the signed URL ${problem}: the stored object is not the uploaded file`).toBeNull();
  });

  test('legacy uploads: rows left on disk per table, and disk-only rows still stream their disk bytes (200)', { tags: ['readonly'], meta: proves('D.legacy', 'D.output') }, async ({ harness, target, evidence, annotate, skip }) => {
    const ctx = { annotate, skip };
    await legacyApplies(ctx, harness);
    const legacy = await legacyContext(harness, target);
    const status = await legacyStatus(legacy.db, legacy.tables);
    await evidence.paste('D.output', formatLegacyStatus(status), 'legacy attachments before the migration (rows per table)');
    const streams = await checkDiskOnlyStreams(legacy, harness.sections.storage.sampleSize);
    await evidence.note(streams.checked.length ? streams.checked.join('\n') : 'no disk-only job attachment with a readable disk file to stream');
    expect(streams.problems, streams.problems.join('\n')).toEqual([]);
  });

  test('dry run: npm run migrate:attachments -- --dry-run --limit=N --concurrency=N lists what would move and changes nothing', { tags: ['readonly'], meta: proves('D.output') }, async ({ harness, evidence, annotate, skip }) => {
    const ctx = { annotate, skip };
    await legacyApplies(ctx, harness);
    await migrationApplied(ctx, harness, evidence);
    const { result, before, after } = await runMigration(harness, evidence, true);
    expect(result.passed, `the dry run found problems:\n${result.summary.failed.map((f) => `${f.row}: ${f.reason}`).join('\n')}`).toBe(true);
    expect(after, 'the dry run changed rows').toEqual(before);
  });

  test('migration: npm run migrate:attachments -- --limit=N --concurrency=N moves, verifies and records every row it takes', { tags: ['mutating'], meta: proves('D.output') }, async ({ harness, evidence, annotate, skip }) => {
    const ctx = { annotate, skip };
    await legacyApplies(ctx, harness);
    await migrationApplied(ctx, harness, evidence);
    const { result, before, after } = await runMigration(harness, evidence, false);
    expect(result.passed, `the migration failed:\n${result.summary.failed.map((f) => `${f.row}: ${f.reason}`).join('\n')}`).toBe(true);
    const done = result.summary.moved + result.summary.resumed;
    expect(diskOnly(after), `${done} row(s) reported moved, but the disk-only count went from ${diskOnly(before)} to ${diskOnly(after)}`).toBe(diskOnly(before) - done);
  });

  test('legacy uploads: a sample of migrated rows redirects (302) and serves the bytes of their disk files', { tags: ['readonly'], meta: proves('D.legacy') }, async ({ harness, target, evidence, annotate, skip }) => {
    const ctx = { annotate, skip };
    await legacyApplies(ctx, harness);
    const sample = await checkMigratedSample(await legacyContext(harness, target), harness.sections.storage.sampleSize);
    await evidence.note(sample.checked.join('\n') || 'no migrated rows');
    expect(
      sample.checked.length,
      'no migrated legacy row (storageKey and diskPath set) to sample: migrate with --apply=storage, or set optional.legacyStorageMigration=false where there is nothing to migrate',
    ).toBeGreaterThan(0);
    expect(sample.problems, sample.problems.join('\n')).toEqual([]);
  });
});
