import { z } from 'zod';

/**
 * The target contract's environment rules (§5) plus what the runbook requires on top (a live
 * Stripe key in prod, a whsec_ webhook secret), as one zod schema over an env snapshot. Messages
 * name the variable and the rule, never the value: they are pasted into the Go/No-Go document.
 */

export interface RuleOptions {
  /** Apply production rules: what the contract makes an error in production. */
  production: boolean;
  stripeMode: 'live' | 'test';
  /** 'on': step 6 will enforce attestation, so the verifiers must be configured now (runbook 6a.1). */
  attestation: 'on' | 'off';
}

/** always: an error everywhere; production: an error in production, a warning elsewhere; warning: never fails. */
type Level = 'always' | 'production' | 'warning';

export interface Violation {
  variable: string;
  message: string;
}

export interface RulesResult {
  /** Every variable the rules looked at, and whether it was set (never its value). */
  checked: { variable: string; set: boolean }[];
  errors: Violation[];
  warnings: Violation[];
}

const MAX_SIGNED_URL_TTL = 604_800;

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const trueFalse = z.enum(['true', 'false'], { error: 'must be true or false' });

/** Format of each variable when it is set, and how bad a wrong format is. */
const FORMATS: Record<string, { schema: z.ZodType; level: Level }> = {
  DATABASE_URL: { schema: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }), level: 'always' },
  STRIPE_SECRET_KEY: {
    schema: z.string().regex(/^(sk|rk)_(live|test)_\w+$/, 'must be a Stripe secret or restricted key (sk_/rk_, live or test)'),
    level: 'always',
  },
  STRIPE_WEBHOOK_SECRET: {
    schema: z.string().regex(/^whsec_[A-Za-z0-9+/=_-]+$/, 'must be a Stripe webhook signing secret (whsec_...)'),
    level: 'production',
  },
  RATE_LIMIT_REDIS_URL: { schema: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }), level: 'production' },
  OBJECT_STORAGE_PROVIDER: { schema: z.literal('s3', { error: 'must be s3' }), level: 'production' },
  OBJECT_STORAGE_S3_ENDPOINT: { schema: httpUrl, level: 'production' },
  OBJECT_STORAGE_S3_FORCE_PATH_STYLE: { schema: trueFalse, level: 'production' },
  ATTACHMENTS_SIGNED_URL_TTL_SECONDS: {
    schema: z.string().refine((v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= MAX_SIGNED_URL_TTL, {
      error: `must be an integer from 1 to ${MAX_SIGNED_URL_TTL} seconds`,
    }),
    level: 'production',
  },
  EMAIL_PROVIDER: { schema: z.enum(['smtp', 'log'], { error: 'must be smtp or log' }), level: 'production' },
  EMAIL_SMTP_URL: { schema: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }), level: 'production' },
  EMAIL_FROM: { schema: z.string().regex(/@/, 'must be an email address'), level: 'production' },
  SENTRY_DSN: { schema: httpUrl, level: 'production' },
  APP_ATTESTATION_ENFORCE: { schema: trueFalse, level: 'production' },
  APP_ATTESTATION_PLATFORMS: {
    schema: z.string().regex(/^\s*(android|ios)\s*(,\s*(android|ios)\s*)*$/, 'may only list android and ios'),
    level: 'production',
  },
  APP_ATTESTATION_GOOGLE_CREDENTIALS_JSON: {
    schema: z.string().refine((v) => {
      try {
        const parsed: unknown = JSON.parse(v);
        return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
      } catch {
        return false;
      }
    }, 'must be a JSON object (the service account key)'),
    level: 'production',
  },
  APP_ATTESTATION_IOS_VERIFY_URL: { schema: httpUrl, level: 'production' },
};

const S3_REQUIRED = [
  'OBJECT_STORAGE_S3_BUCKET',
  'OBJECT_STORAGE_S3_REGION',
  'OBJECT_STORAGE_S3_ACCESS_KEY_ID',
  'OBJECT_STORAGE_S3_SECRET_ACCESS_KEY',
];
const VERIFIERS = {
  android: ['APP_ATTESTATION_ANDROID_PACKAGE_NAME', 'APP_ATTESTATION_ANDROID_CERT_DIGESTS', 'APP_ATTESTATION_GOOGLE_CREDENTIALS_JSON'],
  ios: ['APP_ATTESTATION_IOS_BUNDLE_ID', 'APP_ATTESTATION_IOS_KEY_IDS', 'APP_ATTESTATION_IOS_VERIFY_URL'],
} as const;

type Env = Record<string, string | undefined>;
const isSet = (env: Env, name: string) => (env[name] ?? '').trim() !== '';

