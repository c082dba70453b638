import type { EnvName } from '../config/schema';
import { owningRehearsal } from './rehearsal-registry';
import { describeResources, type Resources } from './resources';

export interface Permission {
  /** Why it may not; empty means it may. One line each, each ending "nothing was changed". */
  problems: string[];
  /** Why it may, for the confirmation line and the audit entry. */
  because: string;
}

/**
 * The one rule every mutation passes: the operator typed the environment's name again
 * (--confirm=<env>), or, in local, every resource it touches is one a running local rehearsal
 * started (rehearsals.ts). Whatever DATABASE_URL and friends hold, nothing else changes unasked.
 */
export function mutationPermission(env: EnvName, confirm: string | undefined, what: string, touches: Resources): Permission {
  if (confirm !== undefined) {
    if (confirm !== env) return { problems: [`--confirm=${confirm} does not match --env=${env}; nothing was changed`], because: '' };
    return { problems: [], because: `confirmed with --confirm=${env}` };
  }
  if (env !== 'local') return { problems: [`refusing to ${what} on ${env} without --confirm=${env}; nothing was changed`], because: '' };
  const owner = owningRehearsal(touches);
  if (owner) return { problems: [], because: `started by the running local rehearsal (pid ${owner.pid})` };
  const foreign = describeResources(touches);
  return {
    problems: [
      `refusing to ${what} without --confirm=local: ${foreign} is not something a running local rehearsal started; nothing was changed`,
    ],
    because: '',
  };
}

export function confirmProblems(env: EnvName, confirm: string | undefined, what: string, touches: Resources): string[] {
  return mutationPermission(env, confirm, what, touches).problems;
}
