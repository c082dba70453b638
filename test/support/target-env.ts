import type { S3Settings } from '../../lib/storage/s3';

/**
 * A target's env that meets the contract's production rules (§5): what the platform would set,
 * for the database, Redis, S3-compatible store and Stripe key the self-test runs against.
 */
export function contractEnv(o: {
  databaseUrl: string;
  redisUrl: string;
  stripeKey: string;
  s3: S3Settings;
  smtpUrl?: string;
  jwtSecret?: string;
  webhookSecret?: string;
}): Record<string, string> {
  return {
    DATABASE_URL: o.databaseUrl,
    JWT_SECRET: o.jwtSecret ?? 'selftest-jwt-secret-0123456789abcdef',
    STRIPE_SECRET_KEY: o.stripeKey,
    STRIPE_WEBHOOK_SECRET: o.webhookSecret ?? 'whsec_SelftestWebhookSecret01',
    RATE_LIMIT_REDIS_URL: o.redisUrl,
    OBJECT_STORAGE_PROVIDER: 's3',
    ...s3Env(o.s3),
    EMAIL_PROVIDER: 'smtp',
    EMAIL_SMTP_URL: o.smtpUrl ?? 'smtp://127.0.0.1:2525',
    EMAIL_FROM: 'noreply@example.com',
    APP_ATTESTATION_ENFORCE: 'false',
    APP_ATTESTATION_PLATFORMS: 'android',
    APP_ATTESTATION_ANDROID_PACKAGE_NAME: 'com.example.app',
    APP_ATTESTATION_ANDROID_CERT_DIGESTS: 'AA:BB',
    APP_ATTESTATION_GOOGLE_CREDENTIALS_JSON: '{"type":"service_account"}',
  };
}

/** The contract's env names for an S3-compatible store (path-style, as a local one needs). */
export function s3Env(s3: S3Settings): Record<string, string> {
  return {
    OBJECT_STORAGE_S3_BUCKET: s3.bucket,
    OBJECT_STORAGE_S3_REGION: s3.region,
    OBJECT_STORAGE_S3_ACCESS_KEY_ID: s3.accessKeyId,
    OBJECT_STORAGE_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    OBJECT_STORAGE_S3_ENDPOINT: s3.endpoint!,
    OBJECT_STORAGE_S3_FORCE_PATH_STYLE: 'true',
  };
}
