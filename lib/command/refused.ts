import type { Resources } from './resources';

/**
 * A guard said no before anything changed: one line per reason. The scripts exit 2 on it and
 * audit it; the steps report it as the check's failure. Thrown by the command frame and by the
 * guarded operations themselves (deploy, attachment migration), so one catch serves them all.
 */
export class Refused extends Error {
  constructor(
    readonly problems: string[],
    readonly touches?: Resources,
  ) {
    super(problems.join('; '));
  }
}
