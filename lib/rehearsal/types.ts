import type { RehearsalInfo } from '../context';

/** A running local rehearsal: stack, target, worker and simulated third parties. */
export interface Rehearsal {
  baseUrl: string;
  /** Variables the harness's checks need (the target's credentials, test accounts). */
  env: Record<string, string>;
  info: RehearsalInfo;
  /** Plain statements for the document (simulated parts, services that could not run). */
  notes: string[];
  /** Manual rows the rehearsal performs itself (it rotates the webhook secret, etc.). */
  manualRows: string[];
  stop(): Promise<void>;
}

export interface StartRehearsalOptions {
  faults: string[];
  stack: 'auto' | 'docker' | 'embedded' | 'external';
  sections: import('../config/schema').Sections;
  /** Reported by the reference target as its build, so step 0 has a real SHA to compare. */
  buildSha: string | null;
  log: (line: string) => void;
  signal: AbortSignal;
  /** Times a phase (stack, target) for the end-of-run summary. */
  timed: <T>(phase: string, fn: () => Promise<T>) => Promise<T>;
}
