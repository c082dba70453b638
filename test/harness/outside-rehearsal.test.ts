// The harness outside the rehearsal, as an operator runs it against staging: a config file of
// its own, the target's env given by the process (no --env-snapshot), real Postgres, Redis and an
// S3-compatible store, Stripe's API served over HTTP at the configured URL. Nothing defaults into
// rehearsal/: the settings that name the backend are asked for before anything runs.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startS3rver, type LocalS3 } from '../../rehearsal/stack/s3';
import { githubHandlers } from '../../rehearsal/thirdparty/github';
import type { SandboxOptions } from '../../lib/context';
import { stripeHandlers } from '../../rehearsal/thirdparty/stripe';
import { serveThirdParty } from '../../rehearsal/thirdparty/serve';
import { applyPrismaMigrations } from '../../lib/migrations/prisma-engine';
import { useDatabases } from '../support/database';
import { runHarness, summary, tempDir } from '../support/run-harness';
import { contractEnv } from '../support/target-env';
import { healthy, tinyTarget } from '../support/tiny-target';
import { RUN_READY_SECTIONS, runReadyEnv } from '../support/run-ready';

const databases = useDatabases();
const BASIC = path.resolve(import.meta.dirname, '../migrations/fixtures/basic');
const STRIPE_KEY = 'sk_test_OutsideRehearsalKey0123456789';
const REDIS_URL = process.env.CUTOVER_SELFTEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const RC = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';
const GITHUB_TOKEN = 'ghp_OutsideRehearsalToken0123456789';

let work: string;
let target: Awaited<ReturnType<typeof tinyTarget>>;
let stripe: Awaited<ReturnType<typeof serveThirdParty>>;
let github: Awaited<ReturnType<typeof serveThirdParty>>;
let s3: LocalS3;

