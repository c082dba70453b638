/**
 * What every side-by-side measure needs: a command run as its own process group, its wall time
 * (process start included) and the peak memory of its whole process tree (the harness's Vitest
 * runs its checks in child processes), sampled from /proc; and medians over rounds.
 * No tools outside the project (no GNU time): where /proc is missing, memory reads as 0.
 */
import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');
// Every 20 ms for the first second (a --help run is over in a quarter of one), then every
// 100 ms: walking a tree of a dozen threaded processes from /proc 50 times a second kept this
// process near a full core, taken from the runs it measures on 2 cores. Each process's own
// peak is its VmHWM, so a slower sampling misses no process's peak, only sums between samples.
const SAMPLE_MS = 20;
const SAMPLE_LATER_MS = 100;

export interface Measured {
  ms: number;
  /** Peak of the summed VmRSS of the process and all its descendants (sampled), in KiB. */
  treePeakKiB: number;
  code: number | null;
  stdout: string;
  stderr: string;
  /** For each of RunOptions.marks, when stdout first matched it (ms since spawn). */
  marked: Record<string, number>;
}

async function statusOf(pid: number): Promise<string | null> {
  return readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
}

async function childrenOf(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const lists = await Promise.all(tasks.map((t) => readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => '')));
  return lists.flatMap((l) => l.split(' ').filter(Boolean).map(Number));
}

/** Summed VmRSS (KiB) and the largest VmHWM of a process tree right now. */
async function treeRss(root: number): Promise<{ rss: number; hwm: number }> {
  let rss = 0;
  let hwm = 0;
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    const status = await statusOf(pid);
    if (!status) continue;
    rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    hwm = Math.max(hwm, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    queue.push(...(await childrenOf(pid)));
  }
  return { rss, hwm };
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Killed (whole group) past this; the row then says so through its exit code. */
  timeoutMs?: number;
  /** Lines to time: the first stdout output matching each (a step's header, say). */
  marks?: Record<string, RegExp>;
}

/** Runs `command args` and measures it. Output is kept (the caller checks it passed). */
export function measure(command: string, args: readonly string[], opts: RunOptions = {}): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: opts.cwd ?? ROOT,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    const marked: Record<string, number> = {};
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      for (const [name, pattern] of Object.entries(opts.marks ?? {}))
        if (!(name in marked) && pattern.test(d)) marked[name] = performance.now() - started;
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let peak = 0;
    let sampling = false;
    const sample = () => {
      if (sampling || child.pid === undefined) return;
      sampling = true;
      treeRss(child.pid)
        .then(({ rss, hwm }) => (peak = Math.max(peak, rss, hwm)))
        .finally(() => (sampling = false));
    };
    sample();
    let poll = setInterval(sample, SAMPLE_MS);
    const slower = setTimeout(() => {
      clearInterval(poll);
      poll = setInterval(sample, SAMPLE_LATER_MS);
    }, 1_000);
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const deadline = setTimeout(killGroup, opts.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearInterval(poll);
      clearTimeout(slower);
      clearTimeout(deadline);
      reject(error);
    });
    child.on('close', (code) => {
      const ms = performance.now() - started;
      clearInterval(poll);
      clearTimeout(slower);
      clearTimeout(deadline);
      // whatever it left running in its group (it should leave nothing) goes with it
      killGroup();
      resolve({ ms, treePeakKiB: peak, code, stdout, stderr, marked });
    });
  });
}

/** node with tsx's loader, as `npm run bench` and the rehearsal target run (without npm's own start-up). */
export const tsxNode = (entry: string, ...args: string[]): [string, string[]] => [process.execPath, ['--import', 'tsx', entry, ...args]];

/** A guarded script prebuilt, as `npm run backup | migrate:deploy | migrate:attachments` run it (without npm's own start-up). */
export const guardedNode = (name: string, ...args: string[]): [string, string[]] => [process.execPath, ['bin/guarded.mjs', name, ...args]];

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN };
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const mib = (kib: number) => `${Math.round(kib / 1024)} MiB`;
export const spreadSeconds = (s: Spread) => `${seconds(s.median)} (${(s.min / 1000).toFixed(2)}–${(s.max / 1000).toFixed(2)})`;

/** A Markdown table from a header row and body rows. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** The same table for the console: columns padded. */
export function consoleTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => `  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** What a measure hands back: printed to the console and written into docs/benchmarks.md. */
export interface BenchSection {
  /** The heading and marker name in docs/benchmarks.md. */
  name: string;
  title: string;
  /** Markdown: how it was measured, and what it is compared with. */
  method: string;
  header: string[];
  rows: string[][];
  /** Markdown after the table (goals met or not, caveats of this run). */
  notes?: string[];
}
