import type { RehearsalInfo } from '../context';
import type { Sections } from '../config/schema';
import type { StepId } from '../runbook/catalogue';

/** A running local rehearsal: stack, target, worker and simulated third parties. */
export interface Rehearsal {
  baseUrl: string;
  /** Variables the harness's checks need (the target's credentials, test accounts). */
  env: Record<string, string>;
  info: RehearsalInfo;
  /** Deep overrides of the config sections (paths of this rehearsal's temp files, log source). */
  overrides: Record<string, unknown>;
  /** Steps whose mutation a planted fault withholds (e.g. the RC's migration stays pending). */
  withheldApply: StepId[];
  /** Plain statements for the document (simulated parts, services that could not run). */
  notes: string[];
  /** Manual rows the rehearsal performs itself (it rotates the webhook secret, etc.). */
  manualRows: string[];
  stop(): Promise<void>;
}

export interface StartRehearsalOptions {
  faults: string[];
  stack: 'auto' | 'docker' | 'embedded' | 'external';
  sections: Sections;
  /** The steps this run will run: without step 1, the rehearsal applies every migration itself. */
  steps: StepId[];
  /** Reported by the reference target as its build, so step 0 has a real SHA to compare. */
  buildSha: string | null;
  log: (line: string) => void;
  signal: AbortSignal;
  /** Times a phase (stack, target) for the end-of-run summary. */
  timed: <T>(phase: string, fn: () => Promise<T>) => Promise<T>;
}
