import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { STEPS } from '../../lib/runbook/catalogue';
import { onceOutputShows, REHEARSAL_TIMEOUT_MS, runHarness, summary, tempDir } from '../support/run-harness';

/**
 * The processes a rehearsal started, from the pids it printed (postgres, redis-server, every
 * target start, the worker): none may outlive it. Pids, not names, because other self-tests
 * run rehearsals at the same time.
 */
function startedPids(stdout: string): number[] {
  const pids = [...stdout.matchAll(/\b(?:postgres [\d.]+|redis-server [\d.]+) \(pid (\d+)|^(?:target|worker): pid (\d+)/gm)].map((m) =>
    Number(m[1] ?? m[2]),
  );
  return [...new Set(pids)];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function leftovers(stdout: string): number[] {
  const pids = startedPids(stdout);
  // A run that printed no pid cannot prove it left nothing behind.
  expect(pids.length, 'pids of postgres, redis-server, target and worker in the output').toBeGreaterThanOrEqual(4);
  return pids.filter(alive);
}

describe('the local rehearsal', { timeout: REHEARSAL_TIMEOUT_MS }, () => {
  test('npm test with no flags (embedded stack, no Docker, no system Postgres) ends GO and leaves nothing running', async () => {
    const result = await runHarness([], { env: { CUTOVER_STACK: 'embedded' } });
    expect(result.code, summary(result)).toBe(0);
    const run = result.run!;
    expect(run.decision, summary(result)).toBe('GO');
    expect(result.stdout).toContain('stack provider: embedded');
    // Run as root, initdb is the postgres user's: a cache it cannot reach (node_modules/.cache
    // made owner-only) cost every rehearsal an initdb, said only in this line.
    expect(result.stdout, 'the embedded Postgres starts from the cached cluster').not.toMatch(/cached cluster could not be used/);
    // Every step ran, in runbook order.
    const order = [...result.stdout.matchAll(/^▶ Step (\d)/gm)].map((m) => Number(m[1]));
    expect(order).toEqual(STEPS.map((s) => s.n));
    for (const row of run.rows) expect(row.status, row.id).toBe('ticked');
    for (const row of run.rows.filter((r) => r.kind === 'manual')) expect(row.confirmed?.how, row.id).toBe('rehearsal');
    expect(result.stdout).toMatch(/Phases: stack \d+\.\d s · target \d+\.\d s · steps \d+\.\d s · document \d+\.\d s/);
    expect(result.markdown).toContain('# Go/No-Go — local — GO');
    expect(leftovers(result.stdout)).toEqual([]);
    const tmpDirs = (result.stdout.match(/\/tmp\/cutover-stack-\w+/g) ?? []).filter((d) => existsSync(d));
    expect(tmpDirs).toEqual([]);
  });

  test('without Redis the rehearsal still runs to the end, and the document says which checks could not run and how to get them', async () => {
    const result = await runHarness(['--owner=selftest'], { env: { CUTOVER_STACK: 'embedded', CUTOVER_STACK_REDIS_SERVER: 'none' } });
    expect(result.code, summary(result)).toBe(0);
    const run = result.run!;
    expect(run.decision).toBe('INCOMPLETE');
    expect(
      run.steps.every((s) => s.status === 'passed' || s.status === 'partial'),
      summary(result),
    ).toBe(true);
    const readiness = run.rows.find((r) => r.id === 'C.readiness')!;
    expect(readiness.status).toBe('not-run');
    const redisCheck = run.steps.find((s) => s.id === 'env')!.checks.find((c) => c.name.includes('Redis'))!;
    expect(redisCheck.skipNote).toContain('could not run: this rehearsal has no Redis');
    expect(redisCheck.skipNote).toContain('redis-server on PATH');
    expect(result.markdown).toContain('No Redis in this rehearsal');
  });

  // Three runs in one test: three rehearsals' time.
  test(
    '--from resumes a cutover: earlier steps carry over from the newest passing document for the same SHA',
    { timeout: 3 * REHEARSAL_TIMEOUT_MS },
    async () => {
      const reportsDir = await tempDir('cutover-selftest-resume');
      const sha = 'abc1234def5678abc1234def5678abc1234def56';
      const broken = await runHarness([`--sha=${sha}`, '--owner=selftest', '--fault=kpis-wrong-shape'], { reportsDir });
      expect(broken.run?.blocking?.stepN, summary(broken)).toBe(7);
      // Fixed; resume at the step that failed.
      const resumed = await runHarness([`--sha=${sha}`, '--owner=selftest', '--from=monitoring'], { reportsDir });
      expect(resumed.code, summary(resumed)).toBe(0);
      const run = resumed.run!;
      expect(run.decision).toBe('GO');
      const earlier = Object.keys(broken.artifacts).find((n) => n.endsWith('-go-no-go.json'))!;
      for (const step of run.steps.filter((s) => s.n < 7))
        expect(step, step.id).toMatchObject({ status: 'carried', note: `passed in ${earlier}` });
      expect(run.steps.find((s) => s.id === 'monitoring')!.status).toBe('passed');
      expect(resumed.markdown).toContain(`_(carried over from ${earlier})_`);
      // Step 1's paste is the deploy output of the run that applied the migrations, not "not run".
      const deploy = broken.run!.rows.find((r) => r.id === 'B.output')!.pastes.find((p) => p.title === 'migrate deploy');
      expect(deploy?.text, summary(broken)).toBeTruthy();
      expect(run.rows.find((r) => r.id === 'B.output')!.pastes).toContainEqual(deploy);
      expect(run.meta.applied, 'the resumed run applied nothing before step 7').not.toContain('migrations');
      // Another SHA carries nothing over.
      const other = await runHarness(['--sha=0000000', '--owner=selftest', '--from=monitoring'], { reportsDir });
      expect(other.run!.decision).toBe('INCOMPLETE');
      expect(other.markdown).toContain(
        'no earlier passing result for preflight, migrations, env, storage, webhooks, smoke, features with this RC SHA',
      );
    },
  );

  test('Ctrl-C in the middle of a rehearsal: NO-GO document, and no postgres, redis, target or worker left behind', async () => {
    const at = onceOutputShows('▶ Step 3', (child) => child.kill('SIGINT'));
    const result = await runHarness(['--owner=selftest'], { env: { CUTOVER_STACK: 'embedded' }, onStdout: at.onStdout });
    expect(at.acted(), summary(result)).toBe(true);
    expect(result.code, summary(result)).toBe(1);
    expect(result.run!.reason).toContain('interrupted by SIGINT (Ctrl-C)');
    expect(result.run!.steps.filter((s) => s.status === 'passed').map((s) => s.n)).toEqual([0, 1, 2]);
    expect(result.stdout).toMatch(/teardown \d+\.\d s/);
    expect(leftovers(result.stdout)).toEqual([]);
  });
});
