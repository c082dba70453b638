import { APPLY_TARGETS, type ApplyTarget, type CliOptions } from '../cli/args';
import { mutationPermission } from '../command/confirm';
import type { Sections } from '../config/schema';
import { baseUrlResource, bucketResource, databaseResource, type Resources } from '../command/resources';
import { STEPS, type StepId } from '../runbook/catalogue';
import { s3SettingsFromEnv } from '../storage/s3';

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
 * The guard every mutation passes: nothing is applied unless the operator named it (--apply)
 * and either typed the environment's name again or, in local, every database, bucket and base
 * URL it changes is one a running local rehearsal started (lib/command/confirm.ts). A rehearsal
 * this run boots changes only what it started. Returns problems; empty means allowed.
 */
export function guardProblems(opts: CliOptions, touches: () => Resources = () => ({})): string[] {
  const problems: string[] = [];
  const rehearsal = isRehearsal(opts);
  const applying = Boolean(opts.apply?.length);
  // A rehearsal this run boots changes only what it started; elsewhere the one confirm rule judges.
  if (opts.confirm !== undefined || (applying && !rehearsal)) {
    try {
      // Only local without --confirm looks at what is touched (the rule asks whether a rehearsal owns it).
      const resources = opts.confirm === undefined && opts.env === 'local' ? touches() : {};
      problems.push(...mutationPermission(opts.env, opts.confirm, `apply ${opts.apply?.join(',') ?? ''}`, resources).problems);
    } catch (error) {
      problems.push(`${(error as Error).message}; nothing was changed`);
    }
  }
  if (!rehearsal && opts.apply?.includes('features')) {
    problems.push('--apply=features only exists in the local rehearsal: outside it, enablement is a platform change the operator makes');
  }
  if (opts.confirm && !opts.apply?.length) problems.push('--confirm is only meaningful with --apply');
  if (!rehearsal && opts.faults.length) problems.push('--fault only works in the local rehearsal (--env=local without --base-url)');
  if (!rehearsal && opts.rehearse) problems.push('--rehearse only works in the local rehearsal (--env=local without --base-url)');
  if (opts.rehearse && opts.faults.length) problems.push('--fault breaks the reference target only: it cannot be combined with --rehearse');
  if (!rehearsal && opts.stack) problems.push('--stack only works in the local rehearsal (--env=local without --base-url)');
  return problems;
}

/** The rehearsal applies every mutation unless told otherwise; elsewhere only what was named. */
export function applyTargets(opts: CliOptions): ApplyTarget[] {
  if (opts.apply) return opts.apply;
  return isRehearsal(opts) ? (Object.keys(APPLY_TARGETS) as ApplyTarget[]) : [];
}

/**
 * What the applied steps change, by identity: the database for backup, migrations and storage,
 * the bucket for storage, and the target itself. Throws on a malformed DATABASE_URL.
 */
export function appliedResources(steps: StepId[], sections: Sections, env: NodeJS.ProcessEnv, baseUrl: string): Resources {
  const resources: Resources = {};
  if (!steps.length) return resources;
  const databaseUrl = env[sections.credentials.databaseUrl];
  if (databaseUrl && steps.some((s) => s === 'preflight' || s === 'migrations' || s === 'storage'))
    resources.database = databaseResource(databaseUrl);
  const s3 = steps.includes('storage') ? s3SettingsFromEnv(env, sections.credentials.s3).settings : undefined;
  if (s3) resources.bucket = bucketResource(s3);
  if (baseUrl) resources.baseUrl = baseUrlResource(baseUrl);
  return resources;
}

export function appliedSteps(targets: ApplyTarget[]): StepId[] {
  return [...new Set(targets.map((t) => APPLY_TARGETS[t]))];
}
