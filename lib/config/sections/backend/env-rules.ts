import { z } from 'zod';
import { envName } from '../common';
import { CONTRACT_ENV_RULES } from './contract-env-rules';
import { envRule } from './env-rule';

/**
 * Step 2's env rules over the target's env snapshot. The contract's set by default; a profile can
 * replace it (`rules`), add to it, rename a variable everywhere, or drop a rule with a reason (the
 * reason is printed in step 2's evidence and the document).
 */
export const envRules = z
  .strictObject({
    rules: z.array(envRule).prefault(CONTRACT_ENV_RULES),
    add: z.array(envRule).default([]),
    /** Contract name → this backend's name, in every rule and condition. */
    rename: z.record(envName, envName).default({}),
    drop: z
      .array(z.strictObject({ id: z.string().min(1), reason: z.string().trim().min(1, 'say why the rule does not apply') }))
      .default([]),
  })
  .superRefine((cfg, ctx) => {
    const ids = [...cfg.rules, ...cfg.add].map((r) => r.id);
    const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
    for (const id of new Set(twice)) ctx.addIssue({ code: 'custom', path: ['add'], message: `rule id ${id} is declared twice` });
    cfg.drop.forEach((d, i) => {
      if (!ids.includes(d.id)) ctx.addIssue({ code: 'custom', path: ['drop', i, 'id'], message: `no rule has the id ${d.id}` });
    });
  })
  .prefault({});
export type EnvRulesConfig = z.output<typeof envRules>;
