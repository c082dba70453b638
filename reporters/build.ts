import { STEPS, type Step } from '../lib/runbook/catalogue';
import type { TestDataRecord } from '../lib/evidence';
import type { Blocking, CheckResult, RawRun, RawTest, RowResult, RunResult, StepResult, TestDataEntry } from './model';

/** Pure: turns what Vitest reported into step and row statuses and the decision. */
export function buildRun(raw: RawRun): RunResult {
  const selected = new Set(raw.selected);
  const steps: StepResult[] = STEPS.map((step) => buildStep(step, raw, selected.has(step.id)));
  markStoppedSteps(steps, raw);
  const rows = STEPS.flatMap((step) => step.rows.map((row) => buildRow(step, row.id, steps, raw)));

  const allChecks = steps.flatMap((s) => (s.status === 'carried' ? [] : s.checks));
  const counts = {
    passed: allChecks.filter((c) => c.state === 'passed').length,
    failed: allChecks.filter((c) => c.state === 'failed').length,
    notRun: allChecks.filter((c) => c.state === 'pending' || (c.state === 'skipped' && !c.notApplicable)).length,
    notApplicable: allChecks.filter((c) => c.notApplicable).length,
  };

  const blocking = findBlocking(steps, raw);
  let decision: RunResult['decision'];
  let reason: string;
  if (raw.abort) {
    decision = 'NO-GO';
    reason = `the run did not finish: ${raw.abort}`;
  } else if (counts.failed > 0) {
    decision = 'NO-GO';
    reason = `Step ${blocking!.stepN} — ${blocking!.stepTitle} failed at "${blocking!.check}"`;
  } else if (counts.passed === 0 && !steps.some((s) => s.status === 'carried')) {
    decision = 'NO-GO';
    reason = 'no check ran: the selection matched no test (a run that proves nothing is not a pass)';
  } else {
    const open = rows.filter((r) => r.status !== 'ticked' && r.status !== 'na');
    if (open.length === 0) {
      decision = 'GO';
      reason = 'every step ran in runbook order and every checklist row is proven or not applicable by configuration';
    } else {
      decision = 'INCOMPLETE';
      reason = `every check that ran passed, but ${describeOpenRows(open, steps)} not proven; this is not a GO for a cutover`;
    }
  }
  const testData = accountTestData(steps, raw);
  if (testData.left.length) {
    const n = testData.left.length;
    reason += `; ${n} item${n > 1 ? 's' : ''} of test data could not be removed and ${n > 1 ? 'are' : 'is'} still on the target (see "Test data left on the target")`;
  }
  return { meta: raw.meta, decision, reason, blocking, steps, rows, counts, testData };
}

/**
 * What the run's test data came to: the last record of each piece decides. Created and never
 * said removed (the run stopped before its cleanup) counts as left, like a failed cleanup.
 */
export function accountTestData(steps: StepResult[], raw: RawRun): RunResult['testData'] {
  const last = new Map<string, { step: StepResult; record: TestDataRecord }>();
  for (const step of steps) {
    if (step.status === 'carried') continue;
    const records = [
      ...step.checks.flatMap((c) => c.evidence.flatMap((e) => (e.type === 'testdata' ? [e] : []))),
      ...(raw.suiteTestData ?? []).filter((s) => s.step === step.id).flatMap((s) => s.records),
    ];
    for (const record of records) last.set(record.key, { step, record });
  }
  const left: TestDataEntry[] = [];
  const kept: TestDataEntry[] = [];
  for (const { step, record } of last.values()) {
    const entry = { stepN: step.n, stepTitle: step.title, what: record.what, detail: record.detail ?? '' };
    if (record.state === 'kept') kept.push(entry);
    else if (record.state === 'left') left.push(entry);
    else if (record.state === 'created')
      left.push({ ...entry, detail: 'created, and nothing removed it: the run stopped before its cleanup' });
  }
  return { left, kept };
}

function buildStep(step: Step, raw: RawRun, isSelected: boolean): StepResult {
  const base = { n: step.n, id: step.id, title: step.title, section: step.section };
  const carried = raw.carried?.[step.id];
  if (carried) {
    return { ...base, status: 'carried', note: `passed in ${carried.from}`, checks: carried.tests, durationMs: sum(carried.tests) };
  }
  if (!isSelected) {
    return { ...base, status: 'not-selected', note: raw.selectionNote ?? 'not selected', checks: [], durationMs: 0 };
  }
  const checks: CheckResult[] = raw.tests.filter((t) => t.step === step.id);
  let status: StepResult['status'];
  if (checks.some((c) => c.state === 'failed')) status = 'failed';
  else if (checks.length === 0) status = 'not-run';
  else if (checks.every((c) => c.state === 'passed' || c.notApplicable)) status = 'passed';
  else if (checks.some((c) => c.state === 'passed')) status = 'partial';
  else status = 'not-run';
  return { ...base, status, checks, durationMs: sum(checks) };
}

