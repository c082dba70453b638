import type { EnvironmentConfig, Sections } from '../config/schema';
import { probeDatabase } from '../probes/database';
import { probeObjectStorage } from '../probes/object-storage';
import { notConfigured, type ProbeResult } from '../probes/probe';
import { probeRedis } from '../probes/redis';
import { probeStripe } from '../probes/stripe';
import { s3SettingsFromEnv } from '../storage/s3';
import { checkEnvRules, type RulesResult } from './rules';
import type { TargetEnv } from './target-env';

/**
 * What the backend's `npm run readiness` cannot tell (it only unit-tests the repo): whether the
 * deployed environment satisfies the production rules and its credentials actually work.
 */
export interface ReadinessReport {
  source: string;
  /** backend.name: whose env rules these are. */
  profile: string;
  /** Whether the rules ran over the target's exported env, or only over the harness's own. */
  fromSnapshot: boolean;
  production: boolean;
  expect: EnvironmentConfig['expect'];
  snapshotProblems: string[];
  rules: RulesResult;
  probes: ProbeResult[];
}

export interface ReadinessInput {
  env: TargetEnv;
  sections: Sections;
  production: boolean;
  expect: EnvironmentConfig['expect'];
  runId: string;
  /** The rehearsal could not start Redis: why, and how to get it. */
  redisMissing: string | null;
  /** Canary probes (they write and remove a key or object) whose check this run left out: why. */
  leftOut?: Partial<Record<Canary, string>>;
}

export const PROBES = ['database', 'redis', 'object storage', 'stripe'] as const;
type Canary = 'redis' | 'object storage';
const notRun = (name: Canary, reason: string): ProbeResult => ({ name, ok: false, detail: `not run: ${reason}`, durationMs: 0 });

export async function checkReadiness(input: ReadinessInput): Promise<ReadinessReport> {
  const { env, sections } = input;
  const names = sections.credentials;
  const timeoutMs = sections.env.probeTimeoutMs;
  const value = (name: string) => env.values[name]?.trim() || undefined;
  const prefix = sections.env.probePrefix;
  const missing = (name: string) => [`${name} is not set`];

  const databaseUrl = value(names.databaseUrl);
  const redisUrl = value(names.redisUrl);
  const stripeKey = value(names.stripeSecretKey);
  const s3 = s3SettingsFromEnv(env.values, names.s3);
  const probes = await Promise.all([
    databaseUrl ? probeDatabase(databaseUrl, timeoutMs) : notConfigured('database', missing(names.databaseUrl)),
    input.leftOut?.redis
      ? notRun('redis', input.leftOut.redis)
      : input.redisMissing
        ? notConfigured('redis', [`could not run: this rehearsal has no Redis (${input.redisMissing})`])
        : redisUrl
          ? probeRedis(redisUrl, `${prefix}:${input.runId}:`, timeoutMs)
          : notConfigured('redis', missing(names.redisUrl)),
    input.leftOut?.['object storage']
      ? notRun('object storage', input.leftOut['object storage'])
      : s3.settings
        ? probeObjectStorage(s3.settings, `${prefix}/${input.runId}/`, timeoutMs)
        : notConfigured('object storage', s3.problems),
    stripeKey
      ? probeStripe(stripeKey, input.expect.stripeMode, sections.webhooks.stripeApiUrl, timeoutMs)
      : notConfigured('stripe', missing(names.stripeSecretKey)),
  ]);
  const rules = checkEnvRules(env.values, {
    production: input.production,
    stripeMode: input.expect.stripeMode,
    attestation: input.expect.attestation,
    rules: sections.backend.envRules,
  });
  if (input.redisMissing) {
    // The rehearsal without Redis runs its target without it on purpose: that rule is not
    // checked here (and the Redis probe reports it could not run), rather than failed.
    rules.errors = rules.errors.filter((e) => e.variable !== names.redisUrl);
    rules.warnings = rules.warnings.filter((w) => w.variable !== names.redisUrl);
  }
  return {
    source: env.source,
    profile: sections.backend.name,
    fromSnapshot: env.fromSnapshot,
    production: input.production,
    expect: input.expect,
    snapshotProblems: env.problems,
    rules,
    probes,
  };
}

/** The text pasted into C.readiness: what was validated, every violation and warning, every probe. */
export function formatReadiness(report: ReadinessReport): string {
  const { rules } = report;
  const errors = [...report.snapshotProblems, ...rules.errors.map((e) => e.message)];
  const lines = [
    `Readiness of the deployed environment (replaces \`npm run readiness\`, which only unit-tests the repo)`,
    `Source: ${report.source}`,
    `Rules: backend profile "${report.profile}" (backend.envRules), ${report.production ? 'production rules (errors)' : 'non-production rules (most are warnings)'}; ` +
      `runbook: STRIPE_SECRET_KEY ${report.expect.stripeMode} mode, STRIPE_WEBHOOK_SECRET whsec_...; attestation verifiers ${report.expect.attestation === 'on' ? 'required (step 6 enforces)' : 'not required'}`,
    ...rules.dropped.map((d) => `dropped: ${d.id}: ${d.reason}`),
    `Validated (${rules.checked.length}): ${rules.checked.map((c) => `${c.variable}${c.set ? '' : ' (unset)'}`).join(', ')}`,
    '',
    errors.length ? `Violations (${errors.length}):` : 'Violations: none',
    ...errors.map((e) => `  ✗ ${e}`),
    ...(errors.length && !report.fromSnapshot
      ? ["  (these are the harness's own variables: export the target's env from the platform and pass --env-snapshot=<file>)"]
      : []),
    rules.warnings.length ? `Warnings (${rules.warnings.length}, not failing):` : 'Warnings: none',
    ...rules.warnings.map((w) => `  ! ${w.message}`),
    '',
    "Probes (the target's own credentials):",
    ...report.probes.map((p) => `  ${p.ok ? 'ok  ' : 'FAIL'} ${p.name.padEnd(15)} ${p.detail} (${p.durationMs} ms)`),
  ];
  return lines.join('\n');
}

export function probe(report: ReadinessReport, name: (typeof PROBES)[number]): ProbeResult {
  return report.probes.find((p) => p.name === name)!;
}
