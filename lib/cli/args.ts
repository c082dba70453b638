import { BASE_URL_FLAG, COMMON_FLAGS } from '../command/common-flags';
import { shaProblem } from '../command/defaults';
import { flagValue, parseFlags, type FlagSpecs } from '../command/flags';
import type { EnvName } from '../config/schema';
import { findStep, isRowId, STEPS, type StepId } from '../runbook/catalogue';

/** Mutations the harness can be asked to apply, and the step each belongs to. */
export const APPLY_TARGETS = {
  backup: 'preflight',
  migrations: 'migrations',
  storage: 'storage',
  features: 'features',
} as const satisfies Record<string, StepId>;
export type ApplyTarget = keyof typeof APPLY_TARGETS;

/** `--sha=deployed`: the RC is whatever the deployed build reports (preflight.deployedSha), e.g. for a nightly run. */
export const DEPLOYED_SHA = 'deployed';

export const STACK_PROVIDERS = ['auto', 'docker', 'embedded', 'external'] as const;

export interface CliOptions {
  env: EnvName;
  config: string;
  baseUrl?: string;
  sha?: string;
  owner?: string;
  only?: StepId[];
  from?: StepId;
  /** undefined: not given (the rehearsal then applies everything; elsewhere nothing). */
  apply?: ApplyTarget[];
  confirm?: string;
  confirmManual: string[];
  envSnapshot?: string;
  previousWebhookSecretExpired: boolean;
  faults: string[];
  stack?: (typeof STACK_PROVIDERS)[number];
  /** A backend checkout the rehearsal boots instead of the reference target (the config's rehearse section says how). */
  rehearse?: string;
  list: boolean;
  /** Check the config, env and sources, run nothing, change nothing (lib/doctor). */
  doctor: boolean;
  help: boolean;
  version: boolean;
  /** Vitest options passed through untouched. */
  vitest: { tagsFilter: string[]; testNamePattern?: string };
}

export class UsageError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/** The CLI's flags: the common ones (local is the default environment here), then its own, described in help.ts. */
export const CLI_FLAGS: FlagSpecs = {
  ...COMMON_FLAGS,
  env: { ...COMMON_FLAGS.env, required: undefined, default: 'local' },
  'base-url': BASE_URL_FLAG,
  sha: { ...COMMON_FLAGS.sha, check: (value) => (value === DEPLOYED_SHA ? undefined : shaProblem(value)) },
  only: { kind: 'value' },
  from: { kind: 'value' },
  apply: { kind: 'value' },
  'confirm-manual': { kind: 'value' },
  'env-snapshot': { kind: 'value' },
  fault: { kind: 'value' },
  stack: { kind: 'value', choices: STACK_PROVIDERS },
  rehearse: { kind: 'value' },
  list: { kind: 'boolean' },
  doctor: { kind: 'boolean' },
  version: { kind: 'boolean' },
  'previous-webhook-secret-expired': { kind: 'boolean' },
  'tags-filter': { kind: 'value', repeatable: true },
  testNamePattern: { kind: 'value', short: 't', aliases: ['test-name-pattern'] },
};

function stepList(value: string, flag: string, problems: string[]): StepId[] {
  const ids: StepId[] = [];
  for (const part of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const step = findStep(part);
    if (step) ids.push(step.id);
    else problems.push(`--${flag}: unknown step "${part}" (use 0-7 or ${STEPS.map((s) => s.id).join(', ')})`);
  }
  if (!ids.length && !problems.length) problems.push(`--${flag}: give at least one step`);
  return [...new Set(ids)];
}

/** Parses argv; every problem is collected so one run of the command lists them all. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const flags = parseFlags(argv, CLI_FLAGS);
  const problems = flags.problems;
  const one = (name: string) => flagValue(flags, name);
  const env = one('env') as EnvName;
  const baseUrl = one('base-url');
  const sha = one('sha');

  const onlyValue = one('only');
  const fromValue = one('from');
  const only = onlyValue !== undefined ? stepList(onlyValue, 'only', problems) : undefined;
  const from = fromValue !== undefined ? stepList(fromValue, 'from', problems)[0] : undefined;
  if (only && from) problems.push('--only and --from cannot be combined');
  if (flags.booleans.has('doctor')) {
    const running = ['only', 'from', 'apply', 'confirm', 'fault', 'stack'].filter((f) => flagValue(flags, f) !== undefined);
    if (running.length) problems.push(`--doctor runs no step and changes nothing: it takes no ${running.map((f) => `--${f}`).join(', ')}`);
  }

  const applyValue = one('apply');
  let apply: ApplyTarget[] | undefined;
  if (applyValue !== undefined) {
    apply = [];
    for (const part of applyValue
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      if (part === 'none') continue;
      if (part in APPLY_TARGETS) apply.push(part as ApplyTarget);
      else problems.push(`--apply: "${part}" cannot be applied (use ${Object.keys(APPLY_TARGETS).join(', ')} or none)`);
    }
  }

  const confirmManual = (one('confirm-manual') ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  for (const row of confirmManual) {
    if (!isRowId(row)) problems.push(`--confirm-manual: unknown checklist row "${row}" (see --list)`);
  }

  const stack = one('stack');
  const options: CliOptions = {
    env,
    config: one('config')!,
    baseUrl,
    sha,
    owner: one('owner'),
    only,
    from,
    apply,
    confirm: one('confirm'),
    confirmManual,
    envSnapshot: one('env-snapshot'),
    previousWebhookSecretExpired: flags.booleans.has('previous-webhook-secret-expired'),
    faults: (one('fault') ?? '')
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean),
    stack: stack as CliOptions['stack'],
    rehearse: one('rehearse'),
    list: flags.booleans.has('list'),
    doctor: flags.booleans.has('doctor'),
    help: flags.booleans.has('help'),
    version: flags.booleans.has('version'),
    vitest: { tagsFilter: flags.values['tags-filter'] ?? [], testNamePattern: one('testNamePattern') },
  };
  if (problems.length) throw new UsageError(problems);
  return options;
}