const sum = (tests: RawTest[]) => tests.reduce((n, t) => n + t.durationMs, 0);

/** Gives every step after the blocking one (or never reached) the reason it did not run. */
function markStoppedSteps(steps: StepResult[], raw: RawRun): void {
  const failedAt = steps.find((s) => s.status === 'failed');
  for (const step of steps) {
    if (step.status !== 'not-run' && step.status !== 'partial') continue;
    if (failedAt && step.n > failedAt.n) step.note = `stopped at Step ${failedAt.n} (first failure ends the run)`;
    else if (failedAt && step.n === failedAt.n) continue;
    else if (raw.abort) step.note = `not reached: ${raw.abort}`;
    else if (step.checks.length === 0) step.note = 'no check of this step matched the selection';
    else step.note = 'some checks were filtered out or skipped';
  }
}

function buildRow(step: Step, rowId: string, steps: StepResult[], raw: RawRun): RowResult {
  const row = step.rows.find((r) => r.id === rowId)!;
  const stepResult = steps.find((s) => s.id === step.id)!;
  const provers = stepResult.checks.filter((c) => c.rows.includes(rowId));
  const evidence = provers.flatMap((c) => c.evidence);
  const result: RowResult = {
    id: row.id,
    section: step.section,
    step: step.id,
    label: row.label,
    kind: row.kind,
    group: row.group,
    fillIn: Boolean(row.fillIn),
    status: 'not-run',
    pastes: evidence.flatMap((e) => (e.type === 'paste' && e.row === rowId ? [{ title: e.title, text: e.text }] : [])),
    provedBy: provers.map((c) => c.name),
  };
  const value = evidence.filter((e) => e.type === 'value' && e.row === rowId).pop();
  if (value && value.type === 'value') result.value = value.text;
  const confirmed = evidence.find((e) => e.type === 'confirmed' && e.row === rowId);
  if (confirmed && confirmed.type === 'confirmed') result.confirmed = { by: confirmed.by, at: confirmed.at, how: confirmed.how };
  const attested = evidence.flatMap((e) => (e.type === 'attested' && e.row === rowId ? [e.what] : []));
  if (attested.length) result.attested = attested;
  if (stepResult.status === 'carried') result.carriedFrom = raw.carried?.[step.id]?.from;

  const failed = provers.find((c) => c.state === 'failed');
  if (failed) {
    result.status = row.kind === 'manual' && !result.confirmed ? 'unconfirmed' : 'failed';
    result.reason = `${failed.name}: ${firstLine(failed.errors[0] ?? 'failed')}`;
  } else if (provers.length > 0 && provers.every((c) => c.notApplicable)) {
    result.status = 'na';
    result.reason = provers[0]!.notApplicable;
  } else if (provers.length > 0 && provers.every((c) => c.state === 'passed' || c.notApplicable)) {
    result.status = 'ticked';
  } else {
    result.status = 'not-run';
    result.reason =
      stepResult.status === 'not-selected' || stepResult.status === 'not-run'
        ? stepResult.note
        : provers.length === 0
          ? stepResult.checks.length === 0
            ? stepResult.note
            : 'no check in this run proves this row'
          : 'some of its checks did not run';
  }
  return result;
}

function findBlocking(steps: StepResult[], raw: RawRun): Blocking | undefined {
  for (const step of steps) {
    const failed = step.checks.find((c) => c.state === 'failed');
    if (failed && step.status !== 'carried') {
      return {
        stepN: step.n,
        stepTitle: step.title,
        checkId: failed.checkId,
        check: failed.name,
        error: failed.errors.join('\n') || 'failed without an error message',
        rollback: STEPS[step.n]!.rollback,
      };
    }
  }
  if (!raw.abort) return undefined;
  const stoppedAt = steps.find((s) => s.status === 'not-run' || s.status === 'partial');
  if (!stoppedAt) return undefined;
  return {
    stepN: stoppedAt.n,
    stepTitle: stoppedAt.title,
    check: '(the run itself)',
    error: raw.abort,
    rollback: STEPS[stoppedAt.n]!.rollback,
  };
}

/** "steps 0, 1, 3-7 and row C.readiness are" rather than thirty row ids. */
function describeOpenRows(open: RowResult[], steps: StepResult[]): string {
  const wholeSteps = steps.filter((s) => {
    const rows = open.filter((r) => r.step === s.id);
    return rows.length > 0 && rows.length === STEPS[s.n]!.rows.length;
  });
  const loose = open.filter((r) => !wholeSteps.some((s) => s.id === r.step)).map((r) => r.id);
  const parts: string[] = [];
  if (wholeSteps.length) parts.push(`the rows of step${wholeSteps.length > 1 ? 's' : ''} ${wholeSteps.map((s) => s.n).join(', ')}`);
  if (loose.length) parts.push(`row${loose.length > 1 ? 's' : ''} ${loose.join(', ')}`);
  return `${parts.join(' and ')} ${open.length === 1 ? 'is' : 'are'}`;
}

export function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ?? ''
  );
}
