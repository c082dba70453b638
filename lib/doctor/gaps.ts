import { statSync, type Stats } from 'node:fs';
import path from 'node:path';
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
    ...pathChecks(config)
      .filter((c) => c.state === 'failed')
      .map((c) => `${c.setting} in ${file} ${c.detail}: set it to that path as seen from this machine`),
    ...unsetSourcesFor(steps, sections, config.env, file),
    ...missingRequirements(steps, sections, environment, env).map((line) => `${line}: set it in the environment or ${envFile}`),
  ];
}

/** A path's kind, or undefined when there is nothing there (or nothing this user may look at). */
function statOf(file: string): Stats | undefined {
  try {
    return statSync(file, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

export interface PathCheck {
  setting: string;
  /** unset: no value (unsetSettingsFor names it); failed: the value names nothing usable. */
  state: 'ok' | 'failed' | 'unset';
  detail: string;
}

/**
 * The paths the settings name, as seen from here (relative to the working directory, as the
 * steps resolve them): a directory that is not there fails its step only when the step gets
 * there. The backup directory may be missing while its parent exists: the backup creates it.
 */
export function pathChecks(config: LoadedConfig): PathCheck[] {
  const s = config.sections;
  const wanted: { setting: string; value: string | null; kind: 'directory' | 'file' }[] = [
    { setting: 'migrations.dir', value: s.migrations.dir, kind: 'directory' },
  ];
  if (!s.migrations.deployCommand) wanted.push({ setting: 'migrations.schema', value: s.migrations.schema, kind: 'file' });
  if (config.environment.optional.legacyStorageMigration)
    wanted.push({ setting: 'storage.uploadsDir', value: s.storage.uploadsDir, kind: 'directory' });
  const checks = wanted.map(({ setting, value, kind }): PathCheck => {
    if (!value) return { setting, state: 'unset', detail: 'not set (see the gaps)' };
    const found = statOf(value);
    if (!found) return { setting, state: 'failed', detail: `is ${value}, which does not exist` };
    if (kind === 'directory' ? !found.isDirectory() : !found.isFile())
      return { setting, state: 'failed', detail: `is ${value}, not a ${kind}` };
    return { setting, state: 'ok', detail: `${value} exists` };
  });
  const backups = s.preflight.backup.dir;
  const setting = 'preflight.backup.dir';
  if (statOf(backups)?.isDirectory()) checks.push({ setting, state: 'ok', detail: `${backups} exists` });
  else if (statOf(path.dirname(path.resolve(backups)))?.isDirectory())
    checks.push({ setting, state: 'ok', detail: `${backups} does not exist yet; the backup creates it` });
  else checks.push({ setting, state: 'failed', detail: `is ${backups}, and neither it nor its parent directory exists` });
  return checks;
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
