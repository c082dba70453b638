/**
 * The exit codes of `cutover` and every guarded script: 0 GO or done (or a partial run whose
 * checks all passed), 1 NO-GO or failed, 2 bad input, bad configuration or refused (nothing changed).
 */
export const EXIT = { ok: 0, failed: 1, refused: 2 } as const;

/**
 * After the first Ctrl-C, further signals within this window are absorbed: a terminal's repeated
 * Ctrl-C, a process group's signal and a wrapper's resend all arrive at once, and what the first
 * one started (the NO-GO document, a migration being applied) must still finish. A signal after
 * it forces the end.
 */
export const FORCE_AFTER_MS = 10_000;

/** Where a command writes: the console, or a test's buffers. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

const closed = new Set<NodeJS.WriteStream>();
let watching = false;

/**
 * A console whose reader has gone (output piped into `head`, a `tee` that was killed) is a
 * hang-up: the process gets SIGHUP, once, and ends as a closed terminal would end it (a run
 * stops and writes its NO-GO document, a script records the end in the audit log). Output to
 * the closed stream is dropped from then on. Unwatched, the first write after it crashed the
 * process (an unhandled EPIPE): no document, the audit entry never ended. Called by the CLI's
 * and the guarded scripts' frames before their first line.
 */
export function watchConsole(): void {
  if (watching) return;
  watching = true;
  for (const stream of [process.stdout, process.stderr]) stream.on('error', onClosed);
}

function onClosed(this: NodeJS.WriteStream): void {
  const first = closed.size === 0;
  closed.add(this);
  if (first) process.kill(process.pid, 'SIGHUP');
}

/** Whether the console's output or error stream was closed by its reader (see watchConsole). */
export function consoleClosed(): boolean {
  return closed.size > 0;
}

function write(stream: NodeJS.WriteStream, line: string): void {
  if (!closed.has(stream)) stream.write(`${line}\n`);
}

export const consoleIo: Io = {
  out: (line) => write(process.stdout, line),
  err: (line) => write(process.stderr, line),
};
