// What every rehearsal does around its target, whichever backend it is: its temp dir, the
// simulated third parties' view of it, and, once the target listens, the registration that lets
// guarded scripts change what it started, the control server, and background traffic.
import type { Stack } from '../stack';
import type { SandboxOptions } from '../../lib/context';
import { registerRehearsal } from '../../lib/command/rehearsal-registry';
import { baseUrlResource, bucketResource, databaseResource } from '../../lib/command/resources';
import type { StartRehearsalOptions } from '../../lib/runner/rehearsal-wing';
import { startControlServer, type ControlHandlers } from './control';
import type { RehearsalCredentials } from './credentials';
import { makeRehearsalDir, removeStaleRehearsalDirs } from './temp-dir';
import { startTraffic } from './traffic';

export type Cleanups = (() => Promise<void> | void)[];

/** The rehearsal's temp dir (it will hold target.env); dirs of rehearsals whose process is gone are removed first. */
export async function freshTempDir(log: (line: string) => void): Promise<string> {
  const stale = removeStaleRehearsalDirs();
  if (stale.removed.length)
    log(`rehearsal: removed ${stale.removed.length} temp dir(s) left by rehearsals whose process is gone (they held target.env)`);
  for (const problem of stale.errors) log(`rehearsal: ${problem}`);
  return makeRehearsalDir();
}

/** What the simulated Stripe, GitHub and Sentry answer for; the target's URL is filled in once it listens. */
export function sandboxOptions(opts: StartRehearsalOptions, creds: RehearsalCredentials): SandboxOptions {
  const ci = opts.sections.preflight.ci;
  return {
    faults: opts.faults,
    targetBaseUrl: '',
    stripeSecretKey: creds.stripeSecretKey,
    githubToken: creds.githubToken,
    sentryToken: creds.sentryToken,
    githubRepo: ci.provider === 'github' ? ci.repo : 'example/backend',
    rcSha: opts.buildSha ?? '',
    startedAt: new Date().toISOString(),
  };
}

/** Registration, control server and traffic for a target that listens at baseUrl; each stops with the rehearsal. */
export async function serveRehearsal(
  stack: Stack,
  baseUrl: string,
  cleanups: Cleanups,
  handlers: ControlHandlers,
): Promise<{ url: string }> {
  // From here, a guarded script or `--base-url` run may change these without --confirm (lib/command/rehearsal-registry.ts).
  cleanups.push(
    registerRehearsal({
      database: databaseResource(stack.databaseUrl),
      bucket: bucketResource(stack.s3),
      baseUrl: baseUrlResource(baseUrl),
    }),
  );
  const traffic = startTraffic(() => baseUrl);
  cleanups.push(() => traffic.stop());
  const control = await startControlServer({
    ...handlers,
    // The monitoring step measures the reads: a burst's worth is in the log before it begins.
    stepStarting: async (step) => {
      if (step === 'monitoring') await traffic.warmUp();
      await handlers.stepStarting(step);
    },
  });
  cleanups.push(() => control.close());
  return control;
}
