import type { LoadedConfig } from '../config/load';
import { missingRequirements } from '../config/requirements';
import { unsetSettingsFor, unsetSourcesFor } from '../config/settings';
import { loadTargetEnv } from '../env-rules/target-env';
import { STEPS } from '../runbook/catalogue';

/**
 * Everything a whole run will need that is not there, at once: the settings that name the
 * backend, the sources the steps read, and the variables the config names. The same rules the
 * CLI's exit 2 applies to the selected steps, here over every step, because a gap in step 7 must
 * stop a run before step 1 migrates. Names settings and variables, never a value.
 */
export function configGaps(config: LoadedConfig, env: NodeJS.ProcessEnv = process.env): string[] {
  const steps = STEPS.map((s) => s.id);
  const { sections, environment, path: file } = config;
  const envFile = `.env.${config.env}`;
  return [
    ...unsetSettingsFor(steps, sections, environment, file),
    ...unsetSourcesFor(steps, sections, config.env, file),
    ...missingRequirements(steps, sections, environment, env).map((line) => `${line}: set it in the environment or ${envFile}`),
  ];
}

/**
 * The doctor's gaps, checked before a mutation outside the local environment (whose settings a
 * rehearsal supplies when it boots): a setting a later step needs stops the run before anything
 * changes, not after the migration. No network: the sources are `npm run doctor`'s to question,
 * and the steps question them again as they run.
 */
export function mutationGaps(config: LoadedConfig, env: NodeJS.ProcessEnv = process.env): string[] {
  if (config.env === 'local') return [];
  return [...loadTargetEnv(config.sections, env).problems, ...configGaps(config, env)];
}

/** The line before the gaps of a refused mutation. */
export function gapRefusal(config: Pick<LoadedConfig, 'env' | 'path'>, what: string, gaps: number): string {
  return `refusing to ${what}: the doctor found ${gaps} gap(s) a later step would stop on; nothing was changed (${doctorCommand(config)} lists them with every source)`;
}

/** The doctor for the same config and environment, as a line to paste. */
export function doctorCommand(config: Pick<LoadedConfig, 'env' | 'path'>): string {
  return `npm run doctor -- --env=${config.env}${config.path === 'cutover.config.ts' ? '' : ` --config=${config.path}`}`;
}
