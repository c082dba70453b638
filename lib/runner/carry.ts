import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StepId } from '../runbook/catalogue';
import type { CarriedStep, RunResult, StepResult } from '../../reporters/model';

/**
 * --from: the steps before the resume point count only if they passed in an earlier document
 * for the same environment and RC SHA; otherwise they stay NOT RUN and the decision cannot be GO.
 *
 * Each step comes from the newest document that ran it. When that run passed it without doing
 * the step's change (no --apply for it: the migrations were already applied, say), an older run
 * that did the change and passed is the one that proved it, and its evidence (the migrate
 * deploy output) is carried instead, unless a run in between failed the step.
 */
export async function carryOver(
  reportsDir: string,
  env: string,
  sha: string | null,
  before: StepId[],
): Promise<Partial<Record<StepId, CarriedStep>>> {
  if (!sha || before.length === 0) return {};
  const documents = await documentsOf(reportsDir, env, sha);
  const carried: Partial<Record<StepId, CarriedStep>> = {};
  for (const id of before) {
    const proof = provingRun(documents, id);
    if (proof) carried[id] = proof;
  }
  return carried;
}

interface Document {
  file: string;
  run: RunResult;
}

/** The readable documents of this environment and SHA, newest first. */
async function documentsOf(reportsDir: string, env: string, sha: string): Promise<Document[]> {
  let files: string[];
  try {
    files = (await readdir(reportsDir))
      .filter((f) => f.endsWith(`-${env}-go-no-go.json`))
      .sort()
      .reverse();
  } catch {
    return [];
  }
  const documents: Document[] = [];
  for (const file of files) {
    try {
      const run = JSON.parse(await readFile(path.join(reportsDir, file), 'utf8')) as RunResult;
      if (run.meta?.rcSha === sha && Array.isArray(run.steps)) documents.push({ file, run });
    } catch {
      continue;
    }
  }
  return documents;
}

const carriedFrom = (step: StepResult, file: string): CarriedStep => ({
  // A step that was itself carried names the document that proved it.
  from: step.status === 'carried' && step.note ? step.note.replace(/^passed in /, '') : file,
  tests: step.checks,
});

function provingRun(documents: Document[], id: StepId): CarriedStep | undefined {
  let newestPass: CarriedStep | undefined;
  for (const { file, run } of documents) {
    const step = run.steps.find((s) => s.id === id);
    if (!step || step.status === 'not-selected') continue;
    // The newest run that took the step decides, unless it only passed without the step's change.
    if (step.status === 'carried') return newestPass ?? carriedFrom(step, file);
    if (step.status !== 'passed') return newestPass;
    if (run.meta.applied?.includes(id)) return carriedFrom(step, file);
    if (!run.meta.applied) return newestPass ?? carriedFrom(step, file);
    newestPass ??= carriedFrom(step, file);
  }
  return newestPass;
}
