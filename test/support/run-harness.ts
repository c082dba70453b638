import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, TestRunner, vi } from 'vitest';
import { hostPort } from '../../rehearsal/stack/util';
import { dropStaleDatabases } from '../../rehearsal/stack/external';
import { removeStaleRehearsalDirs } from '../../rehearsal/boot/temp-dir';
import { liveRehearsals } from '../../lib/command/rehearsal-registry';
import type { RunResult } from '../../reporters/model';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The timeout of a test that runs one rehearsal, and so that rehearsal's deadline (runHarness
 * follows the test's signal). A rehearsal takes about a tenth of it on 2 busy cores.
 */
export const REHEARSAL_TIMEOUT_MS = 180_000;

const created: string[] = [];
const running = new Set<ChildProcess>();
const batches = new Set<HarnessBatch>();
// Each test file gets its own copy of this module: its runs and temp dirs end with the file.
afterAll(async () => {
  for (const child of running) killProcessGroup(child);
  for (const batch of batches) batch.close();
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

function killProcessGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** A temp dir removed after the test file. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
  created.push(dir);
  return dir;
}

export interface HarnessRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  reportsDir: string;
  /** Every file the run wrote to its reports dir, by name. */
  artifacts: Record<string, string>;
  /** The JSON twin of the Go/No-Go document, when one was written. */
  run: RunResult | null;
  markdown: string;
  junit: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Share a reports dir between runs (--from reads the earlier documents); default: a fresh one. */
  reportsDir?: string;
  /**
   * Ends the run at once (its whole process group is killed). Default: the calling test's own
   * signal, which aborts when the test times out, so the test's timeout is the run's deadline
   * and a timed-out rehearsal never keeps running under the next test.
   */
  signal?: AbortSignal;
  /** Called with the child once spawned (to send it a signal, say). */
  onSpawn?: (child: ChildProcess) => void;
  /** Called for each stdout chunk as it arrives. */
  onStdout?: (text: string, child: ChildProcess) => void;
}

/**
 * Self-tests run the harness the way a user does, as `npm test -- ...` would (bin/cutover.mjs): a separate
 * process, its own reports dir. Rehearsals use the machine's Postgres and Redis (the external
 * stack provider, as in CI) unless CUTOVER_STACK says otherwise.
 */
const SELFTEST_SERVER_URL = process.env.CUTOVER_SELFTEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function selfTestStackEnv(): Record<string, string> {
  if (process.env.CUTOVER_STACK) return {};
  return {
    CUTOVER_STACK: 'external',
    CUTOVER_STACK_DATABASE_URL: SELFTEST_SERVER_URL,
    CUTOVER_STACK_REDIS_URL: process.env.CUTOVER_SELFTEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
}

/**
 * After a CLI died outright: every process in `started` (pids, or process groups by their leader)
 * must end by itself within 20 s (a backend's own graceful stop, on a machine the rest of the
 * check keeps busy). Whatever still runs then fails the test, named (`name`: what it is), and
 * is killed.
 */
export async function expectAllEndBySelf(
  started: number[],
  running: (id: number) => boolean,
  kill: (id: number) => void,
  name: (id: number) => string = String,
): Promise<void> {
  try {
    await vi.waitFor(() => expect(started.filter(running).map(name), 'still running after the CLI died').toEqual([]), {
      timeout: 20_000,
      interval: 100,
    });
  } finally {
    for (const id of started.filter(running)) kill(id);
  }
}

/**
 * An `onStdout` that calls `act` once, the first time the run's output shows `when` (to interrupt
 * it at a known point); `acted()` says whether it did, for the test to assert.
 */
export function onceOutputShows(when: string, act: (child: ChildProcess) => void) {
  let acted = false;
  return {
    onStdout: (text: string, child: ChildProcess) => {
      if (acted || !text.includes(when)) return;
      acted = true;
      act(child);
    },
    acted: () => acted,
  };
}

export async function runHarness(args: string[], options: RunOptions = {}): Promise<HarnessRun> {
  const reportsDir = options.reportsDir ?? (await tempDir('cutover-selftest-reports'));
  const env = harnessEnv({ CUTOVER_REPORTS_DIR: reportsDir, ...options.env });
  // Its own process group: the target, the worker and Vitest's fork are killed with it.
  const child = spawn(process.execPath, ['bin/cutover.mjs', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  options.onSpawn?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    options.onStdout?.(stdout, child);
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  const [code, exitSignal] = await untilExit(child, exited, options.signal);
  if (exitSignal === 'SIGKILL') {
    stderr += '\n[run-harness] killed: the test timed out or was cancelled';
    await cleanUpKilledRun(env);
  }
  return readRun(reportsDir, { code, signal: exitSignal, stdout, stderr });
}

/** The env of a harness run: this process's, the self-tests' stack, and `extra`. */
function harnessEnv(extra: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...selfTestStackEnv(), ...extra })) {
    if (v !== undefined) env[k] = v;
  }
  // The self-tests' own Vitest must not leak into the harness's (it would see the wrong config).
  for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k === 'TEST') delete env[k];
  env.NODE_ENV = 'test';
  return env;
}

