import path from 'node:path';
import type { EnvName, Sections } from '../config/schema';
import { audit, auditId } from '../guard/audit';
import { databaseResource } from '../command/resources';
import { withAdvisoryLock } from '../guard/lock';
import type { Redactor } from '../secrets/redactor';
import { databaseIdentity, describeDatabase } from '../command/identity';
import { takeBackup, type TakenBackup } from './take';

/** What a signal does to a backup in flight, as the console says it (the script's and the run's). */
export const BACKUP_STOPPING = 'stopping pg_dump and removing the partial backup';

export interface GuardedBackupOptions {
  env: EnvName;
  owner: string;
  sections: Sections;
  databaseUrl: string;
  redactor: Redactor;
  /** How it was asked for, for the audit log (script flags, or the suite's --apply). */
  args: string[];
  log?: (line: string) => void;
  now?: () => Date;
  /** Stops the dump (an operator's signal): the entry ends 'interrupted', no partial backup is left. */
  signal?: AbortSignal;
}

/**
 * The backup step as both `npm run backup` and step 0 (--apply=backup) run it: one at a time
 * per database (advisory lock), audited from start to end. The caller has checked --confirm.
 */
export async function guardedBackup(opts: GuardedBackupOptions): Promise<TakenBackup> {
  const settings = opts.sections.preflight.backup;
  const entry = {
    id: auditId(),
    script: 'backup',
    env: opts.env,
    owner: opts.owner,
    args: opts.args,
    touches: { database: databaseResource(opts.databaseUrl) },
  };
  const auditLog = opts.sections.reports.auditLog;
  return withAdvisoryLock(opts.databaseUrl, settings.lockKey, 'a database backup', async () => {
    await audit(
      auditLog,
      { ...entry, outcome: 'started', summary: { database: describeDatabase(databaseIdentity(opts.databaseUrl)) } },
      opts.redactor,
    );
    try {
      const taken = await takeBackup({
        databaseUrl: opts.databaseUrl,
        dir: path.resolve(settings.dir),
        pgDump: settings.pgDump,
        timeoutMs: settings.timeoutMs,
        log: opts.log,
        now: opts.now,
        signal: opts.signal,
      });
      const { file, sha256, sizeBytes, startedAt, database } = taken.manifest;
      await audit(
        auditLog,
        { ...entry, outcome: 'done', summary: { file, sha256, sizeBytes, startedAt, database: describeDatabase(database) } },
        opts.redactor,
      );
      return taken;
    } catch (error) {
      const outcome = opts.signal?.aborted ? 'interrupted' : 'failed';
      await audit(auditLog, { ...entry, outcome, summary: { error: (error as Error).message } }, opts.redactor);
      throw error;
    }
  });
}
