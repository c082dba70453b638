/**
 * The checks of the runbook suites with their tags, as Vitest collects them for the local
 * rehearsal (titles carry configured values, so collection needs a context). Nothing runs.
 * Used by `--list` and by the self-tests that hold every check to its tags.
 */
import path from 'node:path';
import { createVitest } from 'vitest/node';
import { loadConfig } from '../config/load';
import type { HarnessContext } from '../context';
import { STEPS, stepForFile, type ListedCheck, type StepId } from '../runbook/catalogue';
import { runbookTestConfig } from './runbook-vitest';

export async function collectChecks(root: string): Promise<{ checks: ListedCheck[]; errors: string[] }> {
  const config = await loadConfig(path.join(root, 'cutover.config.ts'), 'local');
  const context: HarnessContext = {
    runId: 'list',
    env: 'local',
    production: config.environment.production,
    baseUrl: 'http://127.0.0.1:9',
    rcSha: null,
    owner: 'list',
    startedAt: new Date().toISOString(),
    projectRoot: root,
    environment: config.environment,
    sections: config.sections,
    apply: STEPS.map((s) => s.id),
    manual: {},
    previousWebhookSecretExpired: true,
    thirdParty: 'real',
    invocation: { env: 'local' },
    rehearsal: {
      controlUrl: 'http://127.0.0.1:9',
      faults: [],
      stackProvider: 'external',
      redisMissing: null,
      uploadsDir: '/nonexistent',
      requestLogFile: '/nonexistent',
      clockScale: 180,
      sandbox: {
        faults: [],
        targetBaseUrl: '',
        stripeSecretKey: '',
        githubToken: '',
        sentryToken: '',
        githubRepo: 'example/backend',
        rcSha: '',
        startedAt: '',
      },
    },
  };
  const vitest = await createVitest(
    'test',
    { root, config: false, watch: false, reporters: [], provide: { harness: context } },
    { test: runbookTestConfig },
  );
  try {
    const { testModules } = await vitest.collect();
    const checks = testModules.flatMap((m) => {
      const step = stepForFile(m.moduleId);
      if (!step) return [];
      return [...m.children.allTests()].map((t) => ({
        step: step.id,
        id: t.meta().checkId ?? '',
        name: t.name,
        tags: [...(t.options.tags ?? [])],
        needs: t.meta().needs ?? [],
      }));
    });
    const order = (id: StepId) => STEPS.findIndex((s) => s.id === id);
    checks.sort((a, b) => order(a.step) - order(b.step));
    const errors = testModules.flatMap((m) => m.errors().map((e) => `${m.moduleId}: ${e.message}`));
    // Faults and the run's JSON name checks by id: a check without one could not be held to a fault.
    for (const c of checks) if (!c.id) errors.push(`Step ${STEPS.find((s) => s.id === c.step)!.n}: "${c.name}" declares no checkId()`);
    return { checks, errors };
  } finally {
    await vitest.close();
  }
}
