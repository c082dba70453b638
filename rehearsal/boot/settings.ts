// What the rehearsal starts the reference target with, what it gives the harness's checks, and
// where it points the harness's config: all derived from the stack and fresh credentials.
import path from 'node:path';
import type { Stack } from '../stack';
import type { rehearsalCredentials } from './credentials';

/** The reference target runs its digest clock this much faster, so a 15-minute interval takes 1 s. */
export const CLOCK_SCALE = 900;
/** The lowest cost bcrypt allows: the rehearsal hashes and checks passwords often, and its accounts are throwaway. */
export const BCRYPT_ROUNDS = 4;

export type RehearsalCredentials = ReturnType<typeof rehearsalCredentials>;

/** The rehearsal's own files, all under its temp dir. */
export interface RehearsalPaths {
  tmp: string;
  uploadsDir: string;
  migrationsDir: string;
  schemaPath: string;
  requestLogFile: string;
  backupsDir: string;
}

export function rehearsalPaths(tmp: string, targetDir: string): RehearsalPaths {
  return {
    tmp,
    uploadsDir: path.join(tmp, 'uploads'),
    migrationsDir: path.join(tmp, 'migrations'),
    schemaPath: path.join(targetDir, 'prisma/schema.prisma'),
    requestLogFile: path.join(tmp, 'requests.log'),
    backupsDir: path.join(tmp, 'backups'),
  };
}

export interface RehearsalSettings {
  /** The target's and worker's env, as an operator would export it from the platform. */
  targetEnv: Record<string, string>;
  /** What the harness's checks see: the target's credentials and the test accounts. */
  harnessEnv: Record<string, string>;
  /** Deep overrides of the harness's config sections. */
  overrides: Record<string, unknown>;
}

export function rehearsalSettings(
  stack: Stack,
  creds: RehearsalCredentials,
  paths: RehearsalPaths,
  buildSha: string | null,
): RehearsalSettings {
  const { tmp, uploadsDir, migrationsDir, requestLogFile, backupsDir } = paths;
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
    ...(buildSha ? { BUILD_SHA: buildSha } : {}),
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
    migrations: { dir: migrationsDir, schema: paths.schemaPath },
    preflight: { backup: { dir: backupsDir } },
    monitoring: { fiveXx: { source: { kind: 'log-file', path: requestLogFile } } },
    // The rehearsal's "rotation" is long over: the previous secret must be refused.
    webhooks: { previousSecretExpired: true },
    // The worker polls every 250 ms: a few seconds beyond the (scaled) interval is slack enough,
    // and an INSTANT match has 10 s, not the 30 a production worker gets (a rehearsal whose
    // worker is down otherwise waits out the 30 s before step 6 says so).
    features: { digest: { workerSlackSeconds: 5, instantDeadlineSeconds: 10 } },
  };
  return { targetEnv, harnessEnv, overrides };
}
