import { expect, type TestContext } from 'vitest';
import { requiredSetting } from '../lib/config/settings';
import type { HarnessContext } from '../lib/context';
import { readableTargetEnv } from '../lib/env-rules/suite-target-env';
import type { Evidence } from '../lib/evidence';
import { findCheck, leftOut } from '../lib/needs';
import { deleteTestUpload, getAttachment, bytesProblem, redirectTarget, type TestUpload } from '../lib/storage/attachments-api';
import type { StorageSetup } from '../lib/storage/suite-storage';
import { formatLegacyStatus, legacyStatus } from '../lib/storage/legacy';
import { checkDiskOnlyStreams, checkMigratedSample, type LegacyCheckContext } from '../lib/storage/legacy-checks';
import { liveProgress } from '../lib/live-progress';
import { commandLine, migrateAttachments, migrationStopping } from '../lib/storage/migrate/guarded';
import { stoppable } from '../lib/runner/in-flight-work';
import { expiryProblems, locationProblems, parseSignedUrl, signatureProblems, type SignedUrl } from '../lib/storage/signed-url';
import { recordRemoval, uploadAsTestData } from '../lib/storage/test-upload-data';
import { retireUploadJob, uploadJob, type UploadJob } from '../lib/storage/upload-job';
import { checkId, describeStep, needs, notApplicable, notRun, proves, suiteTestData, test, type RunbookFixtures } from '../lib/suite';
import type { Redactor } from '../lib/secrets/redactor';

// The checks below share the upload and the signed URL: those that read them declare it (needs).
const NEW_UPLOAD = 'new uploads: POST /jobs/:jobId/attachments/upload stores the file in object storage (storageKey set, no diskPath)';
const REDIRECT = "GET /attachments/:id → 302 to a signed URL on the configured endpoint and bucket, for the row's storageKey";
const MIGRATION = 'migration: npm run migrate:attachments -- --limit=N --concurrency=N moves, verifies and records every row it takes';

let upload: TestUpload | undefined;
let job: UploadJob | undefined;
let signed: SignedUrl | undefined;
let cleanedUp = false;

// `needs` has made sure the checks that set them passed.
const theUpload = (): TestUpload => upload!;
const theSignedUrl = (): SignedUrl => signed!;

type Cleanup = { text: string; removed: true } | { text: string; removed: false; why: string };

/** storage.cleanup: 'delete' removes the row and the object; 'mark' leaves them, named as harness data. */
async function cleanUp(harness: HarnessContext, setup: StorageSetup, redactor: Redactor): Promise<Cleanup | null> {
  if (!upload || cleanedUp) return null;
  cleanedUp = true;
  if (harness.sections.storage.cleanup === 'mark') {
    const why = 'left on purpose (storage.cleanup=mark)';
    return {
      text: `left the test upload (storage.cleanup=mark): ${setup.jobTable.table}#${upload.id}, named ${upload.filename}`,
      removed: false,
      why,
    };
  }
  try {
    return { text: await deleteTestUpload(setup.db, setup.jobTable.table, upload, setup.client, setup.s3.bucket), removed: true };
  } catch (error) {
    const why = `removing it failed: ${redactor.redact((error as Error).message)}`;
    return { text: `FAILED to remove the test upload: ${why}`, removed: false, why };
  }
}

// Set with the upload: NEW_UPLOAD makes both.
const jobIdOf = () => job!.id;

type Ctx = Pick<TestContext, 'annotate' | 'skip'>;

