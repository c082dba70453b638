import type { RehearsalInfo } from '../context';
import type { Sections } from '../config/schema';
import type { StepId } from '../runbook/catalogue';

/**
 * The local rehearsal (stack, reference target, simulated third parties, faults) lives in the
 * top-level rehearsal/ wing, which lib/ never imports: the CLI's entry hands it in. These are
 * the only terms the two sides share.
 */
export interface RehearsalWing {
  startRehearsal(opts: StartRehearsalOptions): Promise<Rehearsal>;
  /** The ways the rehearsal can be broken (--fault), as --list prints and the CLI validates them. */
  faults: readonly FaultSummary[];
  /** A Vitest setup file for the suites' worker: installs the simulated third-party APIs, tells the rehearsal which step starts. */
  workerSetupFile: string;
  /** What that setup file imports, loaded while the worker waits for the rehearsal to finish starting. */
  workerPreloads: string[];
}

/** Loaded only when a run rehearses or lists faults: the wing's imports are heavy. */
export type LoadRehearsalWing = () => Promise<RehearsalWing>;

export interface FaultSummary {
  name: string;
  /** The step that must catch it. */
  caughtAt: StepId;
  /** The id of the check that must fail there (`5.healthz`). */
  breaks: string;
  description: string;
}

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
  /** --rehearse: boot this backend checkout (sections.rehearse says how) instead of the reference target. */
  backendDir?: string | null;
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
