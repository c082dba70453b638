import { progressLine } from '../progress';

/**
 * migrate deploy's progress from its log: the engine names each migration as it starts it
 * ("Applying migration `…`"), so the ones before it are done. Undefined for any other line.
 */
export function deployProgress(pending: number, now: () => number = Date.now): (line: string) => string | undefined {
  const since = now();
  let started = 0;
  return (line) => {
    const applying = /^Applying migration (.+)$/.exec(line);
    if (!applying) return undefined;
    return `migrate deploy: ${progressLine(started++, pending, now() - since)} done; applying ${applying[1]}`;
  };
}
