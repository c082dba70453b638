import picocolors from 'picocolors';
import type { Decision } from './model';

export type Colours = ReturnType<typeof picocolors.createColors>;

/**
 * Colour on a terminal only, so a CI log or a piped file stays plain text. NO_COLOR (any
 * non-empty value, no-color.org) turns it off; FORCE_COLOR turns it on, except 0 or false, the
 * way Node and Vitest read it. picocolors' own default would take FORCE_COLOR=0 as on.
 */
export function colourWanted(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return !['0', 'false'].includes(env.FORCE_COLOR);
  return isTTY && env.TERM !== 'dumb';
}

export function colours(env: NodeJS.ProcessEnv = process.env, isTTY = process.stdout.isTTY === true): Colours {
  return picocolors.createColors(colourWanted(env, isTTY));
}

export function colourDecision(decision: Decision, c: Colours): string {
  return c.bold(decision === 'GO' ? c.green(decision) : decision === 'NO-GO' ? c.red(decision) : c.yellow(decision));
}
