// The harness outside the rehearsal, as an operator runs it against staging: a config file of
// its own, the target's env given by the process (no --env-snapshot), real Postgres, Redis and an
// S3-compatible store, Stripe's API served over HTTP at the configured URL. Nothing defaults into
// fixtures/: the settings that name the backend are asked for before anything runs.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startS3rver, type LocalS3 } from '../../fixtures/stack/s3';
import { stripeHandlers } from '../../fixtures/thirdparty/stripe';
import { serveThirdParty } from '../../fixtures/thirdparty/serve';
import { applyPrismaMigrations } from '../../lib/migrations/prisma-engine';
import { useDatabases } from '../support/database';
import { runHarness, summary, tempDir } from '../support/run-harness';
import { healthy, tinyTarget } from '../support/tiny-target';

const databases = useDatabases();
const BASIC = path.resolve(import.meta.dirname, '../migrations/fixtures/basic');
const STRIPE_KEY = 'sk_test_OutsideRehearsalKey0123456789';
const REDIS_URL = process.env.CUTOVER_SELFTEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let work: string;
let target: Awaited<ReturnType<typeof tinyTarget>>;
let stripe: Awaited<ReturnType<typeof serveThirdParty>>;
let s3: LocalS3;

beforeAll(async () => {
  work = await tempDir('cutover-outside-rehearsal');
  target = await tinyTarget(healthy);
  stripe = await serveThirdParty(
    stripeHandlers({ faults: [], targetBaseUrl: target.url, stripeSecretKey: STRIPE_KEY, githubToken: '', sentryToken: '', githubRepo: 'a/b', rcSha: '', startedAt: new Date().toISOString() }),
  );
  s3 = await startS3rver({ dir: path.join(work, 's3'), bucket: 'outside-rehearsal' });
});
afterAll(async () => {
  await s3?.stop();
  await stripe?.close();
  await target?.close();
});

/** A config file as an operator writes one: staging at the tiny target, plus the given sections. */
async function configFile(sections: Record<string, unknown>): Promise<string> {
  const file = path.join(work, `cutover-${Math.random().toString(36).slice(2)}.config.mjs`);
  const envs = {
    local: { expect: { stripeMode: 'test' } },
    staging: { baseUrl: target.url, production: true, expect: { stripeMode: 'test', attestation: 'on' } },
    prod: { baseUrl: target.url, production: true, expect: { stripeMode: 'live', attestation: 'on' } },
  };
  await writeFile(file, `export default ${JSON.stringify({ environments: envs, webhooks: { stripeApiUrl: stripe.url }, ...sections }, null, 2)};\n`);
  return file;
}

/** The target's env as the platform would set it, exported in the harness's own shell. */
function processEnv(databaseUrl: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    JWT_SECRET: 'outside-rehearsal-jwt-secret-0123456789',
    STRIPE_SECRET_KEY: STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: 'whsec_OutsideRehearsalSecret01',
    RATE_LIMIT_REDIS_URL: REDIS_URL,
    OBJECT_STORAGE_PROVIDER: 's3',
    OBJECT_STORAGE_S3_BUCKET: s3.settings.bucket,
    OBJECT_STORAGE_S3_REGION: s3.settings.region,
    OBJECT_STORAGE_S3_ACCESS_KEY_ID: s3.settings.accessKeyId,
    OBJECT_STORAGE_S3_SECRET_ACCESS_KEY: s3.settings.secretAccessKey,
    OBJECT_STORAGE_S3_ENDPOINT: s3.settings.endpoint!,
    OBJECT_STORAGE_S3_FORCE_PATH_STYLE: 'true',
    EMAIL_PROVIDER: 'smtp',
    EMAIL_SMTP_URL: 'smtp://127.0.0.1:2525',
    EMAIL_FROM: 'noreply@example.com',
    APP_ATTESTATION_ENFORCE: 'false',
    APP_ATTESTATION_PLATFORMS: 'android',
    APP_ATTESTATION_ANDROID_PACKAGE_NAME: 'com.example.app',
    APP_ATTESTATION_ANDROID_CERT_DIGESTS: 'AA:BB',
    APP_ATTESTATION_GOOGLE_CREDENTIALS_JSON: '{"type":"service_account"}',
  };
}

describe('outside the rehearsal', () => {
  test('the settings that name the backend have no default: every unset one is listed at start, exit 2, nothing run', async () => {
    const config = await configFile({});
    const env = { ...processEnv('postgres://postgres@127.0.0.1:9/none'), CUTOVER_TEST_JOB_ID: '1', CUTOVER_CONSUMER_EMAIL: 'c@example.com', CUTOVER_CONSUMER_PASSWORD: 'x', CUTOVER_ADMIN_EMAIL: 'a@example.com', CUTOVER_ADMIN_PASSWORD: 'y' };
    const result = await runHarness([`--config=${config}`, '--env=staging', '--only=migrations,storage'], { env });
    expect(result.code, summary(result)).toBe(2);
    expect(result.stderr).toContain('cannot start, 3 problems');
    expect(result.stderr).toContain(`migrations.dir is not set in ${config} (needed for step 1, migration status against the release): set it to your backend's prisma/migrations directory`);
    expect(result.stderr).toContain(`migrations.schema is not set in ${config} (needed for step 1, migrate deploy with the in-process engine): set it to your backend's schema.prisma`);
    expect(result.stderr).toContain(`storage.uploadsDir is not set in ${config} (needed for step 3, the legacy attachment checks and migration): set it to the target's legacy uploads directory`);
    expect(result.stdout).not.toContain('cutover: staging →');
    expect(result.artifacts).toEqual({});
  });

  test('steps 1 and 2 run with the env the process gives, in the schema the URL names, and pass', async () => {
    const plain = await databases.fresh();
    const databaseUrl = `${plain}?schema=app`;
    await applyPrismaMigrations({ databaseUrl, schemaPath: path.join(BASIC, 'schema.prisma'), migrationsDir: path.join(BASIC, 'migrations') });
    const config = await configFile({ migrations: { dir: path.join(BASIC, 'migrations'), schema: path.join(BASIC, 'schema.prisma') } });
    const result = await runHarness([`--config=${config}`, '--env=staging', '--only=migrations,env'], { env: processEnv(databaseUrl) });

    expect(result.code, summary(result)).toBe(0);
    const checks = result.run!.steps.flatMap((s) => s.checks);
    expect(checks.length).toBeGreaterThan(8);
    expect(checks.filter((c) => c.state !== 'passed').map((c) => `${c.name}: ${c.errors.join(' ')}`)).toEqual([]);
    expect(result.run!.meta.thirdParty).toBe('real');
    // Step 2 read the process env, not a snapshot.
    expect(result.markdown).toContain('the harness process environment (no env snapshot given)');
    // The schema is named where the operator looks: the plan line, the document, the status pasted.
    expect(result.stdout).toMatch(/cutover: staging → .* · database 127\.0\.0\.1:\d+\/cutover_selftest_\w+ \(schema "app"\) · apply nothing/);
    expect(result.run!.meta.notes).toContainEqual(expect.stringMatching(/^Database \(backup and migrations\): .*\(schema "app"\)$/));
    expect(result.markdown).toMatch(/Datasource: PostgreSQL .*\(schema "app"\)/);
  });
});
