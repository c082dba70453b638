// One self-test run = one private temp dir and one tag. Everything the run starts inherits
// TMPDIR, so at the end we can find what it left behind by identity (a process whose
// environment names that dir, a file in it, a stack registry entry there, a database with the
// run's tag) without confusing it with another run on the same machine. The teardown fails the run when anything is left, then removes it
// all anyway: a red run must not leave a mess either.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { StackRecord } from '../../rehearsal/stack/cleanup';

const SERVER_URL = process.env.CUTOVER_SELFTEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Kinds of process a self-test starts; anything else in the run (Vitest's own workers) is not ours to judge. */
const OURS =
  /bin\/(cutover|guarded)\.mjs|harness-batch\.mjs|scripts\/(cutover|backup|migrate-[a-z]+)\.ts|rehearsal\/target\/|target-(main|worker)\.mjs|bin\/postgres|postgres:|redis-server/;
/** Left by tools, not by the tests: tsx's transform cache. */
const TOOL_DIRS = /^tsx-\d+$/;

let runDir = '';

/** The run's own test databases (test/support/database.ts names them with the run's tag). */
async function runDatabases(): Promise<string[]> {
  const prefix = `cutover_selftest_${process.env.CUTOVER_SELFTEST_RUN}_`;
  const client = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 5_000, query_timeout: 10_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix]);
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
  // Build the prebuilt CLI once, before tests start runs of it side by side.
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: path.resolve(import.meta.dirname, '../..'), stdio: 'inherit' });
  runDir = mkdtempSync(path.join(os.tmpdir(), 'cutover-selftest-run-'));
  // Like /tmp: the embedded Postgres runs as the postgres user and makes its dirs in here.
  chmodSync(runDir, 0o1777);
  process.env.TMPDIR = runDir;
  process.env.CUTOVER_SELFTEST_RUN = randomBytes(4).toString('hex');
}

export async function teardown(): Promise<void> {
  const problems: string[] = [];
  const processes = leftoverProcesses();
  for (const p of processes) problems.push(`process ${p.pid} still runs: ${p.cmd}`);
  // The registries (stacks, rehearsals) may stay as directories; an entry in one is a leftover.
  const registries = new Set(['cutover-harness-stacks', ...readdirSync(runDir).filter((name) => /^cutover-rehearsals-\d+$/.test(name))]);
  const dirs = readdirSync(runDir).filter((name) => !TOOL_DIRS.test(name) && !registries.has(name));
  for (const name of dirs) problems.push(`temp entry left: ${path.join(runDir, name)}`);
  const entries = (dir: string) => {
    try {
      return readdirSync(path.join(runDir, dir));
    } catch {
      return [];
    }
  };
  const stacks = entries('cutover-harness-stacks').map(
    (name) => JSON.parse(readFileSync(path.join(runDir, 'cutover-harness-stacks', name), 'utf8')) as StackRecord,
  );
  for (const stack of stacks) problems.push(`stack left (owner pid ${stack.ownerPid}): ${stack.id}`);
  for (const dir of [...registries].filter((name) => name !== 'cutover-harness-stacks')) {
    for (const name of entries(dir)) problems.push(`rehearsal registration left: ${path.join(dir, name)}`);
  }
  const databases = [...(await runDatabases()), ...stacks.flatMap((s) => (s.externalDatabase ? [s.externalDatabase.name] : []))];
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
