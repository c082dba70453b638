import type { ConfigInput } from './schema';

export type { ConfigInput, EnvName, Sections, EnvironmentConfig } from './schema';
// From env-names, not the schema: a config file bundled for the prebuilt CLI would carry (and
// build, at every start) a second copy of every zod schema for this one list.
export { ENV_NAMES } from './env-names';

/** Typed identity: gives cutover.config.ts completion and type errors; validation happens at start. */
export function defineConfig(config: ConfigInput): ConfigInput {
  return config;
}
