// The operator's backend as shell commands (--rehearse): started on a port the rehearsal picks,
// ready by its health path when it prints no ready line, restarted on the same port, and
// stopped with everything its shell started.
import { describe, expect, test } from 'vitest';
import { sectionsSchema } from '../../lib/config/schema';
import { OwnBackendProcesses } from '../../rehearsal/boot/own-processes';

const SERVER = `node -e "require('http').createServer((q, s) => s.end(process.env.GREETING)).listen(process.env.APP_PORT, '127.0.0.1')"`;

function processes(command: string, timeoutSeconds = 20) {
  const settings = sectionsSchema.parse({ rehearse: { server: { command, healthPath: '/' }, timeoutSeconds } }).rehearse;
  const lines: string[] = [];
  const procs = new OwnBackendProcesses({
    dir: process.cwd(),
    settings,
    portName: 'APP_PORT',
    log: (l) => lines.push(l),
    signal: new AbortController().signal,
  });
  return { procs, lines };
}

const pidOf = (line: string | undefined) => Number(/pid (\d+)/.exec(line ?? '')?.[1]);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('an own backend started by its shell command', () => {
  test('ready when its health path answers 200; a restart keeps the port and takes the new env; stop leaves nothing', async () => {
    const { procs, lines } = processes(SERVER);
    try {
      const url = await procs.start({ GREETING: 'first' });
      expect(await (await fetch(url)).text()).toBe('first');
      const first = pidOf(lines[0]);
      expect(await procs.restart({ GREETING: 'second' })).toBe(url);
      expect(await (await fetch(url)).text()).toBe('second');
      expect(alive(first), 'the first server (and its shell) stopped on restart').toBe(false);
    } finally {
      await procs.stop();
    }
    const pids = lines.map(pidOf).filter(Boolean);
    expect(pids.length).toBe(2);
    expect(pids.filter(alive)).toEqual([]);
  });

  test('a server that exits before it answers is an error carrying its output', async () => {
    const { procs } = processes('echo "cannot bind: no such config" >&2; exit 4');
    await expect(procs.start({})).rejects.toThrow(/exited before it answered 200 at .*\n.*cannot bind: no such config/);
    await procs.stop();
  });
});
