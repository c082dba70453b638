import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Refused } from '../../command/refused';
import { commandHint, type Invocation } from '../../command/hint';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { harnessConnection } from '../../pg-connection';
import type { EnvName, Sections } from '../../config/schema';
import { unsetSettings, type SettingName } from '../../config/settings';
import { audit, auditId } from '../../guard/audit';
import { LockBusy, withAdvisoryLock } from '../../guard/lock';
import { bucketResource, databaseResource } from '../../command/resources';
import type { Redactor } from '../../secrets/redactor';
import { describeS3Error, endpointUrl, type S3Settings } from '../s3';
import { s3Client } from '../s3-client';
import { runBackendMigration } from './backend-runner';
import { runHarnessMigration } from './builtin-runner';
import { MigrationState } from './state';
import { emptySummary, formatSummary, passed, type MigrateSummary } from './summary';

/** What a signal does to a migration in flight, as the console says it (the script's and the run's). */
export function migrationStopping(runner: 'harness' | 'backend'): string {
  return runner === 'backend'
    ? "stopping the backend's command (SIGTERM to its process group), then verifying what it changed, then printing the summary"
    : 'finishing the rows in flight, then printing the summary';
}

export interface MigrateOptions {
  env: EnvName;
  owner: string;
  /** How it was asked for, for the audit log (the script's flags, or the suite's --apply). */
  args: string[];
  dryRun: boolean;
  limit: number;
  concurrency: number;
  sections: Sections;
  databaseUrl: string;
  s3: S3Settings;
  redactor: Redactor;
  /** prod: the deployed build must be this RC (read at baseUrl). */
  rcSha?: string | null;
  baseUrl?: string;
  /** The flags its printed hints repeat (lib/command/hint.ts); default: --env alone. */
  invocation?: Invocation;
  /** The backend command's environment (storage.migrate.runner 'backend'); default the process env. */
  backendEnv?: NodeJS.ProcessEnv;
  /** Every output line, already redacted, as it happens. */
  log?: (line: string) => void;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface MigrateResult {
  summary: MigrateSummary;
  /** Everything it printed (redacted): what the runbook asks to paste. */
  output: string;
  passed: boolean;
}

/** Nothing was changed: a guard said no. One line per reason. */
export class MigrateRefused extends Refused {}

/** Legacy files are read from the target's uploads dir: a migration without it cannot start. */
export const UPLOADS_SETTING: [SettingName, string][] = [['storage.uploadsDir', 'the attachment migration, which reads the legacy files']];

export function newRunId(env: string, now = new Date()): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${env}-${randomBytes(3).toString('hex')}`;
}

/** Everything that makes two invocations "the same plan" except --dry-run. */
export function planKey(o: Pick<MigrateOptions, 'limit' | 'concurrency' | 's3' | 'sections'>): string {
  const st = o.sections.storage;
  return JSON.stringify({
    runner: st.migrate.runner,
    limit: o.limit,
    concurrency: o.concurrency,
    bucket: o.s3.bucket,
    endpoint: endpointUrl(o.s3).host,
    uploadsDir: st.uploadsDir && path.resolve(st.uploadsDir),
    tables: st.legacyTables.map((t) => `${t.kind}:${t.table}`),
  });
}

export function commandLine(o: Pick<MigrateOptions, 'dryRun' | 'limit' | 'concurrency' | 'env' | 'invocation'>): string {
  return commandHint(
    'npm run migrate:attachments',
    o.invocation ?? { env: o.env },
    ...(o.dryRun ? ['--dry-run'] : []),
    `--limit=${o.limit}`,
    `--concurrency=${o.concurrency}`,
    ...(o.env === 'local' || o.dryRun ? [] : [`--confirm=${o.env}`]),
  );
}

/** What must hold before a real run changes prod; empty outside prod. */
async function realRunProblems(o: MigrateOptions, state: MigrationState, plan: string): Promise<string[]> {
  if (o.dryRun || o.env !== 'prod') return [];
  const problems: string[] = [];
  // Loaded for prod only: it brings the HTTP client (undici), which other runs never use.
  const { prodPreconditions } = await import('../../guard/prod-preconditions');
  const pre = await prodPreconditions({
    env: o.env,
    rcSha: o.rcSha,
    baseUrl: o.baseUrl,
    sections: o.sections,
    databaseUrl: o.databaseUrl,
    redactor: o.redactor,
    invocation: o.invocation,
  });
  problems.push(...pre.problems.map((p) => `prod precondition: ${p}`));
  const minutes = o.sections.storage.migrate.dryRunValidMinutes;
  const dry = await state.passingDryRun(o.env, plan, minutes, o.now?.() ?? new Date());
  if (!dry) {
    problems.push(
      `no passing dry run of this plan in the last ${minutes} minutes (same limit, concurrency, bucket, uploads dir, tables): run \`${commandLine({ ...o, dryRun: true })}\` first`,
    );
  }
  return problems;
}