/** Rows of the legacy part apply only where there are legacy uploads to migrate (config). */
async function legacyApplies(ctx: Ctx, harness: HarnessContext): Promise<void> {
  if (!harness.environment.optional.legacyStorageMigration) {
    await notApplicable(
      ctx,
      `environments.${harness.env}.optional.legacyStorageMigration is false: no legacy disk uploads to migrate here`,
    );
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
  const reason =
    'not applied: the attachment migration runs only with --apply=storage (and --confirm outside local); status and the sample are checked without it';
  await evidence.note(reason);
  ctx.skip(reason);
}

type LegacyFixtures = Pick<RunbookFixtures, 'harness' | 'target' | 'storage' | 'sessions'>;

async function legacyContext({ harness, target, storage, sessions }: LegacyFixtures): Promise<LegacyCheckContext> {
  const setup = storage.setup();
  const admin = await sessions.login(target, 'admin');
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

type MigrationFixtures = Pick<RunbookFixtures, 'harness' | 'evidence' | 'storage' | 'redactor' | 'targetEnv'>;

async function runMigration({ harness, evidence, storage, redactor, targetEnv }: MigrationFixtures, dryRun: boolean) {
  const setup = storage.setup();
  const m = harness.sections.storage.migrate;
  const before = await legacyStatus(setup.db, harness.sections.storage.legacyTables);
  const options = { dryRun, limit: m.limit, concurrency: m.concurrency, env: harness.env, invocation: harness.invocation };
  // Its progress is shown live on the console too; the whole output goes to the document below.
  const live = liveProgress(evidence, /^\[migrate\] progress /);
  const result = await stoppable(migrationStopping(m.runner), (signal) =>
    migrateAttachments({
      ...options,
      log: live.log,
      owner: harness.owner,
      args: ['--apply=storage', ...(dryRun ? ['--dry-run'] : []), `--limit=${m.limit}`, `--concurrency=${m.concurrency}`],
      sections: harness.sections,
      databaseUrl: setup.databaseUrl,
      s3: setup.s3,
      redactor,
      rcSha: harness.rcSha,
      baseUrl: harness.baseUrl,
      backendEnv: { ...process.env, ...readableTargetEnv(targetEnv).values },
      signal,
    }),
  );
  await live.settled();
  await evidence.paste('D.output', result.output, commandLine(options));
  const after = await legacyStatus(setup.db, harness.sections.storage.legacyTables);
  return { result, before, after };
}

const diskOnly = (status: { diskOnly: number }[]) => status.reduce((n, t) => n + t.diskOnly, 0);

describeStep('storage', () => {
  test.afterAll(async ({ harness, storage, redactor }, suite) => {
    // A check that failed half-way must not leave the test upload behind either.
    const done = upload && !cleanedUp ? await cleanUp(harness, storage.setup(), redactor) : null;
    if (done && upload) {
      if (!done.removed) console.error(`step 3: the test upload was not removed: ${done.why}`);
      const record = {
        key: `upload:${upload.filename}`,
        what: `test upload ${upload.filename} (attachment #${upload.id} on job ${jobIdOf()})`,
      };
      suiteTestData(suite, done.removed ? { ...record, state: 'removed' } : { ...record, state: 'left', detail: done.why });
    }
    const retired = job ? await retireUploadJob(harness, () => storage.setup().db, job) : null;
    if (retired) {
      if (retired.record.state === 'left') console.error(redactor.redact(`step 3: ${retired.text}`));
      suiteTestData(suite, { ...retired.record, detail: retired.record.detail && redactor.redact(retired.record.detail) });
    }
  });

  test(
    NEW_UPLOAD,
    { tags: ['testdata'], meta: { ...checkId('3.new-upload'), ...proves('D.new-uploads') } },
    async ({ harness, target, sessions, storage, evidence, annotate, skip }) => {
      const ctx = { annotate, skip };
      await attachmentsApply(ctx, harness);
      const { jobTable } = storage.setup();
      const consumer = await sessions.login(target, 'consumer');
      job = await uploadJob(evidence, target, harness, consumer, 'the test upload');
      upload = await uploadAsTestData(evidence, target, harness, consumer.token, job.id);
      await evidence.note(
        `uploaded ${upload.filename} (${upload.bytes.length} bytes) as ${jobTable.table}#${upload.id}: storageKey ${upload.storageKey ?? 'null'}, diskPath ${upload.diskPath ?? 'null'}`,
      );
      expect(
        upload.diskPath,
        'the new upload went to the uploads dir (diskPath set): the target is not using object storage for new uploads',
      ).toBeNull();
      expect(upload.storageKey, 'the new upload has no storageKey: it is not in object storage').toBeTruthy();
    },
  );

  test(
    REDIRECT,
    { tags: ['readonly'], meta: { ...checkId('3.redirect'), ...proves('D.signed-url'), ...needs(NEW_UPLOAD) } },
    async ({ harness, target, sessions, storage, evidence, annotate, skip }) => {
      const ctx = { annotate, skip };
      await attachmentsApply(ctx, harness);
      const u = theUpload();
      if (!u.storageKey) throw new Error('the test upload has no storageKey: there is no object-storage URL to check');
      const consumer = await sessions.login(target, 'consumer');
      const res = await getAttachment(target, harness, consumer.token, u.id);
      const location = redirectTarget(res);
      const { s3 } = storage.setup();
      const url = parseSignedUrl(location, s3);
      await evidence.note(`302 → ${location} (${url.style} style; Cache-Control: ${res.headers['cache-control'] ?? 'none'})`);
      const problems = locationProblems(url, s3, u.storageKey!);
      expect(problems, problems.join('\n')).toEqual([]);
      signed = url;
    },
  );

  test(
    'signed URL: X-Amz-Expires equals ATTACHMENTS_SIGNED_URL_TTL_SECONDS (default 300) and the URL is valid now',
    { tags: ['readonly'], meta: { ...checkId('3.signed-url-ttl'), ...proves('D.signed-url'), ...needs(REDIRECT) } },
    async ({ harness, storage, evidence, annotate, skip }) => {
      await attachmentsApply({ annotate, skip }, harness);
      const url = theSignedUrl();
      const { ttlSeconds } = storage.setup();
      await evidence.measure({
        name: 'X-Amz-Expires (s)',
        value: url.expiresSeconds ?? 'missing',
        threshold: `= ${ttlSeconds}`,
        ok: url.expiresSeconds === ttlSeconds,
      });
      const problems = expiryProblems(url, ttlSeconds);
      expect(problems, problems.join('\n')).toEqual([]);
    },
  );

  test(
    'signed URL: the SigV4 signature is valid for the configured credentials (recomputed, since the store may not check)',
    { tags: ['readonly'], meta: { ...checkId('3.signed-url-signature'), ...proves('D.signed-url'), ...needs(REDIRECT) } },
    async ({ harness, storage, evidence, annotate, skip }) => {
      await attachmentsApply({ annotate, skip }, harness);
      const problems = await signatureProblems(theSignedUrl(), storage.setup().s3);
      await evidence.note(
        problems.length
          ? problems.join('; ')
          : "X-Amz-Signature recomputed from the URL's date, scope and signed headers with the configured key: identical",
      );
      expect(problems, problems.join('\n')).toEqual([]);
    },
  );

  test(
    'signed URL: serves the uploaded bytes (sha256), then the test upload is removed (storage.cleanup)',
    { tags: ['testdata'], meta: { ...checkId('3.signed-url-bytes'), ...proves('D.signed-url'), ...needs(NEW_UPLOAD, REDIRECT) } },
    async ({ harness, target, storage, redactor, evidence, annotate, skip }) => {
      const ctx = { annotate, skip };
      await attachmentsApply(ctx, harness);
      const u = theUpload();
      let problem: string | null;
      let done: Cleanup | null;
      try {
        problem = await bytesProblem(target, theSignedUrl().url.toString(), u.bytes);
      } finally {
        done = await cleanUp(harness, storage.setup(), redactor);
        if (done) {
          await evidence.note(done.text);
          await recordRemoval(evidence, u, jobIdOf(), done.removed ? { removed: true } : { removed: false, why: done.why });
        }
        const retired = await retireUploadJob(harness, () => storage.setup().db, job!);
        if (retired) {
          await evidence.note(retired.text);
          await evidence.testData(retired.record);
        }
      }
      expect(problem, `the signed URL ${problem}: the stored object is not the uploaded file`).toBeNull();
      expect(done?.text ?? '', done?.text).not.toMatch(/^FAILED/);
    },
  );

  test(
    'legacy uploads: rows left on disk per table, and disk-only rows still stream their disk bytes (200)',
    { tags: ['readonly'], meta: { ...checkId('3.legacy-disk'), ...proves('D.legacy', 'D.output') } },
    async ({ harness, target, sessions, storage, evidence, annotate, skip }) => {
      const ctx = { annotate, skip };
      await legacyApplies(ctx, harness);
      const legacy = await legacyContext({ harness, target, storage, sessions });
      const status = await legacyStatus(legacy.db, legacy.tables);
      await evidence.paste('D.output', formatLegacyStatus(status), 'legacy attachments before the migration (rows per table)');
      const streams = await checkDiskOnlyStreams(legacy, harness.sections.storage.sampleSize);
      await evidence.note(
        streams.checked.length ? streams.checked.join('\n') : 'no disk-only job attachment with a readable disk file to stream',
      );
      expect(streams.problems, streams.problems.join('\n')).toEqual([]);
    },
  );

  test(
    'dry run: npm run migrate:attachments -- --dry-run --limit=N --concurrency=N lists what would move and changes nothing',
    { tags: ['readonly'], meta: { ...checkId('3.dry-run'), ...proves('D.output') } },
    async ({ harness, evidence, storage, redactor, targetEnv, annotate, skip }) => {
      const ctx = { annotate, skip };
      await legacyApplies(ctx, harness);
      await migrationApplied(ctx, harness, evidence);
      const { result, before, after } = await runMigration({ harness, evidence, storage, redactor, targetEnv }, true);
      expect(result.passed, `the dry run found problems:\n${result.summary.failed.map((f) => `${f.row}: ${f.reason}`).join('\n')}`).toBe(
        true,
      );
      expect(after, 'the dry run changed rows').toEqual(before);
    },
  );

  test(
    MIGRATION,
    { tags: ['mutating'], meta: { ...checkId('3.migration'), ...proves('D.output') } },
    async ({ harness, evidence, storage, redactor, targetEnv, annotate, skip }) => {
      const ctx = { annotate, skip };
      await legacyApplies(ctx, harness);
      await migrationApplied(ctx, harness, evidence);
      const { result, before, after } = await runMigration({ harness, evidence, storage, redactor, targetEnv }, false);
      expect(result.passed, `the migration failed:\n${result.summary.failed.map((f) => `${f.row}: ${f.reason}`).join('\n')}`).toBe(true);
      const done = result.summary.moved + result.summary.resumed;
      expect(
        diskOnly(after),
        `${done} row(s) reported moved, but the disk-only count went from ${diskOnly(before)} to ${diskOnly(after)}`,
      ).toBe(diskOnly(before) - done);
    },
  );

  test(
    'legacy uploads: a sample of migrated rows redirects (302) and serves the bytes of their disk files',
    { tags: ['readonly'], meta: { ...checkId('3.legacy-migrated'), ...proves('D.legacy') } },
    async ({ harness, target, sessions, storage, evidence, annotate, skip, task }) => {
      const ctx = { annotate, skip };
      await legacyApplies(ctx, harness);
      const sample = await checkMigratedSample(
        await legacyContext({ harness, target, storage, sessions }),
        harness.sections.storage.sampleSize,
      );
      await evidence.note(sample.checked.join('\n') || 'no migrated rows');
      // Nothing migrated yet, and this run's selection left the migration out: nothing to sample.
      const migrationLeftOut = leftOut(findCheck(task, MIGRATION));
      if (!sample.checked.length && migrationLeftOut) await notRun(ctx, `no migrated legacy row to sample, and ${migrationLeftOut}`);
      expect(
        sample.checked.length,
        'no migrated legacy row (storageKey and diskPath set) to sample: migrate with --apply=storage, or set optional.legacyStorageMigration=false where there is nothing to migrate',
      ).toBeGreaterThan(0);
      expect(sample.problems, sample.problems.join('\n')).toEqual([]);
    },
  );
});
