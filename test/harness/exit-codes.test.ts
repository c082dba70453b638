import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { runHarness, summary, tempDir } from '../support/run-harness';

// Fake keys are split ('sk' + '_live_…') so no committed literal looks like a real credential.

const USAGE_LINE = /^usage: npm test -- /m;

async function noArtifacts(dir: string) {
  expect(await readdir(dir)).toEqual([]);
}

describe('exit codes and bad input', () => {
  test('an unknown flag exits 2 with one line saying what is wrong and the usage line, and writes nothing', async () => {
    const result = await runHarness(['--evn=prod']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^cutover: unknown option --evn$/m);
    expect(result.stderr).toMatch(USAGE_LINE);
    await noArtifacts(result.reportsDir);
  });

  test('every bad flag is listed at once', async () => {
    const result = await runHarness(['--env=production', '--sha=xyz', '--only=9', '--stack=podman']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot start, 4 problems');
    expect(result.stderr).toContain('--env: "production" is not one of local, staging, prod');
    expect(result.stderr).toContain('--sha: must be a git commit SHA');
    expect(result.stderr).toContain('--only: unknown step "9"');
    expect(result.stderr).toContain('--stack: "podman" is not one of');
  });

  test('mutating staging without --confirm is refused before anything runs', async () => {
    const result = await runHarness(['--env=staging', '--base-url=http://127.0.0.1:9', '--apply=migrations', '-t', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('refusing to apply migrations on staging without --confirm=staging; nothing was changed');
    await noArtifacts(result.reportsDir);
  });

  test('a mistyped --confirm is refused', async () => {
    const result = await runHarness(['--env=prod', '--base-url=http://127.0.0.1:9', '--apply=storage', '--confirm=staging', '-t', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--confirm=staging does not match --env=prod; nothing was changed');
  });

  test('prod is never the default and needs its base URL and credentials, all listed, no value echoed', async () => {
    const secret = 'sk' + '_live_canaryvalue1234567890';
    const result = await runHarness(['--env=prod'], {
      env: { PROD_BASE_URL: undefined, DATABASE_URL: undefined, STRIPE_SECRET_KEY: secret, RATE_LIMIT_REDIS_URL: undefined },
    });
    expect(result.code, summary(result)).toBe(2);
    expect(result.stderr).toContain('no base URL for prod: set PROD_BASE_URL');
    expect(result.stderr).toContain('DATABASE_URL is not set');
    expect(result.stderr).toContain('RATE_LIMIT_REDIS_URL is not set');
    expect(result.stderr).toContain('CUTOVER_ADMIN_PASSWORD is not set');
    expect(result.stderr).not.toContain('STRIPE_SECRET_KEY is not set');
    expect(result.stderr + result.stdout).not.toContain(secret);
  });

  test('configuration errors are listed together and exit 2', async () => {
    const dir = await tempDir('cutover-config');
    const file = path.join(dir, 'bad.config.ts');
    await writeFile(
      file,
      `export default {
        environments: {
          local: { expect: { stripeMode: 'test' } },
          staging: { baseUrl: 'not a url', expect: { stripeMode: 'test' } },
          prod: { expect: { stripeMode: 'livee' } },
        },
        http: { timeoutMs: -5 },
        webhooks: { syntheticEventType: 'x', secret: 'whsec_abcdefghijklmnop1234' },
      };`,
    );
    const result = await runHarness([`--config=${file}`, '--base-url=http://127.0.0.1:9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('environments.staging.baseUrl');
    expect(result.stderr).toContain('environments.prod.expect.stripeMode');
    expect(result.stderr).toContain('http.timeoutMs');
    expect(result.stderr).toContain('webhooks.secret: holds what looks like a secret');
    expect(result.stderr).not.toContain('whsec_abcdefghijklmnop1234');
    await noArtifacts(result.reportsDir);
  });

  test('--help and --list exit 0 and explain the flags, steps, tags and rows', async () => {
    const help = await runHarness(['--help']);
    expect(help.code).toBe(0);
    for (const flag of [
      '--env=',
      '--base-url=',
      '--sha=',
      '--owner=',
      '--only=',
      '--from=',
      '--apply=',
      '--confirm=',
      '--list',
      '--tags-filter',
      '-t <pattern>',
    ]) {
      expect(help.stdout).toContain(flag);
    }
    const list = await runHarness(['--list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('0 preflight   [step-0] Pre-flight');
    expect(list.stdout).toContain('E.secret-rotated');
    expect(list.stdout).toContain('manual');
  });
});
