import { expect } from 'vitest';
import { targetEnvFor } from '../lib/env-rules/harness-view';
import { checkReadiness, formatReadiness, probe, type ReadinessReport } from '../lib/env-rules/readiness';
import type { HarnessContext } from '../lib/context';
import type { ProbeResult } from '../lib/probes/probe';
import { describeStep, proves, test } from '../lib/suite';

let report: Promise<ReadinessReport> | undefined;

/** Rules and probes run once, together, so the pasted summary lists everything even if the rules fail. */
function readiness(harness: HarnessContext): Promise<ReadinessReport> {
  report ??= checkReadiness({
    env: targetEnvFor(harness),
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
  test('readiness: production env vars and guardrails are set (contract §5, live Stripe key in prod, whsec_ webhook secret)', { ...readonly, meta: proves('C.readiness') }, async ({ harness, evidence }) => {
    const result = await readiness(harness);
    await evidence.paste('C.readiness', formatReadiness(result), 'readiness (env rules and live probes)');
    const violations = [...result.snapshotProblems, ...result.rules.errors.map((e) => e.message)];
    expect(violations, `${violations.length} env violation(s), fix them and redeploy/restart:\n${violations.join('\n')}`).toEqual([]);
  });

  test('readiness: the database accepts DATABASE_URL and answers SELECT 1', { ...readonly, meta: proves('C.readiness') }, async ({ harness }) => {
    passed(probe(await readiness(harness), 'database'));
  });

  test('readiness: Redis (RATE_LIMIT_REDIS_URL) answers PING and a set/get/delete under the harness prefix', { ...readonly, meta: proves('C.readiness') }, async ({ harness, skip }) => {
    const missing = harness.rehearsal?.redisMissing;
    // Not a pass and not N/A: the row stays NOT RUN with the how-to, and the run cannot be GO.
    if (missing) skip(`could not run: this rehearsal has no Redis (${missing})`);
    passed(probe(await readiness(harness), 'redis'));
  });

  test('readiness: the object storage bucket exists and a canary object round-trips', { ...readonly, meta: proves('C.readiness') }, async ({ harness }) => {
    passed(probe(await readiness(harness), 'object storage'));
  });

  test('readiness: STRIPE_SECRET_KEY works against Stripe and is in the expected mode', { ...readonly, meta: proves('C.readiness') }, async ({ harness }) => {
    passed(probe(await readiness(harness), 'stripe'));
  });

  test('GET /healthz → 200 with { ok: true }', { ...readonly, meta: proves('C.healthz') }, async ({ harness, target, evidence }) => {
    const res = await target.get(harness.sections.routes.healthz);
    await evidence.paste('C.healthz', `HTTP ${res.status}\n${res.text}`);
    expect(res.status, `/healthz answered ${res.status}`).toBe(200);
    expect(res.json()).toMatchObject({ ok: true });
  });

  test('GET /readyz → 200 with { ok: true, db: true }', { ...readonly, meta: proves('C.readyz') }, async ({ harness, target, evidence }) => {
    const res = await target.get(harness.sections.routes.readyz);
    await evidence.paste('C.readyz', `HTTP ${res.status}\n${res.text}`);
    expect(res.status, `/readyz answered ${res.status}: ${res.text.slice(0, 200)}`).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, db: true });
  });
});
