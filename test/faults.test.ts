import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { FAULTS } from '../rehearsal/faults';
import { STEPS } from '../lib/runbook/catalogue';
import type { ListedCheck } from '../lib/runbook/catalogue';
import { HarnessBatch, REHEARSAL_TIMEOUT_MS, ROOT, summary } from './support/run-harness';

/**
 * For every check the harness makes, the rehearsal is broken in that way and must end NO-GO
 * at the step that should catch it, on the check the fault names by id. A fault caught
 * earlier, later, by another check, or not at all fails here.
 *
 * The rehearsals run in a few long-lived harness processes (HarnessBatch), each run a fresh
 * rehearsal through the prebuilt CLI's own entry: the start-up of Vite, Vitest and the SDKs is
 * paid once per process, not once per fault. Nothing may carry from one run to the next: each
 * run reports what it left in its process (child processes, threads, signal handlers) and must
 * leave nothing, and the last test proves each process, after its faults, still rehearses GO.
 */
const batch = new HarnessBatch();

describe.concurrent('each fault ends the rehearsal NO-GO at the step that should catch it', { timeout: REHEARSAL_TIMEOUT_MS }, () => {
  for (const fault of FAULTS) {
    const step = STEPS.find((s) => s.id === fault.caughtAt)!;
    test(`--fault=${fault.name} → NO-GO at Step ${step.n}, ${fault.breaks}`, async ({ signal }) => {
      const result = await batch.run([`--fault=${fault.name}`, '--owner=selftest'], { signal });
      expect(result.code, summary(result)).toBe(1);
      expect(result.run?.decision, summary(result)).toBe('NO-GO');
      expect(result.run!.blocking?.stepN, summary(result)).toBe(step.n);
      expect(result.run!.blocking!.checkId, summary(result)).toBe(fault.breaks);
      expect(result.markdown).toContain(`Fault planted: ${fault.name}`);
      expect(result.leftovers, 'left in the harness process for its next run').toEqual([]);
    });
  }
});

test(
  'a harness process that has run faults still rehearses GO: no fault carries into its next run',
  { timeout: REHEARSAL_TIMEOUT_MS },
  async ({ signal }) => {
    const runs = await batch.runInEach(['--owner=selftest'], { signal });
    expect(runs.length).toBeGreaterThan(0);
    for (const result of runs) {
      expect(result.code, summary(result)).toBe(0);
      expect(result.run?.decision, summary(result)).toBe('GO');
      expect(result.markdown).not.toContain('Fault planted');
      expect(result.leftovers).toEqual([]);
    }
  },
);

// A check counts as covered only by a fault it catches itself, at its own step: a fault an
// earlier check catches first says nothing about whether this one would.
test('every check in the suites has a fault that makes that check fail, at its step', () => {
  const env = { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' } as NodeJS.ProcessEnv;
  for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k === 'TEST') delete env[k];
  const listed = execFileSync(process.execPath, ['--import', 'tsx', 'test/support/list-checks.ts'], { cwd: ROOT, encoding: 'utf8', env });
  const { checks, errors } = JSON.parse(listed) as { checks: ListedCheck[]; errors: string[] };
  expect(errors).toEqual([]);
  expect(checks.length).toBeGreaterThan(40);
  const uncovered = checks.filter((c) => !FAULTS.some((f) => f.breaks === c.id && f.caughtAt === c.step)).map((c) => `${c.id} ${c.name}`);
  expect(uncovered, 'checks no fault breaks at their own step').toEqual([]);
  const ids = new Set(checks.map((c) => c.id));
  expect(
    FAULTS.filter((f) => !ids.has(f.breaks)).map((f) => `${f.name} breaks ${f.breaks}`),
    'faults naming no check',
  ).toEqual([]);
});

test('fault names are unique and each names an existing step, and a check id of that step', () => {
  const names = FAULTS.map((f) => f.name);
  expect(new Set(names).size).toBe(names.length);
  for (const f of FAULTS) {
    const step = STEPS.find((s) => s.id === f.caughtAt);
    expect(step, f.name).toBeDefined();
    expect(f.breaks, f.name).toMatch(new RegExp(`^${step!.n}\\.`));
  }
});
