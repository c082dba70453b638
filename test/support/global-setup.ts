// One self-test run = one private temp dir. Everything the run starts inherits TMPDIR, so at
// the end we can find what it left behind by identity (a process whose environment names that
// dir, a file in it, a database created since the start) without confusing it with another
// run on the same machine. The teardown fails the run when anything is left, then removes it
// all anyway: a red run must not leave a mess either.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

const SERVER_URL = process.env.CUTOVER_SELFTEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Kinds of process a self-test starts; anything else in the run (Vitest's own workers) is not ours to judge. */
const OURS = /scripts\/(cutover|backup|migrate-[a-z]+)\.ts|fixtures\/target\/|bin\/postgres|postgres:|redis-server/;
/** Left by tools, not by the tests: tsx's transform cache. */
const TOOL_DIRS = /^tsx-\d+$/;

let runDir = '';
const databasesBefore = new Set<string>();

async function cutoverDatabases(): Promise<string[]> {
  const client = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 5_000, query_timeout: 10_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'cutover\\_%'");
    return rows.map((r) => r.datname);
  } catch {
    return []; // no server here: the tests that need one say so themselves
  } finally {
    await client.end().catch(() => undefined);
  }
}

function ancestors(): Set<number> {
  const out = new Set<number>();
  let pid = process.pid;
  while (pid > 1 && !out.has(pid)) {
    out.add(pid);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      break;
    }
  }
  return out;
}

/** Processes of this run (their environment names the run's TMPDIR) of a kind the tests start. */
function leftoverProcesses(): { pid: number; cmd: string }[] {
  const mine = ancestors();
  const marker = `TMPDIR=${runDir}\0`;
  const found: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || mine.has(pid)) continue;
    try {
      if (!`${readFileSync(`/proc/${pid}/environ`, 'latin1')}\0`.includes(marker)) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      if (OURS.test(cmd)) found.push({ pid, cmd: cmd.slice(0, 160) });
    } catch {
      // gone meanwhile, or not readable: not ours
    }
  }
  return found;
}

export async function setup(): Promise<void> {
  runDir = mkdtempSync(path.join(os.tmpdir(), 'cutover-selftest-run-'));
  process.env.TMPDIR = runDir;
  for (const name of await cutoverDatabases()) databasesBefore.add(name);
}

export async function teardown(): Promise<void> {
  const problems: string[] = [];
  const processes = leftoverProcesses();
  for (const p of processes) problems.push(`process ${p.pid} still runs: ${p.cmd}`);
  const dirs = readdirSync(runDir).filter((name) => !TOOL_DIRS.test(name) && name !== 'cutover-harness-stacks');
  for (const name of dirs) problems.push(`temp entry left: ${path.join(runDir, name)}`);
  const registry = path.join(runDir, 'cutover-harness-stacks');
  const stacks = (() => {
    try {
      return readdirSync(registry);
    } catch {
      return [];
    }
  })();
  for (const name of stacks) problems.push(`stack registry entry left: ${name}`);
  const databases = (await cutoverDatabases()).filter((name) => !databasesBefore.has(name));
  for (const name of databases) problems.push(`database left: ${name}`);

  // Whatever the verdict, nothing of this run stays.
  for (const p of processes) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (databases.length) {
    const client = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 5_000 });
    await client.connect();
    for (const name of databases) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
    await client.end();
  }
  rmSync(runDir, { recursive: true, force: true });

  if (problems.length) {
    // Vitest reports a teardown error but keeps its exit code: set ours so CI sees red.
    process.exitCode = 1;
    throw new Error(`the self-tests left ${problems.length} thing(s) behind:\n  - ${problems.join('\n  - ')}`);
  }
}
