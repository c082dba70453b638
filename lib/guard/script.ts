import { existsSync } from 'node:fs';
import path from 'node:path';
import { readEnvFile } from '../config/env-file';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load';
import { defaultOwner } from '../runner/plan';
import { redactorFor } from '../secrets/known';
import type { Redactor } from '../secrets/redactor';
import { audit } from './audit';
import { parseScriptArgs, scriptUsage, type ScriptArgs, type ScriptSpec } from './args';

/** 0 done, 1 failed, 2 refused or bad input (nothing changed). */
export const SCRIPT_EXIT = { done: 0, failed: 1, refused: 2 } as const;

/** A guard said no before anything changed: one line per reason, exit 2. */
export class Refused extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

export interface ScriptIo {
  out(line: string): void;
  err(line: string): void;
}

export interface ScriptContext {
  args: ScriptArgs;
  config: LoadedConfig;
  redactor: Redactor;
  owner: string;
  io: ScriptIo;
}

const processIo: ScriptIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * A credential the config names, from the environment, registered with the redactor at once.
 * Missing, it adds a line to problems (so every problem is listed together) and returns ''.
 */
export function requireEnv(ctx: Pick<ScriptContext, 'redactor' | 'args'>, name: string, why: string, problems: string[]): string {
  const value = process.env[name];
  if (!value) problems.push(`${name} is not set (needed for ${why}): set it in the environment or .env.${ctx.args.env}`);
  else ctx.redactor.add(value);
  return value ?? '';
}

/**
 * The frame every guarded script shares: `=`-form flags, --help, .env.<env> (the shell wins),
 * the config, a redactor over every secret the environment holds, then the script's body.
 * Whatever goes wrong is one redacted line per problem with the right exit code.
 */
export async function runGuardedScript(
  spec: ScriptSpec,
  argv: readonly string[],
  body: (ctx: ScriptContext) => Promise<number>,
  io: ScriptIo = processIo,
): Promise<number> {
  const say = (lines: string[]) => lines.forEach((line) => io.err(`${spec.name}: ${line}`));
  const parsed = parseScriptArgs(argv, spec);
  if (!parsed.args) {
    say(parsed.problems);
    io.err(`(npm run ${spec.name} -- --help for usage)`);
    return SCRIPT_EXIT.refused;
  }
  const args = parsed.args;
  if (args.help) {
    io.out(scriptUsage(spec));
    return SCRIPT_EXIT.done;
  }
  const envFile = path.resolve(`.env.${args.env}`);
  if (existsSync(envFile)) {
    const { values, problems } = readEnvFile(envFile);
    if (problems.length) {
      say(problems);
      return SCRIPT_EXIT.refused;
    }
    for (const [k, v] of Object.entries(values)) process.env[k] ??= v;
  }
  let config: LoadedConfig;
  try {
    config = await loadConfig(args.config, args.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    say(error.problems.map((p) => `${args.config}: ${p}`));
    return SCRIPT_EXIT.refused;
  }
  const redactor = redactorFor(config.sections, process.env);
  const ctx: ScriptContext = { args, config, redactor, owner: args.owner ?? defaultOwner(process.cwd()), io };
  try {
    return await body(ctx);
  } catch (error) {
    if (error instanceof Refused) {
      say(error.problems.map((p) => redactor.redact(p)));
      const entry = { script: spec.name, env: args.env, owner: ctx.owner, args: [...argv], outcome: 'refused' as const, summary: { problems: error.problems } };
      await audit(config.sections.reports.auditLog, entry, redactor).catch(() => undefined);
      return SCRIPT_EXIT.refused;
    }
    say([`failed: ${redactor.redact((error as Error).message ?? String(error))}`]);
    return SCRIPT_EXIT.failed;
  }
}
