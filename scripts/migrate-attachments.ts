import { pathToFileURL } from 'node:url';
import { unsetSettings } from '../lib/config/settings';
import { invocationOf, type ScriptSpec } from '../lib/guard/args';
import { LockBusy } from '../lib/guard/lock';
import { BASE_URL_FLAG } from '../lib/command/common-flags';
import { bucketResource, databaseResource } from '../lib/command/resources';
import { authorize, Refused, rejectInput, requireEnv, runGuardedScript, stopOnSignal, targetBaseUrl } from '../lib/guard/script';
import { EXIT } from '../lib/command/exit';
import { migrateAttachments, migrationStopping, UPLOADS_SETTING } from '../lib/storage/migrate/guarded';
import { rollbackMigration } from '../lib/storage/migrate/rollback';
import { s3SettingsFromEnv } from '../lib/storage/s3';

export const MIGRATE_ATTACHMENTS_SPEC: ScriptSpec = {
  name: 'migrate:attachments',
  summary:
    'Moves legacy disk attachments (diskPath, no storageKey) to object storage: streams each file to\n' +
    "attachments/<kind>/<rowId>/<filename>, verifies the stored object (the store's MD5 ETag, else read back), then sets storageKey;\n" +
    'diskPath is kept. Idempotent and resumable. A real run in prod needs a passing --dry-run of the same plan first,\n' +
    'the deployed build to be the RC (--sha) and a fresh backup. Every run prints its summary and a run id for --rollback.',
  flags: {
    'dry-run': { kind: 'boolean', help: 'list what would move; writes nothing to the database or the bucket' },
    limit: { kind: 'value', help: 'take at most N rows (default storage.migrate.limit)' },
    concurrency: { kind: 'value', help: 'rows in flight at once, 1-64 (default storage.migrate.concurrency)' },
    rollback: { kind: 'value', help: 'clear storageKey on the rows run <runId> migrated (reads fall back to disk)' },
    'base-url': { ...BASE_URL_FLAG, help: "the target's base URL, where prod's deployed SHA is read (default: the environment's)" },
  },
};

function positiveInt(value: string | undefined, flag: string, max: number, problems: string[]): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    problems.push(`--${flag} must be a whole number from 1 to ${max}`);
    return undefined;
  }
  return Number(value);
}

/** `npm run migrate:attachments -- [--dry-run] --limit=N --concurrency=N [--env=<env> --confirm=<env>]` */
export function migrateAttachmentsMain(argv: readonly string[]): Promise<number> {
  return runGuardedScript(MIGRATE_ATTACHMENTS_SPEC, argv, async (ctx) => {
    const { args, config, io, redactor } = ctx;
    const sections = config.sections;
    const dryRun = args.booleans.has('dry-run');
    const rollback = args.values.rollback;
    const input: string[] = [];
    const limit = positiveInt(args.values.limit, 'limit', 1_000_000, input) ?? sections.storage.migrate.limit;
    const concurrency = positiveInt(args.values.concurrency, 'concurrency', 64, input) ?? sections.storage.migrate.concurrency;
    if (rollback && (args.values.limit || args.values.concurrency)) input.push('--rollback takes no --limit or --concurrency');
    const databaseUrl = requireEnv(ctx, sections.credentials.databaseUrl, 'the attachment tables', input);
    const s3 = rollback ? undefined : s3SettingsFromEnv(process.env, sections.credentials.s3);
    if (s3) input.push(...s3.problems.map((p) => `${p} (object storage)`));
    if (!rollback) input.push(...unsetSettings(sections, UPLOADS_SETTING, args.config));
    const baseUrl = targetBaseUrl(ctx, input);
    if (dryRun) rejectInput(input);
    else {
      // A rollback clears storageKey in the database only; a migration also writes to the bucket.
      // A rollback undoes: what a later step lacks must not keep it from running.
      authorize(
        ctx,
        rollback ? 'roll back the attachment migration' : 'migrate attachments',
        input,
        () => ({
          database: databaseResource(databaseUrl),
          ...(s3?.settings ? { bucket: bucketResource(s3.settings) } : {}),
        }),
        { doctor: !rollback },
      );
    }

    const common = {
      env: args.env,
      invocation: invocationOf(args),
      owner: ctx.owner,
      args: [...argv],
      dryRun,
      sections,
      databaseUrl,
      redactor,
      log: (line: string) => io.out(line),
    };
    try {
      if (rollback) {
        await rollbackMigration({ ...common, runId: rollback });
        return EXIT.ok;
      }
      // In flight at the first signal: the harness's rows finish; the backend's command is stopped.
      const stop = stopOnSignal(ctx, migrationStopping(sections.storage.migrate.runner));
      try {
        const result = await migrateAttachments({
          ...common,
          limit,
          concurrency,
          s3: s3!.settings!,
          rcSha: args.sha,
          baseUrl,
          signal: stop.signal,
        });
        return result.passed ? EXIT.ok : EXIT.failed;
      } finally {
        stop.release();
      }
    } catch (error) {
      // A refusal of the migration itself (a Refused) passes through to the frame as it is.
      if (error instanceof LockBusy) throw new Refused([`${error.message}; nothing was changed`]);
      throw error;
    }
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await migrateAttachmentsMain(process.argv.slice(2));
}
