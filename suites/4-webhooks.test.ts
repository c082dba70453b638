import { expect } from 'vitest';
import { credential, optionalCredential } from '../lib/credentials';
import { manualConfirmation, PROMPT_WAIT_MS } from '../lib/manual-rows';
import { checkId, describeStep, needs, notApplicable, proves, test } from '../lib/suite';
import { DeliveryLog } from '../lib/webhooks/delivery-log';
import { paymentsHealthProblems, type PaymentsHealth } from '../lib/webhooks/payments-health';
import {
  deliver,
  describeDelivery,
  failingHandledEvent,
  isDelivered,
  nowSeconds,
  signatureHeader,
  syntheticEvent,
  unknownSecret,
  type SyntheticEvent,
} from '../lib/webhooks/signed-event';
import { retryAfterFailureProblem, type Delivery } from '../lib/webhooks/retry-after-failure';
import { keptEvent, keptFailedEvent } from '../lib/webhooks/test-events';
import { describeEndpoint, inspectWebhookEndpoint, stripeApi, stripeKeyMode } from '../lib/webhooks/stripe-api';
import type { HarnessContext } from '../lib/context';
import type { TargetClient, TargetResponse } from '../lib/http/client';

const deliveries = new DeliveryLog('E.delivery-status');

const NEW_SECRET = 'Test event signed with the new STRIPE_WEBHOOK_SECRET → 2xx';

const seen = (res: TargetResponse): Delivery => ({ status: res.status, described: describeDelivery(res) });

/** The event the negative checks replay with broken signatures: the same bytes, the same id. */
let testEvent: SyntheticEvent | undefined;
const theTestEvent = (harness: HarnessContext) => (testEvent ??= syntheticEvent(harness));

const newSecret = (harness: HarnessContext) =>
  credential(harness.sections.credentials.stripeWebhookSecret, 'signing synthetic webhook events');

/** Where Stripe delivers: configured, or the target's own webhook route. */
const stripeEndpointUrl = (harness: HarnessContext, target: TargetClient) =>
  harness.sections.webhooks.endpointUrl ?? target.url(harness.sections.backend.routes.webhook);

