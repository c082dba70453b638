// Rehearsal temp dirs (they hold target.env, with the target's secrets) left by a rehearsal that
// was killed are removed by the next one; a running rehearsal's dir never is.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { makeRehearsalDir, REHEARSAL_DIR_PREFIX, removeStaleRehearsalDirs } from '../../rehearsal/boot/temp-dir';

const made: string[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A rehearsal dir as a rehearsal run by `pid` leaves it: owner file and target.env. */
async function rehearsalDirOf(pid: number | null): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `${REHEARSAL_DIR_PREFIX}selftest-`));
  made.push(dir);
  if (pid !== null) await writeFile(path.join(dir, 'owner.json'), JSON.stringify({ ownerPid: pid }));
  await writeFile(path.join(dir, 'target.env'), 'JWT_SECRET=selftest-secret-value\n');
  return dir;
}

async function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

test("dirs whose owner died are removed with their target.env; a live owner's dir and a fresh unowned one stay", async () => {
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
  children.push(live);
  const dead = await rehearsalDirOf(await exitedPid());
  const running = await rehearsalDirOf(live.pid!);
  const unownedFresh = await rehearsalDirOf(null);
  const unownedOld = await rehearsalDirOf(null);
  const longAgo = new Date(Date.now() - 7 * 3_600_000);
  await utimes(unownedOld, longAgo, longAgo);
  const mine = await makeRehearsalDir();
  made.push(mine);

  const { removed } = removeStaleRehearsalDirs();
  expect(removed).toEqual(expect.arrayContaining([dead, unownedOld]));
  expect(existsSync(dead)).toBe(false);
  expect(existsSync(unownedOld)).toBe(false);
  for (const dir of [running, unownedFresh, mine]) {
    expect(removed).not.toContain(dir);
    expect(existsSync(path.join(dir, mine === dir ? 'owner.json' : 'target.env')), dir).toBe(true);
  }
});
