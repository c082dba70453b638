import { expect } from 'vitest';
import { credential, setting } from '../lib/credentials';
import { describeUpload, readBack, removeTestUpload, type ReadBack } from '../lib/smoke/attachment-round-trip';
import { recordRemoval, uploadAsTestData } from '../lib/storage/test-upload-data';
import { LoginBudget, refusalProblems, refusedLogins, smokeLoginHeaders } from '../lib/smoke/login';
import { checkId, describeStep, notApplicable, proves, test } from '../lib/suite';
import { probeHealth, type HealthRoute } from '../lib/http/health';
import { deliver, describeDelivery, isDelivered, signatureHeader, syntheticEvent } from '../lib/webhooks/signed-event';
import { keptEvent } from '../lib/webhooks/test-events';
import type { Evidence } from '../lib/evidence';
import type { HarnessContext } from '../lib/context';
import type { TargetClient } from '../lib/http/client';

/** Each check pastes what it exercised into F.notes, so the notes say exactly what ran. */
const note = (evidence: Evidence, title: string, text: string) => evidence.paste('F.notes', text, title);

let budget: LoginBudget | undefined;
const loginBudget = (harness: HarnessContext) => (budget ??= new LoginBudget(harness.sections.smoke.maxLoginAttempts));

async function healthSmoke(target: TargetClient, harness: HarnessContext, evidence: Evidence, route: HealthRoute): Promise<void> {
  const { res, problem } = await probeHealth(target, harness, route);
  await note(evidence, `GET ${harness.sections.backend.routes[route]}`, `HTTP ${res.status} ${res.text.trim()}`);
  if (problem) throw new Error(problem);
}

describeStep('smoke', () => {
  test(
    'GET /healthz → 200 { ok: true }',
    { tags: ['readonly'], meta: { ...checkId('5.healthz'), ...proves('F.healthz', 'F.notes') } },
    async ({ harness, target, evidence }) => {
      await healthSmoke(target, harness, evidence, 'healthz');
    },
  );

  test(
    'GET /readyz → 200 { ok: true, db: true }',
    { tags: ['readonly'], meta: { ...checkId('5.readyz'), ...proves('F.readyz', 'F.notes') } },
    async ({ harness, target, evidence }) => {
      await healthSmoke(target, harness, evidence, 'readyz');
    },
  );

  // Before the real login: a successful login clears the account's failure count again.
  test(
    'Auth/login: a wrong password and an unknown email get the same 401 (no account enumeration)',
    { tags: ['testdata'], meta: { ...checkId('5.login-refusals'), ...proves('F.login', 'F.notes') } },
    async ({ harness, target, evidence }) => {
      const refused = await refusedLogins(target, harness, loginBudget(harness));
      await evidence.testData({
        key: `refused-logins:${harness.runId}`,
        what: 'two refused logins (a wrong password for the consumer test account, an unknown example.com address)',
        state: 'kept',
        detail:
          'the target records failed logins (security events, failure counts); the next successful login of the test account resets the count',
      });
      const problems = refusalProblems(refused);
      await note(
        evidence,
        'POST /auth/login refused',
        `wrong password → HTTP ${refused.wrongPassword.status} ${refused.wrongPassword.text.trim()}\n` +
          `unknown email → HTTP ${refused.unknownEmail.status} ${refused.unknownEmail.text.trim()}`,
      );
      expect(problems, problems.join('; ')).toEqual([]);
    },
  );

  test(
    'Auth/login: the test account logs in → 200 with a token, as a verified CONSUMER',
    { tags: ['readonly'], meta: { ...checkId('5.login'), ...proves('F.login', 'F.notes') } },
    async ({ harness, target, sessions, evidence }) => {
      loginBudget(harness).take('the test account login');
      const { user } = await sessions.login(target, 'consumer', { fresh: true, headers: smokeLoginHeaders(harness) });
      await note(
        evidence,
        'POST /auth/login',
        `HTTP 200 as the consumer test account: user #${user.id}, role ${user.role}, emailVerified ${user.emailVerified}, token issued`,
      );
      // The operator prepares these accounts (contract §2); an unverified one fails step 6's job creation with 403.
      expect(user.role, `the consumer test account has role ${user.role}`).toBe(harness.sections.backend.roles.consumer);
      expect(user.emailVerified, 'the consumer test account is not email-verified: verify it before enabling features').toBe(true);
    },
  );

  test(
    'Stripe test event signed with the new STRIPE_WEBHOOK_SECRET (unhandled type) → 2xx and no errors',
    { tags: ['testdata'], meta: { ...checkId('5.webhook'), ...proves('F.webhook', 'F.notes') } },
    async ({ harness, target, evidence }) => {
      const secret = credential(harness.sections.credentials.stripeWebhookSecret, 'the webhook smoke test');
      const event = syntheticEvent(harness);
      const res = await deliver(target, harness, event, signatureHeader(event.payload, [secret]));
      await note(evidence, `POST ${harness.sections.backend.routes.webhook}`, `${event.type} ${event.id} → ${describeDelivery(res)}`);
      if (isDelivered(res)) await keptEvent(evidence, event);
      expect(isDelivered(res), `the test event was answered ${describeDelivery(res)}`).toBe(true);
      expect(res.json<Record<string, unknown>>(), `the test event was answered ${describeDelivery(res)}`).toMatchObject({ received: true });
      expect(res.json<Record<string, unknown>>(), 'the answer carries an error').not.toHaveProperty('error');
    },
  );

  test(
    'Attachment round trip — signed URL: serves the uploaded bytes (or the disk-only stream does), then the test upload is removed',
    { tags: ['testdata'], meta: { ...checkId('5.attachment-round-trip'), ...proves('F.attachments', 'F.notes') } },
    async ({ harness, target, sessions, storage, evidence, annotate, skip }) => {
      if (!harness.environment.optional.attachments) {
        return notApplicable(
          { annotate, skip },
          'attachments are not enabled in this environment (environment.optional.attachments is false)',
        );
      }
      const jobId = setting(harness.sections.credentials.testJobId, 'the smoke upload');
      const consumer = await sessions.login(target, 'consumer');
      const upload = await uploadAsTestData(evidence, target, harness, consumer.token, jobId);
      let trip: ReadBack | undefined;
      let cleanup: string;
      try {
        trip = await readBack(target, harness, consumer.token, upload);
      } finally {
        // Production keeps no harness data, whatever the retrieval showed.
        cleanup = await removeTestUpload(harness, storage, upload).catch(
          (error: Error) => `FAILED to remove the test upload: ${error.message}`,
        );
        const left = cleanup.startsWith('FAILED') || harness.sections.storage.cleanup === 'mark';
        await recordRemoval(evidence, upload, jobId, left ? { removed: false, why: cleanup } : { removed: true });
        await note(evidence, 'attachment round trip', [describeUpload(upload), ...(trip?.hops ?? []), cleanup].join('\n'));
      }
      expect(trip.problems, trip.problems.join('; ')).toEqual([]);
      expect(cleanup, cleanup).not.toMatch(/^FAILED/);
    },
  );
});
