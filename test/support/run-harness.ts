import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, TestRunner } from 'vitest';
import { hostPort } from '../../rehearsal/stack/util';
import { dropStaleDatabases } from '../../rehearsal/stack/external';
import type { RunResult } from '../../reporters/model';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The timeout of a test that runs one rehearsal, and so that rehearsal's deadline (runHarness
 * follows the test's signal). A rehearsal takes about a tenth of it on 2 busy cores.
 */
export const REHEARSAL_TIMEOUT_MS = 180_000;

const created: string[] = [];
const running = new Set<ChildProcess>();
// Each test file gets its own copy of this module: its runs and temp dirs end with the file.
afterAll(async () => {
  for (const child of running) killProcessGroup(child);
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

export async function runHarness(args: string[], options: RunOptions = {}): Promise<HarnessRun> {
  const reportsDir = options.reportsDir ?? (await tempDir('cutover-selftest-reports'));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...selfTestStackEnv(), CUTOVER_REPORTS_DIR: reportsDir, ...options.env })) {
    if (v !== undefined) env[k] = v;
  }
  // The self-tests' own Vitest must not leak into the harness's (it would see the wrong config).
  for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k === 'TEST') delete env[k];
  env.NODE_ENV = 'test';
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
  const signal = options.signal ?? TestRunner.getCurrentTest()?.context.signal;
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  const killGroup = () => killProcessGroup(child);
  signal?.addEventListener('abort', killGroup, { once: true });
  if (signal?.aborted) killGroup();
  const [code, exitSignal] = await exited;
  signal?.removeEventListener('abort', killGroup);
  running.delete(child);
  if (exitSignal === 'SIGKILL') {
    stderr += '\n[run-harness] killed: the test timed out or was cancelled';
    // A killed run cannot drop its database or temp dirs itself; the stack registry knows them.
    const server = env.CUTOVER_STACK_DATABASE_URL ?? SELFTEST_SERVER_URL;
    await dropStaleDatabases(server, hostPort(server), () => undefined).catch(() => undefined);
  }

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
    code,
    signal: exitSignal,
    stdout,
    stderr,
    reportsDir,
    artifacts,
    run: json ? (JSON.parse(json) as RunResult) : null,
    markdown: pick('-go-no-go.md'),
    junit: pick('-junit.xml'),
  };
}

/** One line of context for a failed expectation: the decision and where the run stopped. */
export function summary(run: HarnessRun): string {
  const r = run.run;
  const tail = `${run.stdout.split('\n').slice(-15).join('\n')}\n${run.stderr.split('\n').slice(-15).join('\n')}`;
  if (!r) return `exit ${run.code}, no document; output:\n${tail}`;
  return `exit ${run.code}, ${r.decision}: ${r.reason}\n${r.blocking ? `${r.blocking.check}: ${r.blocking.error.slice(0, 500)}` : ''}\n${tail}`;
}
