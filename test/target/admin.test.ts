import { beforeAll, describe, expect, test } from 'vitest';
import { ACCOUNTS, call, event, postHook, useReferenceTarget } from './reference-target';

const target = useReferenceTarget({ rc: true });
let adminToken = '';
const admin = (p: string) => call(target.url, 'GET', p, { token: adminToken });

beforeAll(async () => {
  adminToken = await target.login(ACCOUNTS.admin);
  // What the ops views below report on, beyond the seed: a lockout and an undeliverable webhook.
  for (let i = 0; i < 9; i++) await call(target.url, 'POST', '/auth/login', { body: { email: 'victim@cutover.test', password: 'x' }, headers: { 'user-agent': `lock-${i}` } });
  const orphan = event('payment_intent.payment_failed', { id: 'pi_unknown' });
  await postHook(target.url, orphan, target.sign(orphan));
});

describe('admin ops views (contract §8)', () => {
  test('KPIs carry every contract field, computed from the seeded bids and subscriptions', async () => {
    const k = await admin('/admin/ops/kpis?windowDays=7');
    expect(k.status, k.text).toBe(200);
    for (const f of ['windowDays', 'startAt', 'endAt', 'timeToFirstBid', 'postToAwardConversion', 'churnByTier', 'reportRate']) expect(k.json, `field ${f}`).toHaveProperty(f);
    expect(k.json.timeToFirstBid.jobsWithBids, 'timeToFirstBid.jobsWithBids').toBe(1);
    expect(k.json.churnByTier.BASIC.churned, 'churnByTier.BASIC.churned').toBe(1);
  });

  test('KPIs refuse a non-numeric window with 400', async () => {
    expect((await admin('/admin/ops/kpis?windowDays=abc')).status, 'status').toBe(400);
  });

  test("AI metrics for this month report the seeded hit ratio, blocked calls and top cost user, without an alert", async () => {
    const m = await admin(`/admin/ai/metrics?monthKey=${new Date().toISOString().slice(0, 7)}`);
    expect(m.json.cacheHitRatio, 'cacheHitRatio').toBe(0.7368);
    expect(m.json.blockedCallsCount, 'blockedCallsCount').toBe(1);
    expect(m.json.alert.triggered, 'alert.triggered').toBe(false);
    expect(m.json.topCostUsers[0].userId, 'topCostUsers[0]').toBe(target.seed.users.providerDigest);
  });

  test('AI metrics refuse month 13 with 400', async () => {
    expect((await admin('/admin/ai/metrics?monthKey=2026-13')).status, 'status').toBe(400);
  });

  test('webhook dead letters list the event that could not be processed; match dead letters are empty', async () => {
    expect((await admin('/admin/ops/webhook-deadletters')).json.items.length, 'webhook dead letters').toBe(1);
    expect((await admin('/admin/ops/match-deadletters')).json, 'match dead letters').toEqual({ items: [] });
  });

  test('security events of the last hour include the lockout', async () => {
    const se = await admin(`/admin/security-events?since=${new Date(Date.now() - 3600_000).toISOString()}`);
    expect(se.json.events.map((e: { type: string }) => e.type), 'event types').toContain('auth.lockout');
  });

  test('a consumer is told "Admin only"', async () => {
    const consumerToken = await target.login(ACCOUNTS.consumer);
    expect((await call(target.url, 'GET', '/admin/ops/kpis', { token: consumerToken })).json.error, 'error').toBe('Admin only');
  });
});
