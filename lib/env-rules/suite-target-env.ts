import type { Sections } from '../config/schema';
import type { Redactor } from '../secrets/redactor';
import { loadTargetEnv, type TargetEnv } from './target-env';

/**
 * The target's env for the suites (the `targetEnv` worker fixture, read once per run); its
 * secret values join the redactor before anything can be recorded.
 */
export function targetEnvFor(sections: Sections, redactor: Redactor): TargetEnv {
  const env = loadTargetEnv(sections);
  redactor.add(...env.secrets);
  return env;
}

/** The env or a thrown error naming every unreadable line of the snapshot. */
export function readableTargetEnv(env: TargetEnv): TargetEnv {
  if (env.problems.length) throw new Error(`${env.source} cannot be read: ${env.problems.join('; ')}`);
  return env;
}
