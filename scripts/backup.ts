import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BACKUP_STOPPING, guardedBackup } from '../lib/backup/guarded';
import type { ScriptSpec } from '../lib/guard/args';
import { LockBusy } from '../lib/guard/lock';
import { databaseResource } from '../lib/command/resources';
import { authorize, Refused, requireEnv, runGuardedScript, stopOnSignal } from '../lib/guard/script';
import { EXIT } from '../lib/command/exit';

export const BACKUP_SPEC: ScriptSpec = {
  name: 'backup',
  summary:
    "Backs up the environment's database (DATABASE_URL): pg_dump plain SQL, gzipped to db-backup-<UTC timestamp>.sql.gz in\n" +
    'preflight.backup.dir, integrity-tested, with a .sha256 and a manifest beside it. Step 0 accepts it while it is fresh.',
  flags: {},
};

/** `npm run backup -- --env=<env> [--confirm=<env>]`: reads the database, writes only the backup files. */
export function backupMain(argv: readonly string[]): Promise<number> {
  return runGuardedScript(BACKUP_SPEC, argv, async (ctx) => {
    const { args, config } = ctx;
    const input: string[] = [];
    const databaseUrl = requireEnv(ctx, config.sections.credentials.databaseUrl, 'the database to back up', input);
    authorize(ctx, 'dump the database', input, () => ({ database: databaseResource(databaseUrl) }));
    const stop = stopOnSignal(ctx, BACKUP_STOPPING);
    try {
      const taken = await guardedBackup({
        env: args.env,
        owner: ctx.owner,
        sections: config.sections,
        databaseUrl,
        redactor: ctx.redactor,
        args: [...argv],
        log: (line) => ctx.io.out(ctx.redactor.redact(line)),
        signal: stop.signal,
      });
      ctx.io.out(`backup: ${path.relative(process.cwd(), taken.manifestPath)}`);
      return EXIT.ok;
    } catch (error) {
      if (error instanceof LockBusy) throw new Refused([error.message]);
      throw error;
    } finally {
      stop.release();
    }
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exit(await backupMain(process.argv.slice(2)));
}