/**
 * Waits for `exited`; when `signal` (default: the calling test's own, which aborts when the test
 * times out) aborts first, the child's whole process group is killed at once.
 */
async function untilExit<T>(child: ChildProcess, exited: Promise<T>, given?: AbortSignal): Promise<T> {
  const signal = given ?? TestRunner.getCurrentTest()?.context.signal;
  const killGroup = () => killProcessGroup(child);
  signal?.addEventListener('abort', killGroup, { once: true });
  if (signal?.aborted) killGroup();
  try {
    return await exited;
  } finally {
    signal?.removeEventListener('abort', killGroup);
    running.delete(child);
  }
}

/**
 * A killed run cannot drop its database, remove its rehearsal's temp dir or its registration
 * itself: the stack registry knows the first, the dir's owner file the second, and reading the
 * rehearsal registry removes the third (each only once its owner is dead).
 */
async function cleanUpKilledRun(env: Record<string, string>): Promise<void> {
  const server = env.CUTOVER_STACK_DATABASE_URL ?? SELFTEST_SERVER_URL;
  await dropStaleDatabases(server, hostPort(server), () => undefined).catch(() => undefined);
  removeStaleRehearsalDirs();
  liveRehearsals();
}

/** A run's result, from how it ended and what it wrote to its reports dir. */
async function readRun(reportsDir: string, ended: Pick<HarnessRun, 'code' | 'signal' | 'stdout' | 'stderr'>): Promise<HarnessRun> {
  const artifacts: Record<string, string> = {};
  for (const entry of await readdir(reportsDir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isFile()) artifacts[entry.name] = await readFile(path.join(reportsDir, entry.name), 'utf8');
  }
  // The newest of each kind (file names start with the UTC time).
  const pick = (suffix: string) =>
    Object.entries(artifacts)
      .filter(([name]) => name.endsWith(suffix))
      .sort(([a], [b]) => a.localeCompare(b))
      .pop()?.[1] ?? '';
  const json = pick('-go-no-go.json');
  return {
    ...ended,
    reportsDir,
    artifacts,
    run: json ? (JSON.parse(json) as RunResult) : null,
    markdown: pick('-go-no-go.md'),
    junit: pick('-junit.xml'),
  };
}

export interface BatchRun extends HarnessRun {
  /** What the run left in the batch process that would reach its next run (none, or the test fails). */
  leftovers: string[];
}

interface BatchReply {
  id: number;
  code?: number;
  stdout?: string;
  stderr?: string;
  leftovers?: string[];
  error?: string;
}

/**
 * Harness runs in long-lived processes (test/support/harness-batch.mjs), one run at a time in
 * each, as many processes as runs asked for at once. Each run is the prebuilt CLI's own, with a
 * fresh reports dir and rehearsal; only the process, and so the start-up of Vite, Vitest and the
 * SDKs, is shared. A test that times out kills its process's whole group, as runHarness does;
 * the next run gets a new process.
 */
