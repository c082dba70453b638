// A bad .env line is the same problem for `cutover` and for a guarded script: both list it with
// the config file's own problems, exit 2, and apply nothing from the file.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Io } from '../../lib/command/exit';
import { runGuardedScript } from '../../lib/guard/script';
import { main } from '../../lib/runner/run';
import { BACKUP_SPEC } from '../../scripts/backup';

let dir: string;
const cwd = process.cwd();

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cutover-frame-'));
  await fs.writeFile(path.join(dir, '.env.staging'), 'FRAME_TEST_GOOD=1\nthis is not a line\n');
  // No environments: a config problem the loader reports after the .env's.
  await fs.writeFile(path.join(dir, 'cutover.config.mjs'), 'export default { reports: {} };\n');
  process.chdir(dir);
});

afterEach(async () => {
  process.chdir(cwd);
  delete process.env.FRAME_TEST_GOOD;
  await fs.rm(dir, { recursive: true, force: true });
});

function buffers(): Io & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (l) => lines.push(`out: ${l}`), err: (l) => lines.push(`err: ${l}`) };
}

const envLine = () => `${path.join(dir, '.env.staging')}:2: not a KEY=value line`;
const CONFIG_LINE = 'cutover.config.mjs: environments: required, with local, staging and prod';

describe('.env.<env> and the config load the same way for every command', () => {
  test('cutover: the bad line and the config problem, exit 2, nothing from the file applied', async () => {
    const io = buffers();
    const code = await main(['--env=staging', '--config=cutover.config.mjs', '--base-url=http://127.0.0.1:9'], io);
    expect(code).toBe(2);
    expect(io.lines.slice(0, 3)).toEqual(['err: cutover: cannot start, 2 problems:', `err:   - ${envLine()}`, `err:   - ${CONFIG_LINE}`]);
    expect(process.env.FRAME_TEST_GOOD).toBeUndefined();
  });

  test('a guarded script: the same two lines, exit 2, its body never runs', async () => {
    const io = buffers();
    let ran = false;
    const code = await runGuardedScript(
      BACKUP_SPEC,
      ['--env=staging', '--config=cutover.config.mjs'],
      async () => {
        ran = true;
        return 0;
      },
      io,
    );
    expect(code).toBe(2);
    expect(ran).toBe(false);
    expect(io.lines).toEqual([`err: backup: ${envLine()}`, `err: backup: ${CONFIG_LINE}`]);
    expect(process.env.FRAME_TEST_GOOD).toBeUndefined();
  });
});
