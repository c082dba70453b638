import { beforeAll, describe, expect, test } from 'vitest';
import { ACCOUNTS, call, event, postHook, sleep, until, useReferenceTarget } from './reference-target';

// Starts on the previous release's schema with the worker running, as the cutover finds it.
const target = useReferenceTarget({ worker: true });
const tokens = { consumer: '', instant: '', digest: '' };
beforeAll(async () => {
  tokens.consumer = await target.login(ACCOUNTS.consumer);
  tokens.instant = await target.login(ACCOUNTS.providerInstant);
  tokens.digest = await target.login(ACCOUNTS.providerDigest);
});
const taskStatus = async (jobId: number) =>
  (await target.pool.query(`SELECT "status" FROM "JobMatchTask" WHERE "jobId" = $1`, [jobId])).rows[0]?.status as string;
const notifications = async (token: string, type?: string) =>
  (await call(target.url, 'GET', `/notifications${type ? `?type=${type}` : ''}`, { token })).json.items as any[];
const digestPrefs = { matchDeliveryMode: 'DIGEST', digestIntervalMinutes: 15 };

describe('the release candidate migration, with server and worker already on the new build (contract §7)', () => {
  let queuedJob = 0;

  test('before it: notification preferences answer 503', async () => {
    expect(
      (await call(target.url, 'PUT', '/me/notification-preferences', { token: tokens.digest, body: digestPrefs })).status,
      'PUT status',
    ).toBe(503);
  });

  test('before it: a new job is categorised and its match task stays queued while the worker logs that the schema is behind', async () => {
    const job = await call(target.url, 'POST', '/jobs', {
      token: tokens.consumer,
      body: { title: 'Clogged drain in bathroom', description: 'Water backs up', location: 'Austin, TX 78701' },
    });
    expect(job.status, job.text).toBe(201);
    expect(job.json.job.category, 'category').toBe('plumbing');
    queuedJob = job.json.job.id;
    await sleep(800);
    expect(await taskStatus(queuedJob), 'match task').toBe('PENDING');
    expect(
      target.workerLog.some((l) => /schema is behind/.test(l)),
      `worker log:\n${target.workerLog.join('\n')}`,
    ).toBe(true);
  });

  test('once it applies, the queued match task completes', async () => {
    await target.applyMigration('job_match_digest');
    expect(await until('the queued task done', async () => (await taskStatus(queuedJob)) === 'DONE'), 'task DONE').toBe(true);
  });
});

describe('match notifications and digests (contract §7)', () => {
  let jobId = 0;

  test('GET /me/notification-preferences is 404 until a PUT; DIGEST without an interval is 400', async () => {
    expect((await call(target.url, 'GET', '/me/notification-preferences', { token: tokens.instant })).status, 'GET before PUT').toBe(404);
    expect(
      (await call(target.url, 'PUT', '/me/notification-preferences', { token: tokens.digest, body: { matchDeliveryMode: 'DIGEST' } }))
        .status,
      'DIGEST without interval',
    ).toBe(400);
  });

  test('an INSTANT and a DIGEST provider store their preference and a saved search', async () => {
    for (const [who, token, body] of [
      ['INSTANT', tokens.instant, { matchDeliveryMode: 'INSTANT' }],
      ['DIGEST', tokens.digest, digestPrefs],
    ] as const) {
      expect((await call(target.url, 'PUT', '/me/notification-preferences', { token, body })).status, `${who} PUT preferences`).toBe(200);
      const ss = await call(target.url, 'POST', '/provider/saved-searches', {
        token,
        body: { categories: ['plumbing'], radiusMiles: 25, zipCode: '78701' },
      });
      expect(ss.status, `${who} saved search: ${ss.text}`).toBe(201);
    }
    expect(
      (await call(target.url, 'GET', '/me/notification-preferences', { token: tokens.digest })).json.digestIntervalMinutes,
      'stored interval',
    ).toBe(15);
  });

  test('a matching job gives the INSTANT provider an unread job.match at once, and the DIGEST provider none', async () => {
    const job = await call(target.url, 'POST', '/jobs', {
      token: tokens.consumer,
      body: { title: 'Leaking pipe under sink', description: 'cutover-test', location: { city: 'Austin', zipCode: '78701' } },
    });
    expect(job.status, 'POST /jobs').toBe(201);
    jobId = job.json.job.id;
    const instant = await until('instant job.match', async () =>
      (await notifications(tokens.instant, 'job.match')).find((n) => n.content.jobId === jobId),
    );
    expect(instant.read, 'read').toBe(false);
    expect(await notifications(tokens.digest, 'job.match'), 'DIGEST provider job.match').toEqual([]);
  });

  test('the DIGEST provider gets one job.match.digest for it when the interval is due, and no second one', async () => {
    // The 15-minute interval is 1.5 s at clock scale 600: until()'s deadline is the wait, not a timed assertion.
    const digest = await until('job.match.digest', async () => (await notifications(tokens.digest, 'job.match.digest'))[0]);
    expect(digest.content.count, 'count').toBe(1);
    expect(digest.content.topMatches[0].jobId, 'top match').toBe(jobId);
    await sleep(2000);
    expect((await notifications(tokens.digest, 'job.match.digest')).length, 'only one digest for one item').toBe(1);
  });
});

let adminToken = '';
const admin = (p: string) => call(target.url, 'GET', p, { token: adminToken });

// After the release above, as the runbook reads them.
describe.concurrent('admin ops views (contract §8)', () => {
  beforeAll(async () => {
    adminToken = await target.login(ACCOUNTS.admin);
    // What the ops views below report on, beyond the seed: a lockout and an undeliverable webhook.
    for (let i = 0; i < 9; i++)
      await call(target.url, 'POST', '/auth/login', {
        body: { email: 'victim@cutover.test', password: 'x' },
        headers: { 'user-agent': `lock-${i}` },
      });
    const orphan = event('payment_intent.payment_failed', { id: 'pi_unknown' });
    await postHook(target.url, orphan, target.sign(orphan));
  });

  test('KPIs carry every contract field, computed from the seeded bids and subscriptions', async () => {
    const k = await admin('/admin/ops/kpis?windowDays=7');
    expect(k.status, k.text).toBe(200);
    for (const f of ['windowDays', 'startAt', 'endAt', 'timeToFirstBid', 'postToAwardConversion', 'churnByTier', 'reportRate'])
      expect(k.json, `field ${f}`).toHaveProperty(f);
    expect(k.json.timeToFirstBid.jobsWithBids, 'timeToFirstBid.jobsWithBids').toBe(1);
    expect(k.json.churnByTier.BASIC.churned, 'churnByTier.BASIC.churned').toBe(1);
  });

  test('KPIs refuse a non-numeric window with 400', async () => {
    expect((await admin('/admin/ops/kpis?windowDays=abc')).status, 'status').toBe(400);
  });

  test('AI metrics for this month report the seeded hit ratio, blocked calls and top cost user, without an alert', async () => {
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
    expect(
      se.json.events.map((e: { type: string }) => e.type),
      'event types',
    ).toContain('auth.lockout');
  });

  test('a consumer is told "Admin only"', async () => {
    const consumerToken = await target.login(ACCOUNTS.consumer);
    expect((await call(target.url, 'GET', '/admin/ops/kpis', { token: consumerToken })).json.error, 'error').toBe('Admin only');
  });
});
