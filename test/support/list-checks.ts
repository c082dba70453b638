/**
 * Prints the names of every check in the runbook suites as JSON, as collected for the local
 * rehearsal (names carry configured values, so collection needs a context). Nothing runs.
 */
import path from 'node:path';
import { createVitest } from 'vitest/node';
import { loadConfig } from '../../lib/config/load';
import type { HarnessContext } from '../../lib/context';
import { STEPS } from '../../lib/runbook/catalogue';

const root = path.resolve(import.meta.dirname, '../..');
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
  rehearsal: {
    controlUrl: 'http://127.0.0.1:9',
    faults: [],
    stackProvider: 'external',
    redisMissing: null,
    uploadsDir: '/nonexistent',
    requestLogFile: '/nonexistent',
    clockScale: 180,
    sandbox: { faults: [], targetBaseUrl: '', stripeSecretKey: '', githubToken: '', sentryToken: '', githubRepo: 'example/backend', rcSha: '', startedAt: '' },
  },
};
const vitest = await createVitest('test', { root, config: path.join(root, 'vitest.config.ts'), watch: false, reporters: [], provide: { harness: context } }, {});
try {
  const { testModules } = await vitest.collect();
  const names = testModules.flatMap((m) => [...m.children.allTests()].map((t) => t.name));
  const errors = testModules.flatMap((m) => m.errors().map((e) => `${m.moduleId}: ${e.message}`));
  process.stdout.write(JSON.stringify({ names, errors }));
} finally {
  await vitest.close();
}
