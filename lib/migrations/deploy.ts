import path from 'node:path';
import type { EnvName, Sections } from '../config/schema';
import { Refused } from '../command/refused';
import { commandHint, type Invocation } from '../command/hint';
import { migrationSettings, unsetSettings } from '../config/settings';
import { audit, auditId } from '../guard/audit';
import { withAdvisoryLock } from '../guard/lock';
import { prodPreconditions } from '../guard/prod-preconditions';
import { databaseResource } from '../command/resources';
import type { Redactor } from '../secrets/redactor';
import { describeShellEnd, runShell } from '../shell';
import { applyPrismaMigrations, PrismaMigrateError } from './prisma-engine';
import { blockingProblems, readMigrationStatus, type MigrationStatus } from './status';

export interface DeployOptions {
  env: EnvName;
  owner: string;
  rcSha: string | null | undefined;
  /** The target, where prod's deployed SHA is read. */
  baseUrl: string | undefined;
  sections: Sections;
  databaseUrl: string;
  redactor: Redactor;
  /** How it was asked for, for the audit log. */
  args: string[];
  log?: (line: string) => void;
  /** The flags the printed hints repeat; default: --env alone. */
  invocation?: Invocation;
}

export interface DeployResult {
  /** The deploy's own output, as the runbook asks to paste it. */
  output: string;
  before: MigrationStatus;
  after: MigrationStatus;
}

/**
 * What a signal waits for while a deploy runs (`npm run migrate:deploy`, and a run's Step 1):
 * a migration cut off halfway stays failed in _prisma_migrations.
 */
export const DEPLOY_IN_FLIGHT =
  'the migrations being applied (cut off, one would stay failed in _prisma_migrations and block every later deploy)';

/** Nothing was changed: a guard or the migration history said no. */
export class DeployRefused extends Refused {}

/** The deploy ran and failed; output is what it printed up to the failure. */
export class DeployFailed extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
  }
}

/** How the operator applies pending migrations in this environment (for messages). */
export function applyHint(invocation: Invocation): string {
  const confirm = invocation.env === 'local' ? [] : [`--confirm=${invocation.env}`];
  return `\`${commandHint('npm run migrate:deploy', invocation, ...confirm)}\` or \`${commandHint('npm test', invocation, '--apply=migrations', ...confirm)}\``;
}

/** The release's migrations directory and schema; unset ones refuse the deploy before anything else. */
function migrationPaths(s: Sections): { dir: string; schema: string | null } {
  const unset = unsetSettings(s, migrationSettings(s, true), 'the config file');
  if (unset.length) throw new DeployRefused(unset);
  return { dir: path.resolve(s.migrations.dir!), schema: s.migrations.schema && path.resolve(s.migrations.schema) };
}

async function runDeploy(opts: DeployOptions): Promise<string> {
  const m = opts.sections.migrations;
  if (m.deployCommand) {
    const env = { ...process.env, [opts.sections.credentials.databaseUrl]: opts.databaseUrl };
    // Followed as it runs (a backend's `prisma migrate deploy` names each migration it applies).
    const follow = opts.log && ((line: string) => opts.log!(opts.redactor.redact(line)));
    follow?.(`$ ${m.deployCommand}`);
    const result = await runShell(m.deployCommand, { timeoutMs: m.timeoutMs, env, onLine: follow });
    const output = `$ ${m.deployCommand}\n${result.output.trimEnd()}`;
    if (result.code !== 0) throw new DeployFailed(describeShellEnd(`\`${m.deployCommand}\``, result, m.timeoutMs), output);
    return output;
  }
  const paths = migrationPaths(opts.sections);
  try {
    const result = await applyPrismaMigrations({
      databaseUrl: opts.databaseUrl,
      // Set: without a deployCommand migrationPaths refuses an unset schema.
      schemaPath: paths.schema!,
      migrationsDir: paths.dir,
      timeoutMs: m.timeoutMs,
      log: opts.log,
    });
    return result.output;
  } catch (error) {
    if (error instanceof PrismaMigrateError) throw new DeployFailed(`migrate deploy failed: ${error.message.split('\n')[0]}`, error.output);
    throw error;
  }
}

/**
 * `prisma migrate deploy`, guarded: prod preconditions first (deployed build is the RC, fresh
 * backup), then under an advisory lock so two operators cannot overlap: read the status (the
 * dry run of this very plan), refuse on failed/edited/drifted history, apply, read it again.
 */
export async function deployMigrations(opts: DeployOptions): Promise<DeployResult> {
  const { redactor } = opts;
  const { dir } = migrationPaths(opts.sections);
  const pre = await prodPreconditions({
    env: opts.env,
    rcSha: opts.rcSha,
    baseUrl: opts.baseUrl,
    sections: opts.sections,
    databaseUrl: opts.databaseUrl,
    redactor,
    invocation: opts.invocation,
  });
  if (pre.problems.length) throw new DeployRefused(pre.problems.map((p) => `prod precondition: ${p}`));
  const m = opts.sections.migrations;
  const entry = {
    id: auditId(),
    script: 'migrate:deploy',
    env: opts.env,
    owner: opts.owner,
    args: opts.args,
    touches: { database: databaseResource(opts.databaseUrl) },
  };
  return withAdvisoryLock(opts.databaseUrl, m.lockKey, 'migrate deploy', async () => {
    const before = await readMigrationStatus(opts.databaseUrl, dir);
    const blocking = blockingProblems(before);
    if (blocking.length) throw new DeployRefused(blocking);
    await audit(
      opts.sections.reports.auditLog,
      { ...entry, outcome: 'started', summary: { database: before.database, pending: before.pending, preconditions: pre.checked } },
      redactor,
    );
    let output: string;
    try {
      output = redactor.redact(await runDeploy(opts));
    } catch (error) {
      const failure = error instanceof DeployFailed ? error : new DeployFailed((error as Error).message, '');
      const safe = new DeployFailed(redactor.redact(failure.message), redactor.redact(failure.output));
      await audit(opts.sections.reports.auditLog, { ...entry, outcome: 'failed', summary: { error: safe.message } }, redactor);
      throw safe;
    }
    const after = await readMigrationStatus(opts.databaseUrl, dir);
    await audit(
      opts.sections.reports.auditLog,
      {
        ...entry,
        outcome: 'done',
        summary: {
          database: after.database,
          applied: before.pending.filter((n) => !after.pending.includes(n)),
          stillPending: after.pending,
        },
      },
      redactor,
    );
    return { output, before, after };
  });
}
