import { describe, expect, test } from 'vitest';
import { resolveConfig } from '../../lib/config/load';
import { unsetSettingsFor, unsetSourcesFor } from '../../lib/config/settings';
import { STEPS } from '../../lib/runbook/catalogue';

const envs = {
  local: { expect: { stripeMode: 'test' } },
  staging: { baseUrlEnv: 'STAGING_BASE_URL', expect: { stripeMode: 'test' } },
  prod: { baseUrlEnv: 'PROD_BASE_URL', production: true, expect: { stripeMode: 'live' } },
};
const ALL = STEPS.map((s) => s.id);
const unsetNames = (raw: Record<string, unknown>, steps = ALL) => {
  const { sections, environment } = resolveConfig({ environments: envs, ...raw }, 'prod');
  return unsetSettingsFor(steps, sections, environment, 'my.config.ts').map((line) => line.split(' ')[0]);
};

describe('settings that name the backend', () => {
  test('no config value points into the rehearsal wing: the backend settings default to unset', () => {
    const { sections } = resolveConfig({ environments: envs }, 'prod');
    expect(JSON.stringify(sections)).not.toContain('rehearsal/');
    expect([sections.migrations.dir, sections.migrations.schema, sections.storage.uploadsDir]).toEqual([null, null, null]);
  });

  test('each step asks for what it reads, every unset one at once, naming the file', () => {
    expect(unsetNames({})).toEqual(['migrations.dir', 'migrations.schema', 'storage.uploadsDir']);
    expect(unsetNames({}, ['env', 'smoke'])).toEqual([]);
    const { sections, environment } = resolveConfig({ environments: envs }, 'prod');
    expect(unsetSettingsFor(['migrations'], sections, environment, 'my.config.ts')[0]).toMatch(
      /^migrations\.dir is not set in my\.config\.ts \(needed for step 1, .*\): set it to /,
    );
  });

  test('a deploy command needs no schema file; no legacy migration needs no uploads dir; set ones are not asked for', () => {
    expect(unsetNames({ migrations: { deployCommand: 'npx prisma migrate deploy' } })).toEqual(['migrations.dir', 'storage.uploadsDir']);
    expect(unsetNames({ environments: { ...envs, prod: { ...envs.prod, optional: { legacyStorageMigration: false } } } })).toEqual([
      'migrations.dir',
      'migrations.schema',
    ]);
    expect(unsetNames({ migrations: { dir: 'm', schema: 's.prisma' }, storage: { uploadsDir: 'u' } })).toEqual([]);
  });
});

describe('sources the steps read', () => {
  test("left at 'none', each is a gap of the steps that read it, naming the key and an example; the deployed SHA only in prod", () => {
    const { sections } = resolveConfig({ environments: envs }, 'prod');
    const names = (steps: typeof ALL, env: string) => unsetSourcesFor(steps, sections, env, 'my.config.ts').map((l) => l.split(' ')[0]);
    expect(names(ALL, 'prod')).toEqual(['preflight.ci', 'preflight.deployedSha', 'monitoring.fiveXx.source']);
    expect(names(ALL, 'staging')).toEqual(['preflight.ci', 'monitoring.fiveXx.source']);
    expect(names(['env', 'smoke'], 'staging')).toEqual([]);
    expect(unsetSourcesFor(['monitoring'], sections, 'staging', 'my.config.ts')).toEqual([
      expect.stringMatching(
        /^monitoring\.fiveXx\.source is not set in my\.config\.ts \(needed for step 7, the 5xx rate\): set it, e\.g\. monitoring: /,
      ),
    ]);
    const configured = resolveConfig(
      {
        environments: envs,
        preflight: { ci: { provider: 'github', repo: 'acme/backend' }, deployedSha: { source: 'header', header: 'x-release-sha' } },
        monitoring: { fiveXx: { source: { kind: 'log-file', path: 'requests.log' } } },
      },
      'prod',
    );
    expect(unsetSourcesFor(ALL, configured.sections, 'prod', 'my.config.ts')).toEqual([]);
  });
});
