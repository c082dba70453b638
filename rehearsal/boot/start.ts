import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FAULTS, type Fault, type PlantContext } from '../faults';
import { startStack, type Stack } from '../stack';
import { serveSimulatedApis } from '../thirdparty/simulated-api';
import { formatEnvFile } from '../../lib/env-rules/target-env';
import { PROJECT_ROOT } from '../../lib/project-root';
import { STEPS } from '../../lib/runbook/catalogue';
import type { Rehearsal, StartRehearsalOptions } from '../../lib/runner/rehearsal-wing';
import { freshTempDir, sandboxOptions, serveRehearsal, type Cleanups } from './live';
import { CLOCK_SCALE, rehearsalPaths, rehearsalSettings } from './settings';
import { TargetProcesses } from './target-processes';

const ROOT = PROJECT_ROOT;
const TARGET = path.join(ROOT, 'rehearsal/target');

/**
 * The local rehearsal: everything a cutover touches, on this machine. Whatever fails half-way,
 * what was started is stopped before the error propagates.
 */
export async function startRehearsal(opts: StartRehearsalOptions): Promise<Rehearsal> {
  const cleanups: Cleanups = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      await Promise.resolve()
        .then(cleanup)
        .catch((error: Error) => opts.log(`rehearsal: cleanup step failed: ${error.message}`));
    }
    cleanups.length = 0;
  };
  try {
    if (!opts.backendDir) return await boot(opts, cleanups, stopAll);
    const { bootOwnBackend } = await import('./own-backend');
    return await bootOwnBackend(opts, opts.backendDir, cleanups, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Stack, settings, database, planted faults, simulated APIs, target: each a builder of its own below or beside. */
async function boot(opts: StartRehearsalOptions, cleanups: Cleanups, stopAll: () => Promise<void>): Promise<Rehearsal> {
  const { log, signal } = opts;
  const faults = opts.faults.map((name) => FAULTS.find((f) => f.name === name)!);
  const tmp = await freshTempDir(log);
  cleanups.push(() => rm(tmp, { recursive: true, force: true }));
  const starting = opts.timed('stack', () => startStack({ provider: opts.stack, log, signal }));
  // What the boot needs next (jsonwebtoken, pg, the migration engine, bcryptjs: about 0.2 s) loads
  // while the stack's processes start, not before them. Its failure is thrown where it is awaited.
  const next = Promise.all([import('./credentials'), import('./database')]);
  next.catch(() => undefined);
  const stack: Stack = await starting;
  cleanups.push(() => stack.stop());

  const [{ rehearsalCredentials }, { previousRelease }] = await next;
  const creds = rehearsalCredentials();
  const paths = rehearsalPaths(tmp, TARGET);
  const { uploadsDir, migrationsDir, requestLogFile } = paths;
  await mkdir(uploadsDir, { recursive: true });
  await cp(path.join(TARGET, 'prisma/migrations'), migrationsDir, { recursive: true });
  const { targetEnv, harnessEnv, overrides } = rehearsalSettings(stack, creds, paths, opts.buildSha);
  const plant = plantContext(stack, migrationsDir, targetEnv, harnessEnv, overrides);
  const sandbox = sandboxOptions(opts, creds);
  const target = new TargetProcesses({ root: ROOT, targetDir: TARGET, log, signal });
  cleanups.push(() => target.stop());

  const baseUrl = await opts.timed('target', async () => {
    // No CUTOVER_TEST_JOB_ID, as on a fresh database: the steps that upload post their own job.
    // The seeded job is named apart, for tools that need one (the smoke benchmark's other runners).
    harnessEnv.REHEARSAL_SEEDED_JOB_ID = String(await previousRelease(stack.databaseUrl, paths, creds, opts.steps.includes('migrations')));
    for (const fault of faults) await fault.plant?.(plant);
    targetEnv.TARGET_FAULTS = faults
      .filter((f) => f.layer === 'target')
      .map((f) => f.name)
      .join(',');
    // The target's env as an operator would export it from the platform; step 2 validates it.
    await writeFile(path.join(tmp, 'target.env'), formatEnvFile(targetEnv), { mode: 0o600 });
    const stripeApi = await serveSimulatedApis(sandbox);
    cleanups.push(() => stripeApi.close());
    targetEnv.STRIPE_API_BASE = stripeApi.url;
    const url = await target.start(targetEnv, plant.rehearsal.startWorker);
    sandbox.targetBaseUrl = url;
    return url;
  });

  const control = await serveRehearsal(stack, baseUrl, cleanups, {
    restart: (changes) => target.restart(changes),
    stepStarting: (step) => flipLateFaults(faults, step, target, log),
  });

  const notes = [
    `Local rehearsal on the ${stack.provider} stack: ${stack.describe()}.`,
    "Stripe's, GitHub's and Sentry's APIs are simulated here (rehearsal/thirdparty): their rows prove the harness's checks, not a real account.",
    'Manual rows are performed by the rehearsal itself: it starts the target with the post-rotation webhook secret and presents an attestation the target accepts.',
  ];
  if (stack.redisMissing)
    notes.push(`No Redis in this rehearsal: ${stack.redisMissing}. The checks that need Redis did not run, so it cannot be GO.`);
  for (const fault of faults) notes.push(`Fault planted: ${fault.name} — ${fault.description}`);

  return {
    baseUrl,
    env: harnessEnv,
    overrides,
    withheldApply: [
      ...(plant.rehearsal.applyBackupInStep0 ? [] : (['preflight'] as const)),
      ...(plant.rehearsal.applyMigrationsInStep1 ? [] : (['migrations'] as const)),
    ],
    notes,
    manualRows: plant.rehearsal.confirmManual,
    info: {
      controlUrl: control.url,
      faults: opts.faults,
      stackProvider: stack.provider,
      redisMissing: stack.redisMissing ?? null,
      uploadsDir,
      requestLogFile,
      clockScale: CLOCK_SCALE,
      sandbox,
    },
    stop: stopAll,
  };
}

/** What a fault's plant hook may change before the target starts. */
function plantContext(
  stack: Stack,
  migrationsDir: string,
  targetEnv: Record<string, string>,
  harnessEnv: Record<string, string>,
  overrides: Record<string, unknown>,
): PlantContext {
  return {
    databaseUrl: stack.databaseUrl,
    migrationsDir,
    targetEnv,
    harnessEnv,
    overrides,
    rehearsal: {
      startWorker: true,
      applyMigrationsInStep1: true,
      applyBackupInStep0: true,
      confirmManual: STEPS.flatMap((s) => s.rows)
        .filter((r) => r.kind === 'manual')
        .map((r) => r.id),
    },
  };
}

/** A fault that only its own step may catch is switched on as that step starts (the control server hears of it). */
async function flipLateFaults(faults: Fault[], step: string, target: TargetProcesses, log: (line: string) => void): Promise<void> {
  const switches = faults.filter((f) => f.caughtAt === step).flatMap((f) => f.flipsAtStart ?? []);
  if (!switches.length) return;
  log(`rehearsal: step ${step} starts, the target restarts with ${switches.join(', ')} on`);
  await target.restart({ TARGET_FAULTS: [target.currentFaults(), ...switches].filter(Boolean).join(',') });
}
