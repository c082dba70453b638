import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { ROOT } from '../support/run-harness';

/**
 * The reference target's own walk through every route the runbook touches and every fault
 * switch (rehearsal/target/dev-check.ts), against this machine's Postgres and Redis: the fixture
 * the self-tests break on purpose must itself behave as the contract says.
 */
test('the reference target honours the contract and each of its fault switches does what it says', () => {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k === 'TEST') delete env[k];
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'rehearsal/target/dev-check.ts'], { cwd: ROOT, env, encoding: 'utf8', timeout: 240_000 });
  expect(run.status, `${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`).toBe(0);
  expect(run.stdout).toMatch(/dev-check passed: \d+ steps, faults covered: \d+/);
}, 300_000);
