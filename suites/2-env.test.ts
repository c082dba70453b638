import { expect } from 'vitest';
import { checkReadiness, formatReadiness, probe, type ReadinessReport } from '../lib/env-rules/readiness';
import type { TargetEnv } from '../lib/env-rules/target-env';
import type { HarnessContext } from '../lib/context';
import type { ProbeResult } from '../lib/probes/probe';
import { checkId, describeStep, proves, test, type RunbookFixtures } from '../lib/suite';
import { findCheck, leftOut } from '../lib/needs';
import type { RunnerTestCase } from 'vitest';
import { probeHealth, type HealthRoute } from '../lib/http/health';

let report: Promise<ReadinessReport> | undefined;

// The Redis and object-storage probes write (and remove) a canary: test data, not readonly.
const REDIS = 'readiness: Redis (RATE_LIMIT_REDIS_URL) answers PING and a set/get/delete under the harness prefix';
const OBJECT_STORAGE = 'readiness: the object storage bucket exists and a canary object round-trips';

/** Canary probes are not run when this run's selection left their checks out. */
function leftOutCanaries(task: RunnerTestCase): Partial<Record<'redis' | 'object storage', string>> {
  const out: Partial<Record<'redis' | 'object storage', string>> = {};
  for (const [probe, title] of [
    ['redis', REDIS],
    ['object storage', OBJECT_STORAGE],
  ] as const) {
    const why = leftOut(findCheck(task, title));
    if (why) out[probe] = why;
  }
  return out;
}

/** Rules and probes run once, together, so the pasted summary lists everything even if the rules fail. */
function readiness(harness: HarnessContext, env: TargetEnv, task: RunnerTestCase): Promise<ReadinessReport> {
  report ??= checkReadiness({
    leftOut: leftOutCanaries(task),
    env,
    sections: harness.sections,
    production: harness.production,
    expect: harness.environment.expect,
    runId: harness.runId,
    redisMissing: harness.rehearsal?.redisMissing ?? null,
  });
  return report;
}

function passed(result: ProbeResult): void {
  if (!result.ok) throw new Error(`${result.name} probe failed: ${result.detail}`);
}

const readonly = { tags: ['readonly'] };

describeStep('env', () => {
  test(
    'readiness: production env vars and guardrails are set (contract §5, live Stripe key in prod, whsec_ webhook secret)',
    { ...readonly, meta: { ...checkId('2.env-vars'), ...proves('C.readiness') } },
    async ({ harness, targetEnv, evidence, task }) => {
      const result = await readiness(harness, targetEnv, task);
      await evidence.paste('C.readiness', formatReadiness(result), 'readiness (env rules and live probes)');
      const violations = [...result.snapshotProblems, ...result.rules.errors.map((e) => e.message)];
      expect(violations, `${violations.length} env violation(s), fix them and redeploy/restart:\n${violations.join('\n')}`).toEqual([]);
    },
  );

  test(
    'readiness: the database accepts DATABASE_URL and answers SELECT 1',
    { ...readonly, meta: { ...checkId('2.database'), ...proves('C.readiness') } },
    async ({ harness, targetEnv, task }) => {
      passed(probe(await readiness(harness, targetEnv, task), 'database'));
    },
  );

  test(
    REDIS,
    { tags: ['testdata'], meta: { ...checkId('2.redis'), ...proves('C.readiness') } },
    async ({ harness, targetEnv, skip, task }) => {
      const missing = harness.rehearsal?.redisMissing;
      // Not a pass and not N/A: the row stays NOT RUN with the how-to, and the run cannot be GO.
      if (missing) skip(`could not run: this rehearsal has no Redis (${missing})`);
      passed(probe(await readiness(harness, targetEnv, task), 'redis'));
    },
  );

  test(
    OBJECT_STORAGE,
    { tags: ['testdata'], meta: { ...checkId('2.object-storage'), ...proves('C.readiness') } },
    async ({ harness, targetEnv, task }) => {
      passed(probe(await readiness(harness, targetEnv, task), 'object storage'));
    },
  );

  test(
    'readiness: STRIPE_SECRET_KEY works against Stripe and is in the expected mode',
    { ...readonly, meta: { ...checkId('2.stripe-key'), ...proves('C.readiness') } },
    async ({ harness, targetEnv, task }) => {
      passed(probe(await readiness(harness, targetEnv, task), 'stripe'));
    },
  );

  /** Pastes the answer as the runbook asks, then fails with what is wrong with it, if anything. */
  async function health(
    route: HealthRoute,
    row: string,
    { harness, target, evidence }: Pick<RunbookFixtures, 'harness' | 'target' | 'evidence'>,
  ): Promise<void> {
    const { res, problem } = await probeHealth(target, harness, route);
    await evidence.paste(row, `HTTP ${res.status}\n${res.text}`);
    if (problem) throw new Error(problem);
  }

  // Fixtures are destructured in the test itself: Vitest sets up only the ones it sees named there.
  test(
    'GET /healthz → 200 with { ok: true }',
    { ...readonly, meta: { ...checkId('2.healthz'), ...proves('C.healthz') } },
    ({ harness, target, evidence }) => health('healthz', 'C.healthz', { harness, target, evidence }),
  );

  test(
    'GET /readyz → 200 with { ok: true, db: true }',
    { ...readonly, meta: { ...checkId('2.readyz'), ...proves('C.readyz') } },
    ({ harness, target, evidence }) => health('readyz', 'C.readyz', { harness, target, evidence }),
  );
});
