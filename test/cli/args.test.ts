import { describe, expect, test } from 'vitest';
import { parseArgs, UsageError } from '../../lib/cli/args';
import { applyTargets, guardProblems, selectSteps } from '../../lib/runner/plan';

const problems = (argv: string[]) => {
  try {
    parseArgs(argv);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).problems;
  }
};

describe('CLI arguments', () => {
  test('default is the local rehearsal; prod is never a default', () => {
    const opts = parseArgs([]);
    expect(opts.env).toBe('local');
    expect(applyTargets(opts)).toEqual(['backup', 'migrations', 'storage', 'features']);
    expect(selectSteps(opts).steps).toHaveLength(8);
  });

  test('both --flag=value and --flag value forms; Vitest options pass through', () => {
    const opts = parseArgs([
      '--env',
      'staging',
      '--base-url=https://s.example.com',
      '--tags-filter=readonly',
      '--tags-filter=!slow',
      '-t',
      'healthz',
    ]);
    expect(opts).toMatchObject({
      env: 'staging',
      baseUrl: 'https://s.example.com',
      vitest: { tagsFilter: ['readonly', '!slow'], testNamePattern: 'healthz' },
    });
  });

  test('steps by number or id; --from selects that step and the rest', () => {
    expect(parseArgs(['--only=2,storage']).only).toEqual(['env', 'storage']);
    expect(selectSteps(parseArgs(['--from=5'])).steps).toEqual(['smoke', 'features', 'monitoring']);
  });

  test('every problem is reported, not just the first', () => {
    expect(problems(['--nope', 'stray', '--env=qa', '--apply=everything', '--confirm-manual=Z.nothing', '--only=2', '--from=3'])).toEqual([
      'unknown option --nope',
      'unexpected argument "stray" (flags look like --env=prod)',
      '--env: "qa" is not one of local, staging, prod',
      '--only and --from cannot be combined',
      '--apply: "everything" cannot be applied (use backup, migrations, storage, features or none)',
      '--confirm-manual: unknown checklist row "Z.nothing" (see --list)',
    ]);
  });

  test('outside local, nothing is applied unless named and confirmed by environment name', () => {
    expect(applyTargets(parseArgs(['--env=prod', '--base-url=https://x.example']))).toEqual([]);
    expect(guardProblems(parseArgs(['--env=prod', '--apply=migrations']))).toEqual([
      'refusing to apply migrations on prod without --confirm=prod; nothing was changed',
    ]);
    expect(guardProblems(parseArgs(['--env=prod', '--apply=migrations', '--confirm=prod']))).toEqual([]);
    expect(guardProblems(parseArgs(['--env=staging', '--fault=readyz-db-down']))).toContain(
      '--fault only works in the local rehearsal (--env=local without --base-url)',
    );
    expect(guardProblems(parseArgs(['--base-url=http://127.0.0.1:1', '--stack=embedded']))).toHaveLength(1);
  });
});
