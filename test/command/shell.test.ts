import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, test, vi } from 'vitest';
import { isAlive } from '../../lib/processes';
import { runShell } from '../../lib/shell';

const ROOT = path.resolve(import.meta.dirname, '../..');

// The two streams are two pipes: their lines arrive in no set order relative to each other.
test('a command is followed line by line from both streams, its last unterminated line too', async () => {
  const lines: string[] = [];
  const result = await runShell('echo one; echo two >&2; printf three', { timeoutMs: 10_000, onLine: (l) => lines.push(l) });
  expect(result.code).toBe(0);
  expect(lines.filter((l) => l !== 'two')).toEqual(['one', 'three']);
  expect(lines.filter((l) => l === 'two')).toHaveLength(1);
  expect(result.stdout).toBe('one\nthree');
});

// A process killed outright runs none of its handlers: what stops the command then is the pipe
// its wrapper watches, which only this process held open.
test('a command outlives no process that ran it: killed with SIGKILL, its command and all it started end too', async () => {
  const script = `import { runShell } from './lib/shell.ts';
    void runShell('sleep 59.13 & echo "sleeping $!"; wait', { timeoutMs: 60_000, onLine: (l) => console.log(l) });`;
  const runner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const sleeper = await new Promise<number>((resolve, reject) => {
    let out = '';
    runner.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const pid = /sleeping (\d+)/.exec(out)?.[1];
      if (pid) resolve(Number(pid));
    });
    runner.once('exit', () => reject(new Error(`the runner ended first: ${out}`)));
  });
  try {
    expect(isAlive(sleeper)).toBe(true);
    runner.kill('SIGKILL');
    await vi.waitFor(() => expect(isAlive(sleeper), `sleep (pid ${sleeper}) still running`).toBe(false), { timeout: 10_000, interval: 50 });
  } finally {
    if (isAlive(sleeper)) process.kill(sleeper, 'SIGKILL');
  }
});
