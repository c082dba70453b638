import { describe, expect, test } from 'vitest';
import { ACCOUNTS, call, event, postHook, useReferenceTarget } from './reference-target';

const target = useReferenceTarget();
const hook = (payload: string, sig?: string, contentType?: string) => postHook(target.url, payload, sig, contentType);

describe.concurrent('Stripe webhook (contract §3)', () => {
  test('a correctly signed event is processed once, recorded with its type and payload hash; its repeat answers replay:true', async () => {
    const p = event('customer.created');
    expect((await hook(p, target.sign(p))).json, 'first delivery').toEqual({ received: true });
    expect((await hook(p, target.sign(p))).json, 'second delivery').toEqual({ received: true, replay: true });
    const row = await target.pool.query(`SELECT "eventType", "payloadHash" FROM "StripeWebhookEvent" WHERE "stripeEventId" = $1`, [
      JSON.parse(p).id,
    ]);
    expect(row.rows[0].eventType, 'recorded eventType').toBe('customer.created');
    expect(row.rows[0].payloadHash, 'recorded payloadHash').toMatch(/^[0-9a-f]{64}$/);
  });

  test('an event without Stripe-Signature is 400 "Missing stripe signature"', async () => {
    const missing = await hook(event('customer.created'));
    expect(missing.status, 'status').toBe(400);
    expect(missing.json.error, 'error').toBe('Missing stripe signature');
  });

  test('a signature made with another secret is 400', async () => {
    const q = event('customer.created');
    expect((await hook(q, target.sign(q, { secret: 'whsec_wrong' }))).status, 'status').toBe(400);
  });

  test('a signature older than the tolerance is 400, saying so', async () => {
    const q = event('customer.created');
    const stale = await hook(q, target.sign(q, { timestamp: Math.floor(Date.now() / 1000) - 400 }));
    expect(stale.status, 'status').toBe(400);
    expect(stale.json.error, 'error').toMatch(/tolerance/);
  });

  test('every v1 signature in the header is tried, not only the first (secret rotation)', async () => {
    const q = event('customer.created');
    const [ts, v1] = target.sign(q).split(',');
    const oldV1 = target.sign(q, { secret: 'whsec_old' }).split(',')[1];
    expect((await hook(q, `${ts},${oldV1},${v1}`)).status, 'old secret first, current second').toBe(200);
  });

  test('a correctly signed body sent as text/plain is 400', async () => {
    const q = event('customer.created');
    expect((await hook(q, target.sign(q), 'text/plain')).status, 'status').toBe(400);
  });

  test('payment_intent.succeeded marks its payment SUCCEEDED', async () => {
    const paid = event('payment_intent.succeeded', { id: target.seed.paymentIntentId });
    expect((await hook(paid, target.sign(paid))).status, 'status').toBe(200);
    const pay = await target.pool.query(`SELECT "status" FROM "Payment" WHERE "stripePaymentIntentId" = $1`, [target.seed.paymentIntentId]);
    expect(pay.rows[0].status, 'Payment.status').toBe('SUCCEEDED');
  });

  test('an event for an unknown payment intent is 400 on every delivery: not recorded when it fails, so a retry runs again', async () => {
    const orphan = event('payment_intent.payment_failed', { id: 'pi_unknown' });
    const id = JSON.parse(orphan).id;
    expect((await hook(orphan, target.sign(orphan))).status, 'first delivery').toBe(400);
    const again = await hook(orphan, target.sign(orphan));
    expect([again.status, again.json.error], 'second delivery').toEqual([400, 'No payment found for payment intent pi_unknown']);
    const recorded = await target.pool.query(`SELECT 1 FROM "StripeWebhookEvent" WHERE "stripeEventId" = $1`, [id]);
    expect(recorded.rowCount, 'rows in the processed-event record').toBe(0);
    const dead = await target.pool.query(`SELECT 1 FROM "WebhookDeadLetter" WHERE "stripeEventId" = $1`, [id]);
    expect(dead.rowCount, 'dead letters, one per failed delivery').toBe(2);
  });
});

describe('payments health (contract §3)', () => {
  test('GET /payments/health reports the Stripe account through the SDK, to admins only', async () => {
    const adminToken = await target.login(ACCOUNTS.admin);
    const consumerToken = await target.login(ACCOUNTS.consumer);
    expect((await call(target.url, 'GET', '/payments/health', { token: adminToken })).json, 'admin view').toEqual({
      ok: true,
      stripeOk: true,
      stripeAccountId: 'acct_test',
      stripeMode: 'test',
      hasSecretKey: true,
      hasWebhookSecret: true,
      webhookConfigured: true,
    });
    expect((await call(target.url, 'GET', '/payments/health', { token: consumerToken })).status, 'consumer').toBe(403);
    expect((await call(target.url, 'GET', '/payments/health')).status, 'anonymous').toBe(401);
  });
});
