import { describe, expect, test } from 'vitest';
import { COMMON_FLAGS, BASE_URL_FLAG } from '../../lib/command/common-flags';
import { flagUsage, flagValue, parseFlags, type FlagSpecs } from '../../lib/command/flags';

const SPECS: FlagSpecs = {
  ...COMMON_FLAGS,
  'base-url': BASE_URL_FLAG,
  mode: { kind: 'value', help: 'how', choices: ['fast', 'slow'] },
  tag: { kind: 'value', help: 'a tag', repeatable: true },
  pattern: { kind: 'value', help: 'a pattern', short: 't', aliases: ['name-pattern'] },
  'dry-run': { kind: 'boolean', help: 'change nothing' },
};

describe('the command frame parses flags from a spec', () => {
  test('an unknown flag, a missing value and a bad choice are one line each, all listed at once', () => {
    const { problems } = parseFlags(['--evn=prod', '--owner', '--mode=medium', '--env=staging'], SPECS);
    expect(problems).toEqual(['unknown option --evn', '--owner needs a value (--owner=...)', '--mode: "medium" is not one of fast, slow']);
  });

  test('a stray argument is named without anything after "=", so a pasted KEY=secret is not echoed', () => {
    const { problems } = parseFlags(['--env=local', 'STRIPE_SECRET_KEY=sk_live_abc123'], SPECS);
    expect(problems).toEqual(['unexpected argument "STRIPE_SECRET_KEY" (flags look like --env=prod)']);
  });

  test('a required flag is a problem unless --help (or -h) is asked for; --help needs nothing else', () => {
    expect(parseFlags([], SPECS).problems).toEqual([
      '--env is required (local, staging, prod): the guarded scripts have no default environment',
    ]);
    for (const help of ['--help', '-h']) {
      const parsed = parseFlags([help], SPECS);
      expect(parsed.problems).toEqual([]);
      expect(parsed.booleans.has('help')).toBe(true);
    }
    expect(parseFlags(['--help=yes'], SPECS).problems).toEqual(['--help takes no value']);
  });

  test('both value forms by default; with equalsOnly the next argument is never taken as a value', () => {
    const both = parseFlags(['--env', 'prod', '-t', 'healthz', '--name-pattern=x'], SPECS);
    expect(both.problems).toEqual(['--name-pattern given more than once']);
    expect(flagValue(both, 'env')).toBe('prod');
    const strict = parseFlags(['--env', 'prod'], SPECS, { equalsOnly: true });
    expect(strict.problems).toEqual(['--env needs a value (--env=...)', 'unexpected argument "prod" (flags look like --env=prod)']);
    expect(parseFlags(['--env=local', '-t'], SPECS).problems).toEqual(['-t needs a value (-t <value>)']);
  });

  test('repeatable flags keep every value, others refuse a second; defaults fill what is not given', () => {
    const parsed = parseFlags(['--env=local', '--tag=a', '--tag=b'], SPECS);
    expect(parsed.values.tag).toEqual(['a', 'b']);
    expect(flagValue(parsed, 'config')).toBe('cutover.config.ts');
    expect(parseFlags(['--env=local', '--env=prod'], SPECS).problems).toEqual(['--env given more than once']);
  });

  test('shared checks say what is wrong without quoting the value', () => {
    const { problems } = parseFlags(['--env=local', '--sha=nothex', '--base-url=ftp://user:hunter2@x'], SPECS);
    expect(problems).toEqual([
      '--sha: must be a git commit SHA (7 to 40 hex characters)',
      '--base-url: is not an http(s) URL (it is ftp:); give an http(s) URL such as https://api.example.com',
    ]);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  test('usage lists every flag with its help, value flags with =<value>', () => {
    const usage = flagUsage({ mode: SPECS.mode!, 'dry-run': SPECS['dry-run']! });
    expect(usage.split('\n')).toEqual([`${'  --mode=<value>'.padEnd(30)}how`, `${'  --dry-run'.padEnd(30)}change nothing`]);
  });
});
