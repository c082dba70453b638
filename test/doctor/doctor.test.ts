// The doctor as an operator runs it (`npm run doctor -- --env=staging`), against real Postgres,
// Redis and an S3-compatible store, a tiny target, and Stripe's, GitHub's and Sentry's APIs as
// the rehearsal simulates them, served over HTTP at the URLs the config names. It lists every gap
// at once, names each source that does not answer, writes nothing, and stops a mutation early.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseArgs, UsageError } from '../../lib/cli/args';
import { databaseResource } from '../../lib/command/resources';
import { applyPrismaMigrations } from '../../lib/migrations/prisma-engine';
import type { SandboxOptions } from '../../lib/context';
import { closedPort } from '../../rehearsal/faults/step-2';
import { startS3rver, type LocalS3 } from '../../rehearsal/stack/s3';
import { githubHandlers } from '../../rehearsal/thirdparty/github';
import { serveThirdParty } from '../../rehearsal/thirdparty/serve';
import { REHEARSAL_SENTRY, sentryHandlers } from '../../rehearsal/thirdparty/sentry';
import { stripeHandlers } from '../../rehearsal/thirdparty/stripe';
import { useScriptSandboxes } from '../migrations/helpers/run-script';
import { sql, useDatabases } from '../support/database';
import { runHarness, summary, tempDir, type HarnessRun } from '../support/run-harness';
import { RUN_READY_SECTIONS, runReadyEnv, runReadyEnvUnset } from '../support/run-ready';
import { contractEnv } from '../support/target-env';
import { healthy, tinyTarget } from '../support/tiny-target';

const databases = useDatabases();
const sandbox = useScriptSandboxes();
const BASIC = path.resolve(import.meta.dirname, '../migrations/fixtures/basic');
const REDIS_URL = process.env.CUTOVER_SELFTEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const STRIPE_KEY = 'sk_test_DoctorSelftestKey0123456789';
const GITHUB_TOKEN = 'ghp_DoctorSelftestToken0123456789';
const SENTRY_TOKEN = 'sntrys_DoctorSelftestToken0123456789';
const RC = 'd0c70d0cd0c70d0cd0c70d0cd0c70d0cd0c70d0c';

let work: string;
let target: Awaited<ReturnType<typeof tinyTarget>>;
let stripe: Awaited<ReturnType<typeof serveThirdParty>>;
let github: Awaited<ReturnType<typeof serveThirdParty>>;
let sentry: Awaited<ReturnType<typeof serveThirdParty>>;
let s3: LocalS3;

beforeAll(async () => {
  work = await tempDir('cutover-doctor');
  target = await tinyTarget({ ...healthy, 'GET /healthz': () => ({ body: { ok: true }, headers: { 'x-release-sha': RC } }) });
  const apis: SandboxOptions = {
    faults: [],
    targetBaseUrl: target.url,
    stripeSecretKey: STRIPE_KEY,
    githubToken: GITHUB_TOKEN,
    sentryToken: SENTRY_TOKEN,
    githubRepo: 'acme/backend',
    rcSha: RC,
    startedAt: new Date().toISOString(),
  };
  stripe = await serveThirdParty(stripeHandlers(apis));
  github = await serveThirdParty(githubHandlers(apis), 'https://api.github.com');
  sentry = await serveThirdParty(sentryHandlers(apis), 'https://sentry.io');
  s3 = await startS3rver({ dir: path.join(work, 's3'), bucket: 'doctor-bucket' });
});
afterAll(async () => {
  await s3?.stop();
  await Promise.all([stripe?.close(), github?.close(), sentry?.close(), target?.close()]);
});

/** A config file as an operator writes one: staging at the tiny target, Stripe's API at the simulated one, plus the given sections. */
async function configFile(sections: Record<string, unknown>): Promise<string> {
  const file = path.join(work, `cutover-${Math.random().toString(36).slice(2)}.config.mjs`);
  const envs = {
    local: { expect: { stripeMode: 'test' } },
    staging: { baseUrl: target.url, production: true, expect: { stripeMode: 'test', attestation: 'on' } },
    prod: { baseUrl: target.url, production: true, expect: { stripeMode: 'live', attestation: 'on' } },
  };
  await fs.writeFile(
    file,
    `export default ${JSON.stringify({ environments: envs, webhooks: { stripeApiUrl: stripe.url }, ...sections }, null, 2)};\n`,
  );
  return file;
}

