/** Where a command writes: the console, or a test's buffers. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const consoleIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Exit codes: 0 GO (or a partial run whose checks all passed), 1 NO-GO, 2 usage/config error. */
export const EXIT = { go: 0, noGo: 1, usage: 2 } as const;
