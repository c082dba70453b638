// --help, --version and --list answer from the flag spec and the catalogue: the config schema,
// the SDKs and Vitest are for runs, and loading them made each answer cost half a second.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ROOT, runHarness, tempDir } from '../support/run-harness';

const HEAVY = ['zod', '@aws-sdk/client-s3', 'undici', 'pg', 'stripe', 'vitest/node', '@prisma/adapter-pg'];

async function packagesImportedBy(args: string[], exitCode = 0): Promise<string[]> {
  const log = path.join(await tempDir('cutover-import-log'), 'imports.txt');
  const hook = path.join(ROOT, 'test/support/import-log.mjs');
  const run = await runHarness(args, { env: { NODE_OPTIONS: `--import=${hook}`, IMPORT_LOG: log } });
  expect(run.code, run.stderr).toBe(exitCode);
  const lines = (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  const packages = new Set(lines.filter((line) => !line.startsWith('file:')));
  // A package bundled into the prebuilt CLI is loaded with the chunk that holds it; esbuild
  // heads each bundled module with its path (`// node_modules/zod/v4/...`).
  for (const url of new Set(lines.filter((line) => line.startsWith('file:')))) {
    const code = await readFile(fileURLToPath(url), 'utf8');
    for (const [, name] of code.matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)) packages.add(name);
  }
  return [...packages];
}

describe('the CLI answers --help, --version and --list without the run’s imports', () => {
  test.each([['--help'], ['--version']])('%s imports none of the heavy packages', async (flag) => {
    const imported = await packagesImportedBy([flag]);
    expect(imported.filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  test('--list, once its listing is kept, imports none of them either', async () => {
    await packagesImportedBy(['--list']);
    const imported = await packagesImportedBy(['--list']);
    expect(imported.filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  // A rehearsal loads the wing before its stack starts; what the stack, the boot and the faults
  // use loads while the stack's processes boot (rehearsal/stack/pg-session.ts). An unknown
  // --fault loads the wing (its fault table) and stops there, exit 2.
  test('the rehearsal wing loads without the packages its stack, boot and faults use', async () => {
    const imported = await packagesImportedBy(['--fault=no-such-fault'], 2);
    const wingPackages = ['pg', '@aws-sdk/client-s3', 'ioredis', 'jsonwebtoken', 'bcryptjs', 'undici', '@prisma/adapter-pg'];
    expect(imported.filter((p) => wingPackages.includes(p))).toEqual([]);
  });

  test('a run does import them (the log sees the imports this test forbids elsewhere)', async () => {
    const imported = await packagesImportedBy(['--doctor', '--env=local']);
    expect(imported).toContain('zod');
  });
});
