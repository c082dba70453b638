// The contract's §5 rules and the runbook's own, as the readiness check applies them to an env.
import { describe, expect, it } from 'vitest';
import { checkEnvRules, type RuleOptions } from '../../lib/env-rules/rules';

// Fake keys are split ('sk' + '_live_…') so no committed literal looks like a real credential.

const PROD: RuleOptions = { production: true, stripeMode: 'live', attestation: 'on' };

/** A production env that satisfies every rule; secrets shaped like real ones so leaks would show. */
function goodEnv(): Record<string, string> {
  return {
    DATABASE_URL: 'postgres://app:Db-Pass-Selftest-1@db.internal:5432/app',
    JWT_SECRET: 'jwt-selftest-secret-value-0123456789abcdef',
    STRIPE_SECRET_KEY: 'sk' + '_live_SelftestLiveKey0123456789',
    STRIPE_WEBHOOK_SECRET: 'whsec_SelftestWebhookSecret0123',
    RATE_LIMIT_REDIS_URL: 'rediss://:Redis-Pass-1@cache.internal:6380',
    OBJECT_STORAGE_PROVIDER: 's3',
    OBJECT_STORAGE_S3_BUCKET: 'attachments',
    OBJECT_STORAGE_S3_REGION: 'eu-west-1',
    OBJECT_STORAGE_S3_ACCESS_KEY_ID: 'AK' + 'IASELFTEST00000001',
    OBJECT_STORAGE_S3_SECRET_ACCESS_KEY: 'S3-Secret-Selftest-Value',
    EMAIL_PROVIDER: 'smtp',
    EMAIL_SMTP_URL: 'smtps://mailer:Mail-Pass-1@smtp.example.com:465',
    EMAIL_FROM: 'Jobs <noreply@example.com>',
    APP_ATTESTATION_ENFORCE: 'false',
    APP_ATTESTATION_PLATFORMS: 'android,ios',
    APP_ATTESTATION_ANDROID_PACKAGE_NAME: 'com.example.app',
    APP_ATTESTATION_ANDROID_CERT_DIGESTS: 'AA:BB',
    APP_ATTESTATION_GOOGLE_CREDENTIALS_JSON: '{"type":"service_account","private_key":"Google-Key-Selftest"}',
    APP_ATTESTATION_IOS_BUNDLE_ID: 'com.example.app',
    APP_ATTESTATION_IOS_KEY_IDS: 'KEY1',
    APP_ATTESTATION_IOS_VERIFY_URL: 'https://attest.example.com/verify',
  };
}

const messages = (r: { message: string }[]) => r.map((v) => v.message);

