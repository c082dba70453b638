import type { StepId } from '../../lib/runbook/catalogue';
import { STEPS } from '../../lib/runbook/catalogue';
import type { RawRun, RawTest } from '../../reporters/model';

export function rawTest(
  step: StepId,
  name: string,
  rows: string[],
  state: RawTest['state'] = 'passed',
  extra: Partial<RawTest> = {},
): RawTest {
  return { step, name, state, durationMs: 5, rows, tags: [], errors: state === 'failed' ? [`${name} broke`] : [], evidence: [], ...extra };
}

/** A run where every row of every step is proven by one passing test. */
export function greenTests(): RawTest[] {
  return STEPS.flatMap((s) => s.rows.map((r) => rawTest(s.id, `proves ${r.id}`, [r.id])));
}

export function rawRun(tests: RawTest[], extra: Partial<RawRun> = {}): RawRun {
  return {
    meta: {
      runId: 'run-1',
      env: 'staging',
      baseUrl: 'https://staging.example.com',
      rcSha: 'abc1234',
      owner: 'ops',
      startedAt: '2026-11-28T01:00:00.000Z',
      finishedAt: '2026-11-28T01:05:00.000Z',
      thirdParty: 'real',
      notes: [],
    },
    selected: STEPS.map((s) => s.id),
    tests,
    ...extra,
  };
}
