import { COMMON_FLAGS } from '../command/common-flags';
import type { Invocation } from '../command/hint';
import { flagUsage, flagValue, parseFlags, type FlagSpecs } from '../command/flags';
import type { EnvName } from '../config/schema';

export interface ScriptSpec {
  /** npm script name, e.g. "migrate:attachments". */
  name: string;
  summary: string;
  /** The script's own flags, besides the common ones (lib/command/common-flags.ts). */
  flags: FlagSpecs;
}

export interface ScriptArgs {
  env: EnvName;
  confirm?: string;
  sha?: string;
  owner?: string;
  config: string;
  help: boolean;
  /** The script's own value flags, by name. */
  values: Record<string, string>;
  booleans: Set<string>;
}

export function scriptUsage(spec: ScriptSpec): string {
  return `usage: npm run ${spec.name} -- [flags]\n${spec.summary}\n\n${flagUsage({ ...spec.flags, ...COMMON_FLAGS })}\n\nExit codes: 0 done, 1 failed, 2 refused or bad input (nothing changed).`;
}

/** `=` form only, like the backend's own scripts: a stray value is an error, not a guess. */
export function parseScriptArgs(argv: readonly string[], spec: ScriptSpec): { args?: ScriptArgs; problems: string[] } {
  const flags = parseFlags(argv, { ...spec.flags, ...COMMON_FLAGS }, { equalsOnly: true });
  if (flags.problems.length) return { problems: flags.problems };
  const values: Record<string, string> = {};
  for (const name of Object.keys(spec.flags)) {
    const value = flagValue(flags, name);
    if (value !== undefined) values[name] = value;
  }
  const one = (name: keyof typeof COMMON_FLAGS) => flagValue(flags, name);
  return {
    problems: [],
    args: {
      env: (one('env') ?? '') as EnvName,
      confirm: one('confirm'),
      sha: one('sha'),
      owner: one('owner'),
      config: one('config')!,
      help: flags.booleans.has('help'),
      values,
      booleans: flags.booleans,
    },
  };
}

/** The flags a script's printed hints repeat, as it was given them. */
export function invocationOf(args: ScriptArgs): Invocation {
  return { env: args.env, config: args.config, sha: args.sha, baseUrl: args.values['base-url'] };
}
