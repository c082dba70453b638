// initdb costs about as much as the rest of the embedded stack's start together, and its result
// is the same every time for the same binaries and OS user. So the first rehearsal keeps a fresh
// cluster next to the binaries (node_modules/.cache/cutover-harness/), and each later one copies
// it (`cp -a` keeps the owner and modes Postgres insists on) instead of running initdb.
//
// The cached cluster's superuser password is on disk, so a copy's password is replaced as soon
// as it runs (rotatePassword): the one in the cache opens no running rehearsal database.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { withPgSession } from './pg-session';
import { TIMEOUTS } from './types';
import { StackError, withTimeout } from './util';

export interface RunAs {
  uid: number;
  gid: number;
}

/** Where the cached cluster for these binaries and this OS user lives; CUTOVER_STACK_CLUSTER_CACHE moves it (`off` disables it). */
export function clusterCacheDir(initdbBin: string, runAs: RunAs | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  const configured = env.CUTOVER_STACK_CLUSTER_CACHE;
  if (configured === 'off') return null;
  const marker = `${path.sep}node_modules${path.sep}`;
  const root =
    configured ||
    (initdbBin.includes(marker)
      ? path.join(initdbBin.slice(0, initdbBin.indexOf(marker) + marker.length), '.cache', 'cutover-harness')
      : null);
  if (!root) return null;
  // A different binary (another version, a reinstall) or OS user gets a cluster of its own.
  const stat = fs.statSync(initdbBin);
  return path.join(root, `postgres-cluster-${stat.size}-${Math.trunc(stat.mtimeMs)}-${runAs?.uid ?? process.getuid?.() ?? 'user'}`);
}

/** The cached cluster's password, or null when there is no complete cached cluster. */
export function cachedCluster(cacheDir: string): { password: string } | null {
  try {
    if (!fs.existsSync(path.join(cacheDir, 'pg', 'PG_VERSION'))) return null;
    return { password: fs.readFileSync(path.join(cacheDir, 'password'), 'utf8').trim() };
  } catch {
    return null;
  }
}

/**
 * Makes the cache from a cluster `init` creates in a directory of our own; it becomes the cache
 * in one rename, so rehearsals starting side by side never copy half a cluster (the loser of a
 * race drops its own). Returns the cached cluster's password.
 */
export async function fillClusterCache(
  cacheDir: string,
  runAs: RunAs | undefined,
  init: (dataDir: string, password: string) => Promise<void>,
): Promise<string> {
  fs.mkdirSync(path.dirname(cacheDir), { recursive: true });
  if (runAs) letThrough(cacheDir);
  const building = `${cacheDir}.building-${process.pid}-${randomBytes(3).toString('hex')}`;
  fs.mkdirSync(path.join(building, 'pg'), { recursive: true, mode: 0o700 });
  try {
    if (runAs) {
      fs.chmodSync(building, 0o711);
      fs.chownSync(path.join(building, 'pg'), runAs.uid, runAs.gid);
    }
    const password = randomBytes(18).toString('base64url');
    await init(path.join(building, 'pg'), password);
    fs.writeFileSync(path.join(building, 'password'), `${password}\n`, { mode: 0o600 });
    try {
      fs.renameSync(building, cacheDir);
    } catch {
      // another rehearsal filled it first: use theirs (ours is dropped, so its password opens nothing)
      fs.rmSync(building, { recursive: true, force: true });
      const theirs = cachedCluster(cacheDir);
      if (!theirs) throw new StackError(`${cacheDir} is there but holds no complete cluster`);
      return theirs.password;
    }
    return password;
  } catch (error) {
    fs.rmSync(building, { recursive: true, force: true });
    throw error;
  }
}

/**
 * initdb runs as the postgres OS user and must pass through the cache's directory and, in the
 * default place, node_modules/.cache above it. The config cache once created both owner-only
 * (6579fa4, fixed in makePrivateDir), after which every rehearsal run as root fell back to
 * initdb: search permission (not listing) is given back on the directories this user owns.
 */
function letThrough(cacheDir: string): void {
  const root = path.dirname(cacheDir);
  // Above the default place only: a directory CUTOVER_STACK_CLUSTER_CACHE names is the operator's.
  const dirs = root.endsWith(path.join('node_modules', '.cache', 'cutover-harness')) ? [root, path.dirname(root)] : [root];
  for (const dir of dirs) {
    const stat = fs.statSync(dir);
    if (stat.uid === process.getuid?.() && (stat.mode & 0o011) !== 0o011) fs.chmodSync(dir, (stat.mode & 0o7777) | 0o011);
  }
}

/** Copies the cached cluster into `dataDir` (an empty directory), keeping owners and modes. */
export async function copyCachedCluster(cacheDir: string, dataDir: string, signal?: AbortSignal): Promise<void> {
  const child = spawn('cp', ['-a', `${path.join(cacheDir, 'pg')}/.`, dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const exited = new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(new StackError(`could not copy the cached Postgres cluster: ${err.message}`, { cause: err })));
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new StackError(`could not copy the cached Postgres cluster (cp exit ${code}): ${stderr.trim()}`)),
    );
  });
  try {
    await withTimeout(exited, TIMEOUTS.initdbMs, 'copying the cached Postgres cluster did not finish', signal);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  fs.chmodSync(dataDir, 0o700);
}

/** Gives the running copy a password of its own, so the one kept in the cache opens nothing. */
export async function rotatePassword(url: string, password: string, signal?: AbortSignal): Promise<void> {
  await withPgSession(url, (client) => client.query(`ALTER ROLE postgres PASSWORD ${client.escapeLiteral(password)}`), { signal });
}