export class HarnessBatch {
  private readonly idle: ChildProcess[] = [];
  private nextId = 0;

  constructor() {
    batches.add(this);
  }

  /** One run, in an idle process of the batch or a new one. */
  run(args: string[], options: Pick<RunOptions, 'env' | 'signal'> = {}): Promise<BatchRun> {
    const idle = this.takeIdle();
    const child = idle.pop() ?? this.spawn();
    this.idle.push(...idle);
    return this.runIn(child, args, options);
  }

  /** The same run in each idle process at once: what a process is like after the runs it made. */
  runInEach(args: string[], options: Pick<RunOptions, 'env' | 'signal'> = {}): Promise<BatchRun[]> {
    return Promise.all(this.takeIdle().map((child) => this.runIn(child, args, options)));
  }

  /** The idle processes still connected (one that died between runs is dropped), taken out of the pool. */
  private takeIdle(): ChildProcess[] {
    return this.idle.splice(0).filter((child) => child.connected);
  }

  /** Ends the idle processes (their IPC channel closes and they exit). */
  close(): void {
    for (const child of this.idle.splice(0)) child.disconnect();
    batches.delete(this);
  }

  private async runIn(child: ChildProcess, args: string[], options: Pick<RunOptions, 'env' | 'signal'>): Promise<BatchRun> {
    const reportsDir = await tempDir('cutover-selftest-reports');
    running.add(child);
    const id = ++this.nextId;
    const ended = new Promise<BatchReply | [number | null, NodeJS.Signals | null]>((resolve) => {
      const onMessage = (reply: BatchReply) => {
        if (reply.id !== id) return;
        child.off('exit', onExit);
        child.off('message', onMessage);
        resolve(reply);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        child.off('message', onMessage);
        resolve([code, signal]);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
    child.send({ id, args, env: { CUTOVER_REPORTS_DIR: reportsDir, ...options.env } });
    const outcome = await untilExit(child, ended, options.signal);
    if (Array.isArray(outcome)) {
      const [code, signal] = outcome;
      if (signal === 'SIGKILL') await cleanUpKilledRun(harnessEnv({ ...options.env }));
      const why = signal === 'SIGKILL' ? 'killed: the test timed out or was cancelled' : `exited (${signal ?? code}) during the run`;
      return { ...(await readRun(reportsDir, { code: null, signal, stdout: '', stderr: `[harness-batch] ${why}` })), leftovers: [] };
    }
    this.idle.push(child);
    const stderr = `${outcome.stderr ?? ''}${outcome.error ? `\n[harness-batch] the run threw: ${outcome.error}` : ''}`;
    const run = await readRun(reportsDir, { code: outcome.code ?? null, signal: null, stdout: outcome.stdout ?? '', stderr });
    return { ...run, leftovers: outcome.leftovers ?? [] };
  }

  private spawn(): ChildProcess {
    // Its own process group, as runHarness's child: the runs' targets and workers go with it.
    return fork(path.join(ROOT, 'test/support/harness-batch.mjs'), [], {
      cwd: ROOT,
      env: harnessEnv({}),
      // Plain node, as bin/cutover.mjs runs: not the flags of the Vitest fork that starts it.
      execArgv: [],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      detached: true,
    });
  }
}

/** One line of context for a failed expectation: the decision and where the run stopped. */
export function summary(run: HarnessRun): string {
  const r = run.run;
  const tail = `${run.stdout.split('\n').slice(-15).join('\n')}\n${run.stderr.split('\n').slice(-15).join('\n')}`;
  if (!r) return `exit ${run.code}, no document; output:\n${tail}`;
  return `exit ${run.code}, ${r.decision}: ${r.reason}\n${r.blocking ? `${r.blocking.check}: ${r.blocking.error.slice(0, 500)}` : ''}\n${tail}`;
}
