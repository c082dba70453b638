import os from 'node:os';
import { mutationPermission } from '../command/confirm';
import { readEnvValue } from '../command/credential';
import { defaultOwner } from '../command/defaults';
import { consoleIo, EXIT, watchConsole, type Io } from '../command/exit';
import { resolveBaseUrl } from '../command/identity';
import { loadCommandConfig } from '../command/load';
import type { LoadedConfig } from '../config/load';
import { redactorFor } from '../secrets/known';
import type { Redactor } from '../secrets/redactor';
import { audit, describeUnfinished, endInterrupted, unfinishedAudits, type AuditRecord } from './audit';
import { parseScriptArgs, scriptUsage, type ScriptArgs, type ScriptSpec } from './args';
import { Refused } from '../command/refused';
import { gapRefusal, mutationGaps } from '../doctor/gaps';
import { describeResources, type Resources } from '../command/resources';
import { outputDirProblems } from '../command/output-dirs';

export { Refused };

/** What ends a script: Ctrl-C, a service manager's stop, a closed terminal or console. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Bad flags or settings: nothing was attempted, so nothing is written (not even the audit log). */
export class BadInput extends Refused {}

export interface ScriptContext {
  script: string;
  args: ScriptArgs;
  config: LoadedConfig;
  redactor: Redactor;
  owner: string;
  io: Io;
  /** What authorize() allowed: a refusal thrown after it (a lock held, the migration history) is audited against it. */
  touches?: Resources;
}

/**
 * A credential the config names, from the environment, registered with the redactor at once.
 * Missing, it adds a line to problems (so every problem is listed together) and returns ''.
 */
export function requireEnv(ctx: Pick<ScriptContext, 'redactor' | 'args'>, name: string, why: string, problems: string[]): string {
  const { value, problem } = readEnvValue(name, why, `.env.${ctx.args.env}`, (v) => ctx.redactor.add(v));
  if (problem) problems.push(problem);
  return value;
}

/**
 * The target's base URL (--base-url, else the environment's), where prod's deployed SHA is read.
 * None is fine here (prod's preconditions say so when they need it); a malformed one adds a line.
 */
export function targetBaseUrl(ctx: Pick<ScriptContext, 'args' | 'config'>, problems: string[]): string | undefined {
  const base = resolveBaseUrl(ctx.args.values['base-url'], ctx.config, process.env);
  if (base.problem && !base.missing) problems.push(base.problem);
  return base.url;
}

/**
 * The gate before a real run: bad input first (BadInput: one line each, nothing written), then
 * the confirmation rule (confirm.ts). Allowed, it prints what is about to change and why that is
 * allowed, and returns the resources for the audit entry. `touches` may throw on a malformed URL.
 * Outside local the doctor's gaps (lib/doctor/gaps.ts) refuse too, unless `doctor` is false (a
 * rollback, which must stay possible whatever a later step lacks).
 */
export function authorize(
  ctx: ScriptContext,
  what: string,
  input: string[],
  touches: () => Resources,
  { doctor = true }: { doctor?: boolean } = {},
): Resources {
  let resources: Resources | undefined;
  if (!input.length) {
    try {
      resources = touches();
    } catch (error) {
      input.push((error as Error).message);
    }
  }
  const { env, confirm } = ctx.args;
  // With bad input the local rule cannot be judged (no resources yet); staging's and prod's can.
  const permission = resources || env !== 'local' ? mutationPermission(env, confirm, what, resources ?? {}) : undefined;
  if (input.length) throw new BadInput([...input, ...(permission?.problems ?? [])]);
  if (permission!.problems.length) throw new Refused(permission!.problems, resources);
  // A gap a later step would stop on refuses now, before this mutation, and is audited like any refusal.
  const gaps = doctor ? mutationGaps(ctx.config) : [];
  if (gaps.length) throw new Refused([gapRefusal(ctx.config, what, gaps.length), ...gaps], resources);
  ctx.io.out(ctx.redactor.redact(`${ctx.script}: about to ${what} on ${env}: ${describeResources(resources!)} (${permission!.because})`));
  ctx.touches = resources;
  return resources!;
}

