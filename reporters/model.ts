import type { EvidenceRecord, TestDataRecord } from '../lib/evidence-codec';
import type { RowKind, Section, StepId } from '../lib/runbook/catalogue';

/**
 * The results model: what the Vitest adapter collects (RawRun) and what the pure functions
 * derive from it (RunResult) and render. Nothing here knows about Vitest.
 */

export type Decision = 'GO' | 'NO-GO' | 'INCOMPLETE';

/** Evidence the document shows; marks (N/A, not run) and live progress are read elsewhere. */
export type EvidenceItem = Exclude<EvidenceRecord, { type: 'na' | 'not-run' | 'progress' }>;

/** A test as Vitest left it. `pending` = stopped by bail before it ran. */
export interface RawTest {
  step: StepId;
  /** Stable id (`5.healthz`); absent in documents written before checks had ids (--from). */
  checkId?: string;
  name: string;
  state: 'passed' | 'failed' | 'skipped' | 'pending';
  durationMs: number;
  rows: string[];
  tags: string[];
  errors: string[];
  /** Set when the test declared itself not applicable (by configuration). */
  notApplicable?: string;
  /** Skip note when skipped for another reason. */
  skipNote?: string;
  /** Set when it did not run because a check it builds on did not (lib/needs.ts), or was left out. */
  notRun?: string;
  evidence: EvidenceItem[];
}

export interface RunMeta {
  runId: string;
  env: string;
  baseUrl: string;
  rcSha: string | null;
  owner: string;
  startedAt: string;
  finishedAt: string;
  thirdParty: 'real' | 'simulated';
  /** The backend profile the run held the target to (backend.name). */
  backend?: string;
  /** Plain statements for the reader: simulated parts, missing local services, selection. */
  notes: string[];
}

export interface CarriedStep {
  /** The earlier document the result comes from. */
  from: string;
  tests: RawTest[];
}

export interface RawRun {
  meta: RunMeta;
  /** Steps this run was asked to run, in runbook order. */
  selected: StepId[];
  /** Why the unselected steps were left out (e.g. "--only=env"). */
  selectionNote?: string;
  tests: RawTest[];
  /** Set when the run did not end normally: crash, Ctrl-C, failed setup, unhandled error. */
  abort?: string;
  /** Earlier passing results brought forward by --from. */
  carried?: Partial<Record<StepId, CarriedStep>>;
  /** Test data a step's afterAll created or removed outside any check (a cleanup after a failure). */
  suiteTestData?: { step: StepId; records: TestDataRecord[] }[];
}

/** One piece of test data the run did not remove, and why. */
export interface TestDataEntry {
  stepN: number;
  stepTitle: string;
  what: string;
  detail: string;
}

export type StepStatus = 'passed' | 'failed' | 'not-run' | 'not-selected' | 'carried' | 'partial';

export type CheckResult = RawTest;

export interface StepResult {
  n: number;
  id: StepId;
  title: string;
  section: Section;
  status: StepStatus;
  /** Why it has the status (not selected, stopped earlier, carried from…). */
  note?: string;
  checks: CheckResult[];
  durationMs: number;
}

export type RowStatus = 'ticked' | 'failed' | 'not-run' | 'na' | 'unconfirmed';

export interface RowResult {
  id: string;
  section: Section;
  step: StepId;
  label: string;
  kind: RowKind;
  group?: string;
  fillIn: boolean;
  status: RowStatus;
  /** The `__________` filled in. */
  value?: string;
  pastes: { title?: string; text: string }[];
  provedBy: string[];
  reason?: string;
  confirmed?: { by: string; at: string; how: string };
  carriedFrom?: string;
}

export interface Blocking {
  stepN: number;
  stepTitle: string;
  /** The failed check's id; absent when the run itself stopped, or the check has none. */
  checkId?: string;
  check: string;
  error: string;
  rollback: string;
}

export interface RunResult {
  meta: RunMeta;
  decision: Decision;
  /** One sentence: why this decision. */
  reason: string;
  blocking?: Blocking;
  steps: StepResult[];
  rows: RowResult[];
  counts: { passed: number; failed: number; notRun: number; notApplicable: number };
  testData: {
    /** Meant to be removed, but still on the target: the operator must remove it by hand. */
    left: TestDataEntry[];
    /** Stays by design (a synthetic webhook event in the replay log, a recorded failed login). */
    kept: TestDataEntry[];
  };
}
