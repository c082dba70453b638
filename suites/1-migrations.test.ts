import { expect } from 'vitest';
import { requiredSetting } from '../lib/config/settings';
import type { HarnessContext } from '../lib/context';
import { credential } from '../lib/credentials';
import { liveProgress } from '../lib/live-progress';
import { applyHint, DEPLOY_IN_FLIGHT, DeployFailed, deployMigrations } from '../lib/migrations/deploy';
import { deployProgress } from '../lib/migrations/deploy-progress';
import { describeLock, formatStatus, readMigrationStatus, type MigrationStatus } from '../lib/migrations/status';
import { uninterruptible } from '../lib/runner/in-flight-work';
import { checkId, describeStep, proves, test } from '../lib/suite';

let before: MigrationStatus | undefined;

/** Read once, before anything is applied; every check of the history judges the same reading. */
async function statusBeforeDeploy(harness: HarnessContext): Promise<MigrationStatus> {
  before ??= await readMigrationStatus(
    databaseUrl(harness),
    requiredSetting(harness.sections, 'migrations.dir', 'step 1, migration status against the release'),
    undefined,
    harness.sections.migrations.lockKey,
  );
  return before;
}

function databaseUrl(harness: HarnessContext): string {
  return credential(harness.sections.credentials.databaseUrl, 'reading _prisma_migrations');
}

describeStep('migrations', () => {
  test(
    "Migration status read from _prisma_migrations against the release's migrations directory",
    { tags: ['readonly'], meta: { ...checkId('1.status-read'), ...proves('B.status') } },
    async ({ harness, evidence }) => {
      const status = await statusBeforeDeploy(harness);
      await evidence.paste('B.status', formatStatus(status, applyHint(harness.invocation)), 'migration status before deploy');
    },
  );

  test(
    'No failed migration: every migration that started has finished (Prisma refuses to deploy over one, P3009)',
    { tags: ['readonly'], meta: { ...checkId('1.no-failed'), ...proves('B.status') } },
    async ({ harness }) => {
      const { failed, lock } = await statusBeforeDeploy(harness);
      // A migration being applied by another run is not failed: no restore advice, just who and since when.
      expect(lock && `${describeLock(lock)}: wait for it to end, then run again`).toBeNull();
      const named = failed.map((f) => `${f.name} (started ${f.startedAt}, never finished)`).join(', ');
      expect(
        failed,
        `failed migration(s): ${named}. Prisma refuses to deploy over them (P3009); a partial apply means restoring, per the rollback plan`,
      ).toEqual([]);
    },
  );

  test(
    'No applied migration was edited after it was applied (checksum of migration.sql)',
    { tags: ['readonly'], meta: { ...checkId('1.no-edited'), ...proves('B.status') } },
    async ({ harness }) => {
      const { edited } = await statusBeforeDeploy(harness);
      expect(
        edited,
        `edited after they were applied: ${edited.join(', ')}. Restore the original migration.sql from the release, or follow the rollback plan`,
      ).toEqual([]);
    },
  );

  test(
    'No applied migration is missing from the migrations directory (drift)',
    { tags: ['readonly'], meta: { ...checkId('1.no-drift'), ...proves('B.status') } },
    async ({ harness }) => {
      const { drift, dir } = await statusBeforeDeploy(harness);
      expect(
        drift,
        `applied to the database but missing from ${dir}: ${drift.join(', ')}. Is this the right release? Suspected drift: stop the rollout`,
      ).toEqual([]);
    },
  );

  test(
    'npm run migrate:deploy: nothing left pending or failed',
    { tags: ['mutating'], meta: { ...checkId('1.deploy'), ...proves('B.output') } },
    async ({ harness, evidence, redactor }) => {
      const status = await statusBeforeDeploy(harness);
      if (!harness.apply.includes('migrations')) {
        await evidence.paste(
          'B.output',
          `migrate deploy not run (not asked for: --apply=migrations)\n\n${formatStatus(status, applyHint(harness.invocation))}`,
        );
        expect(
          status.pending,
          `${status.pending.length} migration(s) pending and not applied: ${status.pending.join(', ')}. Apply with ${applyHint(harness.invocation)}`,
        ).toEqual([]);
        return;
      }
      await evidence.progress(`applying ${status.pending.length} pending migration(s) under the advisory lock`);
      const live = liveProgress(evidence, deployProgress(status.pending.length));
      try {
        const deploy = () =>
          deployMigrations({
            log: live.log,
            env: harness.env,
            owner: harness.owner,
            rcSha: harness.rcSha,
            baseUrl: harness.baseUrl,
            sections: harness.sections,
            databaseUrl: databaseUrl(harness),
            redactor,
            args: [`--env=${harness.env}`, '--apply=migrations', '(npm test, step 1)'],
            invocation: harness.invocation,
          });
        const result = await uninterruptible(DEPLOY_IN_FLIGHT, deploy).finally(live.settled);
        await evidence.paste('B.output', result.output, 'migrate deploy');
        await evidence.paste('B.output', formatStatus(result.after, applyHint(harness.invocation)), 'migration status after deploy');
        const left = [...result.after.pending, ...result.after.failed.map((f) => `${f.name} (failed)`)];
        expect(left, `still pending or failed after the deploy: ${left.join(', ')}`).toEqual([]);
      } catch (error) {
        if (error instanceof DeployFailed) await evidence.paste('B.output', error.output || error.message, 'migrate deploy (failed)');
        throw error;
      }
    },
  );
});