/** Every setting and source of a whole run, each pointed at something that answers. */
async function completeSections(): Promise<Record<string, unknown>> {
  const log = path.join(work, `requests-${Math.random().toString(36).slice(2)}.log`);
  await fs.writeFile(log, `${JSON.stringify({ time: new Date().toISOString(), status: 200 })}\n`);
  return {
    ...RUN_READY_SECTIONS,
    storage: { uploadsDir: await tempDir('cutover-doctor-uploads') },
    preflight: {
      ci: { provider: 'github', repo: 'acme/backend', apiUrl: github.url },
      deployedSha: { source: 'header', header: 'x-release-sha', path: '/healthz' },
      backup: { dir: path.join(work, 'backups') },
    },
    monitoring: {
      fiveXx: { source: { kind: 'log-file', path: log } },
      sentry: { enabled: true, apiUrl: sentry.url, ...REHEARSAL_SENTRY },
    },
  };
}

/** The process env of a whole run: the target's own (database, Redis, bucket, Stripe) and the harness's. */
function completeEnv(databaseUrl: string): Record<string, string> {
  return {
    ...runReadyEnv(),
    ...contractEnv({ databaseUrl, redisUrl: REDIS_URL, stripeKey: STRIPE_KEY, s3: s3.settings }),
    GITHUB_TOKEN,
    SENTRY_AUTH_TOKEN: SENTRY_TOKEN,
  };
}

/** The table's lines: [mark, source, reason]. */
function table(run: HarnessRun): [string, string, string][] {
  return run.stdout
    .split('\n')
    .map((line) => /^ {2}([✓✗–]) (.+?) {2,}(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1]!, m[2]!.trim(), m[3]!] as [string, string, string]);
}

const doctor = (config: string, env: Record<string, string | undefined>) =>
  runHarness(['--doctor', '--env=staging', `--config=${config}`], { env: { ...runReadyEnvUnset(), ...env } });

