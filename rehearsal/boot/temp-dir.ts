// The rehearsal's temp dir holds target.env (the target's secrets), uploads and backups. It is
// removed when the rehearsal stops; after a kill -9 or a crashed wrapper, the next rehearsal
// removes it, as rehearsal/stack/cleanup.ts does for stacks: only when its owner is dead.
import { mkdtemp, writeFile } from 'node:fs/promises';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isStale } from '../stack/cleanup';
import { processStartTime } from '../../lib/processes';

export const REHEARSAL_DIR_PREFIX = 'cutover-rehearsal-';
const OWNER_FILE = 'owner.json';
/**
 * A dir without an owner file was made by a version of the harness that did not write one, or
 * by a run killed within a millisecond of making it: removed only once no rehearsal could still
 * be using it.
 */
const UNOWNED_GRACE_MS = 6 * 3_600_000;

interface Owner {
  ownerPid: number;
  ownerStartTime?: string;
}

/** Makes the rehearsal's temp dir, naming this process as its owner. */
export async function makeRehearsalDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), REHEARSAL_DIR_PREFIX));
  const owner: Owner = { ownerPid: process.pid, ownerStartTime: processStartTime(process.pid) };
  await writeFile(path.join(dir, OWNER_FILE), JSON.stringify(owner), { mode: 0o600 });
  return dir;
}

function isAbandoned(dir: string, now: number): boolean {
  let owner: Owner;
  try {
    owner = JSON.parse(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8')) as Owner;
  } catch {
    try {
      return now - fs.statSync(dir).mtimeMs > UNOWNED_GRACE_MS;
    } catch {
      return false;
    }
  }
  return typeof owner.ownerPid === 'number' && isStale(owner);
}

/** Removes rehearsal temp dirs whose owner process is gone; returns the dirs removed. */
export function removeStaleRehearsalDirs(now = Date.now()): { removed: string[]; errors: string[] } {
  const removed: string[] = [];
  const errors: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(os.tmpdir());
  } catch {
    return { removed, errors };
  }
  for (const name of names.filter((n) => n.startsWith(REHEARSAL_DIR_PREFIX))) {
    const dir = path.join(os.tmpdir(), name);
    if (!isAbandoned(dir, now)) continue;
    try {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
      removed.push(dir);
    } catch (error) {
      // Another user's dir, say: say so and carry on, the rehearsal does not need it gone.
      errors.push(`could not remove ${dir}: ${(error as Error).message}`);
    }
  }
  return { removed, errors };
}
