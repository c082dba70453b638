// `--rehearse=<dir>`: the operator's own backend on the rehearsal's stack, in place of the
// reference target. Built (if asked), its migrations but the newest applied (step 1 applies
// that one), seeded with the test accounts, then its server and worker started with the env
// the config's rehearse section maps, against the simulated Stripe, GitHub and Sentry.
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startStack } from '../stack';
import { serveSimulatedApis } from '../thirdparty/simulated-api';
import type { Sections } from '../../lib/config/schema';
import { formatEnvFile } from '../../lib/env-rules/target-env';
import { applyPrismaMigrations, readMigrationsDir } from '../../lib/migrations/prisma-engine';
import { STEPS } from '../../lib/runbook/catalogue';
import type { Rehearsal, StartRehearsalOptions } from '../../lib/runner/rehearsal-wing';
import { runShell } from '../../lib/shell';
import { rehearsalCredentials } from './credentials';
import { freshTempDir, sandboxOptions, serveRehearsal, type Cleanups } from './live';
import { backendNames, ownBackendEnv } from './own-env';
import { OwnBackendProcesses } from './own-processes';
import { CLOCK_SCALE } from './settings';
import { minimalProcessEnv } from './target-processes';

/** Lines the seed prints as CUTOVER_NAME=value reach the harness's env (the test job's id). */
const SEED_OUTPUT = /^(CUTOVER_[A-Z0-9_]+)=(.*)$/gm;

export async function bootOwnBackend(
  opts: StartRehearsalOptions,
  dir: string,
  cleanups: Cleanups,
  stopAll: () => Promise<void>,
): Promise<Rehearsal> {
  const { log, signal, sections } = opts;
  const settings = sections.rehearse;
  const tmp = await freshTempDir(log);
  cleanups.push(() => rm(tmp, { recursive: true, force: true }));
  const stack = await opts.timed('stack', () => startStack({ provider: opts.stack, log, signal }));
  cleanups.push(() => stack.stop());

  const creds = rehearsalCredentials();
  const files = {
    migrationsDir: path.join(tmp, 'migrations'),
    schemaPath: path.resolve(dir, settings.migrations.schema),
    requestLogFile: path.join(tmp, 'requests.log'),
    uploadsDir: path.join(tmp, 'uploads'),
    backupsDir: path.join(tmp, 'backups'),
  };
  await mkdir(files.uploadsDir, { recursive: true });
  // A copy, as of this release: the run's step 1 reads and applies it.
  await cp(path.resolve(dir, settings.migrations.dir), files.migrationsDir, { recursive: true });
  const { targetEnv, harnessEnv, accountEnv } = ownBackendEnv(sections, stack, creds, files);
  const sandbox = sandboxOptions(opts, creds);
  const processes = new OwnBackendProcesses({ dir, settings, portName: settings.env.port, log, signal });
  cleanups.push(() => processes.stop());

  const baseUrl = await opts.timed('target', async () => {
    const shell = (what: string, command: string, env: Record<string, string>) => run(what, command, dir, env, settings.timeoutSeconds);
    // Like the server and worker, build and seed get PATH and friends, not the harness's own environment.
    if (settings.build) await shell('build', settings.build, { ...minimalProcessEnv(), ...targetEnv });
    await previousRelease(stack.databaseUrl, files, opts.steps.includes('migrations'));
    const stripeApi = await serveSimulatedApis(sandbox);
    cleanups.push(() => stripeApi.close());
    const stripeBase = backendNames(sections).stripeApiBase;
    if (stripeBase) targetEnv[stripeBase] = stripeApi.url;
    if (settings.seed) {
      const out = await shell('seed', settings.seed.command, { ...minimalProcessEnv(), ...targetEnv, ...accountEnv });
      for (const [, name, value] of out.matchAll(SEED_OUTPUT)) harnessEnv[name!] = value!.trim();
    }
    // The backend's env as an operator would export it from the platform; step 2 validates it.
    await writeFile(path.join(tmp, 'target.env'), formatEnvFile(targetEnv), { mode: 0o600 });
    const url = await processes.start(targetEnv);
    sandbox.targetBaseUrl = url;
    return url;
  });

  const control = await serveRehearsal(stack, baseUrl, cleanups, {
    restart: (changes) => processes.restart(changes),
    stepStarting: async () => undefined,
  });

  const notes = [
    `Local rehearsal of your backend (${dir}) on the ${stack.provider} stack: ${stack.describe()}.`,
    "Stripe's, GitHub's and Sentry's APIs are simulated here (rehearsal/thirdparty): their rows prove the harness's checks, not a real account.",
    'Manual rows are performed by the rehearsal itself: it starts the backend with the post-rotation webhook secret and presents an attestation signed by its test key.',
  ];
  if (stack.redisMissing)
    notes.push(`No Redis in this rehearsal: ${stack.redisMissing}. The checks that need Redis did not run, so it cannot be GO.`);

  return {
    baseUrl,
    env: harnessEnv,
    overrides: overrides(sections, tmp, files),
    withheldApply: [],
    notes,
    manualRows: STEPS.flatMap((s) => s.rows)
      .filter((r) => r.kind === 'manual')
      .map((r) => r.id),
    info: {
      controlUrl: control.url,
      faults: [],
      stackProvider: stack.provider,
      redisMissing: stack.redisMissing ?? null,
      uploadsDir: files.uploadsDir,
      requestLogFile: files.requestLogFile,
      clockScale: backendNames(sections).clockSpeed ? CLOCK_SCALE : 1,
      sandbox,
    },
    stop: stopAll,
  };
}

/** Every migration but the newest, which the run's step 1 applies (all of them when step 1 is not in the run). */
async function previousRelease(
  databaseUrl: string,
  files: { migrationsDir: string; schemaPath: string },
  runsStep1: boolean,
): Promise<void> {
  const migrations = await readMigrationsDir(files.migrationsDir);
  const previous = migrations.slice(0, runsStep1 ? -1 : undefined).map((m) => m.name);
  await applyPrismaMigrations({ databaseUrl, schemaPath: files.schemaPath, migrationsDir: files.migrationsDir, only: previous });
}

async function run(what: string, command: string, cwd: string, env: Record<string, string>, timeoutSeconds: number): Promise<string> {
  const result = await runShell(command, { cwd, env, timeoutMs: timeoutSeconds * 1000 });
  if (result.code !== 0) {
    const why = result.spawnError ?? (result.timedOut ? `timed out after ${timeoutSeconds} s` : `exit code ${result.code}`);
    throw new Error(`your backend's ${what} command (${command}) failed: ${why}; its last output:\n${result.output.slice(-1500)}`);
  }
  return result.stdout;
}

function overrides(
  sections: Sections,
  tmp: string,
  files: { migrationsDir: string; schemaPath: string; uploadsDir: string; backupsDir: string; requestLogFile: string },
) {
  const logged = Boolean(backendNames(sections).requestLogFile);
  return {
    env: { snapshotFile: path.join(tmp, 'target.env') },
    storage: { uploadsDir: files.uploadsDir },
    migrations: { dir: files.migrationsDir, schema: files.schemaPath },
    preflight: { backup: { dir: files.backupsDir } },
    ...(logged ? { monitoring: { fiveXx: { source: { kind: 'log-file', path: files.requestLogFile } } } } : {}),
    webhooks: { previousSecretExpired: true },
    features: { digest: { workerSlackSeconds: 5 } },
  };
}
