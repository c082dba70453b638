import { existsSync } from 'node:fs';
import path from 'node:path';
import { readEnvFile } from '../config/env-file';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load';
import type { EnvName } from '../config/schema';

/**
 * .env.<env> (in the working directory) fills what the process env does not already set: the
 * shell wins. A malformed line is a problem, and then nothing from the file is applied.
 */
export function loadDotEnv(env: EnvName, dir = process.cwd()): string[] {
  const file = path.resolve(dir, `.env.${env}`);
  if (!existsSync(file)) return [];
  const { values, problems } = readEnvFile(file);
  if (problems.length) return problems;
  for (const [k, v] of Object.entries(values)) process.env[k] ??= v;
  return [];
}

/**
 * What every command loads before it judges anything: .env.<env>, then the config file. Every
 * problem of both is returned (a config problem prefixed with the file), so one run lists them
 * all; `config` is undefined when the file cannot be used.
 */
export async function loadCommandConfig(env: EnvName, file: string): Promise<{ config?: LoadedConfig; problems: string[] }> {
  const problems = loadDotEnv(env);
  try {
    return { config: await loadConfig(file, env), problems };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { problems: [...problems, ...error.problems.map((p) => `${file}: ${p}`)] };
  }
}
