import type { Blocking, CheckResult, StepResult } from './model';

/** The words every document uses for a step's and a check's outcome, so they read the same everywhere. */
export const STEP_STATUS: Record<StepResult['status'], string> = {
  passed: 'PASSED',
  failed: 'FAILED',
  'not-run': 'NOT RUN',
  'not-selected': 'NOT RUN',
  carried: 'PASSED (carried over)',
  partial: 'PARTLY RUN',
};

export function checkMark(check: CheckResult): 'N/A' | 'NOT RUN' | 'PASS' | 'FAIL' | 'SKIPPED' {
  if (check.notApplicable) return 'N/A';
  if (check.notRun) return 'NOT RUN';
  return ({ passed: 'PASS', failed: 'FAIL', skipped: 'SKIPPED', pending: 'NOT RUN' } as const)[check.state];
}

/** The rollback plan of the step that blocked, as the document, the HTML report and the console all say it. */
export function rollbackPlan(blocking: Blocking): { heading: string; lines: string[] } {
  return { heading: `Rollback plan for Step ${blocking.stepN} (from the runbook):`, lines: blocking.rollback.split('\n') };
}
