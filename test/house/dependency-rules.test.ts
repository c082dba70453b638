// The import rules `npm run check` enforces on this repository (npm run deps, before the tests),
// shown to bite: a tree that breaks each rule fails.
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, tempDir } from '../support/run-harness';

const DEPCRUISE = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

function cruise(cwd: string, dirs: string[]) {
  const r = spawnSync(process.execPath, [DEPCRUISE, ...dirs, '--config', CONFIG, '--output-type', 'err'], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('cutover-deps');
  await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'esnext', moduleResolution: 'bundler' } }));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

describe('the import rules', () => {
  test('lib/ importing the rehearsal wing fails the check, naming the rule and the import', async () => {
    const dir = await tree({
      'lib/steps.ts': "import { boot } from '../rehearsal/boot';\nexport const steps = boot;\n",
      'rehearsal/boot.ts': 'export const boot = 1;\n',
    });
    const r = cruise(dir, ['lib', 'rehearsal']);
    expect(r.code, r.output).not.toBe(0);
    expect(r.output).toContain('harness-imports-rehearsal');
    expect(r.output).toContain('lib/steps.ts → rehearsal/boot.ts');
  });

  test('reporters/ importing a test helper fails the check', async () => {
    const dir = await tree({
      'reporters/render.ts': "import { helper } from '../test/support/helper';\nexport const render = helper;\n",
      'test/support/helper.ts': 'export const helper = 1;\n',
    });
    const r = cruise(dir, ['reporters', 'test']);
    expect(r.code, r.output).not.toBe(0);
    expect(r.output).toContain('harness-imports-rehearsal');
  });

  test('the core (config, evidence, secrets, runbook) importing the runner fails the check', async () => {
    const dir = await tree({
      'lib/config/load.ts': "import { run } from '../runner/run';\nexport const load = run;\n",
      'lib/runner/run.ts': 'export const run = 1;\n',
    });
    const r = cruise(dir, ['lib']);
    expect(r.code, r.output).not.toBe(0);
    expect(r.output).toContain('core-imports-upwards');
  });

  test('an import cycle fails the check', async () => {
    const dir = await tree({
      'lib/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
      'lib/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
    });
    const r = cruise(dir, ['lib']);
    expect(r.code, r.output).not.toBe(0);
    expect(r.output).toContain('no-cycles');
  });
});
