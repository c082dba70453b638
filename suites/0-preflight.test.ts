import { expect } from 'vitest';
import { checkBackup, checkHarnessBackup, type BackupCheck } from '../lib/backup/freshness';
import { BACKUP_STOPPING, guardedBackup } from '../lib/backup/guarded';
import { liveProgress } from '../lib/live-progress';
import { credential } from '../lib/credentials';
import { ciProblems, githubCiStatus } from '../lib/preflight/ci-github';
import { checkDeployedSha } from '../lib/preflight/deployed-sha';
import { checkId, describeStep, proves, test } from '../lib/suite';
import { stoppable } from '../lib/runner/in-flight-work';

describeStep('preflight', () => {
  test(
    'RC commit SHA identified, and the deployed build is that commit',
    { tags: ['readonly'], meta: { ...checkId('0.rc-sha'), ...proves('A.rc-sha') } },
    async ({ harness, target, evidence }) => {
      const check = await checkDeployedSha(harness.rcSha, harness.sections.preflight.deployedSha, target);
      await evidence.value('A.rc-sha', check.value);
      if (check.attested) {
        await evidence.attested(
          'A.rc-sha',
          `the deployed build is ${harness.rcSha}: the target exposes no build SHA (preflight.deployedSha.source is "none"), so the RC SHA is the operator's word`,
        );
      }
      expect(check.problems, check.problems.join('\n')).toEqual([]);
    },
  );

  test(
    'CI green on the RC SHA (GitHub commit statuses and check runs)',
    { tags: ['readonly'], meta: { ...checkId('0.ci-green'), ...proves('A.ci-green') } },
    async ({ harness, evidence }) => {
      const ci = harness.sections.preflight.ci;
      // CI green is a mandatory runbook row: without a provider nothing proves it, so it fails rather than reads N/A.
      if (ci.provider === 'none')
        throw new Error('no CI provider configured: set preflight.ci in cutover.config.ts (provider "github" with repo "owner/name")');
      if (!harness.rcSha) throw new Error('no RC commit SHA given: pass --sha=<rc-sha>');
      const token = credential(harness.sections.credentials.githubToken, 'CI status on the RC SHA (GitHub API)');
      const result = await githubCiStatus({
        apiUrl: ci.apiUrl,
        repo: ci.repo,
        sha: harness.rcSha,
        token,
        timeoutMs: harness.sections.http.timeoutMs,
        userAgent: harness.sections.http.userAgent,
      });
      await evidence.value('A.ci-green', result.link);
      await evidence.note(
        `${ci.repo}@${harness.rcSha}: ${result.checks.map((c) => `${c.name} (${c.kind}): ${c.detail}`).join(', ') || 'no checks'}`,
      );
      const problems = ciProblems(result, harness.rcSha);
      expect(problems, problems.join('\n')).toEqual([]);
    },
  );

  test(
    'DB backup/snapshot completed: fresh, checksummed and restorable',
    { tags: ['readonly'], meta: { ...checkId('0.backup'), ...proves('A.backup') } },
    async ({ harness, evidence, redactor }) => {
      const settings = harness.sections.preflight.backup;
      const databaseUrl = credential(harness.sections.credentials.databaseUrl, 'the database backup');
      let check: BackupCheck;
      if (harness.apply.includes('preflight')) {
        await evidence.progress('taking a database backup (pg_dump, --apply=backup)');
        const live = liveProgress(evidence, /^\[backup\] pg_dump (progress|waits for a lock) /);
        const taken = await stoppable(BACKUP_STOPPING, (signal) =>
          guardedBackup({
            log: live.log,
            env: harness.env,
            owner: harness.owner,
            sections: harness.sections,
            databaseUrl,
            redactor,
            args: [`--env=${harness.env}`, '--apply=backup', '(npm test, step 0)'],
            signal,
          }),
        ).finally(live.settled);
        check = await checkHarnessBackup(taken.dir, taken.manifest, settings.maxAgeMinutes);
      } else {
        check = await checkBackup({ settings, databaseUrl, env: process.env, invocation: harness.invocation });
      }
      await evidence.value('A.backup', check.value);
      if (check.ageMinutes !== undefined) {
        await evidence.measure({
          name: 'backup age',
          value: `${check.ageMinutes} min`,
          threshold: `≤ ${settings.maxAgeMinutes} min`,
          ok: check.ageMinutes <= settings.maxAgeMinutes,
        });
      }
      if (check.attested)
        await evidence.attested(
          'A.backup',
          'the provider snapshot named by the operator exists and was taken then: the harness cannot see it',
        );
      expect(check.problems, check.problems.join('\n')).toEqual([]);
    },
  );
});
