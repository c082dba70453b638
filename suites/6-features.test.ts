import { describe, expect } from 'vitest';
import { harnessContext } from '../lib/context';
import { credential } from '../lib/credentials';
import { eventually } from '../lib/eventually';
import { probe, probeLines, restartRehearsalTarget } from '../lib/features/attestation';
import { cleanUpDigestTrial, leftovers } from '../lib/features/cleanup';
import { DigestTrial } from '../lib/features/digest';
import { manualConfirmation, PROMPT_WAIT_MS } from '../lib/manual-rows';
import { checkId, describeStep, needs, notApplicable, proves, test, suiteTestData } from '../lib/suite';
import type { TestDataRecord } from '../lib/evidence';
import { TargetClient } from '../lib/http/client';
import { attestationHeaders, type AccountRole } from '../lib/http/session';

// Names, deadlines and which rows apply come from the configuration, known at collection.
const harness = harnessContext();
const { digest } = harness.sections.features;
const { routes, attestation: att, responses } = harness.sections.backend;
const { category } = harness.sections.backend.digest;
const { instant: INSTANT, digest: DIGEST } = responses.notificationTypes;
const enforce = `${att.enforceVariable}=true`;
const enforcementExpected = harness.environment.expect.attestation === 'on';
const offReason = `attestation enforcement is expected off in ${harness.env} (environments.${harness.env}.expect.attestation)`;
const clockScale = harness.rehearsal?.clockScale ?? 1;
const instantDeadlineMs = digest.instantDeadlineSeconds * 1000;
const digestDeadlineMs = (digest.digestDeadlineSeconds / clockScale + digest.workerSlackSeconds) * 1000;
/** Some 60 looks over the whole wait, whatever its length. */
const digestPollMs = Math.min(15_000, Math.max(250, digestDeadlineMs / 60));
const databaseWhy = 'removing the digest test data';
const DIGEST_MODE = `Test provider set to digest mode (DIGEST every ${digest.intervalMinutes} min, read back); the other provider stays INSTANT`;
const WORKER_RUNNING = `Worker running: a test job is matched and the INSTANT provider gets ${INSTANT} within ${digest.instantDeadlineSeconds} s`;
const ENFORCEMENT_APPLIED = `\`${enforce}\` applied: a sensitive route without attestation is refused`;
const trialData: Omit<TestDataRecord, 'state'> = {
  key: `digest-trial:${harness.runId}`,
  what: `digest trial: delivery modes of the two test providers, their saved searches (${category}, ZIP ${digest.zipCode}), the test job "${digest.jobTitle}" and its notifications`,
};

