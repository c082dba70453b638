import { inject } from 'vitest';

/**
 * Runs in the worker before each suite file. In the local rehearsal the third-party APIs
 * (Stripe, GitHub, Sentry) cannot be reached, so the simulated ones are installed here;
 * against staging and prod nothing is intercepted.
 */
const ctx = inject('harness');
if (ctx?.thirdParty === 'simulated') {
  const { installThirdPartySandbox } = await import('../../fixtures/thirdparty/install');
  await installThirdPartySandbox(ctx);
}
