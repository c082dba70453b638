import { progressLine } from '../progress';

/**
 * migrate deploy's progress from its log: the engine names each migration as it starts it
 * ("Applying migration `…`"), so the ones before it are done; a lock it waits for is said as it
 * is. Undefined for any other line.
 */
export function deployProgress(pending: number, now: () => number = Date.now): (line: string) => string | undefined {
  const since = now();
  let started = 0;
  return (line) => {
    // Said while a migration waits on another session's lock: the operator may have to act.
    if (/^migrate deploy: .* waits for a lock /.test(line)) return line;
    const applying = /^Applying migration (.+)$/.exec(line);
    if (!applying) return undefined;
    return `migrate deploy: ${progressLine(started++, pending, now() - since)} done; applying ${applying[1]}`;
  };
}
