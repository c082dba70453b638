import { existsSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { ENV_NAMES, environmentSchema, sectionsSchema, type EnvironmentConfig, type EnvName, type Sections } from './schema';
import { redactorFor } from '../secrets/known';
import { looksLikeSecret } from '../secrets/patterns';
import { importModule } from './import-module';
import { describeLoadError } from './load-error';
import { movedSettings } from './moved';

export interface LoadedConfig {
  path: string;
  env: EnvName;
  environment: EnvironmentConfig;
  sections: Sections;
}

/** Every problem found, so the operator fixes them in one go. Messages never quote values. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keys that choose a variant of a union (`source: 'header'` vs `source: 'none'`). */
const DISCRIMINATORS = ['kind', 'source', 'provider'];

function sameVariant(base: Plain, over: Plain): boolean {
  return DISCRIMINATORS.every((k) => typeof over[k] !== 'string' || over[k] === base[k]);
}

/** Arrays and scalars in `over` replace; objects merge, unless `over` picks another union variant. */
export function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlain(value) && isPlain(current) && sameVariant(current, value) ? deepMerge(current, value) : value;
  }
  return out;
}

function issues(prefix: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return `${where || '(root)'}: ${issue.message}`;
  });
}

/** Secrets belong in the environment; a config file is committed and shared. */
function secretLiterals(value: unknown, where: string): string[] {
  if (typeof value === 'string') {
    return looksLikeSecret(value) ? [`${where}: holds what looks like a secret; put it in .env.<env> and name the variable instead`] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => secretLiterals(v, `${where}[${i}]`));
  if (isPlain(value)) return Object.entries(value).flatMap(([k, v]) => secretLiterals(v, where ? `${where}.${k}` : k));
  return [];
}

const prefix = (env: EnvName, overrides: object) => (Object.keys(overrides).length ? `(environments.${env} with overrides)` : '');

/**
 * Step 2 reads these credentials from the target's own env (its readiness probes): a name the
 * backend profile renames is not in that env, and the probe would say "not set" at the cutover.
 */
function renamedCredentials(sections: Sections, where: string): string[] {
  const c = sections.credentials;
  const readFromTarget: [string, string][] = [
    ['databaseUrl', c.databaseUrl],
    ['redisUrl', c.redisUrl],
    ['stripeSecretKey', c.stripeSecretKey],
    ...Object.entries(c.s3).map(([k, v]): [string, string] => [`s3.${k}`, v]),
  ];
  const rename = sections.backend.envRules.rename;
  return readFromTarget.flatMap(([key, name]) => {
    const renamed = rename[name];
    if (!renamed) return [];
    const at = where ? `${where} credentials.${key}` : `credentials.${key}`;
    return [
      `${at}: names ${name}, which backend.envRules.rename calls ${renamed} in this backend; step 2 reads it from the target's env, so set credentials.${key}: '${renamed}'`,
    ];
  });
}

/** Validates the whole file (every environment), then resolves the one asked for. */
export function resolveConfig(raw: unknown, env: EnvName, file = 'cutover.config.ts'): LoadedConfig {
  const problems: string[] = [];
  if (!isPlain(raw)) throw new ConfigError(['the default export must be defineConfig({...})']);
  problems.push(...secretLiterals(raw, ''));
  const { environments, ...shared } = raw;
  if (!isPlain(environments)) {
    throw new ConfigError([...problems, 'environments: required, with local, staging and prod']);
  }
  problems.push(...movedSettings(shared));
  for (const name of ENV_NAMES) {
    const env = environments[name];
    if (isPlain(env)) problems.push(...movedSettings(env.overrides, `environments.${name}.overrides.`));
  }
  const unknownEnvs = Object.keys(environments).filter((k) => !(ENV_NAMES as readonly string[]).includes(k));
  problems.push(...unknownEnvs.map((k) => `environments.${k}: unknown environment (use ${ENV_NAMES.join(', ')})`));

  const resolved = new Map<EnvName, { environment: EnvironmentConfig; sections: Sections }>();
  for (const name of ENV_NAMES) {
    const parsedEnv = environmentSchema.safeParse(environments[name]);
    if (!parsedEnv.success) {
      problems.push(...issues(`environments.${name}`, parsedEnv.error));
      continue;
    }
    const merged = deepMerge(shared, parsedEnv.data.overrides as Plain);
    const parsedSections = sectionsSchema.safeParse(merged);
    const where = prefix(name, parsedEnv.data.overrides);
    if (!parsedSections.success) {
      problems.push(...issues(where, parsedSections.error));
      continue;
    }
    problems.push(...renamedCredentials(parsedSections.data, where));
    resolved.set(name, { environment: parsedEnv.data, sections: parsedSections.data });
  }
  if (problems.length) throw new ConfigError([...new Set(problems)]);
  const chosen = resolved.get(env)!;
  // One variable moves every artifact (documents, audit log): CI keeps them per job, tests per run.
  const reportsDir = process.env.CUTOVER_REPORTS_DIR;
  if (reportsDir) chosen.sections.reports = { dir: reportsDir, auditLog: path.join(reportsDir, 'audit.log') };
  return { path: file, env, ...chosen };
}

/**
 * How long a config module may take to load. One whose top-level await never settles (a secret
 * fetched from a store that does not answer) hung the command, or, with nothing left to wait
 * on, Node ended it silently with exit 13.
 */
export const CONFIG_LOAD_TIMEOUT_MS = 30_000;

export async function loadConfig(file: string, env: EnvName, loadTimeoutMs = CONFIG_LOAD_TIMEOUT_MS): Promise<LoadedConfig> {
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) {
    throw new ConfigError(['not found; pass --config=<file> or create cutover.config.ts']);
  }
  let mod: { default?: unknown };
  const late = new ConfigError([
    `cannot be loaded: it did not finish loading within ${loadTimeoutMs / 1000} s (a top-level await in it, or in a module it imports, never settled); make what it waits for answer, or load it before the run`,
  ]);
  let timer: NodeJS.Timeout | undefined;
  // A pending timer also keeps the process alive while the import waits on nothing.
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(late), loadTimeoutMs)));
  try {
    mod = await Promise.race([importModule(absolute), deadline]);
  } catch (error) {
    if (error === late) throw error;
    // The file's own error may quote a secret (a key it was handed, a URL with a password).
    throw new ConfigError([`cannot be loaded: ${redactorFor(undefined, process.env).redact(await describeLoadError(error, absolute))}`]);
  } finally {
    clearTimeout(timer);
  }
  return resolveConfig(mod.default, env, file);
}