describeStep('features', () => {
  // Digest first: once enforcement is on, job creation and login need an attestation.
  describe('Job match digest mode', () => {
    let trial!: DigestTrial;
    let cleaned = false;

    // Before any check: the trial logs in through the run's sessions, like every other step.
    test.beforeAll(({ sessions }) => {
      trial = new DigestTrial(harness, sessions);
    });

    // The check below cleans up on the way to GO; this catches every way of not getting there.
    test.afterAll(async ({ redactor }, suite) => {
      if (cleaned || !trial.providers.size) return;
      const target = new TargetClient({
        baseUrl: harness.baseUrl,
        timeoutMs: harness.sections.http.timeoutMs,
        userAgent: harness.sections.http.userAgent,
        redactor,
      });
      let problems: string[];
      try {
        problems = (await cleanUpDigestTrial(trial, target, harness, credential(harness.sections.credentials.databaseUrl, databaseWhy)))
          .problems;
      } catch (error) {
        problems = [(error as Error).message];
      }
      for (const problem of problems) console.error(redactor.redact(`[step 6] digest test data not fully removed: ${problem}`));
      suiteTestData(
        suite,
        problems.length
          ? { ...trialData, state: 'left', detail: redactor.redact(problems.join('; ')) }
          : { ...trialData, state: 'removed' },
      );
    });

    test(
      DIGEST_MODE,
      { tags: ['testdata'], meta: { ...checkId('6.digest-mode'), ...proves('G.digest-mode') } },
      async ({ target, evidence }) => {
        credential(harness.sections.credentials.databaseUrl, databaseWhy);
        await evidence.testData({ ...trialData, state: 'created' });
        const instant = await trial.setPreference(target, 'providerInstant', { matchDeliveryMode: 'INSTANT' });
        expect(instant.stored.matchDeliveryMode, 'the INSTANT test provider reads back').toBe('INSTANT');
        const { stored, restore } = await trial.setPreference(target, 'providerDigest', {
          matchDeliveryMode: 'DIGEST',
          digestIntervalMinutes: digest.intervalMinutes,
        });
        for (const [role, how] of [
          ['INSTANT', instant.restore.how],
          ['DIGEST', restore.how],
        ]) {
          await evidence.note(`after the trial, the ${role} test provider's ${how}`);
        }
        await evidence.paste(
          'G.digest-mode',
          `PUT ${routes.preferences} (DIGEST test provider), then GET:\n${JSON.stringify(stored, null, 2)}`,
        );
        expect(stored, 'the DIGEST test provider reads back').toMatchObject({
          matchDeliveryMode: 'DIGEST',
          digestIntervalMinutes: digest.intervalMinutes,
        });
        await trial.addSavedSearch(target, 'providerInstant');
        await trial.addSavedSearch(target, 'providerDigest');
        await evidence.note(`both test providers search ${category} jobs in ZIP ${digest.zipCode}`);
      },
    );

    test(
      WORKER_RUNNING,
      { tags: ['testdata'], meta: { ...checkId('6.worker-running'), ...proves('G.worker-running'), ...needs(DIGEST_MODE) } },
      async ({ target, evidence }) => {
        const job = await trial.createJob(target);
        expect(
          job.category,
          `the target filed "${digest.jobTitle}" under another category: set features.digest.jobTitle or backend.digest.category`,
        ).toBe(category);
        const [match] = await eventually(
          async () => {
            const found = await trial.aboutJob(target, 'providerInstant', INSTANT);
            if (!found.length) throw new Error(`no ${INSTANT} for test job ${job.id} yet (is the worker running?)`);
            return found;
          },
          { timeoutMs: instantDeadlineMs, intervalMs: 500, what: 'the worker matches the test job for the INSTANT provider', evidence },
        );
        await evidence.paste('G.worker-running', `test job ${job.id} → INSTANT provider:\n${JSON.stringify(match, null, 2)}`);
      },
    );

    test(
      'Immediate providers get their push at once, the DIGEST provider nothing yet',
      { tags: ['readonly'], meta: { ...checkId('6.instant-push'), ...proves('G.digest-observed'), ...needs(WORKER_RUNNING) } },
      async ({ target }) => {
        // The INSTANT match is already there, so the worker has handled the job for every provider.
        const immediate = await trial.aboutJob(target, 'providerDigest', INSTANT);
        expect(
          immediate.length,
          `the DIGEST test provider got ${immediate.length} immediate ${INSTANT} notification(s) for the test job: digest mode is not honoured`,
        ).toBe(0);
      },
    );

    test(
      `Digest notification observed at interval (${DIGEST} with the test job within ${Math.round(digestDeadlineMs / 1000)} s)`,
      {
        tags: ['readonly', 'slow'],
        meta: { ...checkId('6.digest-observed'), ...proves('G.digest-observed'), ...needs(WORKER_RUNNING) },
        timeout: digestDeadlineMs + 60_000,
      },
      async ({ target, evidence }) => {
        const job = trial.job!;
        const [notice] = await eventually(
          async () => {
            const found = await trial.aboutJob(target, 'providerDigest', DIGEST);
            if (!found.length) throw new Error(`no ${DIGEST} with test job ${job.id} yet`);
            return found;
          },
          {
            timeoutMs: digestDeadlineMs,
            intervalMs: digestPollMs,
            what: `the DIGEST provider's digest (interval ${digest.intervalMinutes} min${clockScale !== 1 ? `, clock ×${clockScale}` : ''})`,
            evidence,
          },
        );
        const afterSeconds = (Date.parse(notice!.createdAt) - Date.parse(job.createdAt)) / 1000;
        await evidence.paste(
          'G.digest-observed',
          `${DIGEST} ${Number.isNaN(afterSeconds) ? '' : `${afterSeconds.toFixed(1)} s after the job `}(interval ${digest.intervalMinutes} min${clockScale !== 1 ? ` at clock ×${clockScale}` : ''}):\n${JSON.stringify(notice, null, 2)}`,
        );
        expect(
          (await trial.aboutJob(target, 'providerDigest', INSTANT)).length,
          `the DIGEST test provider also got a ${INSTANT} for the test job`,
        ).toBe(0);
      },
    );

    test(
      'Digest test data removed: test job, its notifications and saved searches gone, previous delivery modes back',
      { tags: ['testdata'], meta: checkId('6.digest-cleanup') },
      async ({ target, evidence }) => {
        const report = await cleanUpDigestTrial(trial, target, harness, credential(harness.sections.credentials.databaseUrl, databaseWhy));
        cleaned = true;
        await evidence.note(report.done.join('\n') || 'nothing to remove');
        const left = [...report.problems, ...(await leftovers(trial, target, harness))];
        if (trial.providers.size)
          await evidence.testData(
            left.length ? { ...trialData, state: 'left', detail: left.join('; ') } : { ...trialData, state: 'removed' },
          );
        expect(left, `test data the harness could not remove: ${left.join('; ')}`).toEqual([]);
      },
    );
  });

  describe('Attestation enforcement', () => {
    // The config requires at least one.
    const firstSensitive = att.sensitiveRoutes[0]!;

    test(
      ENFORCEMENT_APPLIED,
      { tags: ['mutating'], meta: { ...checkId('6.attestation-applied'), ...proves('G.attestation-applied') } },
      async ({ target, sessions, evidence, annotate, skip }) => {
        if (!enforcementExpected) return notApplicable({ annotate, skip }, offReason);
        // Sessions are cached for the run: open them while login needs no attestation.
        const roles: AccountRole[] = ['consumer', 'providerInstant', 'providerDigest', 'admin'];
        for (const role of roles) {
          const names = harness.sections.credentials.accounts[role];
          if (process.env[names.email] && process.env[names.password]) await sessions.login(target, role);
        }
        const rehearsal = harness.rehearsal;
        let how = "observed on the running target (the platform change is the operator's)";
        if (rehearsal && harness.apply.includes('features')) {
          const baseUrl = await restartRehearsalTarget(
            rehearsal.controlUrl,
            { [att.enforceVariable]: 'true' },
            harness.sections.features.attestation.restartTimeoutSeconds * 1000,
          );
          expect(baseUrl, 'the restarted target listens elsewhere than the run was given').toBe(harness.baseUrl);
          how = `rehearsal: target restarted with ${enforce}`;
        } else if (rehearsal) {
          how = `rehearsal: --apply did not name features, so the target was not restarted with ${enforce}; only observed`;
        }
        const seen = await probe(target, firstSensitive, att);
        await evidence.paste('G.attestation-applied', `${how}\n${probeLines([seen])}`);
        expect(
          seen.blocked,
          `${seen.route} without attestation answered ${seen.status} ${JSON.stringify(seen.error ?? '')}, not ${att.blockedStatus} "${att.blockedError}": enforcement is not on`,
        ).toBe(true);
      },
    );

    // Testdata: the target records each refused attestation (a security event).
    // In the rehearsal, enforcement is on only once the check above restarted the target with it.
    test(
      `Non-attested calls are blocked: every sensitive route answers ${att.blockedStatus} "${att.blockedError}"`,
      {
        tags: ['testdata'],
        meta: {
          ...checkId('6.non-attested-blocked'),
          ...proves('G.non-attested-blocked'),
          ...(harness.rehearsal ? needs(ENFORCEMENT_APPLIED) : {}),
        },
      },
      async ({ target, evidence, annotate, skip }) => {
        if (!enforcementExpected) return notApplicable({ annotate, skip }, offReason);
        const probes = [];
        for (const route of att.sensitiveRoutes) probes.push(await probe(target, route, att));
        await evidence.testData({
          key: `attestation-refusals:${harness.runId}`,
          what: `${probes.length} calls without attestation (${probes.map((p) => p.route).join(', ')})`,
          state: 'kept',
          detail: 'the target records each refused attestation (a security event); nothing else is written',
        });
        await evidence.paste('G.non-attested-blocked', probeLines(probes), 'sensitive routes without attestation');
        const open = probes.filter((p) => !p.blocked).map((p) => `${p.route} → ${p.status}`);
        expect(open, `sensitive routes that did not refuse a call without attestation: ${open.join('; ')}`).toEqual([]);
      },
    );

    test(
      'GET routes and the Stripe webhook are not blocked without attestation',
      { tags: ['readonly'], meta: { ...checkId('6.reads-unblocked'), ...(enforcementExpected ? proves('G.non-attested-blocked') : {}) } },
      async ({ target, evidence }) => {
        const probes = [];
        for (const route of att.openRoutes) probes.push(await probe(target, route, att));
        await evidence.paste('G.non-attested-blocked', probeLines(probes), 'routes enforcement must not cover');
        const refused = probes.filter((p) => p.attestationRefusal).map((p) => `${p.route} → ${p.status} ${p.error}`);
        expect(refused, `open routes refused for lack of attestation: ${refused.join('; ')}`).toEqual([]);
      },
    );

    if (!enforcementExpected)
      test(
        'Attestation expected off: sensitive routes answer without an attestation',
        { tags: ['readonly'], meta: checkId('6.attestation-off') },
        async ({ target, evidence }) => {
          const probes = [];
          for (const route of att.sensitiveRoutes) probes.push(await probe(target, route, att));
          await evidence.note(probeLines(probes));
          const refused = probes.filter((p) => p.attestationRefusal).map((p) => `${p.route} → ${p.status} ${p.error}`);
          expect(refused, `sensitive routes refused although ${offReason}: ${refused.join('; ')}`).toEqual([]);
        },
      );

    test(
      'Real client can call sensitive routes',
      { tags: ['readonly', 'manual'], timeout: PROMPT_WAIT_MS, meta: { ...checkId('6.real-client'), ...proves('G.real-client') } },
      async ({ target, evidence, annotate, skip }) => {
        if (!enforcementExpected) return notApplicable({ annotate, skip }, offReason);
        const headers = attestationHeaders(harness);
        if (Object.keys(headers).length) {
          // Evidence beside the human's word: the operator's attestation is let through.
          const seen = await probe(target, firstSensitive, att, headers);
          await evidence.paste(
            'G.real-client',
            probeLines([seen]),
            `with the attestation in ${harness.sections.credentials.attestationToken}`,
          );
          expect(seen.attestationRefusal, `${seen.route} refused the configured attestation: ${seen.status} ${seen.error}`).toBe(false);
        }
        const confirmation = await manualConfirmation(
          harness,
          'G.real-client',
          'call a sensitive route (log in, post a job) from a real production app build',
        );
        await evidence.confirmed('G.real-client', confirmation.by, confirmation.at, confirmation.how);
      },
    );
  });
});
