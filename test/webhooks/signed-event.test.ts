import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { sectionsSchema } from '../../lib/config/schema';
import type { TargetResponse } from '../../lib/http/client';
import { redactedExcerpt } from '../../lib/evidence';
import { Redactor } from '../../lib/secrets/redactor';
import {
  describeDelivery,
  failingHandledEvent,
  signatureHeader,
  syntheticEvent,
  unknownSecret,
  type EventContext,
} from '../../lib/webhooks/signed-event';

const harness = {
  runId: '20261128T010203-prod',
  sections: sectionsSchema.parse({}),
  environment: { expect: { stripeMode: 'live' } },
} satisfies EventContext;

const verify = (payload: string, header: string, secret: string) => Stripe.webhooks.constructEvent(payload, header, secret, 300);

describe('syntheticEvent', () => {
  it('is an unhandled type whose id carries the prefix and the run id, fresh each time', () => {
    const a = syntheticEvent(harness);
    const b = syntheticEvent(harness);
    expect(a.id).toMatch(/^evt_cutover_20261128T010203prod_[0-9a-f]{12}$/);
    expect(a.id).not.toBe(b.id);
    const body = JSON.parse(a.payload);
    expect(body).toMatchObject({ id: a.id, object: 'event', type: 'cutover_harness.ping', livemode: true });
    expect(harness.sections.webhooks.handledEvents).not.toContain(body.type);
  });
});

describe('failingHandledEvent', () => {
  it('is payment_failed, a handled type, for a payment intent that carries the run id, fresh each time', () => {
    const a = failingHandledEvent(harness)!;
    const b = failingHandledEvent(harness)!;
    expect(a.id).toMatch(/^evt_cutover_20261128T010203prod_[0-9a-f]{12}$/);
    const body = JSON.parse(a.payload);
    expect(body).toMatchObject({ id: a.id, object: 'event', type: 'payment_intent.payment_failed', livemode: true });
    expect(body.data.object.object).toBe('payment_intent');
    expect(body.data.object.id).toMatch(/^pi_cutover_missing_20261128T010203prod_[0-9a-f]{12}$/);
    expect(JSON.parse(b.payload).data.object.id).not.toBe(body.data.object.id);
  });

  it('takes the first handled type when payment_failed is not handled, and is null when nothing is', () => {
    const only = (handledEvents: string[]) => ({ ...harness, sections: sectionsSchema.parse({ webhooks: { handledEvents } }) });
    expect(failingHandledEvent(only(['charge.refunded', 'payment_intent.succeeded']))!.type).toBe('charge.refunded');
    expect(failingHandledEvent(only([]))).toBeNull();
  });
});

describe('signatureHeader', () => {
  const secret = 'whsec_current_0123456789abcdef';
  const previous = 'whsec_previous_0123456789abcdef';
  const { payload } = syntheticEvent(harness);

  it("is accepted by Stripe's own verification with the same secret, refused with another", () => {
    const header = signatureHeader(payload, [secret]);
    expect(verify(payload, header, secret).type).toBe('cutover_harness.ping');
    expect(() => verify(payload, header, unknownSecret())).toThrow(/No signatures found/);
  });

  it("signs exactly as Stripe's SDK does, for any payload (multi-byte text too)", () => {
    for (const body of [payload, '{"note":"café – ✓ 日本"}', '']) {
      const sdk = Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: 1_700_000_000 });
      expect(signatureHeader(body, [secret], 1_700_000_000)).toBe(sdk);
    }
  });

  it('carries one v1 signature per secret, in the given order, under one timestamp', () => {
    const header = signatureHeader(payload, [previous, secret], 1_700_000_000);
    const parts = header.split(',');
    expect(parts[0]).toBe('t=1700000000');
    expect(parts.filter((p) => p.startsWith('v1='))).toHaveLength(2);
    expect(parts[1]).toBe(signatureHeader(payload, [previous], 1_700_000_000).split(',')[1]);
    // Either secret verifies the same header, as during a Dashboard roll.
    const receivedAt = 1_700_000_010_000;
    for (const s of [previous, secret])
      expect(Stripe.webhooks.signature!.verifyHeader(payload, header, s, 300, undefined, receivedAt)).toBe(true);
  });

  it("with a stale timestamp fails Stripe's tolerance check", () => {
    const stale = Math.floor(Date.now() / 1000) - 360;
    expect(() => verify(payload, signatureHeader(payload, [secret], stale), secret)).toThrow(/tolerance/);
  });

  it('refuses to sign with no secret at all', () => {
    expect(() => signatureHeader(payload, [])).toThrow(/at least one secret/);
  });
});

describe('describeDelivery', () => {
  // As the client builds them: excerpts redacted with the run's secrets before they are cut.
  const redactor = new Redactor(['whsec_selftest_0123456789abcdef']);
  const res = (status: number, text: string) =>
    ({
      status,
      text,
      excerpt: (limit = 200) => redactedExcerpt(redactor, text, limit),
      excerptOf: (derived: string, limit = 200) => redactedExcerpt(redactor, derived, limit),
    }) as TargetResponse;

  it('drops the per-request id so the status line says only what matters', () => {
    expect(describeDelivery(res(200, '{"received":true,"requestId":"abc"}'))).toBe('HTTP 200 {"received":true}');
  });

  it('keeps a non-JSON body as an excerpt and says when it is empty', () => {
    expect(describeDelivery(res(502, '<html>Bad gateway</html>'))).toBe('HTTP 502 <html>Bad gateway</html>');
    expect(describeDelivery(res(204, ''))).toBe('HTTP 204 (empty body)');
  });

  it('redacts a JSON answer before cutting it: a secret across the cut leaves no piece of itself', () => {
    const secret = 'whsec_selftest_0123456789abcdef';
    // The secret starts 10 characters before the 120-character cut of the re-serialised body.
    const body = JSON.stringify({ error: `${'x'.repeat(120 - 10 - '{"error":"'.length)}${secret} is not the signing secret` });
    const described = describeDelivery(res(400, body));
    expect(described).not.toContain(secret.slice(0, 10));
    expect(described).toContain('[REDACTED]');
  });
});
