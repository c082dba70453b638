import { execFileSync } from 'node:child_process';
import os from 'node:os';

function gitOutput(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 }).trim() || null;
  } catch {
    return null;
  }
}

/** Who runs it, for the audit log and the document: $CUTOVER_OWNER, the git user, the OS user. */
export function defaultOwner(root: string): string {
  return process.env.CUTOVER_OWNER || gitOutput(['config', 'user.name'], root) || os.userInfo().username;
}

/**
 * The RC commit: --sha, lower-cased; in the rehearsal (where the "deployed build" is this
 * checkout) HEAD; elsewhere the operator must say.
 */
export function defaultSha(explicit: string | undefined, checkoutIsDeployed: boolean, root: string): string | null {
  if (explicit) return explicit.toLowerCase();
  return checkoutIsDeployed ? gitOutput(['rev-parse', 'HEAD'], root) : null;
}

export function shaProblem(value: string): string | undefined {
  return /^[0-9a-f]{7,40}$/i.test(value) ? undefined : 'must be a git commit SHA (7 to 40 hex characters)';
}
