// The reference target's server and worker as child processes: started together, the server
// restarted on the same port when the rehearsal changes its env (the platform's "set the
// variable and restart").
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startChild, type Child } from './child';

export interface TargetProcessOptions {
  root: string;
  targetDir: string;
  log: (line: string) => void;
  signal: AbortSignal;
}

export class TargetProcesses {
  private server: Child | null = null;
  private worker: Child | null = null;
  private port = 0;
  private env: Record<string, string> = {};

  constructor(private readonly opts: TargetProcessOptions) {}

  /**
   * Starts the server, and the worker beside it (it needs nothing from the server). Both settle
   * before either error propagates, so the one that came up is stopped with the rest.
   */
  async start(env: Record<string, string>, withWorker: boolean): Promise<string> {
    this.env = { ...env };
    const [server, worker] = await Promise.allSettled([this.startServer(), withWorker ? this.startWorker() : Promise.resolve(null)]);
    if (worker.status === 'fulfilled') this.worker = worker.value;
    if (server.status === 'rejected') throw server.reason;
    if (worker.status === 'rejected') throw worker.reason;
    if (this.worker) this.opts.log(`worker: pid ${this.worker.pid}`);
    this.port = Number(new URL(server.value).port);
    return server.value;
  }

  /** The server again with these env changes, on the same port; the worker keeps running. */
  async restart(changes: Record<string, string>): Promise<string> {
    Object.assign(this.env, changes);
    await this.server?.stop();
    return this.startServer();
  }

  /** Switches in TARGET_FAULTS now, besides those it started with. */
  currentFaults(): string {
    return this.env.TARGET_FAULTS ?? '';
  }

  async stop(): Promise<void> {
    await Promise.all([this.server?.stop(), this.worker?.stop()]);
  }

  private async startServer(): Promise<string> {
    this.server = await startChild({
      name: 'target',
      entry: this.entry('main'),
      cwd: this.opts.root,
      env: { ...minimalProcessEnv(), ...this.env, PORT: String(this.port) },
      readyLine: /target listening on (http:\/\/\S+)/,
      readyTimeoutMs: 30_000,
      signal: this.opts.signal,
    });
    this.opts.log(`target: pid ${this.server.pid}, ${this.env.NODE_ENV} mode, at ${this.server.ready[1]}`);
    return this.server.ready[1]!;
  }

  private startWorker(): Promise<Child> {
    return startChild({
      name: 'worker',
      entry: this.entry('worker'),
      cwd: this.opts.root,
      env: { ...minimalProcessEnv(), ...this.env },
      readyLine: /worker started/,
      readyTimeoutMs: 30_000,
      signal: this.opts.signal,
    });
  }

  /**
   * Prebuilt beside this module when the CLI runs from dist/ (plain node starts them in a
   * fraction of tsx's time, and a fault rehearsal starts the server up to three times), else
   * their sources through tsx.
   */
  private entry(name: 'main' | 'worker'): string {
    const prebuilt = path.join(import.meta.dirname, `target-${name}.mjs`);
    return existsSync(prebuilt) ? prebuilt : path.join(this.opts.targetDir, `${name}.ts`);
  }
}

/**
 * The children get PATH and friends, not the harness's own environment (its secrets, its config).
 * How the runtime is tuned (node's options, glibc's malloc) passes through.
 */
export function minimalProcessEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'NODE_OPTIONS', 'GLIBC_TUNABLES'];
  return Object.fromEntries(keep.filter((k) => process.env[k]).map((k) => [k, process.env[k]!]));
}
