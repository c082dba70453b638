import { httpUrlProblem } from '../cli/args';
import { ENV_NAMES, type EnvName } from '../config/schema';

export interface ScriptSpec {
  /** npm script name, e.g. "migrate:attachments". */
  name: string;
  summary: string;
  /** Extra flags: name -> 'boolean' | 'value', with a one-line description. */
  flags: Record<string, { kind: 'boolean' | 'value'; help: string }>;
}

export interface ScriptArgs {
  env: EnvName;
  confirm?: string;
  sha?: string;
  owner?: string;
  config: string;
  help: boolean;
  values: Record<string, string>;
  booleans: Set<string>;
}

const COMMON: ScriptSpec['flags'] = {
  env: { kind: 'value', help: 'local | staging | prod (required: there is no default)' },
  confirm: { kind: 'value', help: "the environment name again; required to change anything but a running rehearsal's own" },
  sha: { kind: 'value', help: 'the RC commit SHA (prod: must equal the deployed build)' },
  owner: { kind: 'value', help: 'who runs it, for the audit log (default: $CUTOVER_OWNER, git user, OS user)' },
  config: { kind: 'value', help: 'configuration file (default: cutover.config.ts)' },
  help: { kind: 'boolean', help: 'this text' },
};

export function scriptUsage(spec: ScriptSpec): string {
  const flags = { ...spec.flags, ...COMMON };
  const lines = Object.entries(flags).map(([name, f]) => `  --${name}${f.kind === 'value' ? '=<value>' : ''}`.padEnd(30) + f.help);
  return `usage: npm run ${spec.name} -- [flags]\n${spec.summary}\n\n${lines.join('\n')}\n\nExit codes: 0 done, 1 failed, 2 refused or bad input (nothing changed).`;
}

/** `=` form only, like the backend's own scripts: a stray value is an error, not a guess. */
export function parseScriptArgs(argv: readonly string[], spec: ScriptSpec): { args?: ScriptArgs; problems: string[] } {
  const flags = { ...spec.flags, ...COMMON };
  const problems: string[] = [];
  const values: Record<string, string> = {};
  const booleans = new Set<string>();
  for (const arg of argv) {
    const match = /^--([a-z][\w-]*)(?:=(.*))?$/s.exec(arg);
    const flag = match && flags[match[1]!];
    if (!match || !flag) {
      problems.push(`unknown argument "${arg.split('=')[0]}"`);
      continue;
    }
    const [, name, value] = match as unknown as [string, string, string | undefined];
    if (flag.kind === 'boolean') {
      if (value !== undefined) problems.push(`--${name} takes no value`);
      booleans.add(name);
    } else if (value === undefined || value === '') problems.push(`--${name} needs a value (--${name}=...)`);
    else values[name] = value;
  }
  // No default: an operator who exported prod's DATABASE_URL must not change it by omission.
  const env = values.env ?? '';
  if (!booleans.has('help')) {
    if (values.env === undefined) problems.push(`--env is required (${ENV_NAMES.join(', ')}): the guarded scripts have no default environment`);
    else if (!(ENV_NAMES as readonly string[]).includes(env)) problems.push(`--env: "${env}" is not one of ${ENV_NAMES.join(', ')}`);
  }
  const baseUrlProblem = values['base-url'] === undefined ? undefined : httpUrlProblem(values['base-url']);
  if (baseUrlProblem) problems.push(`--base-url: ${baseUrlProblem}; give an http(s) URL such as https://api.example.com`);
  if (values.sha !== undefined && !/^[0-9a-f]{7,40}$/i.test(values.sha)) problems.push('--sha: must be a git commit SHA (7 to 40 hex characters)');
  if (problems.length) return { problems };
  const { env: _e, confirm, sha, owner, config, ...rest } = values;
  return {
    problems,
    args: { env: env as EnvName, confirm, sha, owner, config: config ?? 'cutover.config.ts', help: booleans.has('help'), values: rest, booleans },
  };
}
