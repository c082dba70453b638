import type { ViteUserConfig } from 'vitest/config';
import { STEPS, TEST_TAGS } from '../runbook/catalogue';
import { RunbookSequencer } from './sequencer';

/**
 * The runbook suites' Vitest settings. vitest.config.ts is made of them, and the CLI hands them
 * to Vitest inline: a config file is bundled by Vite on every start, a few hundred ms of each run.
 */
export const runbookTestConfig = {
  include: ['suites/*.test.ts'],
  // One file at a time, in runbook order, first failure ends the run.
  fileParallelism: false,
  maxWorkers: 1,
  sequence: { sequencer: RunbookSequencer, shuffle: false, concurrent: false },
  bail: 1,
  // A thread in the CLI's own process: it starts faster than a fork, and a signal to the
  // process group cannot kill the worker before the CLI has written the document.
  pool: 'threads',
  // One worker for the whole run: logins and learnt secrets carry across steps.
  isolate: false,
  testTimeout: 120_000,
  hookTimeout: 120_000,
  teardownTimeout: 10_000,
  tags: [
    ...STEPS.map((s) => ({ name: s.tag, description: `Step ${s.n} — ${s.title}` })),
    ...Object.entries(TEST_TAGS).map(([name, description]) => ({ name, description })),
  ],
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  // Transformed suites and the modules they import are cached on disk between runs.
  experimental: { fsModuleCache: true },
} satisfies ViteUserConfig['test'];
