// The suites' worker thread is started before Vitest has loaded (lib/runner/suite-thread.ts), so
// Vitest must adopt that thread, with the env of the moment it adopts it: a thread that Vitest
// passed over would cost a run a second thread's start-up, and a stale env would hand the
// suites the CLI's env from before the rehearsal or the config set theirs.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { ROOT } from '../support/run-harness';

const run = async (...args: string[]) => {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k === 'TEST') delete env[k];
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/support/suite-thread-run.ts', ...args], {
    cwd: ROOT,
    env,
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { started: boolean; passed: boolean; adopted: boolean };
};

test('Vitest adopts the thread started ahead of it, and the suite there sees the env Vitest gave, not the start-time one', async () => {
  expect(await run()).toEqual({ started: true, passed: true, adopted: true });
});

test('a thread started with other node flags than Vitest asks for is passed over: Vitest starts its own and the run still passes', async () => {
  expect(await run('--other-flags')).toEqual({ started: true, passed: true, adopted: false });
});

test('a thread node refuses to start is no error: the run goes on with the thread Vitest starts', async () => {
  expect(await run('--refused-flags')).toEqual({ started: false, passed: true, adopted: false });
});
