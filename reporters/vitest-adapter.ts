import type { Reporter, TestCase, TestModule } from 'vitest/node';
import { decode } from '../lib/evidence-codec';
import { LEFT_OUT } from '../lib/needs';
import { stepForFile } from '../lib/runbook/catalogue';
import { harnessMessage } from './error-text';
import type { EvidenceItem, RawRun, RawTest } from './model';

/** A skipped check that never started (lib/needs.ts) was left out by the selection. */
export const leftOutNote = (testCase: TestCase): string | undefined =>
  testCase.result().state === 'skipped' && !testCase.meta().started ? LEFT_OUT : undefined;

/** Vitest's TestCase -> the reporter's RawTest. The only place that knows Vitest's shapes. */
export function toRawTest(testCase: TestCase): RawTest | null {
  const step = stepForFile(testCase.module.moduleId);
  if (!step) return null;
  const result = testCase.result();
  const evidence: EvidenceItem[] = [];
  // A record the reporter cannot read fails its check: evidence that vanished could hide a
  // failure, or leave a row ticked with nothing to show for it.
  const unreadable: string[] = [];
  let notApplicable: string | undefined;
  let notRun: string | undefined;
  for (const annotation of testCase.annotations()) {
    const decoded = decode(annotation);
    if (!decoded) continue;
    if (!decoded.ok) {
      unreadable.push(decoded.error);
      continue;
    }
    const record = decoded.record;
    if (record.type === 'na') notApplicable = record.reason;
    else if (record.type === 'not-run') notRun = record.reason;
    // Progress is for the console while the check waits (console-reporter.ts), not the document.
    else if (record.type !== 'progress') evidence.push(record);
  }
  const errors = (result.errors ?? []).map(harnessMessage);
  const diagnostic = testCase.diagnostic();
  const base = {
    step: step.id,
    checkId: testCase.meta().checkId,
    name: testCase.name,
    durationMs: Math.round(diagnostic?.duration ?? 0),
    startedAt: Number.isFinite(diagnostic?.startTime) ? new Date(diagnostic!.startTime).toISOString() : undefined,
    rows: testCase.meta().rows ?? [],
    tags: [...((testCase as unknown as { tags?: string[] }).tags ?? [])],
    evidence,
  };
  if (unreadable.length) return { ...base, state: 'failed', errors: [...errors, ...unreadable] };
  return {
    ...base,
    state: result.state,
    errors,
    notApplicable,
    notRun: notRun ?? leftOutNote(testCase),
    skipNote: result.state === 'skipped' && !notApplicable && !notRun ? (result.note ?? 'skipped') : undefined,
  };
}

/** Collects every test of the run; the authoritative list is taken at the end, bail included. */
export class ResultCollector implements Reporter {
  tests: RawTest[] = [];
  suiteTestData: NonNullable<RawRun['suiteTestData']> = [];
  unhandled: string[] = [];
  endReason: string | null = null;
  ended = false;

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<{ message?: string }>, reason: string): void {
    this.tests = modules.flatMap((m) => [...m.children.allTests()].map(toRawTest).filter((t): t is RawTest => t !== null));
    this.unhandled = unhandledErrors.map((e) => e.message ?? String(e));
    // Modules that failed to load (syntax error, throwing import) have no tests but an error;
    // a failing afterAll (test data not cleaned up) belongs to its suite, not to any test.
    for (const m of modules) {
      const where = m.moduleId.split('/').slice(-2).join('/');
      for (const e of m.errors()) this.unhandled.push(`${where}: ${e.message}`);
      for (const suite of m.children.allSuites())
        for (const e of suite.errors()) this.unhandled.push(`${where} (${suite.name}): ${e.message}`);
      const step = stepForFile(m.moduleId);
      const records = [...m.children.allSuites()].flatMap((suite) => suite.meta().testData ?? []);
      if (step && records.length) this.suiteTestData.push({ step: step.id, records });
    }
    this.endReason = reason;
    this.ended = true;
  }
}
