import type { ConfigInput } from './schema';

export type { ConfigInput, EnvName, Sections, EnvironmentConfig } from './schema';
export { ENV_NAMES } from './schema';

/** Typed identity: gives cutover.config.ts completion and type errors; validation happens at start. */
export function defineConfig(config: ConfigInput): ConfigInput {
  return config;
}
