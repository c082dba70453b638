import { defineConfig } from 'vitest/config';
import { runbookTestConfig } from './lib/runner/runbook-vitest';

/**
 * The runbook suites. Started by the CLI (scripts/cutover.ts), which passes the same settings
 * inline and adds the reporters, bail and the resolved context; running `vitest` on this config
 * directly fails fast.
 */
export default defineConfig({ test: runbookTestConfig });
