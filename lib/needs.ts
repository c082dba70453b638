import type { RunnerTask, RunnerTestCase } from 'vitest';
import { EVIDENCE } from './evidence';
import { WRITE_TAGS } from './runbook/catalogue';

/**
 * Checks that build on an earlier check of the same file (the step 3 signed-URL checks read the
 * upload the new-upload check made) say so with `needs`. When the earlier check did not pass,
 * the later one is NOT RUN with the reason, never failed for what another check did not do:
 * a `--tags-filter=readonly` pass leaves the test-data checks out, and their dependents with them.
 */
export type Prerequisite = { ok: true } | { ok: false; notApplicable?: string; reason: string };

export const LEFT_OUT = 'left out of this run by the selection (--tags-filter / -t)';

function testsOf(task: RunnerTask): RunnerTestCase[] {
  if (task.type === 'test') return [task];
  return task.tasks.flatMap(testsOf);
}

export function findCheck(task: RunnerTask, title: string): RunnerTestCase {
  const found = testsOf(task.file).find((t) => t.name === title);
  if (!found) throw new Error(`"${task.name}" needs "${title}", which is not a check of ${task.file.name}`);
  return found;
}

const writeTag = (check: RunnerTestCase) => (check.tags ?? []).find((t) => (WRITE_TAGS as readonly string[]).includes(t)) ?? 'untagged';
const named = (check: RunnerTestCase) => `"${check.name}" (${writeTag(check)})`;

/**
 * Every check that starts is marked (lib/suite.ts, before its body): one that never started
 * although the run got past it was left out by the selection, not skipped by its own decision.
 */
export function markStarted(check: RunnerTestCase): void {
  check.meta.started = true;
}

/**
 * Why the check is left out of this run by the selection, or null when it ran or is still to
 * run. The selection marks a check skip at collection; a check that skips itself has started.
 */
export function leftOut(check: RunnerTestCase): string | null {
  if (check.meta.started || check.mode === 'run' || check.mode === 'queued') return null;
  return `${named(check)} was ${LEFT_OUT}`;
}

/** Whether an earlier check gives this one something to build on, and why not. */
export function prerequisite(check: RunnerTestCase): Prerequisite {
  const state = check.result?.state;
  if (state === 'pass') return { ok: true };
  if (state === 'fail') return { ok: false, reason: `${named(check)}, which failed` };
  const out = leftOut(check);
  if (out) return { ok: false, reason: `${named(check)}, which was ${LEFT_OUT}` };
  const na = check.annotations.find((a) => a.type === EVIDENCE.notApplicable);
  if (na) return { ok: false, notApplicable: na.message, reason: na.message };
  if (state === 'skip') {
    const why = check.annotations.find((a) => a.type === EVIDENCE.notRun)?.message;
    return { ok: false, reason: `${named(check)}, which did not run${why ? ` (${why})` : ''}` };
  }
  throw new Error(`"${check.name}" has not run yet: a check can only need one that comes before it in its file`);
}
