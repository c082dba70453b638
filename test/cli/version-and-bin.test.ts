import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, runHarness } from '../support/run-harness';

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; bin?: Record<string, string> };

describe('--version and the cutover bin', () => {
  test('--version prints the package version alone and exits 0, before any config is read', async () => {
    const result = await runHarness(['--version', '--config=does-not-exist.ts']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${pkg.version}\n`);
    expect(result.stderr).toBe('');
  });

  test('package.json names bin/cutover.mjs as `cutover`, an executable node script', () => {
    expect(pkg.bin).toEqual({ cutover: 'bin/cutover.mjs' });
    const bin = path.join(ROOT, pkg.bin!.cutover!);
    expect(readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(() => accessSync(bin, constants.X_OK)).not.toThrow();
  });

  test('`npx cutover` in the checkout runs the CLI', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false' };
    for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k === 'TEST') delete env[k];
    const result = spawnSync('npx', ['--no-install', 'cutover', '--version'], { cwd: ROOT, env, encoding: 'utf8', timeout: 50_000 });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${pkg.version}\n`);
    expect(result.status).toBe(0);
  });
});
