import { z } from 'zod';
import './jitless';
import { backend } from './sections/backend';
import { credentials, http, reports } from './sections/common';
import { env, features, migrations, monitoring, preflight, smoke, storage, webhooks } from './sections/steps';
import { rehearse } from './sections/rehearse';
import { ENV_NAMES, type EnvName } from './env-names';

export { ENV_NAMES, type EnvName };

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
  /** The target's base URL, written out; `--base-url` wins over it. Unset for local: the rehearsal fills in the target it boots. */
  baseUrl: z.url().optional(),
  /** The env var holding the base URL instead (the runbook's PROD_BASE_URL), read when baseUrl is unset. */
  baseUrlEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/)
    .optional(),
  /** Apply the contract's production rules (missing variables are errors, not warnings). */
  production: z.boolean().default(false),
  expect: z.strictObject({
    /** The mode the Stripe key, `/payments/health` and the webhook endpoint must be in: live in prod. */
    stripeMode: z.enum(['live', 'test']),
    /** on: step 6 proves enforcement is on, and step 2 requires the verifiers' settings; off: step 6's attestation rows are not applicable. */
    attestation: z.enum(['on', 'off']).default('on'),
  }),
  /** Optional parts of the runbook and whether they apply to this environment. */
  optional: z
    .strictObject({
      /** Legacy disk uploads exist here: step 3 migrates and samples them. false makes that part not applicable. */
      legacyStorageMigration: z.boolean().default(true),
      /** Attachments are enabled here. false makes the upload checks of steps 3 and 5 not applicable. */
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
