import { describe, test as base, type RunnerTestSuite, type TestContext } from 'vitest';
import { harnessContext, type HarnessContext } from './context';
import { Evidence, type TestDataRecord } from './evidence';
import { encode } from './evidence-codec';
import { findCheck, markStarted, prerequisite } from './needs';
import { findRow, STEPS, type Step, type StepId } from './runbook/catalogue';
import { redactorFor } from './secrets/known';
import type { Redactor } from './secrets/redactor';
import { TargetClient } from './http/client';
import { acceptedWritesProblem, watchAcceptedWrites } from './http/readonly';
import { Sessions } from './http/session';
import { targetEnvFor } from './env-rules/suite-target-env';
import type { TargetEnv } from './env-rules/target-env';
import { SuiteStorage } from './storage/suite-storage';

declare module '@vitest/runner' {
  interface TaskMeta {
    /** The check's stable id (`5.healthz`): faults and the run's JSON name checks by it, titles may change. */
    checkId?: string;
    /** Checklist rows this test proves (ids from lib/runbook/catalogue.ts). */
    rows?: string[];
    /** Titles of earlier checks in the same file whose result this one builds on (lib/needs.ts). */
    needs?: string[];
    /** Set when the check started (lib/needs.ts): a skipped check without it was left out by the selection. */
    started?: boolean;
    /** On a suite: test data its afterAll created or removed, outside any check. */
    testData?: TestDataRecord[];
  }
}

/**
 * Set up once for the whole run: the suites share one worker (isolate: false), so what these
 * learn in one step (minted tokens, logins, the target's env) serves every later step.
 */
export interface WorkerFixtures {
  harness: HarnessContext;
  /** Secrets learnt during the run (minted tokens, the target env's values) stay known to later checks. */
  redactor: Redactor;
  sessions: Sessions;
  /** The target's env, read once; its secret values join the redactor before anything is recorded. */
  targetEnv: TargetEnv;
  /** Step 3's storage and database, built at first use: a check that is N/A never needs its settings. */
  storage: SuiteStorage;
}

export interface RunbookFixtures extends WorkerFixtures {
  evidence: Evidence;
  target: TargetClient;
}

const worker = { scope: 'worker' } as const;

export const test = base.extend<RunbookFixtures & { prerequisites: void }>({
  harness: [async ({}, use) => use(harnessContext()), worker],
  redactor: [async ({ harness }, use) => use(redactorFor(harness.sections)), worker],
  sessions: [async ({ harness, redactor }, use) => use(new Sessions(harness, redactor)), worker],
  targetEnv: [async ({ harness, redactor }, use) => use(targetEnvFor(harness.sections, redactor)), worker],
  storage: [
    async ({ harness, targetEnv }, use) => {
      const storage = new SuiteStorage(harness, targetEnv);
      await use(storage);
      await storage.close();
    },
    worker,
  ],
  evidence: async ({ annotate, redactor }, use) => use(new Evidence(annotate, redactor)),
  target: async ({ harness, redactor, evidence, task }, use) => {
    const client = new TargetClient({
      baseUrl: harness.baseUrl,
      timeoutMs: harness.sections.http.timeoutMs,
      maxBodyBytes: harness.sections.http.maxBodyBytes,
      // The run id in the User-Agent marks harness traffic in the target's logs, and keeps
      // per-client login limits per run.
      userAgent: `${harness.sections.http.userAgent} (${harness.runId})`,
      redactor,
      evidence,
    });
    const watch = task.tags?.includes('readonly') ? watchAcceptedWrites(client, harness.sections.backend.routes.login) : null;
    await use(watch?.client ?? client);
    // Vitest has settled the check's own result by the time fixtures are torn down.
    if (watch?.accepted.length && task.result?.state === 'pass') throw new Error(acceptedWritesProblem(watch.accepted));
  },
  // Runs before every check: one whose prerequisite did not pass is NOT RUN (or N/A with it).
  prerequisites: [
    async ({ task, annotate, skip }, use) => {
      markStarted(task);
      for (const title of task.meta.needs ?? []) {
        const state = prerequisite(findCheck(task, title));
        if (state.ok) continue;
        if (state.notApplicable) await notApplicable({ annotate, skip }, state.notApplicable);
        await notRun({ annotate, skip }, `needs ${state.reason}`);
      }
      await use();
    },
    { auto: true },
  ],
});

/** Test data an afterAll handled outside any check: reported with the suite (reporters/vitest-adapter.ts). */
export function suiteTestData(suite: Readonly<RunnerTestSuite> | RunnerTestSuite, record: TestDataRecord): void {
  const meta = (suite as RunnerTestSuite).meta;
  (meta.testData ??= []).push(record);
}

/** The checklist rows a test proves; unknown ids fail at collection, not silently at the end. */
export function proves(...rows: string[]): { rows: string[] } {
  for (const row of rows) findRow(row);
  return { rows };
}

/**
 * The step whose file is being collected and the check ids it has declared so far. Vitest
 * collects one suite file at a time, and runs nested describe bodies after describeStep returns,
 * so this stays set until the next file's describeStep.
 */
let collecting: { step: Step; ids: Set<string> } | undefined;

/** Why `id` cannot be a check id in `step` beside the ids already declared there, or null. */
export function checkIdProblem(id: string, step: Step, declared: ReadonlySet<string>): string | null {
  if (!new RegExp(`^${step.n}\\.[a-z0-9][a-z0-9.-]*$`).test(id))
    return `check id "${id}" must be "${step.n}.<lowercase-name>": it is declared in Step ${step.n} — ${step.title}`;
  if (declared.has(id)) return `check id "${id}" is declared twice in Step ${step.n}`;
  return null;
}

/**
 * A check's stable id, beside its proves(): `<step number>.<name>`, unique. A wrong or repeated
 * id fails at collection, like an unknown row.
 */
export function checkId(id: string): { checkId: string } {
  if (!collecting) throw new Error(`check id "${id}" is declared outside describeStep`);
  const problem = checkIdProblem(id, collecting.step, collecting.ids);
  if (problem) throw new Error(problem);
  collecting.ids.add(id);
  return { checkId: id };
}

/** Meta for a check that builds on earlier checks' results (their exact titles). */
export function needs(...titles: string[]): { needs: string[] } {
  return { needs: titles };
}

/** Wraps a suite file's tests in its step, carrying the step tag Vitest filters on. */
export function describeStep(id: StepId, body: () => void): void {
  const step = STEPS.find((s) => s.id === id)!;
  collecting = { step, ids: new Set() };
  describe(`Step ${step.n} — ${step.title}`, { tags: [step.tag] }, body);
}

async function skipAs(ctx: Pick<TestContext, 'annotate' | 'skip'>, mark: { type: 'na' | 'not-run'; reason: string }): Promise<never> {
  const { type, attachment } = encode(mark);
  await ctx.annotate(mark.reason, type, attachment);
  return ctx.skip(mark.reason);
}

/**
 * Marks a row as not applicable to this environment, by configuration. Shown as N/A with the
 * reason, never as a pass; only an explicit setting may make a row N/A.
 */
export async function notApplicable(ctx: Pick<TestContext, 'annotate' | 'skip'>, reason: string): Promise<never> {
  return skipAs(ctx, { type: 'na', reason });
}

/**
 * Marks a check NOT RUN: it had nothing to check because another check did not run (left out by
 * the selection, say). Shown as NOT RUN with the reason, never as a pass or a failure.
 */
export async function notRun(ctx: Pick<TestContext, 'annotate' | 'skip'>, reason: string): Promise<never> {
  return skipAs(ctx, { type: 'not-run', reason });
}
