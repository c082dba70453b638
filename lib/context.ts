import { inject } from 'vitest';
import type { EnvironmentConfig, EnvName, Sections } from './config/schema';
import type { Invocation } from './command/hint';
import type { StepId } from './runbook/catalogue';

export interface ManualConfirmation {
  by: string;
  at: string;
  how: 'flag' | 'prompt' | 'rehearsal';
}

/** What the local rehearsal tells the suites about the stack and target it booted. */
export interface RehearsalInfo {
  /** Local HTTP endpoint of the rehearsal supervisor (restart the target with new env, etc.). */
  controlUrl: string;
  faults: string[];
  stackProvider: string;
  /** Why Redis is missing and how to get it, when it is. */
  redisMissing: string | null;
  uploadsDir: string;
  requestLogFile: string;
  /** How much faster than real time the reference target runs its digest clock. */
  clockScale: number;
  /** What the simulated Stripe, GitHub and Sentry APIs answer for. */
  sandbox: SandboxOptions;
}

/** Everything a suite needs, resolved once by the CLI and handed over to the worker (lib/handover.ts). */
export interface HarnessContext {
  runId: string;
  env: EnvName;
  production: boolean;
  baseUrl: string;
  rcSha: string | null;
  owner: string;
  startedAt: string;
  projectRoot: string;
  environment: EnvironmentConfig;
  sections: Sections;
  /** Steps whose guarded mutations the operator asked for (and confirmed, outside local). */
  apply: StepId[];
  manual: Record<string, ManualConfirmation>;
  /**
   * Where a check asks the CLI to prompt the operator for a manual row, at the step it belongs
   * to (lib/runner/manual-prompt.ts); null without a terminal, in CI and in the rehearsal.
   */
  manualPrompt?: string | null;
  /** The operator says the pre-rotation webhook secret has expired in Stripe (--previous-webhook-secret-expired). */
  previousWebhookSecretExpired: boolean;
  /** 'simulated' only in the local rehearsal, where Stripe's, GitHub's and Sentry's APIs are faked. */
  thirdParty: 'real' | 'simulated';
  rehearsal: RehearsalInfo | null;
  /** The flags every printed command hint repeats (lib/command/hint.ts). */
  invocation: Invocation;
}

declare module 'vitest' {
  export interface ProvidedContext {
    harness: HarnessContext;
    /** The BroadcastChannel the CLI hands the context over on, once the run has started (lib/handover.ts). */
    harnessHandover: string;
    /** Modules the worker starts loading while it waits for the hand-over (RehearsalWing.workerPreloads). */
    harnessPreloads: string[];
  }
}

export function harnessContext(): HarnessContext {
  const ctx = runContext();
  if (!ctx) {
    throw new Error('the runbook suites run through the harness CLI: use `npm test -- --env=<env>`, not vitest directly');
  }
  return ctx;
}

/** What the simulated third-party APIs need to answer like the real ones would for this rehearsal. */
export interface SandboxOptions {
  faults: readonly string[];
  /** The target's base URL: the Stripe webhook endpoint is registered for `<base>/payments/webhook`. */
  targetBaseUrl: string;
  /** Requests must authenticate with these, like the real APIs. */
  stripeSecretKey: string;
  githubToken: string;
  sentryToken: string;
  /** owner/name the rehearsal's CI status belongs to. */
  githubRepo: string;
  rcSha: string;
  /** When the cutover started: "since the deploy" for Sentry, "since the cutover" for Stripe events. */
  startedAt: string;
}

const HANDED_OVER = Symbol.for('cutover-harness.handed-over-context');
type WithContext = typeof globalThis & { [HANDED_OVER]?: HarnessContext };

/** The worker keeps what was handed over for every suite file (one worker runs them all). */
export function keepHandedOver(context: HarnessContext): void {
  (globalThis as WithContext)[HANDED_OVER] = context;
}

export function handedOverContext(): HarnessContext | undefined {
  return (globalThis as WithContext)[HANDED_OVER];
}

/** The run's context in the worker: handed over by the CLI, or provided up front (--list's collection); none outside the CLI. */
export function runContext(): HarnessContext | undefined {
  return handedOverContext() ?? inject('harness');
}
