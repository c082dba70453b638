import os from 'node:os';
import { defineConfig } from 'vitest/config';
import FaultsFirstSequencer from './support/faults-first-sequencer.ts';

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
    sequence: { sequencer: FaultsFirstSequencer },
    // A rehearsal keeps about one core busy (harness, target, worker, Postgres): more of them
    // at once than there are cores only makes each slower, until they time out together.
    maxConcurrency: Math.max(1, os.availableParallelism()),
    // Most files spend their time waiting on a process they started (a harness run, a script,
    // a target), which leaves a core idle with one file at a time (Vitest's default here is
    // cores - 1). As many files as cores keeps them busy; the fault rehearsals (as many at once
    // as there are cores) are one file, so at most that many plus one harness run side by side.
    maxWorkers: Math.max(1, os.availableParallelism()),
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
