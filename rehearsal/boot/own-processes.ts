// The operator's backend (--rehearse) as child processes: its server and worker started by the
// config's shell commands, the server restarted on the same port when its env changes.
import { createServer } from 'node:net';
import type { Sections } from '../../lib/config/schema';
import { startChild, type Child } from './child';
import { minimalProcessEnv } from './target-processes';

type Settings = Sections['rehearse'];

export interface OwnProcessOptions {
  dir: string;
  settings: Settings;
  /** The backend's name for its listen port. */
  portName: string;
  log: (line: string) => void;
  signal: AbortSignal;
}

export class OwnBackendProcesses {
  private server: Child | null = null;
  private worker: Child | null = null;
  private port = 0;
  private env: Record<string, string> = {};

  constructor(private readonly opts: OwnProcessOptions) {}

  async start(env: Record<string, string>): Promise<string> {
    this.env = { ...env };
    this.port = await freePort();
    const { worker } = this.opts.settings;
    const [server, started] = await Promise.allSettled([
      this.startServer(),
      worker ? this.spawn('worker', worker.command, worker.readyLine) : Promise.resolve(null),
    ]);
    if (started.status === 'fulfilled') this.worker = started.value;
    if (server.status === 'rejected') throw server.reason;
    if (started.status === 'rejected') throw started.reason;
    if (this.worker) this.opts.log(`worker: pid ${this.worker.pid}`);
    return server.value;
  }

  async restart(changes: Record<string, string>): Promise<string> {
    Object.assign(this.env, changes);
    await this.server?.stop();
    return this.startServer();
  }

  currentFaults(): string {
    return '';
  }

  async stop(): Promise<void> {
    await Promise.all([this.server?.stop(), this.worker?.stop()]);
  }

  private async startServer(): Promise<string> {
    const { server } = this.opts.settings;
    this.server = await this.spawn('target', server!.command, server!.readyLine);
    const url = `http://127.0.0.1:${this.port}`;
    if (!server!.readyLine) await this.waitHealthy(this.server, `${url}${server!.healthPath}`);
    this.opts.log(`target: pid ${this.server.pid}, your backend (${this.opts.dir}), at ${url}`);
    return url;
  }

  private spawn(name: string, command: string, readyLine: string | null): Promise<Child> {
    return startChild({
      name,
      shell: command,
      cwd: this.opts.dir,
      env: { ...minimalProcessEnv(), ...this.env, [this.opts.portName]: String(this.port) },
      readyLine: readyLine ? new RegExp(readyLine) : undefined,
      readyTimeoutMs: this.opts.settings.timeoutSeconds * 1000,
      signal: this.opts.signal,
    });
  }

  /** No ready line configured: the health path answers 200, or the start failed. */
  private async waitHealthy(child: Child, url: string): Promise<void> {
    const deadline = Date.now() + this.opts.settings.timeoutSeconds * 1000;
    while (Date.now() < deadline && !this.opts.signal.aborted) {
      if (child.exited) break;
      const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
        (res) => res.status === 200,
        () => false,
      );
      if (ok) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const why = child.exited ? 'exited before it answered 200 at' : 'did not answer 200 in time at';
    await child.stop(1_000);
    throw new Error(`your backend's server ${why} ${url}; its last output:\n${child.tail()}`);
  }
}

/** A port nothing listens on now, for the backend's server (it must keep it across restarts). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
