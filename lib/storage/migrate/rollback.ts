import pg from 'pg';
import { harnessConnection } from '../../pg-connection';
import type { EnvName, Sections } from '../../config/schema';
import { audit, auditId } from '../../guard/audit';
import { withAdvisoryLock } from '../../guard/lock';
import { databaseResource } from '../../command/resources';
import type { Redactor } from '../../secrets/redactor';
import { clearStorageKey } from '../legacy';
import { MigrateRefused } from './guarded';
import { isRunId, MigrationState } from './state';

export interface RollbackOptions {
  env: EnvName;
  owner: string;
  args: string[];
  runId: string;
  /** List what would be cleared; change nothing. */
  dryRun: boolean;
  sections: Sections;
  databaseUrl: string;
  redactor: Redactor;
  log?: (line: string) => void;
}

export interface RollbackResult {
  cleared: number;
  /** Rows whose storageKey is no longer the one this run set (or whose disk copy is gone): left alone. */
  unchanged: number;
  output: string;
}

/**
 * The runbook's rollback for one run: clear storageKey on the rows that run migrated, so reads
 * fall back to disk. Only where storageKey is still the key the run set and diskPath is still
 * there; objects stay in the bucket (a later run reuses them once verified). The caller has
 * checked --confirm.
 */
export async function rollbackMigration(o: RollbackOptions): Promise<RollbackResult> {
  if (!isRunId(o.runId))
    throw new MigrateRefused([`--rollback: "${o.runId}" is not a run id (the migration prints it: [migrate] starting run <id>)`]);
  const state = new MigrationState(o.sections.reports.dir);
  const entries = await state.migratedBy(o.runId);
  if (!entries) throw new MigrateRefused([`--rollback: no run ${o.runId} is recorded under ${state.dir}/runs; nothing was changed`]);
  const tables = new Set(o.sections.storage.legacyTables.map((t) => t.table));
  const foreign = [...new Set(entries.filter((e) => !tables.has(e.table)).map((e) => e.table))];
  if (foreign.length)
    throw new MigrateRefused([
      `--rollback: run ${o.runId} names tables not in storage.legacyTables (${foreign.join(', ')}); nothing was changed`,
    ]);

  const lines: string[] = [];
  const log = (line: string) => {
    const safe = o.redactor.redact(line);
    lines.push(safe);
    o.log?.(safe);
  };
  const unique = [...new Map(entries.map((e) => [`${e.table}#${e.id}#${e.key}`, e])).values()];
  log(`[migrate] rollback of run ${o.runId}: ${unique.length} row(s) recorded${o.dryRun ? ' (dry run: nothing is changed)' : ''}`);
  if (o.dryRun) {
    for (const e of unique) log(`[migrate] would clear storageKey of ${e.table}#${e.id} (if it is still ${e.key})`);
    return { cleared: 0, unchanged: 0, output: lines.join('\n') };
  }
  const entry = {
    id: auditId(),
    script: 'migrate:attachments',
    env: o.env,
    owner: o.owner,
    args: o.args,
    touches: { database: databaseResource(o.databaseUrl) },
  };
  return withAdvisoryLock(o.databaseUrl, o.sections.storage.migrate.lockKey, 'the attachment migration', async () => {
    await audit(
      o.sections.reports.auditLog,
      { ...entry, outcome: 'started', summary: { rollback: o.runId, rows: unique.length } },
      o.redactor,
    );
    const client = new pg.Client(
      harnessConnection(o.databaseUrl, `attachment rollback ${o.runId}`, { connectionTimeoutMillis: 10_000, query_timeout: 60_000 }),
    );
    client.on('error', () => undefined);
    let cleared = 0;
    let unchanged = 0;
    try {
      await client.connect();
      for (const e of unique) {
        if (await clearStorageKey(client, e.table, e.id, e.key)) {
          cleared += 1;
          log(`[migrate] cleared storageKey of ${e.table}#${e.id}: reads fall back to its disk file`);
        } else {
          unchanged += 1;
          log(`[migrate] left ${e.table}#${e.id} alone: its storageKey is no longer ${e.key}, or it has no disk copy`);
        }
      }
    } catch (error) {
      log(`[migrate] rollback stopped: ${(error as Error).message.split('\n')[0]}`);
      await audit(
        o.sections.reports.auditLog,
        { ...entry, outcome: 'failed', summary: { rollback: o.runId, cleared, unchanged } },
        o.redactor,
      );
      throw error;
    } finally {
      await client.end().catch(() => undefined);
    }
    log(`[migrate] rollback done ${JSON.stringify({ runId: o.runId, cleared, unchanged })}`);
    await audit(o.sections.reports.auditLog, { ...entry, outcome: 'done', summary: { rollback: o.runId, cleared, unchanged } }, o.redactor);
    return { cleared, unchanged, output: lines.join('\n') };
  });
}
