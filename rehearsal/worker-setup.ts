import { beforeAll } from 'vitest';
import { runContext } from '../lib/context';
import { stepForFile } from '../lib/runbook/catalogue';

/**
 * Runs in the worker before each suite file. In the local rehearsal the third-party APIs
 * (Stripe, GitHub, Sentry) cannot be reached, so the simulated ones are installed here;
 * against staging and prod nothing is intercepted.
 */
const ctx = runContext();
const installed = globalThis as { __cutoverSandbox?: boolean };
// Suites share one worker (isolate: false) and this file runs before each of them.
if (ctx?.thirdParty === 'simulated' && !installed.__cutoverSandbox) {
  installed.__cutoverSandbox = true;
  const { installThirdPartySandbox } = await import('./thirdparty/install');
  await installThirdPartySandbox(ctx);
}

// Some faults break the target only once their step starts (Fault.flipsAtStart): the
// rehearsal has to hear which step that is before the step's first check.
const controlUrl = ctx?.rehearsal?.controlUrl;
if (controlUrl) {
  // Vitest hands the file's suite as the second argument; the first must be a destructuring.

  beforeAll(async ({}, suite) => {
    const step = stepForFile(suite.file.filepath);
    if (!step) return;
    const res = await fetch(new URL('/step/starting', controlUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ step: step.id }),
      signal: AbortSignal.timeout(60_000),
    });
    if (!res.ok) throw new Error(`the rehearsal could not start step ${step.n} (${res.status}): ${(await res.text()).slice(0, 300)}`);
  });
}
