/**
 * The environment names, apart from the schema: the flag parser needs them, and --help must
 * not pay for building every zod schema of the config.
 */
export const ENV_NAMES = ['local', 'staging', 'prod'] as const;
export type EnvName = (typeof ENV_NAMES)[number];
