import { createHmac, randomBytes } from 'node:crypto';
import type { HarnessContext } from '../context';
import type { TargetClient, TargetResponse } from '../http/client';

/** A synthetic Stripe event: the exact bytes that get signed and sent. */
export interface SyntheticEvent {
  id: string;
  type: string;
  payload: string;
}

/** What a synthetic event is built from: the run, the config, and the Stripe mode this environment expects. */
export type EventContext = Pick<HarnessContext, 'runId' | 'sections'> & {
  environment: { expect: Pick<HarnessContext['environment']['expect'], 'stripeMode'> };
};

/** Prefixed and carrying the run id, so an event id says where it came from. */
function eventId(harness: EventContext): string {
  return `${harness.sections.webhooks.eventIdPrefix}${runTag(harness)}_${randomBytes(6).toString('hex')}`;
}

const runTag = (harness: EventContext) => harness.runId.replace(/[^A-Za-z0-9]/g, '');

function buildEvent(harness: EventContext, type: string, object: Record<string, unknown>): SyntheticEvent {
  const id = eventId(harness);
  const event = {
    id,
    object: 'event',
    type,
    created: nowSeconds(),
    livemode: harness.environment.expect.stripeMode === 'live',
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object },
  };
  return { id, type, payload: JSON.stringify(event) };
}

/**
 * An event of a type the target records but does not act on (contract §3), so sending it to
 * production is harmless.
 */
export function syntheticEvent(harness: EventContext): SyntheticEvent {
  return buildEvent(harness, harness.sections.webhooks.syntheticEventType, {
    object: 'cutover_harness',
    run: harness.runId,
    note: 'synthetic event sent by the cutover harness; safe to ignore',
  });
}

/**
 * A handled event whose processing must fail: it names a payment intent no backend has (the id
 * carries the run id and random bytes), so it changes nothing. payment_failed when handled: were
 * the id ever to match, marking a payment failed is the smaller harm. Null when nothing is handled.
 */
export function failingHandledEvent(harness: EventContext): SyntheticEvent | null {
  const handled = harness.sections.webhooks.handledEvents;
  const type = handled.includes('payment_intent.payment_failed') ? 'payment_intent.payment_failed' : handled[0];
  if (!type) return null;
  return buildEvent(harness, type, {
    id: `pi_cutover_missing_${runTag(harness)}_${randomBytes(6).toString('hex')}`,
    object: 'payment_intent',
    status: 'requires_payment_method',
    metadata: { cutover_harness_run: harness.runId, note: 'synthetic event for a payment that does not exist; its processing must fail' },
  });
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A secret nobody configured: what an attacker or a stale config would sign with. */
export function unknownSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

/**
 * The Stripe-Signature header for `payload`, with one v1 signature per secret in the given order:
 * during a Dashboard roll Stripe signs with every active secret. Stripe's scheme (HMAC-SHA256 of
 * `<t>.<payload>` under the whole secret) is signed here rather than by its SDK, whose load alone
 * cost the smoke pass a quarter of a second; the self-tests hold every header to the SDK's own
 * signing and verification.
 */
export function signatureHeader(payload: string, secrets: readonly string[], timestamp = nowSeconds()): string {
  if (!secrets.length) throw new Error('signatureHeader needs at least one secret');
  const v1 = secrets.map((secret) => `v1=${createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex')}`);
  return [`t=${timestamp}`, ...v1].join(',');
}

/** POSTs the event to the target's webhook route exactly as Stripe does; `header: null` sends none. */
export function deliver(
  target: TargetClient,
  harness: Pick<HarnessContext, 'sections'>,
  event: SyntheticEvent,
  header: string | null,
): Promise<TargetResponse> {
  return target.post(harness.sections.backend.routes.webhook, {
    body: event.payload,
    headers: { 'content-type': 'application/json', ...(header === null ? {} : { 'stripe-signature': header }) },
  });
}

/** Stripe counts any 2xx as delivered. */
export const isDelivered = (res: TargetResponse) => res.status >= 200 && res.status < 300;

/** What the target said, for the delivery status the runbook asks to fill in. */
export function describeDelivery(res: TargetResponse): string {
  let body = res.excerpt(120).trim();
  try {
    const json = JSON.parse(res.text) as Record<string, unknown>;
    // The request id changes on every call and says nothing about the delivery.
    delete json.requestId;
    // Redacted before it is cut: a secret cut in two is no longer recognised by the redactor.
    body = res.excerptOf(JSON.stringify(json), 120);
  } catch {
    // Not JSON: the raw excerpt says enough.
  }
  return `HTTP ${res.status} ${body || '(empty body)'}`;
}
