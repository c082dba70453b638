import type { EnvName } from '../config/schema';
import { COMMON_FLAGS } from './common-flags';

/**
 * The flags that decide what a command runs against, as this run was given them. A hint that
 * drops one runs, pasted as-is, against another config, env file or build.
 */
export interface Invocation {
  env: EnvName;
  /** The config file, when it is not the default one. */
  config?: string;
  sha?: string;
  envSnapshot?: string;
  baseUrl?: string;
}

/** What each command the harness points to accepts: a guarded script refuses a flag it does not know. */
const ACCEPTS = {
  'npm test': ['env', 'config', 'sha', 'envSnapshot', 'baseUrl'],
  'npm run backup': ['env', 'config', 'sha'],
  'npm run migrate:deploy': ['env', 'config', 'sha', 'baseUrl'],
  'npm run migrate:attachments': ['env', 'config', 'sha', 'baseUrl'],
} as const satisfies Record<string, readonly (keyof Invocation)[]>;

export type HintCommand = keyof typeof ACCEPTS;

const FLAG: Record<keyof Invocation, string> = {
  env: 'env',
  config: 'config',
  sha: 'sha',
  envSnapshot: 'env-snapshot',
  baseUrl: 'base-url',
};

/** Only what a shell would split or expand is quoted, so the usual hint stays readable. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The one builder of printed command hints: the command, this run's flags that matter, then `extra` (e.g. `--from=3`). */
export function commandHint(command: HintCommand, invocation: Invocation, ...extra: string[]): string {
  const flags: string[] = [];
  for (const key of ACCEPTS[command]) {
    const value = invocation[key];
    if (value === undefined || value === '') continue;
    if (key === 'config' && value === COMMON_FLAGS.config.default) continue;
    flags.push(shellWord(`--${FLAG[key]}=${value}`));
  }
  return [command, '--', ...flags, ...extra.map(shellWord)].join(' ');
}

/** How to pick a stopped run up again at the step that stopped it, once fixed (--from carries the rest). */
export function resumeHint(invocation: Invocation, stepN: number): string {
  return commandHint('npm test', invocation, `--from=${stepN}`);
}
