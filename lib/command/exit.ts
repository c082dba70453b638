/**
 * The exit codes of `cutover` and every guarded script: 0 GO or done (or a partial run whose
 * checks all passed), 1 NO-GO or failed, 2 bad input, bad configuration or refused (nothing changed).
 */
export const EXIT = { ok: 0, failed: 1, refused: 2 } as const;

/** Where a command writes: the console, or a test's buffers. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const consoleIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
