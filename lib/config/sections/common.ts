import { z } from 'zod';

/** Names of environment variables, never values: secrets live in the process env or .env.<env>. */
export const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name such as STRIPE_SECRET_KEY');

export const account = z.strictObject({ email: envName, password: envName });

export const http = z
  .strictObject({
    /** Per-request deadline (headers and body) for every call to the target and third-party APIs. */
    timeoutMs: z.number().int().positive().max(120_000).default(10_000),
    /**
     * Every response body is read up to this many bytes, then the read stops; the evidence says
     * "truncated after N bytes". Bounds memory and redaction whatever a target sends.
     */
    maxBodyBytes: z
      .number()
      .int()
      .min(1_024)
      .max(64 * 1_048_576)
      .default(1_048_576),
    /** User-Agent of every request the harness makes (the smoke step's logins add " smoke", to be a client of their own). */
    userAgent: z.string().default('cutover-harness'),
  })
  .prefault({});

/** Where the harness finds each credential it needs: environment variable names. */
export const credentials = z
  .strictObject({
    /** The target's Postgres: migration status, probes, backups, and clean-up of test data the API cannot remove. */
    databaseUrl: envName.default('DATABASE_URL'),
    /** The target's Redis (login rate limits), probed in step 2. */
    redisUrl: envName.default('RATE_LIMIT_REDIS_URL'),
    /** The secret the target signs its tokens with, checked to be set in step 2. */
    jwtSecret: envName.default('JWT_SECRET'),
    /** The target's object storage (S3-compatible): probed in step 2, read and written by step 3 and the attachment migration. */
    s3: z
      .strictObject({
        bucket: envName.default('OBJECT_STORAGE_S3_BUCKET'),
        region: envName.default('OBJECT_STORAGE_S3_REGION'),
        accessKeyId: envName.default('OBJECT_STORAGE_S3_ACCESS_KEY_ID'),
        secretAccessKey: envName.default('OBJECT_STORAGE_S3_SECRET_ACCESS_KEY'),
        endpoint: envName.default('OBJECT_STORAGE_S3_ENDPOINT'),
        forcePathStyle: envName.default('OBJECT_STORAGE_S3_FORCE_PATH_STYLE'),
        signedUrlTtl: envName.default('ATTACHMENTS_SIGNED_URL_TTL_SECONDS'),
      })
      .prefault({}),
    /** The target's Stripe key: its mode is checked, and the harness reads the webhook endpoint and deliveries with it. */
    stripeSecretKey: envName.default('STRIPE_SECRET_KEY'),
    /** The webhook signing secret the target verifies with (after the rotation): test events are signed with it. */
    stripeWebhookSecret: envName.default('STRIPE_WEBHOOK_SECRET'),
    /** The secret before the rotation, to prove the old one is refused once it has expired. */
    stripePreviousWebhookSecret: envName.default('CUTOVER_PREVIOUS_STRIPE_WEBHOOK_SECRET'),
    /** Reads the RC SHA's check runs (preflight.ci). */
    githubToken: envName.default('GITHUB_TOKEN'),
    /** Reads new Sentry issues (monitoring.sentry). */
    sentryToken: envName.default('SENTRY_AUTH_TOKEN'),
    /** An attestation the target accepts, for checks that must call sensitive routes once enforcement is on. */
    attestationToken: envName.default('CUTOVER_ATTESTATION_TOKEN'),
    /** A job owned by the consumer test account, prepared by the operator, for test uploads. */
    testJobId: envName.default('CUTOVER_TEST_JOB_ID'),
    /** The test accounts the operator prepared (verified, with these roles): the names of their email and password variables. */
    accounts: z
      .strictObject({
        admin: account.default({ email: 'CUTOVER_ADMIN_EMAIL', password: 'CUTOVER_ADMIN_PASSWORD' }),
        consumer: account.default({ email: 'CUTOVER_CONSUMER_EMAIL', password: 'CUTOVER_CONSUMER_PASSWORD' }),
        providerInstant: account.default({
          email: 'CUTOVER_PROVIDER_INSTANT_EMAIL',
          password: 'CUTOVER_PROVIDER_INSTANT_PASSWORD',
        }),
        providerDigest: account.default({
          email: 'CUTOVER_PROVIDER_DIGEST_EMAIL',
          password: 'CUTOVER_PROVIDER_DIGEST_PASSWORD',
        }),
      })
      .prefault({}),
  })
  .prefault({});

export const reports = z
  .strictObject({
    /** Where the Go/No-Go documents (.md, .json, JUnit XML) are written. */
    dir: z.string().default('reports'),
    /** Append-only log of every mutation the guarded scripts make. */
    auditLog: z.string().default('reports/audit.log'),
  })
  .prefault({});
