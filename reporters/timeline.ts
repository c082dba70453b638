import type { CheckResult, RunResult, StepResult } from './model';

/** A check that ran, placed on the run's clock: milliseconds from the run's start. */
export interface TimelineCheck {
  name: string;
  checkId?: string;
  state: 'passed' | 'failed';
  startMs: number;
  durationMs: number;
}

export interface TimelineStep {
  n: number;
  title: string;
  status: StepResult['status'];
  startMs: number;
  durationMs: number;
  checks: TimelineCheck[];
}

export interface Timeline {
  /** Epoch milliseconds of the run's start, the zero of every `startMs`. */
  origin: number;
  /** The end of the last check or of the run, whichever is later. */
  totalMs: number;
  steps: TimelineStep[];
}

/**
 * Pure: the steps and checks this run ran, on one time axis. A check's start is the one Vitest
 * recorded; documents written before checks carried it lay their checks end to end from the
 * run's start, in runbook order (the suites run one after another, so the shape is the same).
 * Carried steps ran in another run and checks that never started took no time: neither is here.
 */
export function buildTimeline(run: RunResult): Timeline {
  const origin = Date.parse(run.meta.startedAt);
  let cursor = 0;
  const steps: TimelineStep[] = [];
  for (const step of run.steps) {
    if (step.status === 'carried') continue;
    const checks = step.checks.filter(ran).map((check) => {
      const recorded = check.startedAt ? Date.parse(check.startedAt) - origin : NaN;
      const startMs = Number.isFinite(recorded) ? Math.max(0, recorded) : cursor;
      cursor = Math.max(cursor, startMs + check.durationMs);
      return {
        name: check.name,
        ...(check.checkId ? { checkId: check.checkId } : {}),
        state: check.state as TimelineCheck['state'],
        startMs,
        durationMs: check.durationMs,
      };
    });
    if (!checks.length) continue;
    const startMs = Math.min(...checks.map((c) => c.startMs));
    const endMs = Math.max(...checks.map((c) => c.startMs + c.durationMs));
    steps.push({ n: step.n, title: step.title, status: step.status, startMs, durationMs: endMs - startMs, checks });
  }
  const runMs = Date.parse(run.meta.finishedAt) - origin;
  return { origin, totalMs: Math.max(cursor, Number.isFinite(runMs) ? runMs : 0), steps };
}

const ran = (check: CheckResult): boolean => (check.state === 'passed' || check.state === 'failed') && !check.notApplicable;

/** `+1:05.2` from the run's start, or `3.4 s` for a duration: short enough for a bar's label. */
export function clock(ms: number): string {
  const tenths = Math.round(ms / 100);
  const minutes = Math.floor(tenths / 600);
  const seconds = ((tenths % 600) / 10).toFixed(1);
  return minutes ? `${minutes}:${seconds.padStart(4, '0')}` : `${seconds} s`;
}
