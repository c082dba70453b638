import { z } from 'zod';
import { backend } from './sections/backend';
import { credentials, http, reports } from './sections/common';
import { env, features, migrations, monitoring, preflight, smoke, storage, webhooks } from './sections/steps';
import { rehearse } from './sections/rehearse';

export const ENV_NAMES = ['local', 'staging', 'prod'] as const;
export type EnvName = (typeof ENV_NAMES)[number];

export const sectionsSchema = z.strictObject({
  http,
  backend,
  credentials,
  reports,
  preflight,
  migrations,
  env,
  storage,
  webhooks,
  smoke,
  features,
  monitoring,
  rehearse,
});

export type Sections = z.output<typeof sectionsSchema>;
export type SectionsInput = z.input<typeof sectionsSchema>;

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

export const environmentSchema = z.strictObject({
  /** A literal base URL, or the name of the env var that holds it (the runbook's PROD_BASE_URL). */
  baseUrl: z.url().optional(),
  baseUrlEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/)
    .optional(),
  /** Apply the contract's production rules (missing variables are errors, not warnings). */
  production: z.boolean().default(false),
  expect: z.strictObject({
    stripeMode: z.enum(['live', 'test']),
    attestation: z.enum(['on', 'off']).default('on'),
  }),
  /** Optional parts of the runbook and whether they apply to this environment. */
  optional: z
    .strictObject({
      legacyStorageMigration: z.boolean().default(true),
      attachments: z.boolean().default(true),
    })
    .prefault({}),
  /** Deep overrides of the shared sections for this environment only. */
  overrides: z.record(z.string(), z.unknown()).default({}),
});

export type EnvironmentConfig = z.output<typeof environmentSchema>;

export type EnvironmentInput = Omit<z.input<typeof environmentSchema>, 'overrides'> & {
  overrides?: DeepPartial<SectionsInput>;
};

export type ConfigInput = { environments: Record<EnvName, EnvironmentInput> } & Partial<SectionsInput>;
