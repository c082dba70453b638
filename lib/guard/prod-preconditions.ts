import type { EnvName, Sections } from '../config/schema';
import type { Invocation } from '../command/hint';
import { checkBackup } from '../backup/freshness';
import { checkDeployedSha } from '../preflight/deployed-sha';
import type { Redactor } from '../secrets/redactor';
import { TargetClient } from '../http/client';

export interface ProdPreconditionInput {
  env: EnvName;
  rcSha: string | null | undefined;
  /** The target's base URL, where the deployed build reports its SHA. */
  baseUrl: string | undefined;
  sections: Sections;
  databaseUrl: string;
  redactor: Redactor;
  processEnv?: NodeJS.ProcessEnv;
  now?: Date;
  /** The flags the printed backup hint repeats; default: --env alone. */
  invocation?: Invocation;
}

export interface PreconditionReport {
  /** Why prod must not be changed now; empty means it may. */
  problems: string[];
  /** What was checked, for the audit log and the script's output. */
  checked: string[];
}

/**
 * What every prod mutation waits for (design: guarded mutations): the deployed build is the RC,
 * and a fresh backup of this database exists. Fails closed: a SHA nobody can read is not a
 * match. Outside prod there is nothing to check.
 */
export async function prodPreconditions(input: ProdPreconditionInput): Promise<PreconditionReport> {
  if (input.env !== 'prod') return { problems: [], checked: [] };
  const problems: string[] = [];
  const checked: string[] = [];
  const source = input.sections.preflight.deployedSha;
  if (!input.baseUrl) {
    problems.push(
      'the deployed SHA cannot be checked without the prod base URL: set it in the environment (see cutover.config.ts) or pass --base-url',
    );
  } else if (source.source === 'none') {
    problems.push(
      "the deployed build's SHA cannot be checked (preflight.deployedSha.source is 'none'): configure a header, route or platform command that reports it before changing prod",
    );
  } else {
    const target = new TargetClient({
      baseUrl: input.baseUrl,
      timeoutMs: input.sections.http.timeoutMs,
      userAgent: input.sections.http.userAgent,
      redactor: input.redactor,
    });
    const sha = await checkDeployedSha(input.rcSha, source, target);
    problems.push(...sha.problems);
    checked.push(`RC SHA: ${sha.value}`);
  }
  const backup = await checkBackup({
    settings: input.sections.preflight.backup,
    databaseUrl: input.databaseUrl,
    env: input.processEnv ?? process.env,
    now: input.now,
    invocation: input.invocation ?? { env: input.env },
  });
  problems.push(...backup.problems);
  checked.push(`backup: ${backup.value}`);
  return { problems: problems.map((p) => input.redactor.redact(p)), checked: checked.map((c) => input.redactor.redact(c)) };
}
