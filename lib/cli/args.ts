import { ENV_NAMES, type EnvName } from '../config/schema';
import { findStep, isRowId, STEPS, type StepId } from '../runbook/catalogue';

/** Mutations the harness can be asked to apply, and the step each belongs to. */
export const APPLY_TARGETS = {
  backup: 'preflight',
  migrations: 'migrations',
  storage: 'storage',
  features: 'features',
} as const satisfies Record<string, StepId>;
export type ApplyTarget = keyof typeof APPLY_TARGETS;

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
  list: boolean;
  help: boolean;
  /** Vitest options passed through untouched. */
  vitest: { tagsFilter: string[]; testNamePattern?: string };
}

export class UsageError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

const VALUE_FLAGS = new Set([
  'env', 'config', 'base-url', 'sha', 'owner', 'only', 'from', 'apply', 'confirm', 'confirm-manual',
  'env-snapshot', 'fault', 'stack', 'tags-filter', 'testNamePattern', 'test-name-pattern',
]);
const BOOLEAN_FLAGS = new Set(['list', 'help', 'previous-webhook-secret-expired']);

function stepList(value: string, flag: string, problems: string[]): StepId[] {
  const ids: StepId[] = [];
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const step = findStep(part);
    if (step) ids.push(step.id);
    else problems.push(`--${flag}: unknown step "${part}" (use 0-7 or ${STEPS.map((s) => s.id).join(', ')})`);
  }
  if (!ids.length && !problems.length) problems.push(`--${flag}: give at least one step`);
  return [...new Set(ids)];
}

/**
 * Why `value` is not a URL a request can be sent to (WHATWG parsing, http or https, a host, a
 * port from 1 to 65535, no whitespace), or undefined when it is. Never quotes the value.
 */
export function httpUrlProblem(value: string): string | undefined {
  if (/\s/.test(value)) return 'is not a URL (it contains whitespace)';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    const port = /^[a-z][\w+.-]*:\/\/[^/?#]*:(\d+)(?:[/?#]|$)/i.exec(value)?.[1];
    return port && Number(port) > 65_535 ? 'has a port outside 1-65535' : 'is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `is not an http(s) URL (it is ${url.protocol.slice(0, -1)}:)`;
  if (!url.hostname) return 'has no host';
  if (url.port === '0') return 'has a port outside 1-65535';
  return undefined;
}

/** Parses argv; every problem is collected so one run of the command lists them all. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const problems: string[] = [];
  const values = new Map<string, string[]>();
  const booleans = new Set<string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '-h') { booleans.add('help'); continue; }
    if (arg === '-t') {
      const next = argv[i + 1];
      if (next === undefined) problems.push('-t needs a test name pattern');
      else values.set('testNamePattern', [...(values.get('testNamePattern') ?? []), next]);
      i += 1;
      continue;
    }
    const match = /^--([A-Za-z][\w-]*)(?:=(.*))?$/s.exec(arg);
    if (!match) {
      problems.push(`unexpected argument "${arg}" (flags look like --env=prod)`);
      continue;
    }
    const [, name, inline] = match as unknown as [string, string, string | undefined];
    if (BOOLEAN_FLAGS.has(name)) {
      if (inline !== undefined && inline !== 'true') problems.push(`--${name} takes no value`);
      booleans.add(name);
    } else if (VALUE_FLAGS.has(name)) {
      let value = inline;
      if (value === undefined) {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('--')) {
          problems.push(`--${name} needs a value (--${name}=...)`);
          continue;
        }
        value = next;
        i += 1;
      }
      const key = name === 'test-name-pattern' ? 'testNamePattern' : name;
      values.set(key, [...(values.get(key) ?? []), value]);
    } else {
      problems.push(`unknown option --${name}`);
    }
  }
  const one = (name: string): string | undefined => {
    const all = values.get(name);
    if (all && all.length > 1 && name !== 'tags-filter') problems.push(`--${name} given more than once`);
    return all?.[all.length - 1];
  };

  const envValue = one('env') ?? 'local';
  if (!(ENV_NAMES as readonly string[]).includes(envValue)) problems.push(`--env: "${envValue}" is not one of ${ENV_NAMES.join(', ')}`);
  const env = envValue as EnvName;

  const baseUrl = one('base-url');
  const baseUrlProblem = baseUrl === undefined ? undefined : httpUrlProblem(baseUrl);
  if (baseUrlProblem) problems.push(`--base-url: ${baseUrlProblem}; give an http(s) URL such as https://api.example.com`);

  const sha = one('sha');
  if (sha !== undefined && !/^[0-9a-f]{7,40}$/i.test(sha)) problems.push('--sha: must be a git commit SHA (7 to 40 hex characters)');

  const onlyValue = one('only');
  const fromValue = one('from');
  const only = onlyValue !== undefined ? stepList(onlyValue, 'only', problems) : undefined;
  const from = fromValue !== undefined ? stepList(fromValue, 'from', problems)[0] : undefined;
  if (only && from) problems.push('--only and --from cannot be combined');

  const applyValue = one('apply');
  let apply: ApplyTarget[] | undefined;
  if (applyValue !== undefined) {
    apply = [];
    for (const part of applyValue.split(',').map((p) => p.trim()).filter(Boolean)) {
      if (part === 'none') continue;
      if (part in APPLY_TARGETS) apply.push(part as ApplyTarget);
      else problems.push(`--apply: "${part}" cannot be applied (use ${Object.keys(APPLY_TARGETS).join(', ')} or none)`);
    }
  }

  const confirmManual = (one('confirm-manual') ?? '').split(',').map((r) => r.trim()).filter(Boolean);
  for (const row of confirmManual) {
    if (!isRowId(row)) problems.push(`--confirm-manual: unknown checklist row "${row}" (see --list)`);
  }

  const stack = one('stack');
  if (stack !== undefined && !(STACK_PROVIDERS as readonly string[]).includes(stack)) {
    problems.push(`--stack: "${stack}" is not one of ${STACK_PROVIDERS.join(', ')}`);
  }

  const testNamePatterns = values.get('testNamePattern') ?? [];
  if (testNamePatterns.length > 1) problems.push('-t given more than once (use one pattern with |)');
  const options: CliOptions = {
    env,
    config: one('config') ?? 'cutover.config.ts',
    baseUrl,
    sha,
    owner: one('owner'),
    only,
    from,
    apply,
    confirm: one('confirm'),
    confirmManual,
    envSnapshot: one('env-snapshot'),
    previousWebhookSecretExpired: booleans.has('previous-webhook-secret-expired'),
    faults: (one('fault') ?? '').split(',').map((f) => f.trim()).filter(Boolean),
    stack: stack as CliOptions['stack'],
    list: booleans.has('list'),
    help: booleans.has('help'),
    vitest: { tagsFilter: values.get('tags-filter') ?? [], testNamePattern: testNamePatterns[0] },
  };
  if (problems.length) throw new UsageError(problems);
  return options;
}
