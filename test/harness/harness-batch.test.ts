import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { HarnessBatch, REHEARSAL_TIMEOUT_MS, runHarness, summary, tempDir } from '../support/run-harness';

/**
 * The batch processes the fault rehearsals and the hostile-target runs share
 * (test/support/harness-batch.mjs): a run there must be the CLI's own, a leftover must fail
 * its test, and a timed-out run must not outlive its test.
 */
const ENVIRONMENTS = `environments: {
    local: { expect: { stripeMode: 'test' } },
    staging: { baseUrlEnv: 'STAGING_BASE_URL', expect: { stripeMode: 'test' } },
    prod: { baseUrlEnv: 'PROD_BASE_URL', expect: { stripeMode: 'live' } },
  }`;

/** A config file whose import leaves `plant` behind in the process that loads it (once: modules are cached). */
async function configThatLeaves(plant: string): Promise<string> {
  const file = path.join(await tempDir('cutover-selftest-batch'), 'leaves.config.mjs');
  await writeFile(file, `import { spawn } from 'node:child_process';\n${plant}\nexport default { ${ENVIRONMENTS} };\n`);
  return file;
}

describe('harness runs in a batch process', () => {
  test('a run there ends as the same run of bin/cutover.mjs does: exit code, output, and nothing left', async () => {
    const batch = new HarnessBatch();
    try {
      const args = ['--env=staging', '--only=smoke'];
      const env = { STAGING_BASE_URL: 'not a url' };
      const [own, batched] = await Promise.all([runHarness(args, { env }), batch.run(args, { env })]);
      expect(own.code, summary(own)).toBe(2);
      expect(batched.code, summary(batched)).toBe(own.code);
      expect(batched.stderr.trim()).toBe(own.stderr.trim());
      expect(batched.stderr).toContain('STAGING_BASE_URL');
      expect(batched.leftovers).toEqual([]);
      const version = await batch.run(['--version']);
      expect(version.stdout.trim()).toBe((await runHarness(['--version'])).stdout.trim());
    } finally {
      batch.close();
    }
  });

  test('a run that leaves a signal handler or a child process in its process is told, so its test fails', async () => {
    const batch = new HarnessBatch();
    try {
      const signal = await batch.run([`--config=${await configThatLeaves("process.on('SIGHUP', () => {});")}`, '--doctor']);
      expect(signal.code, summary(signal)).toBe(0);
      expect(signal.leftovers).toEqual(['0 SIGHUP listener(s) before the run, 1 after']);
      const child = await batch.run([`--config=${await configThatLeaves("spawn('sleep', ['30'], { stdio: 'ignore' });")}`, '--doctor']);
      expect(child.code, summary(child)).toBe(0);
      expect(child.leftovers).toEqual([expect.stringMatching(/^child process \d+ still running: sleep 30$/)]);
      process.kill(Number(/\d+/.exec(child.leftovers[0]!)![0]));
    } finally {
      batch.close();
    }
  });

  test(
    "a run whose test times out has its process's whole group killed at once; the next run gets a new process",
    { timeout: REHEARSAL_TIMEOUT_MS },
    async () => {
      const batch = new HarnessBatch();
      try {
        const killed = await batch.run(['--owner=selftest'], { signal: AbortSignal.timeout(1_500) });
        expect(killed.signal).toBe('SIGKILL');
        expect(killed.code).toBeNull();
        expect(killed.stderr).toContain('killed: the test timed out or was cancelled');
        const next = await batch.run(['--version']);
        expect(next.code, summary(next)).toBe(0);
        expect(next.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
      } finally {
        batch.close();
      }
    },
  );
});
