import { spawn } from 'node:child_process';

export interface ShellResult {
  /** Exit code; null when it was killed (timeout) or could not start. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they arrived, as an operator would have seen them. */
  output: string;
  timedOut: boolean;
  /** Stopped by the caller's signal (its process group sent SIGTERM, SIGKILL after a grace). */
  stopped?: boolean;
  /** Why it could not start at all (no shell, bad cwd). */
  spawnError?: string;
}

export interface ShellOptions {
  timeoutMs: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Output kept per stream; the rest is dropped with a marker, so a chatty command cannot eat memory. */
  maxOutputBytes?: number;
  /** Stops the command (its whole process group) as a timeout would: an operator's Ctrl-C or SIGTERM. */
  signal?: AbortSignal;
  /** Each line of its output (stdout or stderr) as it arrives, for a console to follow. */
  onLine?: (line: string) => void;
}

const KILL_GRACE_MS = 5_000;

/**
 * The shell the command runs under. Its own process group does not get the signals that end
 * this process, so its stdin is a pipe from this process that is never written: when this
 * process ends in any way (a forced stop, a crash, even SIGKILL where no handler of ours runs),
 * the pipe reaches end-of-file and the watcher kills the command's whole process group. Without
 * it a deploy command outlived a kill -9'd CLI, changing the database unwatched after the
 * advisory lock that kept a second deploy out had gone with the CLI's session. When the command
 * has ended, closing the pipe ends what it left running in its group the same way. Otherwise
 * the command runs as before: the wrapper execs `sh -c <command>`, which gets /dev/null as its
 * stdin and the signals sent to the group. Not `setpriv --pdeathsig`, as the rehearsal's
 * servers use: that needs util-linux, signals only the process it wraps, and fires when the
 * spawning thread ends (a deploy runs in the suites' worker thread), not the process.
 */
const LIFELINE = [
  'exec 3<&0 0</dev/null',
  // A background job's stdin is /dev/null, so the watcher reads the pipe through fd 3.
  '( trap "" TERM INT HUP; read -r _ <&3; kill -KILL 0 ) >/dev/null 2>&1 &',
  'exec 3<&-',
  'exec sh -c "$1"',
].join('\n');

/**
 * Runs an operator-configured shell command (a platform CLI, `npx prisma migrate deploy`) with a
 * deadline. It runs in its own process group so a timeout also stops what it started (npx
 * spawns children that would otherwise outlive it). Never rejects: the caller decides.
 */
export function runShell(command: string, opts: ShellOptions): Promise<ShellResult> {
  const max = opts.maxOutputBytes ?? 1024 * 1024;
  return new Promise((resolve) => {
    const chunks = { stdout: [] as string[], stderr: [] as string[], output: [] as string[] };
    const sizes = { stdout: 0, stderr: 0 };
    let timedOut = false;
    let settled = false;
    const child = spawn('sh', ['-c', LIFELINE, 'cutover-command', command], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    // Never written; the command's end closes it (see LIFELINE), which ends whatever it left in its group.
    child.stdin.on('error', () => undefined);
    const partial = { stdout: '', stderr: '' };
    const follow = (stream: 'stdout' | 'stderr', text: string) => {
      if (!opts.onLine) return;
      const lines = (partial[stream] + text).split('\n');
      partial[stream] = lines.pop()!;
      for (const line of lines) opts.onLine(line);
    };
    const collect = (stream: 'stdout' | 'stderr') => (data: Buffer) => {
      const chunk = data.toString('utf8');
      follow(stream, chunk);
      if (sizes[stream] >= max) return;
      const text = chunk.slice(0, max - sizes[stream]);
      sizes[stream] += text.length;
      chunks[stream].push(text);
      chunks.output.push(text);
      if (sizes[stream] >= max) chunks.output.push(`\n… (${stream} cut at ${max} bytes)\n`);
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    let killTimer: NodeJS.Timeout | undefined;
    const stopGroup = () => {
      killGroup('SIGTERM');
      killTimer ??= setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stopGroup();
    }, opts.timeoutMs);
    let stopped = false;
    const onAbort = () => {
      stopped = true;
      stopGroup();
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (code: number | null, spawnError?: string) => {
      if (settled) return;
      settled = true;
      for (const rest of [partial.stdout, partial.stderr]) if (rest) opts.onLine?.(rest);
      clearTimeout(timer);
      clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      child.stdin.destroy();
      resolve({
        code: timedOut || stopped ? null : code,
        stdout: chunks.stdout.join(''),
        stderr: chunks.stderr.join(''),
        output: chunks.output.join(''),
        timedOut,
        ...(stopped && !timedOut ? { stopped } : {}),
        spawnError,
      });
    };
    child.on('error', (err) => finish(null, err.message));
    child.on('close', (code) => finish(code));
  });
}

/** One line saying how a command ended, for error messages. */
export function describeShellEnd(what: string, result: ShellResult, timeoutMs: number): string {
  if (result.spawnError) return `${what} could not start: ${result.spawnError}`;
  if (result.timedOut) return `${what} did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped`;
  if (result.stopped) return `${what} was stopped (interrupted)`;
  return `${what} exited with code ${result.code}`;
}