/**
 * `npm run migrate:attachments`, guarded, as both the script and step 3 (--apply=storage) run
 * it. The caller has checked --confirm. A real run in prod needs the prod preconditions and a
 * passing dry run of the same plan; real runs hold an advisory lock; every run is audited and
 * ends with its summary, whatever happened.
 */
export async function migrateAttachments(o: MigrateOptions): Promise<MigrateResult> {
  const st = o.sections.storage;
  const unset = unsetSettings(o.sections, UPLOADS_SETTING, 'the config file');
  if (unset.length) throw new MigrateRefused(unset);
  const uploadsDir = path.resolve(st.uploadsDir!);
  const state = new MigrationState(o.sections.reports.dir);
  const plan = planKey(o);
  const runId = newRunId(o.env, o.now?.());
  const lines: string[] = [];
  const log = (line: string) => {
    const safe = o.redactor.redact(line);
    lines.push(safe);
    o.log?.(safe);
  };

  const problems = await realRunProblems(o, state, plan);
  if (problems.length) throw new MigrateRefused(problems);
  const client = s3Client(o.s3, { requestTimeoutMs: 120_000 });
  const pool = new pg.Pool(
    harnessConnection(o.databaseUrl, `attachment migration ${runId}`, {
      max: o.concurrency + 1,
      connectionTimeoutMillis: 10_000,
      query_timeout: 60_000,
    }),
  );
  pool.on('error', () => undefined);
  try {
    try {
      await client.send(new HeadBucketCommand({ Bucket: o.s3.bucket }), { abortSignal: o.signal });
    } catch (error) {
      throw new MigrateRefused([
        `object storage: ${describeS3Error(`HeadBucket ${o.s3.bucket}`, error)}; fix the OBJECT_STORAGE_S3_* settings, nothing was changed`,
      ]);
    }
    const entry = {
      id: auditId(),
      script: 'migrate:attachments',
      env: o.env,
      owner: o.owner,
      args: o.args,
      touches: { database: databaseResource(o.databaseUrl), bucket: bucketResource(o.s3) },
    };
    await audit(
      o.sections.reports.auditLog,
      { ...entry, outcome: 'started', summary: { runId, dryRun: o.dryRun, plan: JSON.parse(plan) } },
      o.redactor,
    );
    log(
      `[migrate] starting run ${runId} (${st.migrate.runner} runner${o.dryRun ? ', dry run' : ''}) → bucket ${o.s3.bucket} at ${endpointUrl(o.s3).host}`,
    );

    const summary = emptySummary(runId, st.migrate.runner, o.dryRun);
    const work = async (): Promise<void> => {
      const common = {
        runId,
        dryRun: o.dryRun,
        limit: o.limit,
        concurrency: o.concurrency,
        tables: st.legacyTables,
        uploadsDir,
        pool,
        client,
        bucket: o.s3.bucket,
        state,
        log,
      };
      if (st.migrate.runner === 'backend') {
        return runBackendMigration(
          {
            ...common,
            command: st.migrate.backendCommand,
            timeoutMs: st.migrate.backendTimeoutMs,
            env: o.backendEnv ?? process.env,
            signal: o.signal,
          },
          summary,
        );
      }
      return runHarnessMigration(
        { ...common, partSize: st.migrate.partSizeMiB * 1024 * 1024, queueSize: st.migrate.queueSize, signal: o.signal },
        summary,
      );
    };
    try {
      await (o.dryRun ? work() : withAdvisoryLock(o.databaseUrl, st.migrate.lockKey, 'the attachment migration', work));
    } catch (error) {
      if (error instanceof LockBusy) {
        await audit(
          o.sections.reports.auditLog,
          { ...entry, outcome: 'refused', summary: { runId, problems: [error.message] } },
          o.redactor,
        );
        throw new MigrateRefused([`${error.message}; nothing was changed`]);
      }
      summary.failed.push({ row: '(run)', reason: `stopped: ${(error as Error).message.split('\n')[0]}` });
    }
    for (const line of formatSummary(summary)) log(line);
    const ok = passed(summary);
    if (o.dryRun)
      await state.recordDryRun({ at: (o.now?.() ?? new Date()).toISOString(), env: o.env, plan, runId, passed: ok, owner: o.owner });
    else if (summary.moved + summary.resumed > 0) {
      log(
        `[migrate] rollback if needed: ${commandHint('npm run migrate:attachments', o.invocation ?? { env: o.env }, ...(o.env === 'local' ? [] : [`--confirm=${o.env}`]), `--rollback=${runId}`)}`,
      );
    }
    const counts = {
      runId,
      moved: summary.moved,
      resumed: summary.resumed,
      wouldMove: summary.wouldMove,
      skipped: summary.skipped.length,
      failed: summary.failed,
    };
    // Stopped by a signal before every row was taken: interrupted, with what it did by then.
    const outcome = ok ? 'done' : o.signal?.aborted ? 'interrupted' : 'failed';
    await audit(o.sections.reports.auditLog, { ...entry, outcome, summary: counts }, o.redactor);
    return { summary, output: lines.join('\n'), passed: ok };
  } finally {
    client.destroy();
    await pool.end().catch(() => undefined);
  }
}
