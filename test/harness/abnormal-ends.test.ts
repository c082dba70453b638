import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { isAlive } from '../../lib/processes';
import { STEPS } from '../../lib/runbook/catalogue';
import {
  expectAllEndBySelf,
  onceOutputShows,
  REHEARSAL_TIMEOUT_MS,
  runHarness,
  summary,
  tempDir,
  type HarnessRun,
} from '../support/run-harness';
import { healthy, tinyTarget } from '../support/tiny-target';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

/** Every step appears in the document with a status: nothing silently missing. */
function expectEveryStepAccounted(markdown: string) {
  for (const step of STEPS) expect(markdown).toContain(`### ${step.section}) ${step.sectionTitle}`);
}

/**
 * A run against a given base URL (the staging and prod path, no rehearsal), interrupted by
 * `interrupt` inside step 2 once its console shows `when`: /readyz answers only after `delayMs`
 * (by default 20 s, past the running check's grace).
 */
async function interruptedInStep2(when: string, interrupt: (child: ChildProcess) => void, delayMs = 20_000): Promise<HarnessRun> {
  const target = await tinyTarget({ ...healthy, 'GET /readyz': () => ({ body: { ok: true, db: true }, delayMs }) });
  close = target.close;
  const at = onceOutputShows(when, interrupt);
  const result = await runHarness([`--base-url=${target.url}`, '--from=env', '-t', 'GET /healthz|GET /readyz'], { onStdout: at.onStdout });
  expect(at.acted(), summary(result)).toBe(true);
  return result;
}

