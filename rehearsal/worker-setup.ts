import { inject } from 'vitest';

/**
 * Runs in the worker before each suite file. In the local rehearsal the third-party APIs
 * (Stripe, GitHub, Sentry) cannot be reached, so the simulated ones are installed here;
 * against staging and prod nothing is intercepted.
 */
const ctx = inject('harness');
const installed = globalThis as { __cutoverSandbox?: boolean };
// Suites share one worker (isolate: false) and this file runs before each of them.
if (ctx?.thirdParty === 'simulated' && !installed.__cutoverSandbox) {
  installed.__cutoverSandbox = true;
  const { installThirdPartySandbox } = await import('./thirdparty/install');
  await installThirdPartySandbox(ctx);
}
