// Test helpers for rehearsal/stack: a private os.tmpdir() per test file, and process checks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { registryDir } from '../../../rehearsal/stack/cleanup';
import { isAlive } from '../../../lib/processes';
import { pidsWithCmdline } from '../../../rehearsal/stack/util';

/**
 * Points TMPDIR (hence os.tmpdir(): temp dirs and the stack registry) at a fresh directory for
 * this test file, so leftovers can be counted exactly even when other files run in parallel.
 * Traversable by the `postgres` OS user (0711), as /tmp is. Made inside the self-test run's own
 * temp dir (test/support/global-setup.ts), so one a killed file leaves fails the run's end too.
 */
export function useIsolatedTmpdir(): string {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-test-'));
  fs.chmodSync(base, 0o711);
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = base;
  afterAll(() => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    // stop anything a failed test left behind, then remove the dir
    for (const pid of pidsWithCmdline(base)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    fs.rmSync(base, { recursive: true, force: true });
  });
  return base;
}

/** Stack temp dirs (cutover-stack-*) currently under os.tmpdir(). */
export function stackDirs(): string[] {
  return fs
    .readdirSync(os.tmpdir())
    .filter((n) => n.startsWith('cutover-stack-'))
    .map((n) => path.join(os.tmpdir(), n));
}

export function registryFiles(): string[] {
  try {
    return fs.readdirSync(registryDir()).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
}

/** Everything still running that was started from under `dir` (postgres backends included). */
export function processesUnder(dir: string): number[] {
  return pidsWithCmdline(dir);
}

export async function waitUntil(cond: () => boolean, ms: number, step = 50): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, step));
  }
  return cond();
}

export { isAlive };

/** Direct children of `pid` (Linux /proc), e.g. a postmaster's backends and helpers. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}
