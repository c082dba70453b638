/**
 * Where `npm run check`'s time goes: the whole check runs once as its own process group while
 * /proc is read every 100 ms, and the CPU time of every process it starts (and of the machine's
 * Postgres and Redis, which the self-tests use) is summed by kind of process. Not in the default
 * `npm run bench` (it takes as long as the check: `--only=check`). The check is CPU-bound on 2
 * cores, so its wall time follows the CPU-s this table adds up, and the rows say which of them a
 * faster check has to remove.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { ROOT, seconds, type BenchSection } from './measure';

const SAMPLE_MS = 100;
/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

interface Proc {
  cmd: string;
  /** CPU-s when first seen (a service's earlier life is not the check's). */
  first: number;
  cpu: number;
  service: boolean;
}

interface Stat {
  ppid: string;
  comm: string;
  start: string;
  cpu: number;
}

async function readStat(pid: string): Promise<Stat | null> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!text) return null;
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    ppid: fields[1]!,
    comm: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')),
    start: fields[19]!,
    cpu: (Number(fields[11]) + Number(fields[12])) / TICKS,
  };
}

/** What a process is, for the table: the harness's runs by what they rehearse, then the rest. */
export function kindOf(cmd: string, service: boolean): string {
  if (service) return cmd.startsWith('redis') ? "machine's Redis (service)" : "machine's Postgres (service)";
  // The fault self-tests' rehearsals run in a few long-lived processes (test/support/harness-batch.mjs).
  if (/harness-batch\.mjs/.test(cmd)) return 'harness CLI: fault rehearsals (batch processes)';
  const cli = /bin\/cutover\.mjs(.*)/.exec(cmd);
  if (cli) {
    const args = cli[1]!;
    if (/--fault=/.test(args)) return 'harness CLI: fault rehearsals';
    if (/--base-url=/.test(args)) return 'harness CLI: runs against a given base URL';
    if (/--(help|version|list)\b/.test(args)) return 'harness CLI: --help, --version, --list';
    return 'harness CLI: other runs (rehearsals, staging/prod refusals)';
  }
  if (/bin\/guarded\.mjs|scripts\/(backup|migrate-[a-z]+)\.ts/.test(cmd)) return 'guarded scripts';
  if (/target-(main|worker)\.mjs|rehearsal\/target\//.test(cmd)) return 'reference target and its worker';
  if (/vitest\/dist\/workers|vitest\/dist\/chunks\/.*fork/.test(cmd)) return 'Vitest forks (one per self-test file)';
  if (/vitest\.mjs run|vitest run/.test(cmd)) return "Vitest's main process";
  if (/\/tsc\b|typescript\/bin/.test(cmd)) return 'tsc --noEmit';
  if (/eslint/.test(cmd)) return 'eslint';
  if (/prettier/.test(cmd)) return 'prettier --check';
  if (/depcruise|dependency-cruiser/.test(cmd)) return 'dependency rules';
  if (/postgres|initdb|pg_ctl|redis-server/.test(cmd)) return 'embedded Postgres and Redis';
  if (/chrom/.test(cmd)) return 'Chromium (HTML report test)';
  return 'everything else (npm, tsx helpers, pg_dump, git, …)';
}

/** Samples /proc until `done` settles; returns every process of the check (and the services) with its CPU-s. */
export async function sampleCpu(rootPid: number, done: Promise<unknown>): Promise<Proc[]> {
  const procs = new Map<string, Proc>();
  const parents = new Map<string, string>();
  // A process found not to be the check's never becomes one (a process keeps its ancestry), so
  // it is not read again while it lives: reading all of /proc ten times a second cost the check
  // some of the CPU this measures.
  const foreign = new Set<string>();
  let finished = false;
  void done.finally(() => (finished = true));
  const root = String(rootPid);
  const descends = (pid: string, now: Map<string, Stat>) => {
    for (let p: string | undefined = pid, hops = 0; p && p !== '0' && hops < 64; hops += 1) {
      if (p === root) return true;
      p = now.get(p)?.ppid ?? parents.get(p);
    }
    return false;
  };
  for (;;) {
    const listed = new Set((await readdir('/proc')).filter((e) => /^\d+$/.test(e)));
    for (const pid of foreign) if (!listed.has(pid)) foreign.delete(pid);
    const pids = [...listed].filter((pid) => !foreign.has(pid));
    const now = new Map<string, Stat>();
    for (const [i, stat] of (await Promise.all(pids.map(readStat))).entries()) if (stat) now.set(pids[i]!, stat);
    for (const [pid, stat] of now) {
      parents.set(pid, stat.ppid);
      const key = `${pid}:${stat.start}`;
      let proc = procs.get(key);
      if (!proc) {
        const ours = descends(pid, now);
        const service = !ours && /^(postgres|redis-server)/.test(stat.comm);
        if (!ours && !service) {
          foreign.add(pid);
          continue;
        }
        proc = { cmd: stat.comm, first: service ? stat.cpu : 0, cpu: stat.cpu, service };
        procs.set(key, proc);
      }
      proc.cpu = stat.cpu;
      // Read again each time: a process first seen between its fork and its exec still shows its
      // parent's command line (a harness run spawned by a self-test file looked like that file's
      // fork). A service's kind never depends on it, and its backends come and go by the thousand.
      if (proc.service) continue;
      const cmd = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ').trim();
      if (cmd) proc.cmd = cmd;
    }
    if (finished) return [...procs.values()];
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
  }
}

export async function benchCheck(log: (line: string) => void = console.log): Promise<BenchSection> {
  const started = performance.now();
  const child = spawn(process.execPath, ['scripts/check.mjs'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let tail = '';
  const keep = (d: Buffer) => (tail = (tail + d.toString('utf8')).slice(-4_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const procs = await sampleCpu(child.pid!, exited);
  const code = await exited;
  const wallMs = performance.now() - started;
  // Self-tests started in this group: nothing may outlive the check (its own teardown says so too).
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // the group is gone, as it should be
  }
  if (code !== 0) throw new Error(`npm run check exited ${code}:\n${tail.split('\n').slice(-15).join('\n')}`);

  const byKind = new Map<string, { n: number; cpu: number }>();
  for (const p of procs) {
    const kind = kindOf(p.cmd, p.service);
    const row = byKind.get(kind) ?? { n: 0, cpu: 0 };
    row.n += 1;
    row.cpu += p.cpu - p.first;
    byKind.set(kind, row);
  }
  const total = [...byKind.values()].reduce((sum, r) => sum + r.cpu, 0);
  const rows = [...byKind]
    .sort((a, b) => b[1].cpu - a[1].cpu)
    .map(([kind, r]) => [
      kind,
      String(r.n),
      `${r.cpu.toFixed(0)} CPU-s`,
      `${((100 * r.cpu) / total).toFixed(0)}%`,
      `${(r.cpu / r.n).toFixed(2)}`,
    ]);
  const summary = /check passed: .*/.exec(tail)?.[0] ?? '';
  log(`  ${summary}`);
  return {
    name: 'check',
    title: "Where `npm run check`'s time goes",
    method:
      "Method (`bench/check.ts`, `npm run bench -- --only=check`, not in the default run): `npm run check` once, as its own process group, on the checkout as it is. Every 100 ms the processes in /proc are read (one found not to be the check's is not read again while it lives); the CPU time (user + system) of each process the check started, however deep, is kept as last seen and summed by kind of process, with the CPU time the machine's Postgres and Redis spent meanwhile (the self-tests' rehearsals use them). A process that lived less than 100 ms may be missed, and each loses at most its last 100 ms: the table undercounts a little. Harness runs are told apart by their flags.",
    header: ['processes', 'count', 'CPU', 'share', 'CPU-s each'],
    rows,
    notes: [
      `Wall ${seconds(wallMs)}; ${total.toFixed(0)} CPU-s in all, ${((100 * total) / (wallMs / 1000)).toFixed(0)}% of one core on average.`,
      ...(summary ? [`The check's own line: ${summary.replace(/ · /g, ', ')}.`] : []),
    ],
  };
}
