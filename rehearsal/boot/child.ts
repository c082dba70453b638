import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { diesWithThisProcess } from '../stack/util';

const require = createRequire(import.meta.url);

export interface ChildOptions {
  name: string;
  /** A prebuilt .mjs entry, run by plain node; or a TypeScript one, run with tsx's loader. */
  entry?: string;
  /** Or a shell command (an operator's backend, --rehearse), run in its own process group so it stops whole. */
  shell?: string;
  cwd: string;
  env: Record<string, string>;
  /** Resolves once a stdout line matches; the match is returned. Without it, resolves once spawned (the caller polls). */
  readyLine?: RegExp;
  readyTimeoutMs: number;
  /** Receives every output line (already prefixed), for a log file. */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

export interface Child {
  name: string;
  pid: number;
  ready: RegExpMatchArray;
  /** SIGTERM, then SIGKILL if it has not exited within the grace period. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  exited: boolean;
  /** Last lines of output, for error messages when it dies. */
  tail(): string;
}

/**
 * Starts a rehearsal process (target, worker) and waits for its ready line. A process that
 * exits or stays silent past the deadline is an error carrying its last output lines.
 */
export async function startChild(opts: ChildOptions): Promise<Child> {
  // The reference target dies with the CLI, as the stack's servers do: a CLI killed outright
  // (SIGKILL, a crash on a closed stdout) stops nothing itself, and an idle server never
  // notices its log pipe is gone. An operator's backend too, with all it started.
  const [file, args] = opts.shell
    ? diesWithThisProcess('/bin/sh', ['-c', groupEndsWithShell(opts.shell)])
    : diesWithThisProcess(process.execPath, [...loaderFor(opts.entry!), opts.entry!]);
  const proc: ChildProcess = spawn(file, args, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: Boolean(opts.shell),
  });
  const signal = (name: NodeJS.Signals) => {
    try {
      // SIGTERM to an operator's shell reaches its whole group once, through its trap.
      if (opts.shell && name === 'SIGKILL') process.kill(-proc.pid!, name);
      else proc.kill(name);
    } catch {
      // Already gone.
    }
  };
  const lines: string[] = [];
  let exited = false;
  const exitPromise = new Promise<void>((resolve) =>
    proc.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const record = (stream: 'out' | 'err') => (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      lines.push(line);
      if (lines.length > 40) lines.shift();
      opts.onLine?.(`[${opts.name}${stream === 'err' ? '!' : ''}] ${line}`);
    }
  };
  proc.stdout!.on('data', record('out'));
  proc.stderr!.on('data', record('err'));
  const tail = () => lines.slice(-12).join('\n');

  const stop = async (graceMs = 5_000) => {
    if (exited || proc.exitCode !== null) return;
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), graceMs);
    await exitPromise;
    clearTimeout(timer);
  };

  const readyLine = opts.readyLine;
  const ready = await new Promise<RegExpMatchArray>((resolve, reject) => {
    if (!readyLine) {
      resolve(Object.assign([''], { index: 0, input: '' }) as RegExpMatchArray);
      return;
    }
    const timer = setTimeout(() => fail(`${opts.name} did not become ready within ${opts.readyTimeoutMs} ms`), opts.readyTimeoutMs);
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        const match = readyLine.exec(line);
        if (match) {
          cleanup();
          resolve(match);
        }
      }
    };
    const onExit = (code: number | null) => fail(`${opts.name} exited (code ${code}) before it was ready`);
    const onAbort = () => fail(`${opts.name} start was interrupted`);
    function cleanup() {
      clearTimeout(timer);
      proc.stdout!.off('data', onData);
      proc.off('exit', onExit);
      opts.signal?.removeEventListener('abort', onAbort);
    }
    function fail(message: string) {
      cleanup();
      void stop(1_000).then(() => reject(new Error(`${message}; its last output:\n${tail()}`)));
    }
    proc.stdout!.on('data', onData);
    proc.once('exit', onExit);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });

  return {
    name: opts.name,
    pid: proc.pid!,
    ready,
    stop,
    get exited() {
      return exited;
    },
    tail,
  };
}

/**
 * An operator's command (`npm start`, say) often runs the server as a child of a child: a signal
 * to its shell alone would leave those running. Run in the background of a shell that, on
 * SIGTERM (the harness's stop, or the kernel's when the CLI dies outright), sends it once to
 * its whole process group, and that otherwise ends with the command's exit status.
 */
function groupEndsWithShell(command: string): string {
  return `trap 'trap - TERM; kill -TERM 0' TERM\n{ ${command}\n} &\nwait $!\n`;
}

function loaderFor(entry: string): string[] {
  return entry.endsWith('.mjs')
    ? []
    : ['--import', pathToImport(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist/loader.mjs'))];
}

function pathToImport(file: string): string {
  return new URL(`file://${file}`).href;
}
