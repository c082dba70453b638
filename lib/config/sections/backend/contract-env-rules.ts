import type { EnvRuleInput } from './env-rule';

/**
 * The contract's environment rules (§5) and the runbook's on top (a Stripe key of the expected
 * mode, a whsec_ webhook secret), as data: the default of backend.envRules.rules. Presence is
 * checked in this order, then formats in this order.
 */
const S3 = [
  'OBJECT_STORAGE_S3_BUCKET',
  'OBJECT_STORAGE_S3_REGION',
  'OBJECT_STORAGE_S3_ACCESS_KEY_ID',
  'OBJECT_STORAGE_S3_SECRET_ACCESS_KEY',
];
const SMTP = [{ variable: 'EMAIL_PROVIDER', equals: 'smtp' }];
const enforcedOn = (platform: string) => [
  { enforcedBy: 'APP_ATTESTATION_ENFORCE' },
  { variable: 'APP_ATTESTATION_PLATFORMS', lists: platform, default: 'android,ios' },
];

export const CONTRACT_ENV_RULES: EnvRuleInput[] = [
  { id: 'database-url', level: 'always', anyOf: [['DATABASE_URL']], format: 'postgres-url' },
  { id: 'jwt-secret', level: 'always', anyOf: [['JWT_SECRET']] },
  { id: 'stripe-secret-key', level: 'always', anyOf: [['STRIPE_SECRET_KEY']], format: 'stripe-secret-key' },
  { id: 'stripe-webhook-secret', level: 'production', anyOf: [['STRIPE_WEBHOOK_SECRET']], format: 'stripe-webhook-secret' },
  {
    id: 'rate-limit-redis',
    level: 'production',
    anyOf: [['RATE_LIMIT_REDIS_URL']],
    format: 'redis-url',
    why: 'login limits fall back to process memory',
  },
  {
    id: 'object-storage-provider',
    level: 'production',
    anyOf: [['OBJECT_STORAGE_PROVIDER']],
    oneOf: ['s3'],
    why: 'must be s3; uploads go to disk otherwise',
  },
  { id: 'object-storage-s3', level: 'production', anyOf: [S3], why: 'object storage' },
  { id: 'object-storage-endpoint', level: 'production', anyOf: [['OBJECT_STORAGE_S3_ENDPOINT']], required: false, format: 'http-url' },
  {
    id: 'object-storage-path-style',
    level: 'production',
    anyOf: [['OBJECT_STORAGE_S3_FORCE_PATH_STYLE']],
    required: false,
    format: 'true-false',
  },
  { id: 'signed-url-ttl', level: 'production', anyOf: [['ATTACHMENTS_SIGNED_URL_TTL_SECONDS']], required: false, format: 'ttl-seconds' },
  { id: 'email-provider', level: 'production', anyOf: [['EMAIL_PROVIDER']], oneOf: ['smtp', 'log'] },
  {
    id: 'email-provider-not-log',
    level: 'always',
    anyOf: [['EMAIL_PROVIDER']],
    required: false,
    refuse: { values: ['log'], inProduction: true },
  },
  { id: 'attestation-enforce', level: 'warning', anyOf: [['APP_ATTESTATION_ENFORCE']], why: 'attestation is not enforced' },
  { id: 'email-smtp-url', level: 'production', anyOf: [['EMAIL_SMTP_URL']], format: 'smtp-url', when: SMTP },
  { id: 'email-from', level: 'production', anyOf: [['EMAIL_FROM']], format: 'email', when: SMTP },
  { id: 'sentry-dsn', level: 'production', anyOf: [['SENTRY_DSN']], required: false, format: 'http-url' },
  { id: 'attestation-enforce-format', level: 'production', anyOf: [['APP_ATTESTATION_ENFORCE']], required: false, format: 'true-false' },
  { id: 'attestation-platforms', level: 'production', anyOf: [['APP_ATTESTATION_PLATFORMS']], required: false, format: 'platform-list' },
  {
    id: 'attestation-android',
    level: 'production',
    anyOf: [['APP_ATTESTATION_ANDROID_PACKAGE_NAME', 'APP_ATTESTATION_ANDROID_CERT_DIGESTS']],
    when: enforcedOn('android'),
    why: 'android verifier',
  },
  {
    id: 'attestation-android-credentials',
    level: 'production',
    anyOf: [['APP_ATTESTATION_GOOGLE_CREDENTIALS_JSON']],
    format: 'json-object',
    when: enforcedOn('android'),
    why: 'android verifier',
  },
  {
    id: 'attestation-ios',
    level: 'production',
    anyOf: [['APP_ATTESTATION_IOS_BUNDLE_ID', 'APP_ATTESTATION_IOS_KEY_IDS']],
    when: enforcedOn('ios'),
    why: 'ios verifier',
  },
  {
    id: 'attestation-ios-verify-url',
    level: 'production',
    anyOf: [['APP_ATTESTATION_IOS_VERIFY_URL']],
    format: 'http-url',
    when: enforcedOn('ios'),
    why: 'ios verifier',
  },
  { id: 'stripe-key-mode', level: 'always', anyOf: [['STRIPE_SECRET_KEY']], required: false, format: 'stripe-key-mode' },
];
