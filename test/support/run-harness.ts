import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import type { RunResult } from '../../reporters/model';

export const ROOT = path.resolve(import.meta.dirname, '../..');

const created: string[] = [];
// Each test file gets its own copy of this module: its temp dirs go when the file is done.
afterAll(async () => {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

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
  timeoutMs?: number;
  /** Called with the child once spawned (to send it a signal, say). */
  onSpawn?: (child: ChildProcess) => void;
  /** Called for each stdout chunk as it arrives. */
  onStdout?: (text: string, child: ChildProcess) => void;
}

/**
 * Self-tests run the harness the way a user does, as `npm test -- ...` would: a separate
 * process, its own reports dir. Rehearsals use the machine's Postgres and Redis (the external
 * stack provider, as in CI) unless CUTOVER_STACK says otherwise.
 */
export function selfTestStackEnv(): Record<string, string> {
  if (process.env.CUTOVER_STACK) return {};
  return {
    CUTOVER_STACK: 'external',
    CUTOVER_STACK_DATABASE_URL: process.env.CUTOVER_SELFTEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
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
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cutover.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  options.onSpawn?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    options.onStdout?.(stdout, child);
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timeoutMs = options.timeoutMs ?? 240_000;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  if (signal === 'SIGKILL') stderr += `\n[run-harness] killed after ${timeoutMs} ms`;

  const artifacts: Record<string, string> = {};
  for (const entry of await readdir(reportsDir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isFile()) artifacts[entry.name] = await readFile(path.join(reportsDir, entry.name), 'utf8');
  }
  // The newest of each kind (file names start with the UTC time).
  const pick = (suffix: string) => Object.entries(artifacts).filter(([name]) => name.endsWith(suffix)).sort(([a], [b]) => a.localeCompare(b)).pop()?.[1] ?? '';
  const json = pick('-go-no-go.json');
  return {
    code,
    signal,
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
