import type { CheckResult, StepResult } from './model';

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
