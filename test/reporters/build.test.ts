import { describe, expect, test } from 'vitest';
import { buildRun } from '../../reporters/build';
import { STEPS } from '../../lib/runbook/catalogue';
import { greenTests, rawRun, rawTest } from './fixtures';

describe('the decision', () => {
  test('GO when every row of every step is proven', () => {
    const run = buildRun(rawRun(greenTests()));
    expect(run.decision).toBe('GO');
    expect(run.rows.every((r) => r.status === 'ticked')).toBe(true);
    expect(run.blocking).toBeUndefined();
  });

  test("NO-GO at the first failure in runbook order, naming the check by id and quoting that step's rollback plan", () => {
    const tests = greenTests().map((t) =>
      t.rows[0] === 'D.signed-url' ? { ...t, checkId: '3.redirect', state: 'failed' as const, errors: ['302 missing'] } : t,
    );
    const run = buildRun(rawRun(tests));
    expect(run.decision).toBe('NO-GO');
    expect(run.blocking).toEqual({
      stepN: 3,
      stepTitle: STEPS[3]!.title,
      checkId: '3.redirect',
      check: 'proves D.signed-url',
      error: '302 missing',
      rollback: STEPS[3]!.rollback,
    });
    expect(run.rows.find((r) => r.id === 'D.signed-url')).toMatchObject({ status: 'failed', reason: 'proves D.signed-url: 302 missing' });
  });

  test('bail: checks stopped in the failing step are NOT RUN, later steps say where the run stopped', () => {
    const tests = [
      rawTest('preflight', 'sha', ['A.rc-sha']),
      rawTest('env', 'readyz', ['C.readyz'], 'failed'),
      rawTest('env', 'healthz', ['C.healthz'], 'pending'),
    ];
    const run = buildRun(rawRun(tests));
    expect(run.rows.find((r) => r.id === 'C.healthz')).toMatchObject({ status: 'not-run', reason: 'some of its checks did not run' });
    expect(run.steps.find((s) => s.id === 'smoke')).toMatchObject({
      status: 'not-run',
      note: 'stopped at Step 2 (first failure ends the run)',
    });
    expect(run.counts).toEqual({ passed: 1, failed: 1, notRun: 1, notApplicable: 0 });
  });

  test('a row is ticked only when every check that claims it passed', () => {
    const tests = greenTests().concat(rawTest('webhooks', 'second prover', ['E.test-event'], 'pending'));
    const run = buildRun(rawRun(tests));
    expect(run.rows.find((r) => r.id === 'E.test-event')!.status).toBe('not-run');
    expect(run.decision).toBe('INCOMPLETE');
  });

  test('a row no check claims stays NOT RUN, so the run cannot be GO', () => {
    const run = buildRun(rawRun(greenTests().filter((t) => t.rows[0] !== 'H.sentry')));
    expect(run.rows.find((r) => r.id === 'H.sentry')).toMatchObject({ status: 'not-run', reason: 'no check in this run proves this row' });
    expect(run.decision).toBe('INCOMPLETE');
  });

  test('N/A by configuration does not block GO, but a plain skip does', () => {
    const na = greenTests().map((t) =>
      t.rows[0] === 'H.sentry' ? { ...t, state: 'skipped' as const, notApplicable: 'Sentry is not enabled' } : t,
    );
    expect(buildRun(rawRun(na)).decision).toBe('GO');
    expect(buildRun(rawRun(na)).rows.find((r) => r.id === 'H.sentry')).toMatchObject({ status: 'na', reason: 'Sentry is not enabled' });
    const skipped = greenTests().map((t) => (t.rows[0] === 'H.sentry' ? { ...t, state: 'skipped' as const, skipNote: 'filtered' } : t));
    expect(buildRun(rawRun(skipped)).decision).toBe('INCOMPLETE');
  });

  test('an unconfirmed manual row is NO-GO and says NOT CONFIRMED', () => {
    const tests = greenTests().map((t) =>
      t.rows[0] === 'E.secret-rotated' ? { ...t, state: 'failed' as const, errors: ['not confirmed'] } : t,
    );
    const run = buildRun(rawRun(tests));
    expect(run.decision).toBe('NO-GO');
    expect(run.rows.find((r) => r.id === 'E.secret-rotated')!.status).toBe('unconfirmed');
  });

  test('an aborted run is NO-GO even when what ran passed', () => {
    const run = buildRun(
      rawRun(
        greenTests().filter((t) => t.step === 'preflight'),
        { abort: 'interrupted by SIGINT (Ctrl-C)' },
      ),
    );
    expect(run.decision).toBe('NO-GO');
    expect(run.reason).toBe('the run did not finish: interrupted by SIGINT (Ctrl-C)');
    expect(run.blocking).toMatchObject({ stepN: 1, check: '(the run itself)' });
  });

  test('nothing ran: NO-GO, never a pass', () => {
    expect(buildRun(rawRun([])).decision).toBe('NO-GO');
  });

  test('a partial selection that passes is INCOMPLETE, never GO', () => {
    const tests = greenTests().filter((t) => t.step === 'env');
    const run = buildRun(rawRun(tests, { selected: ['env'], selectionNote: 'not selected (--only=env)' }));
    expect(run.decision).toBe('INCOMPLETE');
    expect(run.reason).toContain('the rows of steps 0, 1, 3, 4, 5, 6, 7 are not proven');
    expect(run.steps.find((s) => s.id === 'preflight')).toMatchObject({ status: 'not-selected', note: 'not selected (--only=env)' });
  });

  test('--from: earlier steps carried over from a passing document count towards GO', () => {
    const all = greenTests();
    const early = (['preflight', 'migrations'] as const).map((id) => [
      id,
      { from: 'earlier.json', tests: all.filter((t) => t.step === id) },
    ]);
    const run = buildRun(
      rawRun(
        all.filter((t) => t.step !== 'preflight' && t.step !== 'migrations'),
        { carried: Object.fromEntries(early) },
      ),
    );
    expect(run.decision).toBe('GO');
    expect(run.rows.find((r) => r.id === 'A.rc-sha')).toMatchObject({ status: 'ticked', carriedFrom: 'earlier.json' });
  });

  test('pasted outputs and filled-in values come from the evidence of the proving checks', () => {
    const tests = greenTests().map((t) =>
      t.rows[0] === 'A.rc-sha'
        ? { ...t, evidence: [{ type: 'value' as const, row: 'A.rc-sha', text: 'abc1234' }] }
        : t.rows[0] === 'B.output'
          ? { ...t, evidence: [{ type: 'paste' as const, row: 'B.output', text: 'No pending migrations to apply.' }] }
          : t,
    );
    const run = buildRun(rawRun(tests));
    expect(run.rows.find((r) => r.id === 'A.rc-sha')!.value).toBe('abc1234');
    expect(run.rows.find((r) => r.id === 'B.output')!.pastes).toEqual([{ title: undefined, text: 'No pending migrations to apply.' }]);
  });
});