describe('npm run doctor', () => {
  test('a config with several gaps lists every one at once, each with where to set it, and exits 1', async () => {
    const url = new URL(await databases.fresh());
    // The self-test server trusts local connections: a password only to prove none is printed.
    url.password ||= 'Doctor-Db-Password-1';
    const config = await configFile({});
    const result = await doctor(config, { DATABASE_URL: url.toString() });
    expect(result.code, summary(result)).toBe(1);
    const gaps = result.stdout.split('\n').filter((line) => line.startsWith('  - '));
    for (const setting of ['migrations.dir', 'migrations.schema', 'storage.uploadsDir', 'preflight.ci', 'monitoring.fiveXx.source'])
      expect(gaps).toContainEqual(expect.stringContaining(`  - ${setting} is not set in ${config} (needed for `));
    const where = ': set it in the environment or .env.staging';
    for (const variable of ['STRIPE_SECRET_KEY', 'RATE_LIMIT_REDIS_URL', 'CUTOVER_ADMIN_PASSWORD', 'OBJECT_STORAGE_S3_BUCKET']) {
      const line = gaps.find((g) => g.startsWith(`  - ${variable} is not set (needed for `));
      expect(line?.endsWith(where), `${variable}: ${line}`).toBe(true);
    }
    expect(result.stdout).toContain(`Doctor: ${gaps.length} gap(s)`);
    // What answers is still shown as answering; what cannot be asked says why.
    expect(table(result)).toContainEqual(['✓', 'base URL', `GET ${target.url}/healthz → 200`]);
    expect(table(result)).toContainEqual(['✓', 'database', expect.stringMatching(/^connected to \S+:\d+; SELECT 1 → 1$/)]);
    expect(table(result)).toContainEqual(['✗', 'redis', 'cannot probe: RATE_LIMIT_REDIS_URL is not set']);
    expect(table(result)).toContainEqual(['–', '5xx log source', 'monitoring.fiveXx.source is none (see the gaps)']);
    expect(`${result.stdout}${result.stderr}`).not.toContain(url.password);
    expect(result.artifacts).toEqual({});
  });

  test('each source that does not answer is named with why: closed ports, a wrong bucket, a key Stripe refuses, a token GitHub refuses', async () => {
    const [redisPort, targetPort] = [await closedPort(), await closedPort()];
    const wrongKey = 'sk_test_WrongDoctorKey000000000000';
    const config = await configFile(await completeSections());
    const result = await runHarness(['--doctor', '--env=staging', `--config=${config}`, `--base-url=http://127.0.0.1:${targetPort}`], {
      env: {
        ...runReadyEnvUnset(),
        ...completeEnv(await databases.fresh()),
        RATE_LIMIT_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        OBJECT_STORAGE_S3_BUCKET: 'no-such-bucket',
        STRIPE_SECRET_KEY: wrongKey,
        GITHUB_TOKEN: 'ghp_WrongDoctorToken000000000000000',
      },
    });
    expect(result.code, summary(result)).toBe(1);
    const rows = table(result);
    expect(rows).toContainEqual(['✗', 'base URL', expect.stringContaining(`GET http://127.0.0.1:${targetPort}/healthz`)]);
    expect(rows).toContainEqual(['✗', 'redis', `connection refused at 127.0.0.1:${redisPort}`]);
    expect(rows).toContainEqual([
      '✗',
      'object storage',
      `bucket "no-such-bucket" at 127.0.0.1:${s3.port}: the bucket does not exist (HeadBucket 404)`,
    ]);
    expect(rows).toContainEqual(['✗', 'stripe', expect.stringMatching(/^GET \/v1\/account: Stripe refused STRIPE_SECRET_KEY \(401\)/)]);
    expect(rows).toContainEqual(['✗', 'github', expect.stringContaining('GitHub refused the token (401 on /repos/acme/backend)')]);
    // The rest still answer: one source down does not hide the others.
    expect(rows).toContainEqual(['✓', 'database', expect.stringMatching(/^connected to /)]);
    expect(rows).toContainEqual(['✓', 'sentry', expect.stringContaining('→ 200')]);
    expect(`${result.stdout}${result.stderr}`).not.toContain(wrongKey);
  });

  test('with every setting and source in place: every source ticked, exit 0, and nothing changed anywhere', async () => {
    const databaseUrl = await databases.fresh();
    await sql(databaseUrl, 'CREATE TABLE "Job" (id serial PRIMARY KEY, title text)');
    await sql(databaseUrl, "INSERT INTO \"Job\" (title) VALUES ('a'), ('b'), ('c')");
    const state = async () => ({
      jobs: await sql(databaseUrl, 'SELECT id, title FROM "Job" ORDER BY id'),
      tables: await sql(databaseUrl, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"),
      objects: (await fs.readdir(s3.dir, { recursive: true })).sort(),
    });
    const before = await state();
    const sections = await completeSections();
    const result = await doctor(await configFile(sections), completeEnv(databaseUrl));
    expect(result.code, summary(result)).toBe(0);
    const rows = table(result);
    expect(rows.filter(([mark]) => mark !== '✓')).toEqual([]);
    expect(rows.map(([, name]) => name).sort()).toEqual(
      [
        '5xx log source',
        'base URL',
        'database',
        'deployed SHA',
        'github',
        'migrations.dir',
        'migrations.schema',
        'object storage',
        'preflight.backup.dir',
        'redis',
        'sentry',
        'storage.uploadsDir',
        'stripe',
      ].sort(),
    );
    expect(rows).toContainEqual(['✓', 'redis', expect.stringMatching(/; PING → PONG$/)]);
    expect(rows).toContainEqual(['✓', 'object storage', expect.stringContaining('ListObjectsV2 (1 key at most) ok')]);
    expect(rows).toContainEqual(['✓', 'deployed SHA', expect.stringContaining(RC)]);
    expect(result.stdout).toContain('Doctor: no gap; every configured source answered.');
    // Read-only: the same rows, tables and objects; no document, no audit log, no backup directory.
    expect(await state()).toEqual(before);
    expect(result.artifacts).toEqual({});
    await expect(fs.stat(path.join(work, 'backups'))).rejects.toThrow();
  });

  test('--doctor takes no flag that would run or change something: one line naming them (exit 2)', () => {
    const problems = (argv: string[]) => {
      try {
        parseArgs(argv);
        return [];
      } catch (error) {
        return error instanceof UsageError ? error.problems : [String(error)];
      }
    };
    expect(problems(['--doctor', '--env=staging'])).toEqual([]);
    expect(problems(['--doctor', '--apply=backup', '--confirm=staging'])).toEqual([
      '--doctor runs no step and changes nothing: it takes no --apply, --confirm',
    ]);
    expect(problems(['--doctor', '--only=1'])).toEqual(['--doctor runs no step and changes nothing: it takes no --only']);
  });
});

describe('the doctor before a mutation', () => {
  test('a guarded script with a gap refuses before touching anything: exit 2, every gap listed, audited, the database unchanged', async () => {
    const url = await databases.fresh();
    const names = ['20240101000000_init', '20240102000000_add_name'];
    await applyPrismaMigrations({
      databaseUrl: url,
      schemaPath: path.join(BASIC, 'schema.prisma'),
      migrationsDir: path.join(BASIC, 'migrations'),
      only: names,
    });
    const history = () => sql(url, 'SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name');
    const before = await history();
    // Migrations configured (the deploy itself lacks nothing); step 7's log source and the run's variables are not.
    const box = await sandbox({ migrations: RUN_READY_SECTIONS.migrations });
    const run = await box.run('migrate-deploy', ['--env=staging', '--confirm=staging'], { ...runReadyEnvUnset(), DATABASE_URL: url });
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toMatch(
      /^migrate:deploy: refusing to apply migrations: the doctor found \d+ gap\(s\) a later step would stop on; nothing was changed \(npm run doctor -- --env=staging --config=.*\)$/,
    );
    expect(lines).toContainEqual(expect.stringMatching(/^migrate:deploy: monitoring\.fiveXx\.source is not set in .* \(needed for step 7/));
    expect(lines).toContainEqual(expect.stringMatching(/^migrate:deploy: STRIPE_SECRET_KEY is not set/));
    expect(run.stdout).not.toContain('about to apply');
    expect(await history()).toEqual(before);
    const audited = await box.audit();
    expect(audited.map((e) => [e.script, e.outcome])).toEqual([['migrate:deploy', 'refused']]);
    expect(audited[0]!.touches?.database).toBe(databaseResource(url));
  });

  test('the CLI with --apply and a gap in a later step refuses before step 0: exit 2, no backup taken, the refusal audited', async () => {
    const url = await databases.fresh();
    const backups = path.join(work, `backups-${Math.random().toString(36).slice(2)}`);
    const config = await configFile({ ...RUN_READY_SECTIONS, preflight: { backup: { dir: backups } }, monitoring: {} });
    const result = await runHarness(['--env=staging', `--config=${config}`, '--only=preflight', '--apply=backup', '--confirm=staging'], {
      env: { ...runReadyEnv(), DATABASE_URL: url },
    });
    expect(result.code, summary(result)).toBe(2);
    expect(result.stderr).toMatch(
      /^cutover: refusing to apply backup: the doctor found 2 gap\(s\) a later step would stop on; nothing was changed/m,
    );
    expect(result.stderr).toMatch(/^ {2}- preflight\.ci is not set in .*\(needed for step 0/m);
    expect(result.stderr).toMatch(/^ {2}- monitoring\.fiveXx\.source is not set in .*\(needed for step 7/m);
    await expect(fs.stat(backups)).rejects.toThrow();
    expect(result.run).toBeNull();
    const audited = result.artifacts['audit.log']!.split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { script: string; outcome: string; touches?: { database?: string } });
    expect(audited.map((e) => [e.script, e.outcome])).toEqual([['cutover', 'refused']]);
    expect(audited[0]!.touches?.database).toBe(databaseResource(url));
  });
});
