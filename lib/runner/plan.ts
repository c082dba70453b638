import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { APPLY_TARGETS, type ApplyTarget, type CliOptions } from '../cli/args';
import type { LoadedConfig } from '../config/load';
import { STEPS, type StepId } from '../runbook/catalogue';

export interface Selection {
  steps: StepId[];
  note?: string;
}

export function selectSteps(opts: CliOptions): Selection {
  if (opts.only) {
    return { steps: STEPS.filter((s) => opts.only!.includes(s.id)).map((s) => s.id), note: `not selected (--only=${opts.only.join(',')})` };
  }
  if (opts.from) {
    const from = STEPS.find((s) => s.id === opts.from)!;
    return { steps: STEPS.filter((s) => s.n >= from.n).map((s) => s.id), note: `before --from=${from.id}` };
  }
  return { steps: STEPS.map((s) => s.id) };
}

/** Whether this run boots its own stack and target (local, no --base-url). */
export function isRehearsal(opts: CliOptions): boolean {
  return opts.env === 'local' && !opts.baseUrl;
}

/**
 * The guard every mutation passes: outside local, nothing is applied unless the operator
 * named it and typed the environment's name again. Returns problems; empty means allowed.
 */
export function guardProblems(opts: CliOptions): string[] {
  const problems: string[] = [];
  const rehearsal = isRehearsal(opts);
  if (opts.env !== 'local' && opts.apply?.length) {
    if (!opts.confirm) problems.push(`--apply=${opts.apply.join(',')} on ${opts.env} needs --confirm=${opts.env}; nothing was changed`);
    else if (opts.confirm !== opts.env) problems.push(`--confirm=${opts.confirm} does not match --env=${opts.env}; nothing was changed`);
    if (opts.apply.includes('features')) problems.push('--apply=features only exists in the local rehearsal: outside it, enablement is a platform change the operator makes');
  }
  if (opts.confirm && !opts.apply?.length) problems.push('--confirm is only meaningful with --apply');
  if (!rehearsal && opts.faults.length) problems.push('--fault only works in the local rehearsal (--env=local without --base-url)');
  if (!rehearsal && opts.stack) problems.push('--stack only works in the local rehearsal (--env=local without --base-url)');
  return problems;
}

/** The rehearsal applies every mutation unless told otherwise; elsewhere only what was named. */
export function applyTargets(opts: CliOptions): ApplyTarget[] {
  if (opts.apply) return opts.apply;
  return isRehearsal(opts) ? (Object.keys(APPLY_TARGETS) as ApplyTarget[]) : [];
}

export function appliedSteps(targets: ApplyTarget[]): StepId[] {
  return [...new Set(targets.map((t) => APPLY_TARGETS[t]))];
}

function gitOutput(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 }).trim() || null;
  } catch {
    return null;
  }
}

export function defaultOwner(root: string): string {
  return process.env.CUTOVER_OWNER || gitOutput(['config', 'user.name'], root) || os.userInfo().username;
}

/** In the rehearsal the "deployed build" is this checkout; elsewhere the operator must say. */
export function defaultSha(opts: CliOptions, root: string): string | null {
  if (opts.sha) return opts.sha.toLowerCase();
  return isRehearsal(opts) ? gitOutput(['rev-parse', 'HEAD'], root) : null;
}

export function resolveBaseUrl(opts: CliOptions, config: LoadedConfig, env: NodeJS.ProcessEnv): { url?: string; problem?: string } {
  if (opts.baseUrl) return { url: opts.baseUrl };
  const e = config.environment;
  if (e.baseUrl) return { url: e.baseUrl };
  if (e.baseUrlEnv) {
    const value = env[e.baseUrlEnv];
    if (value && /^https?:\/\//.test(value)) return { url: value };
    return { problem: `no base URL for ${opts.env}: set ${e.baseUrlEnv} (in the environment or .env.${opts.env}) or pass --base-url` };
  }
  return { problem: `no base URL for ${opts.env}: set environments.${opts.env}.baseUrl or baseUrlEnv in ${config.path}, or pass --base-url` };
}
