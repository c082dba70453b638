import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PoolOptions, PoolRunnerInitializer, ThreadsPoolWorker } from 'vitest/node';
import { PROJECT_ROOT } from '../project-root';
import { SUITE_PACKAGES } from '../suite-packages';

const ENTRY = path.join(PROJECT_ROOT, 'lib/runner/suite-thread.mjs');

/** Vitest's pool for the suites: its threads pool, with the thread started ahead (SuiteThread). */
const SUITE_POOL = 'cutover-threads';

/**
 * The suites' worker thread, started as the session prepares Vitest instead of once Vitest has
 * loaded and been created (about half a second later): Vitest's worker runtime and the steps'
 * largest packages load on the second core meanwhile (lib/runner/suite-thread.mjs). Vitest adopts it for the
 * run's first worker; one it does not adopt (the run ended first, or Vitest wants other node
 * flags) is ended by dispose().
 */
export class SuiteThread {
  private thread: Worker | undefined;
  /** A thread that failed or ended before adoption is dropped: Vitest then starts one of its own. */
  private readonly drop = () => void this.dispose();

  /**
   * Started, or undefined where a thread cannot start (node refuses the flags, no resources
   * left): starting it ahead only saves time, so a run goes on without it.
   */
  static start(execArgv: string[]): SuiteThread | undefined {
    try {
      return new SuiteThread(execArgv);
    } catch {
      return undefined;
    }
  }

  /** `execArgv`: the node flags Vitest will ask of its workers (expectedExecArgv). */
  private constructor(private readonly execArgv: string[]) {
    this.thread = new Worker(ENTRY, { execArgv, stdout: true, stderr: true, workerData: { preload: SUITE_PACKAGES } });
    // Idle until adopted: it must not keep a run that ends early alive.
    this.thread.unref();
    this.thread.once('error', this.drop).once('exit', this.drop);
  }

  /** The started thread, once, if it was started with these node flags; from then on Vitest's. */
  take(execArgv: readonly string[]): Worker | undefined {
    const thread = this.thread;
    if (!thread || execArgv.join('\0') !== this.execArgv.join('\0')) return undefined;
    this.thread = undefined;
    thread.off('error', this.drop).off('exit', this.drop);
    thread.ref();
    return thread;
  }

  async dispose(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    await thread?.terminate();
  }
}

/**
 * The node flags Vitest 4 gives a threads worker (resolveOptions and resolveConditions in its
 * pool): the profiler's flags the CLI itself runs with, import.meta.resolve, its warning filter,
 * and Vite's resolve conditions. Should Vitest ask for others, the started thread is not adopted:
 * a run is then as before, never wrong.
 */
export function expectedExecArgv(): string[] {
  const suppressWarnings = path.join(path.dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'suppress-warnings.cjs');
  return [
    ...process.execArgv.filter((a) => a.startsWith('--cpu-prof') || a.startsWith('--heap-prof') || a.startsWith('--diagnostic-dir')),
    '--experimental-import-meta-resolve',
    '--require',
    suppressWarnings,
    // Vite's default SSR conditions; Vitest runs Vite in development unless NODE_ENV says production.
    '--conditions',
    'node',
    '--conditions',
    process.env.NODE_ENV === 'production' ? 'production' : 'development',
  ];
}

/** The `pool` for Vitest's config: its own threads worker, which adopts `thread` when it can. */
export function suitePool(Threads: typeof ThreadsPoolWorker, thread: SuiteThread | undefined): PoolRunnerInitializer {
  class AdoptingWorker extends Threads {
    override readonly name = SUITE_POOL;
    override async start(): Promise<void> {
      // ThreadsPoolWorker keeps its thread in `_thread` and creates one only when it has none.
      const self = this as unknown as { _thread?: Worker; env: NodeJS.ProcessEnv; execArgv: string[] };
      const adopted = self._thread ? undefined : thread?.take(self.execArgv);
      if (adopted) {
        adopted.postMessage({ cutoverSuiteThreadEnv: self.env });
        self._thread = adopted;
      }
      return super.start();
    }
  }
  return { name: SUITE_POOL, createPoolWorker: (options: PoolOptions) => new AdoptingWorker(options) };
}