/** Bad input for a run that changes nothing (--dry-run): one line each, nothing written. */
export function rejectInput(input: string[]): void {
  if (input.length) throw new BadInput(input);
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
  io: Io = consoleIo,
): Promise<number> {
  if (io === consoleIo) watchConsole();
  const say = (lines: string[]) => lines.forEach((line) => io.err(`${spec.name}: ${line}`));
  const parsed = parseScriptArgs(argv, spec);
  if (!parsed.args) {
    say(parsed.problems);
    io.err(`(npm run ${spec.name} -- --help for usage)`);
    return EXIT.refused;
  }
  const args = parsed.args;
  if (args.help) {
    io.out(scriptUsage(spec));
    return EXIT.ok;
  }
  const loaded = await loadCommandConfig(args.env, args.config);
  if (!loaded.config || loaded.problems.length) {
    say(loaded.problems);
    return EXIT.refused;
  }
  const config: LoadedConfig = loaded.config;
  const unwritable = outputDirProblems(config.sections.reports, args.config);
  if (unwritable.length) {
    say(unwritable);
    return EXIT.refused;
  }
  const redactor = redactorFor(config.sections, process.env);
  const ctx: ScriptContext = { script: spec.name, args, config, redactor, owner: args.owner ?? defaultOwner(process.cwd()), io };
  const auditLog = config.sections.reports.auditLog;
  const unfinished = describeUnfinished(await unfinishedAudits(auditLog), auditLog);
  if (unfinished) say([`note: ${redactor.redact(unfinished)}`]);
  const stopSignals = endAuditedOnSignal(spec.name, auditLog, redactor, io);
  try {
    return await body(ctx);
  } catch (error) {
    if (error instanceof Refused) {
      say(error.problems.map((p) => redactor.redact(p)));
      if (!(error instanceof BadInput)) {
        const entry = {
          script: spec.name,
          env: args.env,
          owner: ctx.owner,
          args: [...argv],
          outcome: 'refused' as const,
          touches: error.touches ?? ctx.touches,
          summary: { problems: error.problems },
        };
        await audit(auditLog, entry, redactor).catch(() => undefined);
      }
      return EXIT.refused;
    }
    say([`failed: ${redactor.redact((error as Error).message ?? String(error))}`]);
    return EXIT.failed;
  } finally {
    stopSignals();
  }
}

/**
 * A script that stops gracefully on the first signal (Ctrl-C, a service manager's SIGTERM, a
 * closed console's SIGHUP): the returned signal aborts, with `doing` said on the console, and
 * the script winds down and records its own end. A second signal finds only the frame's handler
 * (endAuditedOnSignal), which exits at once. `release` when the work is over.
 *
 * `absorbMs`: for work that must not be cut off halfway, repeats within that time after the
 * first are absorbed, as a run's are (a terminal's repeated Ctrl-C, a process group's signal and
 * a wrapper's resend arrive together); only a signal after it forces the end.
 */
export function stopOnSignal(
  ctx: Pick<ScriptContext, 'script' | 'io'>,
  doing: string,
  { absorbMs = 0 }: { absorbMs?: number } = {},
): { signal: AbortSignal; release: () => void } {
  const stop = new AbortController();
  const release = () => {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  };
  function onSignal(signal: NodeJS.Signals) {
    if (stop.signal.aborted) return;
    const force = absorbMs ? `again after ${Math.round(absorbMs / 1000)} s to force` : 'again to force';
    ctx.io.err(`${ctx.script}: ${signal}: ${doing} (${force})`);
    stop.abort(new Error(`interrupted by ${signal}`));
    if (absorbMs) setTimeout(release, absorbMs).unref();
    else release();
  }
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  return { signal: stop.signal, release };
}

/**
 * A signal ends the script with exit 1, after its started audit entries are ended as
 * interrupted; repeats while that is written are ignored. A script that stops gracefully on
 * the first signal (migrate:attachments finishes its rows in flight) listens itself; this acts
 * only when nobody else does.
 */
function endAuditedOnSignal(name: string, auditLog: string, redactor: Redactor, io: Io): () => void {
  let ending = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (ending || process.listenerCount(signal) > 1) return;
    ending = true;
    io.err(`${name}: interrupted by ${signal}; recording it in ${auditLog}, then exiting (1)`);
    const mine = (r: AuditRecord) => r.pid === process.pid && r.host === os.hostname();
    void endInterrupted(auditLog, mine, `${signal} to pid ${process.pid}`, redactor)
      .catch(() => undefined)
      .finally(() => process.exit(EXIT.failed));
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return () => {
    // Once a signal is ending the script, it keeps absorbing the rest of a burst until that
    // exit: a late one must not turn exit 1 into a death by signal.
    if (ending) return;
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  };
}
