import type { StepId } from '../runbook/catalogue';
import type { EnvironmentConfig, Sections } from './schema';

/**
 * Settings that name a part of the operator's own backend, so no default can be right: a default
 * into rehearsal/target would read (or migrate) the reference target's schema against a real
 * database. The local rehearsal supplies the reference target's; anywhere else they must be set.
 */
const SETTINGS = {
  'migrations.dir': {
    value: (s: Sections) => s.migrations.dir,
    example: "your backend's prisma/migrations directory of this release, e.g. migrations: { dir: '../backend/prisma/migrations' }",
  },
  'migrations.schema': {
    value: (s: Sections) => s.migrations.schema,
    example:
      "your backend's schema.prisma, e.g. migrations: { schema: '../backend/prisma/schema.prisma' } (or set migrations.deployCommand)",
  },
  'storage.uploadsDir': {
    value: (s: Sections) => s.storage.uploadsDir,
    example: "the target's legacy uploads directory as seen from here, e.g. storage: { uploadsDir: '/mnt/backend/uploads' }",
  },
} as const;

export type SettingName = keyof typeof SETTINGS;

function unsetMessage(name: SettingName, why: string, file: string): string {
  return `${name} is not set in ${file} (needed for ${why}): set it to ${SETTINGS[name].example}`;
}

/** The setting's value, or an error saying what to put there. */
export function requiredSetting(s: Sections, name: SettingName, why: string): string {
  const value = SETTINGS[name].value(s);
  if (!value) throw new Error(unsetMessage(name, why, 'the config file'));
  return value;
}

/** One line per unset setting among those asked for. */
export function unsetSettings(s: Sections, wanted: [SettingName, string][], file: string): string[] {
  return wanted.filter(([name]) => !SETTINGS[name].value(s)).map(([name, why]) => unsetMessage(name, why, file));
}

/** Reading the migration status needs the directory; deploying with the in-process engine also the schema. */
export function migrationSettings(s: Sections, deploy: boolean): [SettingName, string][] {
  return [
    ['migrations.dir', 'migration status against the release'],
    ...(deploy && !s.migrations.deployCommand
      ? ([['migrations.schema', 'migrate deploy with the in-process engine']] as [SettingName, string][])
      : []),
  ];
}

/** What each step reads from the operator's backend. */
export function settingsFor(step: StepId, s: Sections, environment: EnvironmentConfig): [SettingName, string][] {
  switch (step) {
    case 'migrations':
      // Step 1 deploys when asked to; its settings are asked for either way, so --apply cannot fail late.
      return migrationSettings(s, true).map(([name, why]) => [name, `step 1, ${why}`]);
    case 'storage':
      return environment.optional.legacyStorageMigration
        ? [['storage.uploadsDir', 'step 3, the legacy attachment checks and migration']]
        : [];
    default:
      return [];
  }
}

/** Every unset setting the selected steps need, at once (outside the rehearsal, before anything runs). */
export function unsetSettingsFor(steps: StepId[], s: Sections, environment: EnvironmentConfig, file: string): string[] {
  return unsetSettings(
    s,
    steps.flatMap((step) => settingsFor(step, s, environment)),
    file,
  );
}

/**
 * Where a step reads its facts. Unlike the settings above these have a default ('none'), so a run
 * starts without them and the step's row fails when it gets there: after any mutation before it.
 * The doctor lists them, and so refuses a mutation while one is unset.
 */
const SOURCES = {
  'preflight.ci': {
    unset: (s: Sections) => s.preflight.ci.provider === 'none',
    why: 'step 0, "CI green on the RC SHA" (a mandatory row: provider none fails it)',
    example: "preflight: { ci: { provider: 'github', repo: 'your-org/backend' } }",
  },
  'preflight.deployedSha': {
    unset: (s: Sections) => s.preflight.deployedSha.source === 'none',
    why: 'prod mutations, which refuse an operator-attested SHA',
    example: "preflight: { deployedSha: { source: 'header', header: 'x-release-sha' } } (or source 'route' or 'command')",
  },
  'monitoring.fiveXx.source': {
    unset: (s: Sections) => s.monitoring.fiveXx.source.kind === 'none',
    why: 'step 7, the 5xx rate',
    example: "monitoring: { fiveXx: { source: { kind: 'command', command: 'railway logs --json' } } } (or kind 'log-file', path)",
  },
} as const;

export type SourceName = keyof typeof SOURCES;

/** The sources the selected steps read that are left at 'none'; the deployed SHA's only matters where prod's guards demand it. */
export function unsetSourcesFor(steps: StepId[], s: Sections, env: string, file: string): string[] {
  const wanted: SourceName[] = [
    ...(steps.includes('preflight') ? (['preflight.ci'] as const) : []),
    ...(env === 'prod' ? (['preflight.deployedSha'] as const) : []),
    ...(steps.includes('monitoring') ? (['monitoring.fiveXx.source'] as const) : []),
  ];
  return wanted
    .filter((name) => SOURCES[name].unset(s))
    .map((name) => `${name} is not set in ${file} (needed for ${SOURCES[name].why}): set it, e.g. ${SOURCES[name].example}`);
}