beforeAll(async () => {
  work = await tempDir('cutover-outside-rehearsal');
  target = await tinyTarget({ ...healthy, 'GET /healthz': () => ({ body: { ok: true }, headers: { 'x-release-sha': RC } }) });
  // Stripe's and GitHub's APIs as the rehearsal simulates them, here over HTTP at the URLs the config names.
  const apis: SandboxOptions = {
    faults: [],
    targetBaseUrl: target.url,
    stripeSecretKey: STRIPE_KEY,
    githubToken: GITHUB_TOKEN,
    sentryToken: '',
    githubRepo: 'acme/backend',
    rcSha: RC,
    startedAt: new Date().toISOString(),
  };
  stripe = await serveThirdParty(stripeHandlers(apis));
  github = await serveThirdParty(githubHandlers(apis), 'https://api.github.com');
  s3 = await startS3rver({ dir: path.join(work, 's3'), bucket: 'outside-rehearsal' });
});
afterAll(async () => {
  await s3?.stop();
  await stripe?.close();
  await github?.close();
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
  await writeFile(
    file,
    `export default ${JSON.stringify({ environments: envs, webhooks: { stripeApiUrl: stripe.url }, ...sections }, null, 2)};\n`,
  );
  return file;
}

/** The target's env as the platform would set it, exported in the harness's own shell. */
function processEnv(databaseUrl: string): Record<string, string> {
  return contractEnv({ databaseUrl, redisUrl: REDIS_URL, stripeKey: STRIPE_KEY, s3: s3.settings });
}

describe('outside the rehearsal', () => {
  test('the settings that name the backend have no default: every unset one is listed at start, exit 2, nothing run', async () => {
    const config = await configFile({});
    const env = {
      ...processEnv('postgres://postgres@127.0.0.1:9/none'),
      CUTOVER_TEST_JOB_ID: '1',
      CUTOVER_CONSUMER_EMAIL: 'c@example.com',
      CUTOVER_CONSUMER_PASSWORD: 'x',
      CUTOVER_ADMIN_EMAIL: 'a@example.com',
      CUTOVER_ADMIN_PASSWORD: 'y',
    };
    const result = await runHarness([`--config=${config}`, '--env=staging', '--only=migrations,storage'], { env });
    expect(result.code, summary(result)).toBe(2);
    expect(result.stderr).toContain('cannot start, 3 problems');
    expect(result.stderr).toContain(
      `migrations.dir is not set in ${config} (needed for step 1, migration status against the release): set it to your backend's prisma/migrations directory`,
    );
    expect(result.stderr).toContain(
      `migrations.schema is not set in ${config} (needed for step 1, migrate deploy with the in-process engine): set it to your backend's schema.prisma`,
    );
    expect(result.stderr).toContain(
      `storage.uploadsDir is not set in ${config} (needed for step 3, the legacy attachment checks and migration): set it to the target's legacy uploads directory`,
    );
    expect(result.stdout).not.toContain('cutover: staging →');
    expect(result.artifacts).toEqual({});
  });

  test('steps 1 and 2 run with the env the process gives, in the schema the URL names, and pass', async () => {
    const plain = await databases.fresh();
    const databaseUrl = `${plain}?schema=app`;
    await applyPrismaMigrations({
      databaseUrl,
      schemaPath: path.join(BASIC, 'schema.prisma'),
      migrationsDir: path.join(BASIC, 'migrations'),
    });
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
    expect(result.stdout).toMatch(
      /cutover: staging → .* · database 127\.0\.0\.1:\d+\/cutover_selftest_\w+ \(schema "app"\) · apply nothing/,
    );
    expect(result.run!.meta.notes).toContainEqual(expect.stringMatching(/^Database \(backup and migrations\): .*\(schema "app"\)$/));
    expect(result.markdown).toMatch(/Datasource: PostgreSQL .*\(schema "app"\)/);
  });

  test('step 0 with the real-API path: deployed SHA from the target, CI from the configured GitHub URL, a confirmed backup of the named schema, then found fresh', async () => {
    const plain = await databases.fresh();
    const databaseUrl = `${plain}?schema=app`;
    await applyPrismaMigrations({
      databaseUrl,
      schemaPath: path.join(BASIC, 'schema.prisma'),
      migrationsDir: path.join(BASIC, 'migrations'),
    });
    const backups = path.join(work, `backups-${Math.random().toString(36).slice(2)}`);
    // Everything a whole run needs is set: outside local the doctor refuses --apply while a later step lacks something.
    const config = await configFile({
      ...RUN_READY_SECTIONS,
      preflight: {
        deployedSha: { source: 'header', header: 'x-release-sha', path: '/healthz' },
        ci: { provider: 'github', repo: 'acme/backend', apiUrl: github.url },
        backup: { dir: backups },
      },
    });
    const env = { ...runReadyEnv(), DATABASE_URL: databaseUrl, GITHUB_TOKEN };
    const args = [`--config=${config}`, '--env=staging', '--only=preflight', `--sha=${RC}`];

    const applied = await runHarness([...args, '--apply=backup', '--confirm=staging'], { env });
    expect(applied.code, summary(applied)).toBe(0);
    expect(applied.run!.steps[0]!.checks.map((c) => [c.name.split(/[,:(]/)[0], c.state])).toEqual([
      ['RC commit SHA identified', 'passed'],
      ['CI green on the RC SHA ', 'passed'],
      ['DB backup/snapshot completed', 'passed'],
    ]);
    expect(applied.stdout).toMatch(/· database .*\(schema "app"\) · apply backup/);
    expect(applied.markdown).toMatch(/of 127\.0\.0\.1:\d+\/cutover_selftest_\w+ \(schema "app"\)/);
    const audit = applied.artifacts['audit.log']!.split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { script: string; env: string; outcome: string });
    // The run's own entries (it names what --apply changes) around the backup's.
    expect(audit.map((e) => [e.script, e.env, e.outcome])).toEqual([
      ['cutover', 'staging', 'started'],
      ['backup', 'staging', 'started'],
      ['backup', 'staging', 'done'],
      ['cutover', 'staging', 'done'],
    ]);

    // Without --apply nothing is taken: the check finds the backup just made, of this database and schema.
    const readonly = await runHarness(args, { env });
    expect(readonly.code, summary(readonly)).toBe(0);
    expect(readonly.stdout).toContain('· apply nothing');
    expect(readonly.artifacts['audit.log']).toBeUndefined();
  });

  test('step 6 attestation outside the rehearsal: nothing restarts the target, enforcement is observed on it as it runs', async () => {
    const enforced = await tinyTarget({
      ...healthy,
      'POST /auth/login': () => ({ status: 401, body: { error: 'App attestation required' } }),
    });
    try {
      const config = await configFile({
        backend: {
          attestation: { sensitiveRoutes: [{ method: 'POST', path: '/auth/login' }], openRoutes: [{ method: 'GET', path: '/healthz' }] },
        },
      });
      const result = await runHarness(
        [`--config=${config}`, '--env=staging', `--base-url=${enforced.url}`, '--only=features', '-t', 'Attestation enforcement'],
        {
          env: { DATABASE_URL: await databases.fresh() },
        },
      );
      const checks = result.run?.steps.flatMap((s) => s.checks) ?? [];
      const applied = checks.find((c) => c.name.includes('APP_ATTESTATION_ENFORCE=true'));
      expect(applied?.state, summary(result)).toBe('passed');
      expect(checks.find((c) => c.name.startsWith('Non-attested calls are blocked'))?.state).toBe('passed');
      expect(result.markdown).toContain("observed on the running target (the platform change is the operator's)");
      expect(result.markdown).not.toContain('rehearsal: target restarted');
    } finally {
      await enforced.close();
    }
  });

  test("step 3's dry run outside the rehearsal: database and bucket from the process env, legacy files from the configured uploads dir", async () => {
    const databaseUrl = await databases.fresh();
    const reference = path.resolve(import.meta.dirname, '../../rehearsal/target/prisma');
    // Only the tables of a backend with attachments: no reference target runs here.
    await applyPrismaMigrations({
      databaseUrl,
      schemaPath: path.join(reference, 'schema.prisma'),
      migrationsDir: path.join(reference, 'migrations'),
    });
    const uploadsDir = await tempDir('cutover-outside-rehearsal-uploads');
    const config = await configFile({ ...RUN_READY_SECTIONS, storage: { uploadsDir } });
    const result = await runHarness(
      [`--config=${config}`, '--env=staging', '--only=storage', '--apply=storage', '--confirm=staging', '-t', 'dry run:'],
      {
        env: { ...runReadyEnv(), ...processEnv(databaseUrl) },
      },
    );
    const dry = result.run?.steps.flatMap((s) => s.checks).find((c) => c.name.startsWith('dry run:'));
    expect(dry?.state, summary(result)).toBe('passed');
    expect(result.markdown).toMatch(
      /\[migrate\] starting run \S+-staging-\w+ \(harness runner, dry run\) → bucket outside-rehearsal at 127\.0\.0\.1:\d+/,
    );
    const audit = result.artifacts['audit.log']!.split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { script: string; env: string; outcome: string; summary: { plan?: { uploadsDir?: string } } });
    expect(audit.map((e) => [e.script, e.env, e.outcome])).toEqual([
      ['cutover', 'staging', 'started'],
      ['migrate:attachments', 'staging', 'started'],
      ['migrate:attachments', 'staging', 'done'],
      ['cutover', 'staging', 'done'],
    ]);
    expect(audit[1]!.summary.plan?.uploadsDir).toBe(uploadsDir);
  });
});
