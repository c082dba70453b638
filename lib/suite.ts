import { describe, test as base, type TestContext } from 'vitest';
import { harnessContext, type HarnessContext } from './context';
import { Evidence } from './evidence';
import { findRow, STEPS, type StepId } from './runbook/catalogue';
import { redactorFor } from './secrets/known';
import type { Redactor } from './secrets/redactor';
import { TargetClient } from './target/client';

declare module '@vitest/runner' {
  interface TaskMeta {
    /** Checklist rows this test proves (ids from lib/runbook/catalogue.ts). */
    rows?: string[];
  }
}

let workerRedactor: Redactor | null = null;

/** One redactor per worker: secrets learnt during the run (minted tokens) stay known to later tests. */
export function redactor(): Redactor {
  workerRedactor ??= redactorFor(harnessContext().sections);
  return workerRedactor;
}

export interface RunbookFixtures {
  harness: HarnessContext;
  evidence: Evidence;
  target: TargetClient;
}

export const test = base.extend<RunbookFixtures>({
  // eslint-disable-next-line no-empty-pattern
  harness: async ({}, use) => use(harnessContext()),
  evidence: async ({ annotate }, use) => use(new Evidence(annotate, redactor())),
  target: async ({ harness, evidence }, use) =>
    use(
      new TargetClient({
        baseUrl: harness.baseUrl,
        timeoutMs: harness.sections.http.timeoutMs,
        maxBodyBytes: harness.sections.http.maxBodyBytes,
        // The run id in the User-Agent marks harness traffic in the target's logs, and keeps
        // per-client login limits per run.
        userAgent: `${harness.sections.http.userAgent} (${harness.runId})`,
        redactor: redactor(),
        evidence,
      }),
    ),
});

/** The checklist rows a test proves; unknown ids fail at collection, not silently at the end. */
export function proves(...rows: string[]): { rows: string[] } {
  for (const row of rows) findRow(row);
  return { rows };
}

/** Wraps a suite file's tests in its step, carrying the step tag Vitest filters on. */
export function describeStep(id: StepId, body: () => void): void {
  const step = STEPS.find((s) => s.id === id)!;
  describe(`Step ${step.n} — ${step.title}`, { tags: [step.tag] }, body);
}

/**
 * Marks a row as not applicable to this environment, by configuration. Shown as N/A with the
 * reason, never as a pass; only an explicit setting may make a row N/A.
 */
export async function notApplicable(ctx: Pick<TestContext, 'annotate' | 'skip'>, reason: string): Promise<never> {
  await ctx.annotate(reason, 'cutover:na');
  return ctx.skip(reason);
}
