import { ENV_NAMES } from '../config/env-names';
import { shaProblem } from './defaults';
import type { FlagSpec, FlagSpecs } from './flags';
import { baseUrlFlagProblem } from './identity';

/** The flags `cutover` and every guarded script share, with the same checks and the same words. */
export const COMMON_FLAGS = {
  env: {
    kind: 'value',
    help: 'local | staging | prod (required: there is no default)',
    choices: ENV_NAMES,
    // An operator who exported prod's DATABASE_URL must not change it by omission.
    required: 'the guarded scripts have no default environment',
  },
  confirm: { kind: 'value', help: "the environment name again; required to change anything but a running rehearsal's own" },
  sha: { kind: 'value', help: 'the RC commit SHA (prod: must equal the deployed build)', check: shaProblem },
  owner: { kind: 'value', help: 'who runs it, for the audit log (default: $CUTOVER_OWNER, git user, OS user)' },
  config: { kind: 'value', help: 'configuration file (default: cutover.config.ts)', default: 'cutover.config.ts' },
  help: { kind: 'boolean', help: 'this text', short: 'h' },
} as const satisfies FlagSpecs;

export const BASE_URL_FLAG: FlagSpec = {
  kind: 'value',
  help: "the target's base URL (default: the environment's)",
  check: baseUrlFlagProblem,
};
