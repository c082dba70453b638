import { describe, expect, test } from 'vitest';
import { commandHint, resumeHint, type Invocation } from '../../lib/command/hint';
import { invocationOf, parseScriptArgs } from '../../lib/guard/args';
import { applyHint } from '../../lib/migrations/deploy';
import { commandLine } from '../../lib/storage/migrate/guarded';
import { buildRun } from '../../reporters/build';
import { renderMarkdown } from '../../reporters/render-markdown';
import { rawRun, rawTest } from '../reporters/fixtures';

// A hint pasted as-is must run against the same config, env file, build and target as the run that printed it.
const staging: Invocation = {
  env: 'staging',
  config: 'configs/acme.config.ts',
  sha: 'abc1234def',
  envSnapshot: 'snapshots/staging.env',
  baseUrl: 'https://staging.acme.test',
};

describe('printed command hints', () => {
  test('npm test hints repeat --env, --config, --sha, --env-snapshot and --base-url, then what the hint is for', () => {
    expect(resumeHint(staging, 3)).toBe(
      'npm test -- --env=staging --config=configs/acme.config.ts --sha=abc1234def --env-snapshot=snapshots/staging.env --base-url=https://staging.acme.test --from=3',
    );
  });

  test('a guarded script gets only the flags it accepts (no --env-snapshot; backup has no --base-url)', () => {
    expect(commandHint('npm run migrate:deploy', staging)).toBe(
      'npm run migrate:deploy -- --env=staging --config=configs/acme.config.ts --sha=abc1234def --base-url=https://staging.acme.test',
    );
    expect(commandHint('npm run backup', staging, '--confirm=staging')).toBe(
      'npm run backup -- --env=staging --config=configs/acme.config.ts --sha=abc1234def --confirm=staging',
    );
  });

  test('the default config and unset flags are left out; a value a shell would split is quoted', () => {
    expect(commandHint('npm test', { env: 'local', config: 'cutover.config.ts' }, '--from=1')).toBe('npm test -- --env=local --from=1');
    expect(commandHint('npm test', { env: 'prod', config: 'my configs/prod.ts' })).toBe(
      "npm test -- --env=prod '--config=my configs/prod.ts'",
    );
  });

  test('the hints of step 1 and of the attachment migration are built from the run’s flags', () => {
    expect(applyHint(staging)).toBe(
      '`npm run migrate:deploy -- --env=staging --config=configs/acme.config.ts --sha=abc1234def --base-url=https://staging.acme.test --confirm=staging`' +
        ' or `npm test -- --env=staging --config=configs/acme.config.ts --sha=abc1234def --env-snapshot=snapshots/staging.env --base-url=https://staging.acme.test --apply=migrations --confirm=staging`',
    );
    expect(commandLine({ env: 'staging', dryRun: true, limit: 20, concurrency: 5, invocation: staging })).toBe(
      'npm run migrate:attachments -- --env=staging --config=configs/acme.config.ts --sha=abc1234def --base-url=https://staging.acme.test --dry-run --limit=20 --concurrency=5',
    );
  });

  test('a guarded script repeats the flags it was given', () => {
    const { args } = parseScriptArgs(['--env=prod', '--config=prod.config.ts', '--sha=abc1234', '--base-url=https://acme.test'], {
      name: 'migrate:deploy',
      summary: '',
      flags: { 'base-url': { kind: 'value' } },
    });
    expect(commandHint('npm run migrate:deploy', invocationOf(args!), '--confirm=prod')).toBe(
      'npm run migrate:deploy -- --env=prod --config=prod.config.ts --sha=abc1234 --base-url=https://acme.test --confirm=prod',
    );
  });

  test('a NO-GO document says how to resume at the blocking step, with the run’s flags', () => {
    const raw = rawRun([rawTest('preflight', 'ok', []), rawTest('migrations', 'deploy', ['B.output'], 'failed')], {
      selected: ['preflight', 'migrations'],
    });
    const markdown = renderMarkdown(buildRun({ ...raw, meta: { ...raw.meta, invocation: staging } }));
    expect(markdown).toContain(`Resume after the fix: \`${resumeHint(staging, 1)}\``);
    expect(markdown).toContain('--config=configs/acme.config.ts');
    expect(markdown).toContain('--env-snapshot=snapshots/staging.env');
    expect(markdown).toContain('--sha=abc1234def');
  });
});
