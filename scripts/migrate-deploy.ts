import { pathToFileURL } from 'node:url';
import { migrationSettings, requiredSetting, unsetSettings } from '../lib/config/settings';
import { invocationOf, type ScriptSpec } from '../lib/guard/args';
import { LockBusy } from '../lib/guard/lock';
import { BASE_URL_FLAG } from '../lib/command/common-flags';
import { databaseResource } from '../lib/command/resources';
import { authorize, Refused, rejectInput, requireEnv, runGuardedScript, stopOnSignal, targetBaseUrl } from '../lib/guard/script';
import { EXIT, FORCE_AFTER_MS } from '../lib/command/exit';
import { applyHint, DEPLOY_IN_FLIGHT, DeployFailed, deployMigrations } from '../lib/migrations/deploy';
import { blockingProblems, formatStatus, readMigrationStatus } from '../lib/migrations/status';

export const MIGRATE_DEPLOY_SPEC: ScriptSpec = {
  name: 'migrate:deploy',
  summary:
    "Applies pending Prisma migrations (migrations.deployCommand, or Prisma's engine in-process) under an advisory lock,\n" +
    'after reading _prisma_migrations: failed, edited or drifted history is refused. Prod also needs the deployed build to\n' +
    'be the RC (--sha) and a fresh backup.',
  flags: {
    'dry-run': { kind: 'boolean', help: 'print the migration status and what would be applied; change nothing' },
    'base-url': { ...BASE_URL_FLAG, help: "the target's base URL, where prod's deployed SHA is read (default: the environment's)" },
  },
};

/** `npm run migrate:deploy -- --env=<env> --confirm=<env>` */
export function migrateDeployMain(argv: readonly string[]): Promise<number> {
  return runGuardedScript(MIGRATE_DEPLOY_SPEC, argv, async (ctx) => {
    const { args, config, io, redactor } = ctx;
    const dryRun = args.booleans.has('dry-run');
    const input: string[] = [];
    const databaseUrl = requireEnv(ctx, config.sections.credentials.databaseUrl, 'reading and migrating the database', input);
    input.push(...unsetSettings(config.sections, migrationSettings(config.sections, !dryRun), args.config));
    if (dryRun) {
      rejectInput(input);
      const status = await readMigrationStatus(
        databaseUrl,
        requiredSetting(config.sections, 'migrations.dir', 'migration status'),
        undefined,
        config.sections.migrations.lockKey,
      );
      io.out(redactor.redact(formatStatus(status, applyHint(invocationOf(args)))));
      return blockingProblems(status).length ? EXIT.failed : EXIT.ok;
    }
    const baseUrl = targetBaseUrl(ctx, input);
    authorize(ctx, 'apply migrations', input, () => ({ database: databaseResource(databaseUrl) }));
    // A migration cut off halfway stays in _prisma_migrations as failed, and every later deploy
    // refuses until someone resolves it by hand: a signal lets the engine's run finish instead.
    const hold = stopOnSignal(ctx, `finishing ${DEPLOY_IN_FLIGHT}`, { absorbMs: FORCE_AFTER_MS });
    // The deploy's lines as they come (which migration, a lock it waits for), not at its end.
    let streamed = false;
    const log = (line: string) => {
      streamed = true;
      io.out(redactor.redact(line));
    };
    try {
      const result = await deployMigrations({
        log,
        env: args.env,
        owner: ctx.owner,
        rcSha: args.sha,
        baseUrl,
        sections: config.sections,
        databaseUrl,
        redactor,
        args: [...argv],
        invocation: invocationOf(args),
      });
      if (!streamed) io.out(result.output);
      io.out('');
      if (hold.signal.aborted) io.err(`migrate:deploy: ${(hold.signal.reason as Error).message}, after which the deploy ran to its end`);
      io.out(redactor.redact(formatStatus(result.after, applyHint(invocationOf(args)))));
      return result.after.pending.length || blockingProblems(result.after).length ? EXIT.failed : EXIT.ok;
    } catch (error) {
      if (error instanceof LockBusy) throw new Refused([error.message]);
      if (error instanceof DeployFailed && error.output && !streamed) io.out(error.output);
      throw error;
    } finally {
      hold.release();
    }
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // Exit as soon as the work is done: Prisma's engine can leave a pooled connection open for
  // seconds after it returns, and an operator should not wait on it. (stdout/stderr are
  // synchronous for files and pipes here, so nothing printed is lost.)
  process.exit(await migrateDeployMain(process.argv.slice(2)));
}