/** Which variables must be present, given the others (cross-field rules of §5). */
function presenceRules(env: Env, opts: RuleOptions): { variable: string; level: Level; why?: string }[] {
  const rules: { variable: string; level: Level; why?: string }[] = [
    { variable: 'DATABASE_URL', level: 'always' },
    { variable: 'JWT_SECRET', level: 'always' },
    { variable: 'STRIPE_SECRET_KEY', level: 'always' },
    { variable: 'STRIPE_WEBHOOK_SECRET', level: 'production' },
    { variable: 'RATE_LIMIT_REDIS_URL', level: 'production', why: 'login limits fall back to process memory' },
    { variable: 'OBJECT_STORAGE_PROVIDER', level: 'production', why: 'must be s3; uploads go to disk otherwise' },
    ...S3_REQUIRED.map((variable) => ({ variable, level: 'production' as const, why: 'object storage' })),
    { variable: 'EMAIL_PROVIDER', level: 'production' },
    { variable: 'APP_ATTESTATION_ENFORCE', level: 'warning', why: 'attestation is not enforced' },
  ];
  if (env.EMAIL_PROVIDER?.trim() === 'smtp') {
    rules.push({ variable: 'EMAIL_SMTP_URL', level: 'production', why: 'EMAIL_PROVIDER=smtp' });
    rules.push({ variable: 'EMAIL_FROM', level: 'production', why: 'EMAIL_PROVIDER=smtp' });
  }
  const enforced = env.APP_ATTESTATION_ENFORCE?.trim() === 'true';
  if (enforced || opts.attestation === 'on') {
    const why = enforced ? 'APP_ATTESTATION_ENFORCE=true' : 'step 6 enforces attestation here';
    const listed = (env.APP_ATTESTATION_PLATFORMS ?? 'android,ios').split(',').map((p) => p.trim());
    for (const platform of ['android', 'ios'] as const) {
      if (!listed.includes(platform)) continue;
      for (const variable of VERIFIERS[platform]) rules.push({ variable, level: 'production', why: `${platform} verifier; ${why}` });
    }
  }
  return rules;
}

/** The runbook's own requirements: the key's mode is what this environment expects. */
function stripeModeIssue(env: Env, opts: RuleOptions): string | undefined {
  const key = env.STRIPE_SECRET_KEY?.trim() ?? '';
  const mode = /^(sk|rk)_live_/.test(key) ? 'live' : /^(sk|rk)_test_/.test(key) ? 'test' : undefined;
  if (!mode || mode === opts.stripeMode) return undefined;
  return opts.stripeMode === 'live'
    ? 'must be a live key (sk_live_/rk_live_) in this environment, but it is a test key'
    : 'must be a test key (sk_test_/rk_test_) in this environment, but it is a live key';
}

export function envRulesSchema(opts: RuleOptions) {
  return z.record(z.string(), z.string().optional()).superRefine((env, ctx) => {
    const issue = (variable: string, level: Level, message: string) =>
      ctx.addIssue({ code: 'custom', path: [variable], message, params: { level }, input: undefined });
    for (const rule of presenceRules(env, opts)) {
      if (!isSet(env, rule.variable)) issue(rule.variable, rule.level, `is not set${rule.why ? ` (${rule.why})` : ''}`);
    }
    for (const [variable, { schema, level }] of Object.entries(FORMATS)) {
      if (!isSet(env, variable)) continue;
      const parsed = schema.safeParse(env[variable]!.trim());
      if (!parsed.success) issue(variable, level, parsed.error.issues[0]?.message ?? 'has the wrong format');
    }
    if (opts.production && env.EMAIL_PROVIDER?.trim() === 'log') issue('EMAIL_PROVIDER', 'always', 'log is not allowed in production');
    const mode = stripeModeIssue(env, opts);
    if (mode) issue('STRIPE_SECRET_KEY', 'always', mode);
  });
}

/** Runs the rules over an env; every violation at once. */
export function checkEnvRules(env: Env, opts: RuleOptions): RulesResult {
  const result = envRulesSchema(opts).safeParse(env);
  const errors: Violation[] = [];
  const warnings: Violation[] = [];
  for (const issue of result.success ? [] : result.error.issues) {
    const variable = String(issue.path[0]);
    const level = ((issue as { params?: { level?: Level } }).params?.level ?? 'always') as Level;
    const violation = { variable, message: `${variable} ${issue.message}` };
    const isError = level === 'always' || (level === 'production' && opts.production);
    (isError ? errors : warnings).push(violation);
  }
  const names = new Set([...presenceRules(env, opts).map((r) => r.variable), ...Object.keys(FORMATS).filter((n) => isSet(env, n))]);
  const checked = [...names].map((variable) => ({ variable, set: isSet(env, variable) }));
  return { checked, errors, warnings };
}
