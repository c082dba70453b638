import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StepId } from '../runbook/catalogue';
import type { CarriedStep, RunResult } from '../../reporters/model';

/**
 * --from: the steps before the resume point count only if they passed in an earlier document
 * for the same environment and RC SHA; otherwise they stay NOT RUN and the decision cannot be GO.
 */
export async function carryOver(
  reportsDir: string,
  env: string,
  sha: string | null,
  before: StepId[],
): Promise<Partial<Record<StepId, CarriedStep>>> {
  if (!sha || before.length === 0) return {};
  let files: string[];
  try {
    files = (await readdir(reportsDir))
      .filter((f) => f.endsWith(`-${env}-go-no-go.json`))
      .sort()
      .reverse();
  } catch {
    return {};
  }
  for (const file of files) {
    let run: RunResult;
    try {
      run = JSON.parse(await readFile(path.join(reportsDir, file), 'utf8')) as RunResult;
    } catch {
      continue;
    }
    if (run.meta?.rcSha !== sha) continue;
    const carried: Partial<Record<StepId, CarriedStep>> = {};
    for (const id of before) {
      const step = run.steps.find((s) => s.id === id);
      if (step && (step.status === 'passed' || step.status === 'carried')) {
        carried[id] = { from: step.status === 'carried' && step.note ? step.note.replace(/^passed in /, '') : file, tests: step.checks };
      }
    }
    return carried;
  }
  return {};
}