describeStep('webhooks', () => {
  // First in the step, as in the runbook: the operator rotates (or confirms it was) before the
  // checks that prove the target takes the new secret; an unconfirmed rotation stops the run here.
  test(
    'Stripe endpoint secret rotated in the Dashboard (confirmed by the operator)',
    { tags: ['readonly', 'manual'], timeout: PROMPT_WAIT_MS, meta: { ...checkId('4.rotation-confirmed'), ...proves('E.secret-rotated') } },
    async ({ harness, target, evidence }) => {
      const row = 'E.secret-rotated';
      const confirmation = await manualConfirmation(
        harness,
        row,
        `rotate the signing secret of ${stripeEndpointUrl(harness, target)} in the Stripe Dashboard (${harness.environment.expect.stripeMode} mode)`,
      );
      await evidence.confirmed(row, confirmation.by, confirmation.at, confirmation.how);
    },
  );

  test(
    'In Stripe, the endpoint for POST <base>/payments/webhook exists, is enabled, sends the handled events, in the expected mode',
    { tags: ['readonly'], meta: { ...checkId('4.stripe-endpoint'), ...proves('E.test-event') } },
    async ({ harness, target, evidence }) => {
      const { stripe, key } = stripeApi(harness, 'Stripe endpoint lookup');
      const mode = harness.environment.expect.stripeMode;
      const keyMode = stripeKeyMode(key);
      const report = await inspectWebhookEndpoint(stripe, {
        url: stripeEndpointUrl(harness, target),
        handledEvents: harness.sections.webhooks.handledEvents,
        mode,
      });
      if (report.endpoint) await evidence.note(describeEndpoint(report.endpoint));
      const problems = [...report.problems];
      if (keyMode !== mode) problems.push(`STRIPE_SECRET_KEY is a ${keyMode}-mode key; this environment expects ${mode} mode`);
      expect(problems, problems.join('; ')).toEqual([]);
    },
  );

  test(
    NEW_SECRET,
    { tags: ['testdata'], meta: { ...checkId('4.new-secret'), ...proves('E.env-updated', 'E.test-event', 'E.delivery-status') } },
    async ({ harness, target, evidence }) => {
      const event = theTestEvent(harness);
      const res = await deliver(target, harness, event, signatureHeader(event.payload, [newSecret(harness)]));
      await deliveries.record(evidence, `${event.type} ${event.id} signed with the new secret`, res);
      if (isDelivered(res)) await keptEvent(evidence, event);
      expect(isDelivered(res), `the target refused an event signed with STRIPE_WEBHOOK_SECRET: ${describeDelivery(res)}`).toBe(true);
      expect(res.json(), 'a first delivery must be processed, not taken for a replay').not.toMatchObject({ replay: true });
    },
  );

  test(
    'Same event signed with a wrong secret → 400',
    { tags: ['readonly'], meta: { ...checkId('4.wrong-secret'), ...proves('E.env-updated', 'E.delivery-status') } },
    async ({ harness, target, evidence }) => {
      const event = theTestEvent(harness);
      const res = await deliver(target, harness, event, signatureHeader(event.payload, [unknownSecret()]));
      await deliveries.record(evidence, 'wrong secret', res);
      expect(res.status, `an event signed with a secret nobody configured was answered ${describeDelivery(res)}`).toBe(400);
    },
  );

  test(
    'Same event with a timestamp outside the tolerance → 400',
    { tags: ['readonly'], meta: { ...checkId('4.stale-timestamp'), ...proves('E.test-event', 'E.delivery-status') } },
    async ({ harness, target, evidence }) => {
      const event = theTestEvent(harness);
      const stale = nowSeconds() - harness.sections.webhooks.toleranceSeconds - 60;
      const res = await deliver(target, harness, event, signatureHeader(event.payload, [newSecret(harness)], stale));
      await deliveries.record(evidence, `timestamp ${harness.sections.webhooks.toleranceSeconds + 60} s old`, res);
      expect(res.status, `a correctly signed but stale event (replay attack) was answered ${describeDelivery(res)}`).toBe(400);
    },
  );

  test(
    'Same event without a Stripe-Signature header → 400',
    { tags: ['readonly'], meta: { ...checkId('4.unsigned'), ...proves('E.test-event', 'E.delivery-status') } },
    async ({ harness, target, evidence }) => {
      const res = await deliver(target, harness, theTestEvent(harness), null);
      await deliveries.record(evidence, 'no signature header', res);
      expect(res.status, `an unsigned event was answered ${describeDelivery(res)}`).toBe(400);
    },
  );

  test(
    'Event signed with the previous and the new secret (previous first, as Stripe sends during a roll) → 2xx',
    { tags: ['testdata'], meta: { ...checkId('4.secret-roll'), ...proves('E.env-updated', 'E.delivery-status') } },
    async ({ harness, target, evidence }) => {
      // Without the operator's previous secret, any other secret stands in: what matters is that
      // the target tries every v1 signature, not only the first.
      const previous = optionalCredential(harness.sections.credentials.stripePreviousWebhookSecret) ?? unknownSecret();
      const event = syntheticEvent(harness);
      const res = await deliver(target, harness, event, signatureHeader(event.payload, [previous, newSecret(harness)]));
      await deliveries.record(evidence, 'two v1 signatures (previous, new)', res);
      if (isDelivered(res)) await keptEvent(evidence, event);
      expect(
        isDelivered(res),
        `an event whose second v1 signature is valid was answered ${describeDelivery(res)}: the target only tries the first`,
      ).toBe(true);
    },
  );

  test(
    'Same event id delivered again → 2xx answered as a replay, not processed twice',
    { tags: ['testdata'], meta: { ...checkId('4.replay'), ...proves('E.test-event', 'E.delivery-status') } },
    async ({ harness, target, evidence }) => {
      const event = syntheticEvent(harness);
      const send = () => deliver(target, harness, event, signatureHeader(event.payload, [newSecret(harness)]));
      const first = await send();
      if (isDelivered(first)) await keptEvent(evidence, event);
      expect(isDelivered(first), `the first delivery was answered ${describeDelivery(first)}`).toBe(true);
      const again = await send();
      await deliveries.record(evidence, 'same event id again', again);
      expect(isDelivered(again), `a retried delivery was answered ${describeDelivery(again)}; Stripe would keep retrying`).toBe(true);
      expect(
        again.json(),
        `a retried delivery must be answered {received:true, replay:true}, got ${describeDelivery(again)}`,
      ).toMatchObject({
        received: true,
        replay: true,
      });
    },
  );

  // After the new-secret check: a refused signature is a non-2xx too, and would pass this one for nothing.
  test(
    'A handled event whose processing fails, delivered again with the same id → the same failure, not a 2xx replay (rollback relies on it)',
    { tags: ['testdata'], meta: { ...checkId('4.retry-after-failure'), ...proves('E.retry-after-failure'), ...needs(NEW_SECRET) } },
    async ({ harness, target, evidence, annotate, skip }) => {
      const event = failingHandledEvent(harness);
      if (!event) return notApplicable({ annotate, skip }, 'webhooks.handledEvents is empty: the target acts on no event type');
      const send = () => deliver(target, harness, event, signatureHeader(event.payload, [newSecret(harness)]));
      const first = seen(await send());
      await keptFailedEvent(evidence, event);
      const again = seen(await send());
      await evidence.note(`${event.type} ${event.id} (no such payment): first ${first.described}; same id again ${again.described}`);
      const problem = retryAfterFailureProblem(event, first, again);
      if (problem) throw new Error(problem);
    },
  );

  test(
    'Previous secret retired: it differs from the new one, and once expired an event signed with it alone → 400',
    { tags: ['readonly'], meta: { ...checkId('4.previous-retired'), ...proves('E.env-updated', 'E.delivery-status') } },
    async ({ harness, target, evidence, annotate, skip }) => {
      const name = harness.sections.credentials.stripePreviousWebhookSecret;
      const expired = harness.previousWebhookSecretExpired || harness.sections.webhooks.previousSecretExpired;
      const previous = optionalCredential(name);
      if (!previous) {
        if (expired)
          throw new Error(
            `the previous secret is said to have expired, but ${name} is not set: give it so the harness can prove it is refused`,
          );
        return notApplicable(
          { annotate, skip },
          `${name} is not set: without the pre-rotation secret the harness cannot show it is retired`,
        );
      }
      expect(
        previous !== newSecret(harness),
        `${name} equals STRIPE_WEBHOOK_SECRET: the secret was not rotated (or the new one was not set)`,
      ).toBe(true);
      if (!expired) {
        await evidence.note(
          'The previous secret is still valid in Stripe during the roll; re-run with --previous-webhook-secret-expired once it expires to prove the target refuses it.',
        );
        return;
      }
      const event = syntheticEvent(harness);
      const res = await deliver(target, harness, event, signatureHeader(event.payload, [previous]));
      await deliveries.record(evidence, 'previous (expired) secret alone', res);
      expect(res.status, `an event signed only with the expired previous secret was answered ${describeDelivery(res)}`).toBe(400);
    },
  );

  test(
    'GET /payments/health (admin) → ok: true in the expected Stripe mode',
    { tags: ['readonly'], meta: { ...checkId('4.payments-health'), ...proves('E.payments-health') } },
    async ({ harness, target, sessions, evidence }) => {
      const admin = await sessions.login(target, 'admin');
      const res = await target.get(harness.sections.backend.routes.paymentsHealth, { token: admin.token });
      await evidence.paste('E.payments-health', `HTTP ${res.status}\n${res.text}`);
      expect(res.status, `/payments/health answered ${res.status}: ${res.excerpt(200)}`).toBe(200);
      const problems = paymentsHealthProblems(res.json<PaymentsHealth>(), harness.environment.expect.stripeMode);
      expect(problems, problems.join('; ')).toEqual([]);
    },
  );
});