describe('a run that does not end normally still leaves a NO-GO document', { timeout: REHEARSAL_TIMEOUT_MS }, () => {
  test('Ctrl-C during a step: exit 1, NO-GO saying it was interrupted, every step accounted for', async () => {
    const result = await interruptedInStep2('✓ GET /healthz', (child) => child.kill('SIGINT'));
    expect(result.code, summary(result)).toBe(1);
    expect(result.run!.decision).toBe('NO-GO');
    expect(result.run!.reason).toContain('interrupted by SIGINT (Ctrl-C)');
    expect(result.stderr).toContain('stopping, writing the NO-GO document');
    expectEveryStepAccounted(result.markdown);
    expect(result.run!.rows.find((r) => r.id === 'C.healthz')!.status).toBe('ticked');
    expect(result.run!.rows.find((r) => r.id === 'C.readyz')!.status).not.toBe('ticked');
  });

  test('Ctrl-C while a check waits on the target: the check is let end (a few seconds at most) and its result is in the document', async () => {
    const result = await interruptedInStep2('✓ GET /healthz', (child) => child.kill('SIGINT'), 1_000);
    expect(result.code, summary(result)).toBe(1);
    expect(result.run!.reason).toContain('interrupted by SIGINT (Ctrl-C)');
    expect(result.stderr).toMatch(/cutover: first letting the running check end \(at most \d+ s\): GET \/readyz/);
    expect(result.run!.rows.find((r) => r.id === 'C.readyz')!.status, summary(result)).toBe('ticked');
    expectEveryStepAccounted(result.markdown);
  });

  test("against a base URL, its console's output closed by its reader during a step: ends as on a hang-up, exit 1, NO-GO document", async () => {
    // A closed pipe shows only at the next write: closed as step 2 starts, it shows as /healthz
    // passes, while /readyz still waits.
    const result = await interruptedInStep2('▶ Step 2', (child) => child.stdout!.destroy());
    expect(result.signal, summary(result)).toBeNull();
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.code, summary(result)).toBe(1);
    expect(result.run!.reason).toContain("interrupted by SIGHUP (the console's output was closed)");
    expectEveryStepAccounted(result.markdown);
    expect(result.run!.rows.find((r) => r.id === 'C.readyz')!.status).not.toBe('ticked');
  });

  test("in the rehearsal, its console's output closed by its reader during a step (piped into head): ends as on a hang-up, exit 1, NO-GO document", async () => {
    const at = onceOutputShows('▶ Step 1', (child) => child.stdout!.destroy());
    const result = await runHarness(['--owner=selftest'], { onStdout: at.onStdout });
    expect(at.acted(), summary(result)).toBe(true);
    // Not a crash on the first write after it (an unhandled EPIPE, exit 1 as well, no document).
    expect(result.signal, summary(result)).toBeNull();
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.code, summary(result)).toBe(1);
    expect(result.run?.decision, summary(result)).toBe('NO-GO');
    expect(result.run!.reason).toContain("interrupted by SIGHUP (the console's output was closed)");
    expectEveryStepAccounted(result.markdown);
  });

  test('a failing setup (the rehearsal cannot reach its database) ends NO-GO with every step NOT RUN', async () => {
    const result = await runHarness(['--stack=external', '--owner=selftest'], {
      env: { CUTOVER_STACK_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/postgres' },
    });
    expect(result.code, summary(result)).toBe(1);
    const run = result.run!;
    expect(run.decision).toBe('NO-GO');
    expect(run.reason).toMatch(/^the run did not finish: harness error: /);
    expect(run.counts.passed).toBe(0);
    for (const step of run.steps) expect(step.status, step.id).toBe('not-run');
    for (const row of run.rows) expect(row.status, row.id).toBe('not-run');
    expectEveryStepAccounted(result.markdown);
    expect(result.markdown).toContain('## Why NO-GO');
  });

  test('Ctrl-C while the rehearsal is still starting (Vitest being created beside it): exit 1, NO-GO document, its step NOT RUN', async () => {
    // The embedded stack, as `npm test` with no flags: its first line comes while Vitest is being
    // created beside the booting stack, whose handler must not end the run by the signal either.
    const at = onceOutputShows('stack provider:', (child) => process.kill(child.pid!, 'SIGINT'));
    const result = await runHarness(['--owner=selftest', '--only=smoke', '--stack=embedded'], { onStdout: at.onStdout });
    expect(at.acted(), summary(result)).toBe(true);
    expect(result.signal, summary(result)).toBeNull();
    expect(result.code, summary(result)).toBe(1);
    const run = result.run!;
    expect(run.reason).toContain('interrupted by SIGINT (Ctrl-C)');
    expect(run.counts.passed).toBe(0);
    for (const step of run.steps) expect(step.status, step.id).toBe(step.id === 'smoke' ? 'not-run' : 'not-selected');
    expectEveryStepAccounted(result.markdown);
  });

  test('an unreachable target fails the first check that calls it, naming the address', async () => {
    const result = await runHarness(['--base-url=http://127.0.0.1:9', '--only=env', '-t', 'GET /healthz']);
    expect(result.code, summary(result)).toBe(1);
    expect(result.run!.blocking!.error).toContain('GET http://127.0.0.1:9/healthz: connection refused');
  });

  test('a selection that matches no check is NO-GO, never a pass', async () => {
    const result = await runHarness(['--base-url=http://127.0.0.1:9', '--only=env', '-t', 'no check has this name']);
    expect(result.code, summary(result)).toBe(1);
    expect(result.run!.reason).toContain('no check ran');
  });

  test('Ctrl-C before the run starts (the config still loading): exit 1 like every interrupted run, not 130, nothing written', async () => {
    const dir = await tempDir('cutover-selftest-early-signal');
    const config = path.join(dir, 'slow.config.mjs');
    // Says it is loading, then takes its time: the signal lands while main() validates.
    await writeFile(
      config,
      "console.log('config: loading'); await new Promise((resolve) => setTimeout(resolve, 30_000)); export default {};\n",
    );
    const at = onceOutputShows('config: loading', (child) => process.kill(child.pid!, 'SIGINT'));
    const result = await runHarness(['--env=staging', `--config=${config}`], { onStdout: at.onStdout });
    expect(at.acted(), summary(result)).toBe(true);
    expect(result.signal, summary(result)).toBeNull();
    expect(result.code, summary(result)).toBe(1);
    expect(result.stderr).toContain('cutover: interrupted by SIGINT before the run started; nothing was run or changed');
    expect(Object.keys(result.artifacts)).toEqual([]);
  });
});

// A CLI killed outright (SIGKILL, the OOM killer, a crash on a closed stdout) runs no teardown:
// what it started must end by itself. The stack's servers did; the reference target, idle
// between requests, never noticed its log pipe was gone and ran on, holding its port.
describe('a CLI killed outright leaves no process of its rehearsal behind', () => {
  test(
    'kill -9 of the CLI alone, not its process group, during a step: the target and its worker stop with it',
    { timeout: REHEARSAL_TIMEOUT_MS },
    async () => {
      const at = onceOutputShows('▶ Step 1', (child) => child.kill('SIGKILL'));
      const result = await runHarness(['--owner=selftest'], { onStdout: at.onStdout });
      expect(at.acted(), summary(result)).toBe(true);
      expect(result.signal).toBe('SIGKILL');
      const started = [...result.stdout.matchAll(/^(?:target|worker): pid (\d+)/gm)].map((m) => Number(m[1]));
      expect(started, 'the target and its worker had started').toHaveLength(2);
      await expectAllEndBySelf(started, isAlive, (pid) => process.kill(pid, 'SIGKILL'));
    },
  );
});