describe('checkEnvRules', () => {
  it('a complete production env has no errors and no warnings', () => {
    const result = checkEnvRules(goodEnv(), PROD);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.checked.every((c) => c.set)).toBe(true);
    expect(result.checked.map((c) => c.variable)).toContain('STRIPE_WEBHOOK_SECRET');
  });

  it('lists every violation at once, naming variables and rules but never a value', () => {
    const env = {
      ...goodEnv(),
      DATABASE_URL: 'mysql://app:Db-Pass-Selftest-1@db/app',
      STRIPE_SECRET_KEY: 'sk_test_SelftestTestKey0123456789',
      STRIPE_WEBHOOK_SECRET: 'SelftestWebhookSecretWithoutPrefix',
      RATE_LIMIT_REDIS_URL: 'http://cache.internal:6379',
      OBJECT_STORAGE_S3_ENDPOINT: 'ftp://s3.internal',
      ATTACHMENTS_SIGNED_URL_TTL_SECONDS: '999999999',
      SENTRY_DSN: 'not a url',
    };
    delete (env as Record<string, string>).JWT_SECRET;
    const result = checkEnvRules(env, PROD);
    expect(messages(result.errors).sort()).toEqual(
      [
        'JWT_SECRET is not set',
        'DATABASE_URL must be a postgres:// URL',
        'STRIPE_SECRET_KEY must be a live key (sk_live_/rk_live_) in this environment, but it is a test key',
        'STRIPE_WEBHOOK_SECRET must be a Stripe webhook signing secret (whsec_...)',
        'RATE_LIMIT_REDIS_URL must be a redis:// or rediss:// URL',
        'OBJECT_STORAGE_S3_ENDPOINT must be an http(s) URL',
        'ATTACHMENTS_SIGNED_URL_TTL_SECONDS must be an integer from 1 to 604800 seconds',
        'SENTRY_DSN must be an http(s) URL',
      ].sort(),
    );
    const text = JSON.stringify(result);
    for (const value of Object.values(env)) if (value.length > 8) expect(text).not.toContain(value);
  });

  it('production-only rules are warnings elsewhere; the always-rules stay errors', () => {
    const env = goodEnv();
    delete (env as Record<string, string>).RATE_LIMIT_REDIS_URL;
    delete (env as Record<string, string>).OBJECT_STORAGE_PROVIDER;
    delete (env as Record<string, string>).STRIPE_SECRET_KEY;
    const result = checkEnvRules(env, { ...PROD, production: false });
    expect(messages(result.errors)).toEqual(['STRIPE_SECRET_KEY is not set']);
    expect(messages(result.warnings)).toEqual([
      'RATE_LIMIT_REDIS_URL is not set (login limits fall back to process memory)',
      'OBJECT_STORAGE_PROVIDER is not set (must be s3; uploads go to disk otherwise)',
    ]);
  });

  it('expects a test key where the environment runs Stripe in test mode', () => {
    const result = checkEnvRules({ ...goodEnv(), STRIPE_SECRET_KEY: 'rk' + '_live_SelftestRestricted01' }, { ...PROD, stripeMode: 'test' });
    expect(messages(result.errors)).toEqual([
      'STRIPE_SECRET_KEY must be a test key (sk_test_/rk_test_) in this environment, but it is a live key',
    ]);
    expect(
      checkEnvRules({ ...goodEnv(), STRIPE_SECRET_KEY: 'rk_test_SelftestRestricted01' }, { ...PROD, stripeMode: 'test' }).errors,
    ).toEqual([]);
  });

  it('EMAIL_PROVIDER=smtp needs EMAIL_SMTP_URL and EMAIL_FROM; log is refused in production', () => {
    const env = goodEnv();
    delete (env as Record<string, string>).EMAIL_SMTP_URL;
    delete (env as Record<string, string>).EMAIL_FROM;
    expect(messages(checkEnvRules(env, PROD).errors)).toEqual([
      'EMAIL_SMTP_URL is not set (EMAIL_PROVIDER=smtp)',
      'EMAIL_FROM is not set (EMAIL_PROVIDER=smtp)',
    ]);
    expect(messages(checkEnvRules({ ...goodEnv(), EMAIL_PROVIDER: 'log' }, PROD).errors)).toEqual([
      'EMAIL_PROVIDER log is not allowed in production',
    ]);
  });

  it('attestation: the verifiers of the listed platforms are required once it is (to be) enforced; unset enforcement is a warning', () => {
    const env: Record<string, string> = {
      ...goodEnv(),
      APP_ATTESTATION_PLATFORMS: 'ios',
      APP_ATTESTATION_IOS_VERIFY_URL: 'attest.example.com',
    };
    delete env.APP_ATTESTATION_ANDROID_PACKAGE_NAME;
    delete env.APP_ATTESTATION_IOS_KEY_IDS;
    expect(messages(checkEnvRules(env, PROD).errors)).toEqual([
      'APP_ATTESTATION_IOS_KEY_IDS is not set (ios verifier; step 6 enforces attestation here)',
      'APP_ATTESTATION_IOS_VERIFY_URL must be an http(s) URL',
    ]);
    // Not to be enforced here: the verifiers are not required (their format still is).
    expect(messages(checkEnvRules(env, { ...PROD, attestation: 'off' }).errors)).toEqual([
      'APP_ATTESTATION_IOS_VERIFY_URL must be an http(s) URL',
    ]);
    delete env.APP_ATTESTATION_ENFORCE;
    expect(messages(checkEnvRules(env, { ...PROD, attestation: 'off' }).warnings)).toEqual([
      'APP_ATTESTATION_ENFORCE is not set (attestation is not enforced)',
    ]);
    const bad = { ...goodEnv(), APP_ATTESTATION_PLATFORMS: 'android,windows', APP_ATTESTATION_GOOGLE_CREDENTIALS_JSON: '[1]' };
    expect(messages(checkEnvRules(bad, PROD).errors)).toEqual([
      'APP_ATTESTATION_PLATFORMS may only list android and ios',
      'APP_ATTESTATION_GOOGLE_CREDENTIALS_JSON must be a JSON object (the service account key)',
    ]);
  });

  it('an empty or blank value counts as unset', () => {
    const result = checkEnvRules({ ...goodEnv(), JWT_SECRET: '  ', DATABASE_URL: '' }, PROD);
    expect(messages(result.errors)).toEqual(['DATABASE_URL is not set', 'JWT_SECRET is not set']);
  });
});
