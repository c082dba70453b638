import { z } from 'zod';
import { envName } from '../common';

/** Named formats a set variable must have (lib/env-rules/formats.ts says what each accepts). */
export const ENV_FORMATS = [
  'postgres-url',
  'redis-url',
  'http-url',
  'smtp-url',
  'true-false',
  'email',
  'json-object',
  'json-object-base64',
  'stripe-secret-key',
  'stripe-webhook-secret',
  /** The Stripe key's mode (live/test) is the one this environment expects (environments.<env>.expect.stripeMode). */
  'stripe-key-mode',
  'ttl-seconds',
  'platform-list',
  'port',
] as const;

const condition = z.union(
  [
    /** The variable (trimmed) equals this value. */
    z.strictObject({ variable: envName, equals: z.string() }),
    /** The variable, a comma-separated list, names this item (`default` when unset). */
    z.strictObject({ variable: envName, lists: z.string(), default: z.string().optional() }),
    /** Attestation is (to be) enforced: this variable is true, or step 6 expects enforcement (expect.attestation 'on'). */
    z.strictObject({ enforcedBy: envName }),
  ],
  { error: 'must be { variable, equals }, { variable, lists, default? } or { enforcedBy }' },
);
export type EnvRuleCondition = z.output<typeof condition>;

export const envRule = z.strictObject({
  /** Stable name: a profile drops or replaces a rule by it. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a lower-case id such as email-smtp'),
  /** always: an error everywhere; production: an error in production, a warning elsewhere; warning: never fails. */
  level: z.enum(['always', 'production', 'warning']),
  /** Groups of variables: the rule is met when every variable of any one group is set. */
  anyOf: z.array(z.array(envName).min(1)).min(1),
  /** false: only the format (and `refuse`) of whichever variable is set is checked, nothing is required. */
  required: z.boolean().default(true),
  /** Checked on each variable of the rule that is set, whether or not `when` holds. */
  format: z.enum(ENV_FORMATS).optional(),
  /** The set value must be one of these. */
  oneOf: z.array(z.string()).min(1).optional(),
  /** Values refused (in production only, with `inProduction`). */
  refuse: z.strictObject({ values: z.array(z.string()).min(1), inProduction: z.boolean().default(false) }).optional(),
  /** The variables are required only when every condition holds. */
  when: z.array(condition).default([]),
  /** Said after "is not set", e.g. "login limits fall back to process memory". */
  why: z.string().optional(),
});
export type EnvRule = z.output<typeof envRule>;
export type EnvRuleInput = z.input<typeof envRule>;
