import os from 'node:os';
import { defineConfig } from 'vitest/config';

/** The harness's own tests (not the runbook suites): `npx vitest run --config test/vitest.config.ts`. */
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/timeout-margin-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A rehearsal keeps about one core busy (harness, target, worker, Postgres): more of them
    // at once than there are cores only makes each slower, until they time out together.
    maxConcurrency: Math.max(1, os.availableParallelism()),
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
