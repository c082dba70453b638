import type { HarnessContext } from '../context';
import { redactor } from '../suite';
import { loadTargetEnv, type TargetEnv } from './target-env';

let cached: { key: string; env: TargetEnv } | undefined;

/**
 * The target's env for the suites, read once per run; its secret values join the redactor
 * before anything can be recorded.
 */
export function targetEnvFor(harness: HarnessContext): TargetEnv {
  const key = `${harness.runId}|${harness.sections.env.snapshotFile ?? ''}`;
  if (cached?.key !== key) {
    const env = loadTargetEnv(harness.sections);
    for (const secret of env.secrets) redactor().add(secret);
    cached = { key, env };
  }
  return cached.env;
}

/** The env or a thrown error naming every unreadable line of the snapshot. */
export function readableTargetEnv(harness: HarnessContext): TargetEnv {
  const env = targetEnvFor(harness);
  if (env.problems.length) throw new Error(`${env.source} cannot be read: ${env.problems.join('; ')}`);
  return env;
}
