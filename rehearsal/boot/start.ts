import { existsSync } from 'node:fs';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { FAULTS, type PlantContext } from '../faults';
import { startStack, type Stack } from '../stack';
import { seedTarget } from '../target/seed';
import { thirdPartyHandlers } from '../thirdparty/handlers';
import type { SandboxOptions } from '../../lib/context';
import { serveThirdParty } from '../thirdparty/serve';
import { formatEnvFile } from '../../lib/env-rules/target-env';
import { registerRehearsal } from '../../lib/guard/rehearsals';
import { baseUrlResource, bucketResource, databaseResource } from '../../lib/guard/resources';
import { applyPrismaMigrations, readMigrationsDir } from '../../lib/migrations/prisma-engine';
import { PROJECT_ROOT } from '../../lib/project-root';
import { STEPS } from '../../lib/runbook/catalogue';
import { startChild, type Child } from './child';
import { startControlServer } from './control';
import { rehearsalCredentials } from './credentials';
import { makeRehearsalDir, removeStaleRehearsalDirs } from './temp-dir';
import { startTraffic } from './traffic';
import type { Rehearsal, StartRehearsalOptions } from '../../lib/runner/rehearsal-wing';

const ROOT = PROJECT_ROOT;
const TARGET = path.join(ROOT, 'rehearsal/target');
/** The reference target runs its digest clock this much faster, so a 15-minute interval takes 1 s. */
const CLOCK_SCALE = 900;
/** The lowest cost bcrypt allows: the rehearsal hashes and checks passwords often, and its accounts are throwaway. */
const BCRYPT_ROUNDS = 4;

/**
 * The local rehearsal: everything a cutover touches, on this machine. Whatever fails half-way,
 * what was started is stopped before the error propagates.
 */
