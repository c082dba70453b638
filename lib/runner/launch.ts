import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEPLOYED_SHA, type CliOptions } from '../cli/args';
import { ownBackendDir } from './own-backend';
import { EXIT, type Io } from '../command/exit';
import { resolveBaseUrl } from '../command/identity';
import { loadCommandConfig } from '../command/load';
import { missingRequirements } from '../config/requirements';
import { unsetSettingsFor } from '../config/settings';
import type { FaultSummary, LoadRehearsalWing } from './rehearsal-wing';
import { appliedResources, appliedSteps, applyTargets, guardProblems, isRehearsal, selectSteps } from './plan';
import { PROJECT_ROOT } from '../project-root';
import type { LoadedConfig } from '../config/load';
import { gapRefusal, mutationGaps } from '../doctor/gaps';
import { audit } from '../guard/audit';
import { defaultOwner } from '../command/defaults';
import type { Resources } from '../command/resources';
import { redactorFor } from '../secrets/known';
import { fail } from './fail';
import { outputDirProblems } from '../command/output-dirs';

/**
 * Everything past the flags: the config, the checks that refuse a run before it starts, the
 * doctor, and the run itself.
 */
export async function launch(
  opts: CliOptions,
  io: Io,
  beforeSession: () => void,
  loadWing: LoadRehearsalWing | undefined,
): Promise<number> {
  const { config, problems } = await loadCommandConfig(opts.env, opts.config);
  if (!config) return fail(io, problems);
  const rehearsal = isRehearsal(opts);
  if (opts.doctor) return doctor(opts, config, problems, rehearsal, io);
  const selection = selectSteps(opts);
  let baseUrl = '';
  if (!rehearsal) {
    const resolved = resolveBaseUrl(opts.baseUrl, config, process.env);
    if (resolved.problem) problems.push(resolved.problem);
    baseUrl = resolved.url ?? '';
  } else if (!loadWing) {
    problems.push('this build of the CLI has no local rehearsal: give --base-url (or environments.<env>.baseUrl in the config)');
  } else if (opts.faults.length && opts.rehearse === undefined) {
    problems.push(...unknownFaults(opts.faults, (await loadWing()).faults));
  }
  let backendDir: string | null = null;
  if (opts.rehearse !== undefined && rehearsal) {
    const backend = ownBackendDir(opts.rehearse, config.sections, opts.config);
    if ('problem' in backend) problems.push(backend.problem);
    else backendDir = backend.dir;
  }
  if (opts.sha === DEPLOYED_SHA && config.sections.preflight.deployedSha.source === 'none')
    problems.push(
      `--sha=deployed: no deployed-SHA source is configured for ${opts.env} (preflight.deployedSha.source is 'none'): set preflight.deployedSha in ${opts.config}, or pass --sha=<rc sha>`,
    );
  // The prod guards check the deployed build against the RC SHA: read from that build, the check would prove nothing.
  if (opts.sha === DEPLOYED_SHA && !rehearsal && opts.apply?.length)
    problems.push(
      '--sha=deployed cannot be combined with --apply: name the RC with --sha=<rc sha>, so the deployed build is checked against it',
    );
  problems.push(...guardProblems(opts, () => appliedResources(appliedSteps(applyTargets(opts)), config.sections, process.env, baseUrl)));
  if (opts.envSnapshot && !existsSync(opts.envSnapshot)) problems.push(`--env-snapshot: ${opts.envSnapshot} does not exist`);
  // The flag wins over env.snapshotFile: steps 2 and 3 read the target's env (and probe with it) from there.
  if (opts.envSnapshot) config.sections.env.snapshotFile = path.resolve(opts.envSnapshot);
  // With a name or tag filter only some checks run, and each says what it lacks when it runs.
  const filtered = Boolean(opts.vitest.testNamePattern || opts.vitest.tagsFilter.length);
  if (!rehearsal && !filtered) {
    // No default points at the reference target outside the rehearsal (which supplies its own).
    problems.push(...unsetSettingsFor(selection.steps, config.sections, config.environment, opts.config));
    problems.push(...missingRequirements(selection.steps, config.sections, config.environment, process.env));
  }
  if (problems.length) return fail(io, problems);
  // Checked only once the input is good: bad input creates nothing.
  const unwritable = outputDirProblems(config.sections.reports, opts.config);
  if (unwritable.length) return fail(io, unwritable);
  if (!rehearsal && opts.apply?.length) {
    const gaps = mutationGaps(config);
    if (gaps.length) return refuseMutation(opts, config, baseUrl, io, gaps);
  }

  // Loaded only now: --help and bad input answer without paying for Vitest's start-up.
  const { RunSession } = await import('./session');
  const session = new RunSession(opts, config, selection.steps, selection.note, baseUrl, io, rehearsal ? loadWing : undefined, backendDir);
  beforeSession();
  return session.execute();
}

/** --doctor: bad input is still exit 2; past it, the doctor's own 0 or 1. */
async function doctor(opts: CliOptions, config: LoadedConfig, problems: string[], rehearsal: boolean, io: Io): Promise<number> {
  if (opts.envSnapshot && !existsSync(opts.envSnapshot)) problems.push(`--env-snapshot: ${opts.envSnapshot} does not exist`);
  if (problems.length) return fail(io, problems);
  if (rehearsal) {
    io.out(
      'cutover doctor: the local rehearsal boots its own stack and supplies its own settings, so there is nothing of yours to check; ' +
        'give --env=staging|prod (or --base-url for a target of your own)',
    );
    return EXIT.ok;
  }
  if (opts.envSnapshot) config.sections.env.snapshotFile = path.resolve(opts.envSnapshot);
  const { runDoctor } = await import('../doctor/doctor');
  return runDoctor({ config, baseUrl: resolveBaseUrl(opts.baseUrl, config, process.env), io });
}

/** A gap before --apply: refused like any guard refusal, in the audit log too, and nothing changed. */
async function refuseMutation(opts: CliOptions, config: LoadedConfig, baseUrl: string, io: Io, gaps: string[]): Promise<number> {
  const redactor = redactorFor(config.sections, process.env);
  let touches: Resources | undefined;
  try {
    touches = appliedResources(appliedSteps(applyTargets(opts)), config.sections, process.env, baseUrl);
  } catch {
    touches = undefined;
  }
  const entry = {
    script: 'cutover',
    env: opts.env,
    owner: opts.owner ?? defaultOwner(PROJECT_ROOT),
    args: process.argv.slice(2),
    outcome: 'refused' as const,
    touches,
    summary: { problems: gaps },
  };
  await audit(config.sections.reports.auditLog, entry, redactor).catch(() => undefined);
  io.err(redactor.redact(`cutover: ${gapRefusal(config, `apply ${opts.apply!.join(',')}`, gaps.length)}:`));
  for (const gap of gaps) io.err(redactor.redact(`  - ${gap}`));
  return EXIT.refused;
}

function unknownFaults(names: readonly string[], known: readonly FaultSummary[]): string[] {
  return names
    .filter((n) => !known.some((f) => f.name === n))
    .map((n) => `--fault: unknown fault "${n}" (known: ${known.map((f) => f.name).join(', ') || 'none yet'})`);
}
