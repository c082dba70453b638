import { envRules, type EnvRulesConfig } from '../config/sections/backend/env-rules';
import type { EnvRule, EnvRuleCondition } from '../config/sections/backend/env-rule';
import { formatSchema } from './formats';

/**
 * Applies the backend profile's env rules (backend.envRules: the contract's §5 set and the
 * runbook's by default) to an env snapshot. Messages name the variable and the rule, never the
 * value: they are pasted into the Go/No-Go document.
 */

export interface RuleOptions {
  /** Apply production rules: what the contract makes an error in production. */
  production: boolean;
  stripeMode: 'live' | 'test';
  /** 'on': step 6 will enforce attestation, so the verifiers must be configured now (runbook 6a.1). */
  attestation: 'on' | 'off';
  /** The profile's rules; the contract's when not given. */
  rules?: EnvRulesConfig;
}

type Level = EnvRule['level'];

export interface Violation {
  variable: string;
  /** The rule's id, for `backend.envRules.drop`. */
  rule: string;
  message: string;
}

export interface RulesResult {
  /** Every variable the rules looked at, and whether it was set (never its value). */
  checked: { variable: string; set: boolean }[];
  errors: Violation[];
  warnings: Violation[];
  /** Rules the profile dropped, and why: printed with the evidence. */
  dropped: { id: string; reason: string }[];
}

type Env = Record<string, string | undefined>;
const isSet = (env: Env, name: string) => (env[name] ?? '').trim() !== '';

const CONTRACT = envRules.parse(undefined);

/** The profile's rule set: the base set and its additions, renamed, less what it dropped. */
export function resolveEnvRules(cfg: EnvRulesConfig = CONTRACT): { rules: EnvRule[]; dropped: EnvRulesConfig['drop'] } {
  const rename = (name: string) => cfg.rename[name] ?? name;
  const dropped = new Set(cfg.drop.map((d) => d.id));
  const rules = [...cfg.rules, ...cfg.add]
    .filter((r) => !dropped.has(r.id))
    .map((r) => ({
      ...r,
      anyOf: r.anyOf.map((group) => group.map(rename)),
      when: r.when.map((c): EnvRuleCondition =>
        'enforcedBy' in c ? { enforcedBy: rename(c.enforcedBy) } : { ...c, variable: rename(c.variable) },
      ),
    }));
  return { rules, dropped: cfg.drop };
}

/** Whether a condition holds, and what to say about it after "is not set". */
function condition(env: Env, c: EnvRuleCondition, opts: RuleOptions): { holds: boolean; why?: string } {
  if ('enforcedBy' in c) {
    const enforced = env[c.enforcedBy]?.trim() === 'true';
    return { holds: enforced || opts.attestation === 'on', why: enforced ? `${c.enforcedBy}=true` : 'step 6 enforces attestation here' };
  }
  if ('equals' in c) return { holds: env[c.variable]?.trim() === c.equals, why: `${c.variable}=${c.equals}` };
  const listed = (env[c.variable] ?? c.default ?? '').split(',').map((p) => p.trim());
  return { holds: listed.includes(c.lists) };
}

/** The rule applies (all its conditions hold): why, or null when it does not. */
function applies(env: Env, rule: EnvRule, opts: RuleOptions): string[] | null {
  const results = rule.when.map((c) => condition(env, c, opts));
  if (!results.every((r) => r.holds)) return null;
  return [rule.why, ...results.map((r) => r.why)].filter((w): w is string => Boolean(w));
}

interface Found {
  variable: string;
  rule: string;
  level: Level;
  message: string;
}

function presence(env: Env, rule: EnvRule, why: string[]): Found[] {
  const missing = rule.anyOf.map((group) => group.filter((v) => !isSet(env, v)));
  if (missing.some((m) => m.length === 0)) return [];
  const because = why.length ? ` (${why.join('; ')})` : '';
  if (rule.anyOf.length === 1) {
    return missing[0]!.map((variable) => ({ variable, rule: rule.id, level: rule.level, message: `${variable} is not set${because}` }));
  }
  const groups = rule.anyOf.map((g) => g.join('+')).join(' or ');
  const unset = [...new Set(missing.flat())];
  return [
    {
      variable: unset[0]!,
      rule: rule.id,
      level: rule.level,
      message: `none of ${groups} is set in full (unset: ${unset.join(', ')})${because}`,
    },
  ];
}

function formats(env: Env, rule: EnvRule, opts: RuleOptions, seen: Set<string>): Found[] {
  const found: Found[] = [];
  for (const variable of new Set(rule.anyOf.flat())) {
    if (!isSet(env, variable)) continue;
    const value = env[variable]!.trim();
    const problem = (key: string, message: string | undefined) => {
      if (!message || seen.has(`${variable}|${key}`)) return;
      seen.add(`${variable}|${key}`);
      found.push({ variable, rule: rule.id, level: rule.level, message: `${variable} ${message}` });
    };
    if (rule.format) {
      const parsed = formatSchema(rule.format, opts).safeParse(value);
      problem(rule.format, parsed.success ? undefined : (parsed.error.issues[0]?.message ?? 'has the wrong format'));
    }
    if (rule.oneOf && !rule.oneOf.includes(value)) problem(`oneOf:${rule.oneOf.join()}`, `must be ${rule.oneOf.join(' or ')}`);
    if (rule.refuse && (!rule.refuse.inProduction || opts.production) && rule.refuse.values.includes(value)) {
      // The refused value is the rule's own word (log), not the target's secret.
      problem(`refuse:${value}`, `${value} is not allowed${rule.refuse.inProduction ? ' in production' : ''}`);
    }
  }
  return found;
}

/** Runs the rules over an env; every violation at once, presence first, then formats. */
export function checkEnvRules(env: Env, opts: RuleOptions): RulesResult {
  const { rules, dropped } = resolveEnvRules(opts.rules);
  const found: Found[] = [];
  const required = new Set<string>();
  for (const rule of rules) {
    if (!rule.required) continue;
    const why = applies(env, rule, opts);
    if (!why) continue;
    for (const variable of rule.anyOf.flat()) required.add(variable);
    found.push(...presence(env, rule, why));
  }
  const seen = new Set<string>();
  const formatted = new Set<string>();
  for (const rule of rules) {
    for (const variable of rule.anyOf.flat())
      if (isSet(env, variable) && (rule.format || rule.oneOf || rule.refuse)) formatted.add(variable);
    found.push(...formats(env, rule, opts, seen));
  }
  const errors: Violation[] = [];
  const warnings: Violation[] = [];
  for (const f of found) {
    const isError = f.level === 'always' || (f.level === 'production' && opts.production);
    (isError ? errors : warnings).push({ variable: f.variable, rule: f.rule, message: f.message });
  }
  const checked = [...new Set([...required, ...formatted])].map((variable) => ({ variable, set: isSet(env, variable) }));
  return { checked, errors, warnings, dropped };
}