export async function startRehearsal(opts: StartRehearsalOptions): Promise<Rehearsal> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      await Promise.resolve()
        .then(cleanup)
        .catch((error: Error) => opts.log(`rehearsal: cleanup step failed: ${error.message}`));
    }
    cleanups.length = 0;
  };
  try {
    return await boot(opts, cleanups, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function boot(opts: StartRehearsalOptions, cleanups: (() => Promise<void> | void)[], stopAll: () => Promise<void>): Promise<Rehearsal> {
  const { log, signal } = opts;
  const faults = opts.faults.map((name) => FAULTS.find((f) => f.name === name)!);
  const stale = removeStaleRehearsalDirs();
  if (stale.removed.length) log(`rehearsal: removed ${stale.removed.length} temp dir(s) left by rehearsals whose process is gone (they held target.env)`);
  for (const problem of stale.errors) log(`rehearsal: ${problem}`);
  const tmp = await makeRehearsalDir();
  cleanups.push(() => rm(tmp, { recursive: true, force: true }));
  const stack: Stack = await opts.timed('stack', () => startStack({ provider: opts.stack, log, signal }));
  cleanups.push(() => stack.stop());

  const creds = rehearsalCredentials();
  const uploadsDir = path.join(tmp, 'uploads');
  const migrationsDir = path.join(tmp, 'migrations');
  const requestLogFile = path.join(tmp, 'requests.log');
  const backupsDir = path.join(tmp, 'backups');
  await mkdir(uploadsDir, { recursive: true });
  await cp(path.join(TARGET, 'prisma/migrations'), migrationsDir, { recursive: true });

  const s3Env = {
    OBJECT_STORAGE_PROVIDER: 's3',
    OBJECT_STORAGE_S3_BUCKET: stack.s3.bucket,
    OBJECT_STORAGE_S3_REGION: stack.s3.region,
    OBJECT_STORAGE_S3_ACCESS_KEY_ID: stack.s3.accessKeyId,
    OBJECT_STORAGE_S3_SECRET_ACCESS_KEY: stack.s3.secretAccessKey,
    OBJECT_STORAGE_S3_ENDPOINT: stack.s3.endpoint,
    OBJECT_STORAGE_S3_FORCE_PATH_STYLE: String(stack.s3.forcePathStyle),
    ATTACHMENTS_SIGNED_URL_TTL_SECONDS: '300',
  };
  const shared = {
    DATABASE_URL: stack.databaseUrl,
    JWT_SECRET: creds.jwtSecret,
    STRIPE_SECRET_KEY: creds.stripeSecretKey,
    STRIPE_WEBHOOK_SECRET: creds.stripeWebhookSecret,
    ...(stack.redisUrl ? { RATE_LIMIT_REDIS_URL: stack.redisUrl } : {}),
    ...s3Env,
  };
  const targetEnv: Record<string, string> = {
    ...shared,
    // Without Redis the target cannot meet the production rules; it runs as staging-like
    // development instead and the Redis checks say they could not run.
    NODE_ENV: stack.redisUrl ? 'production' : 'development',
    EMAIL_PROVIDER: 'smtp',
    EMAIL_SMTP_URL: 'smtp://127.0.0.1:2525',
    EMAIL_FROM: 'cutover-rehearsal@rehearsal.test',
    APP_ATTESTATION_ENFORCE: 'false',
    APP_ATTESTATION_PLATFORMS: 'android',
    APP_ATTESTATION_ANDROID_PACKAGE_NAME: 'com.example.rehearsal',
    APP_ATTESTATION_ANDROID_CERT_DIGESTS: 'AA:BB:CC:DD',
    APP_ATTESTATION_GOOGLE_CREDENTIALS_JSON: '{"type":"service_account","project_id":"rehearsal"}',
    APP_ATTESTATION_JWT_PUBLIC_KEYS: creds.attestationPublicKey,
    UPLOADS_DIR: uploadsDir,
    REQUEST_LOG_FILE: requestLogFile,
    TARGET_CLOCK_SCALE: String(CLOCK_SCALE),
    WORKER_POLL_MS: '250',
    BCRYPT_ROUNDS: String(BCRYPT_ROUNDS),
    ...(opts.buildSha ? { BUILD_SHA: opts.buildSha } : {}),
  };
  const account = (role: keyof typeof creds.accounts, prefix: string) => ({
    [`CUTOVER_${prefix}_EMAIL`]: creds.accounts[role].email,
    [`CUTOVER_${prefix}_PASSWORD`]: creds.accounts[role].password,
  });
  const harnessEnv: Record<string, string> = {
    ...shared,
    CUTOVER_PREVIOUS_STRIPE_WEBHOOK_SECRET: creds.stripePreviousWebhookSecret,
    GITHUB_TOKEN: creds.githubToken,
    SENTRY_AUTH_TOKEN: creds.sentryToken,
    CUTOVER_ATTESTATION_TOKEN: creds.attestationToken,
    ...account('admin', 'ADMIN'),
    ...account('consumer', 'CONSUMER'),
    ...account('providerInstant', 'PROVIDER_INSTANT'),
    ...account('providerDigest', 'PROVIDER_DIGEST'),
  };
  const overrides: Record<string, unknown> = {
    env: { snapshotFile: path.join(tmp, 'target.env') },
    storage: { uploadsDir },
    // The reference target's own: outside the rehearsal these have no default (lib/config/settings.ts).
    migrations: { dir: migrationsDir, schema: path.join(TARGET, 'prisma/schema.prisma') },
    preflight: { backup: { dir: backupsDir } },
    monitoring: { fiveXx: { source: { kind: 'log-file', path: requestLogFile } } },
    // The rehearsal's "rotation" is long over: the previous secret must be refused.
    webhooks: { previousSecretExpired: true },
    // The worker polls every 250 ms: a few seconds beyond the (scaled) interval is slack enough.
    features: { digest: { workerSlackSeconds: 5 } },
  };
  const plant: PlantContext = {
    databaseUrl: stack.databaseUrl,
    migrationsDir,
    targetEnv,
    harnessEnv,
    overrides,
    rehearsal: {
      startWorker: true,
      applyMigrationsInStep1: true,
      applyBackupInStep0: true,
      confirmManual: STEPS.flatMap((s) => s.rows).filter((r) => r.kind === 'manual').map((r) => r.id),
    },
  };

  const ci = opts.sections.preflight.ci;
  const sandbox: SandboxOptions = {
    faults: opts.faults,
    targetBaseUrl: '',
    stripeSecretKey: creds.stripeSecretKey,
    githubToken: creds.githubToken,
    sentryToken: creds.sentryToken,
    githubRepo: ci.provider === 'github' ? ci.repo : 'example/backend',
    rcSha: opts.buildSha ?? '',
    startedAt: new Date().toISOString(),
  };

  let target: Child | null = null;
  let port = 0;
  const startTarget = async (env: Record<string, string>) => {
    target = await startChild({
      name: 'target',
      entry: targetEntry('main'),
      cwd: ROOT,
      env: { ...minimalProcessEnv(), ...env, PORT: String(port) },
      readyLine: /target listening on (http:\/\/\S+)/,
      readyTimeoutMs: 30_000,
      signal,
    });
    log(`target: pid ${target.pid}, ${env.NODE_ENV} mode, at ${target.ready[1]}`);
    return target.ready[1]!;
  };

  const baseUrl = await opts.timed('target', async () => {
    const migrations = await readMigrationsDir(migrationsDir);
    const runsStep1 = opts.steps.includes('migrations');
    // The previous release's schema: every migration but the RC's newest, which step 1 applies.
    const previous = migrations.slice(0, runsStep1 ? -1 : undefined).map((m) => m.name);
    await applyPrismaMigrations({
      databaseUrl: stack.databaseUrl,
      schemaPath: path.join(TARGET, 'prisma/schema.prisma'),
      migrationsDir,
      only: previous,
    });
    const pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 2, connectionTimeoutMillis: 10_000 });
    try {
      const seeded = await seedTarget(pool, { uploadsDir, accounts: creds.accounts, bcryptRounds: BCRYPT_ROUNDS });
      harnessEnv.CUTOVER_TEST_JOB_ID = String(seeded.jobId);
    } finally {
      await pool.end();
    }
    for (const fault of faults) await fault.plant?.(plant);
    targetEnv.TARGET_FAULTS = faults.filter((f) => f.layer === 'target').map((f) => f.name).join(',');
    // The target's env as an operator would export it from the platform; step 2 validates it.
    await writeFile(path.join(tmp, 'target.env'), formatEnvFile(targetEnv), { mode: 0o600 });

    const stripeApi = await serveThirdParty(thirdPartyHandlers(sandbox));
    cleanups.push(() => stripeApi.close());
    targetEnv.STRIPE_API_BASE = stripeApi.url;

    // The worker needs nothing from the server: both boot at once. Both settle before either
    // error propagates, so the one that came up is stopped with the rest.
    const [server, workerStart] = await Promise.allSettled([
      startTarget(targetEnv),
      plant.rehearsal.startWorker
        ? startChild({
            name: 'worker',
            entry: targetEntry('worker'),
            cwd: ROOT,
            env: { ...minimalProcessEnv(), ...targetEnv },
            readyLine: /worker started/,
            readyTimeoutMs: 30_000,
            signal,
          })
        : Promise.resolve(null),
    ]);
    const worker = workerStart.status === 'fulfilled' ? workerStart.value : null;
    cleanups.push(() => target?.stop());
    if (worker) cleanups.push(() => worker.stop());
    if (server.status === 'rejected') throw server.reason;
    if (workerStart.status === 'rejected') throw workerStart.reason;
    if (worker) log(`worker: pid ${worker.pid}`);
    const url = server.value;
    port = Number(new URL(url).port);
    sandbox.targetBaseUrl = url;
    return url;
  });

  // From here, a guarded script or `--base-url` run may change these without --confirm (lib/guard/rehearsals.ts).
  const forget = registerRehearsal({ database: databaseResource(stack.databaseUrl), bucket: bucketResource(stack.s3), baseUrl: baseUrlResource(baseUrl) });
  cleanups.push(forget);

  const restartTarget = async (changes: Record<string, string>) => {
    Object.assign(targetEnv, changes);
    await target?.stop();
    return startTarget(targetEnv);
  };
  const control = await startControlServer({
    restart: restartTarget,
    stepStarting: async (step) => {
      const switches = faults.filter((f) => f.caughtAt === step).flatMap((f) => f.flipsAtStart ?? []);
      if (!switches.length) return;
      log(`rehearsal: step ${step} starts, the target restarts with ${switches.join(', ')} on`);
      await restartTarget({ TARGET_FAULTS: [targetEnv.TARGET_FAULTS, ...switches].filter(Boolean).join(',') });
    },
  });
  cleanups.push(() => control.close());
  const traffic = await startTraffic(() => baseUrl);
  cleanups.push(() => traffic.stop());

  const notes = [
    `Local rehearsal on the ${stack.provider} stack: ${stack.describe()}.`,
    'Stripe\'s, GitHub\'s and Sentry\'s APIs are simulated here (rehearsal/thirdparty): their rows prove the harness\'s checks, not a real account.',
    'Manual rows are performed by the rehearsal itself: it starts the target with the post-rotation webhook secret and presents an attestation the target accepts.',
  ];
  if (stack.redisMissing) notes.push(`No Redis in this rehearsal: ${stack.redisMissing}. The checks that need Redis did not run, so it cannot be GO.`);
  for (const fault of faults) notes.push(`Fault planted: ${fault.name} — ${fault.description}`);

  return {
    baseUrl,
    env: harnessEnv,
    overrides,
    withheldApply: [
      ...(plant.rehearsal.applyBackupInStep0 ? [] : (['preflight'] as const)),
      ...(plant.rehearsal.applyMigrationsInStep1 ? [] : (['migrations'] as const)),
    ],
    notes,
    manualRows: plant.rehearsal.confirmManual,
    info: {
      controlUrl: control.url,
      faults: opts.faults,
      stackProvider: stack.provider,
      redisMissing: stack.redisMissing ?? null,
      uploadsDir,
      requestLogFile,
      clockScale: CLOCK_SCALE,
      sandbox,
    },
    stop: stopAll,
  };
}

/**
 * The reference target's server and worker: prebuilt beside this module when the CLI runs from
 * dist/ (plain node starts them in a fraction of tsx's time, and a fault rehearsal starts them
 * up to three times), else their sources through tsx.
 */
function targetEntry(name: 'main' | 'worker'): string {
  const prebuilt = path.join(import.meta.dirname, `target-${name}.mjs`);
  return existsSync(prebuilt) ? prebuilt : path.join(TARGET, `${name}.ts`);
}

/** The children get PATH and friends, not the harness's own environment (its secrets, its config). */
function minimalProcessEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'NODE_OPTIONS'];
  return Object.fromEntries(keep.filter((k) => process.env[k]).map((k) => [k, process.env[k]!]));
}
