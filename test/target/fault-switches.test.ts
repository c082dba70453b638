// Each fault switch of the reference target (rehearsal/target/faults.ts) does what it says, so
// a harness check that stays green under it is a check that proves nothing.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { FAULTS, type FaultName } from '../../rehearsal/target/faults';
import {
  ACCOUNTS,
  BUCKET,
  call,
  event,
  expectedSignature,
  fetchBytes,
  PNG,
  postHook,
  sleep,
  until,
  upload,
  useReferenceTarget,
} from './reference-target';

const target = useReferenceTarget({ rc: true });
let consumerToken = '';
let adminToken = '';
beforeAll(async () => {
  consumerToken = await target.login(ACCOUNTS.consumer, 'fault-consumer');
  adminToken = await target.login(ACCOUNTS.admin, 'fault-admin');
});
const bytes = Buffer.concat([PNG, randomBytes(64)]);
const hook = (b: string, sig?: (p: string) => string) => {
  const p = event('customer.created');
  return postHook(b, p, sig?.(p));
};
const asAdmin = (b: string, p: string) => call(b, 'GET', p, { token: adminToken });
const presignedLocation = async (b: string) => {
  const a = (await upload(b, consumerToken, target.seed.jobId, bytes)).json.attachment;
  return new URL((await call(b, 'GET', `/attachments/${a.id}`, { token: consumerToken })).headers.get('location')!);
};

type Group =
  | 'health'
  | 'webhook and payments'
  | 'attachments'
  | 'login and attestation'
  | 'admin views and saved searches'
  | 'match notifications (worker)';
interface Check {
  group: Group;
  /** The fault is about attestation being enforced. */
  enforcing?: boolean;
  /** The fault lives in the worker: the server runs clean, a worker runs with the fault. */
  worker?: boolean;
  check(base: string, fault: FaultName): Promise<void>;
}

// Keyed by every fault name: a new fault switch does not type-check until it has its check here.
const CHECKS: Record<FaultName, Check> = {
  'readyz-db-down': { group: 'health', check: async (b) => expect((await call(b, 'GET', '/readyz')).status, '/readyz').toBe(503) },
  'healthz-error': { group: 'health', check: async (b) => expect((await call(b, 'GET', '/healthz')).status, '/healthz').toBe(500) },
  '5xx-burst': {
    group: 'health',
    async check(b) {
      const statuses = [];
      for (let i = 0; i < 10; i++) statuses.push((await call(b, 'GET', '/health')).status);
      expect(statuses.filter((s) => s === 500).length, `500s among ${statuses}`).toBe(5);
    },
  },
  'webhook-secret-mismatch': {
    group: 'webhook and payments',
    check: async (b) => expect((await hook(b, (p) => target.sign(p))).status, 'correctly signed').toBe(400),
  },
  'webhook-accepts-bad-signature': {
    group: 'webhook and payments',
    check: async (b) =>
      expect((await hook(b, (p) => target.sign(p, { secret: 'whsec_bad' }))).status, 'signed with another secret').toBe(200),
  },
  'webhook-ignores-tolerance': {
    group: 'webhook and payments',
    check: async (b) =>
      expect((await hook(b, (p) => target.sign(p, { timestamp: Math.floor(Date.now() / 1000) - 3600 }))).status, 'an hour old').toBe(200),
  },
  'webhook-first-signature-only': {
    group: 'webhook and payments',
    async check(b) {
      const p = event('customer.created');
      const [ts, v1] = target.sign(p).split(',');
      const old = target.sign(p, { secret: 'whsec_old' }).split(',')[1];
      expect((await postHook(b, p, `${ts},${old},${v1}`)).status, 'good signature second').toBe(400);
      expect((await postHook(b, p, `${ts},${v1},${old}`)).status, 'good signature first').toBe(200);
    },
  },
  'webhook-no-replay-guard': {
    group: 'webhook and payments',
    async check(b) {
      const p = event('customer.created');
      await postHook(b, p, target.sign(p));
      expect((await postHook(b, p, target.sign(p))).json, 'second delivery').toEqual({ received: true });
    },
  },
  'webhook-records-before-processing': {
    group: 'webhook and payments',
    async check(b) {
      const p = event('payment_intent.payment_failed', { id: 'pi_unknown' });
      expect((await postHook(b, p, target.sign(p))).status, 'first delivery').toBe(400);
      expect((await postHook(b, p, target.sign(p))).json, 'second delivery').toEqual({ received: true, replay: true });
    },
  },
  'webhook-secret-in-error': {
    group: 'webhook and payments',
    check: async (b) =>
      expect(
        (await hook(b, (p) => target.sign(p, { secret: 'whsec_bad' }))).text.includes(target.webhookSecret),
        'the 400 body has the secret',
      ).toBe(true),
  },
  'webhook-unsigned-accepted': {
    group: 'webhook and payments',
    check: async (b) => expect((await hook(b)).json, 'unsigned').toEqual({ received: true }),
  },
  'webhook-unhandled-type-error': {
    group: 'webhook and payments',
    check: async (b) => expect((await hook(b, (p) => target.sign(p))).status, 'customer.created').toBe(500),
  },
  'payments-health-not-ok': {
    group: 'webhook and payments',
    async check(b) {
      const r = await asAdmin(b, '/payments/health');
      expect([r.json.ok, r.json.stripeOk], '[ok, stripeOk]').toEqual([false, false]);
    },
  },
  'stripe-mode-mismatch': {
    group: 'webhook and payments',
    check: async (b) => expect((await asAdmin(b, '/payments/health')).json.stripeMode, 'stripeMode of a test key').toBe('live'),
  },
  'uploads-disk-only': {
    group: 'attachments',
    async check(b) {
      const a = (await upload(b, consumerToken, target.seed.jobId, bytes)).json.attachment;
      expect([a.storageKey, typeof a.diskPath], '[storageKey, typeof diskPath]').toEqual([null, 'string']);
    },
  },
  'upload-without-id': {
    group: 'attachments',
    async check(b) {
      const res = await upload(b, consumerToken, target.seed.jobId, bytes);
      expect([res.status, res.json.attachment.id, typeof res.json.attachment.storageKey], '[status, id, typeof storageKey]').toEqual([
        201,
        undefined,
        'string',
      ]);
    },
  },
  'signed-url-wrong-ttl': {
    group: 'attachments',
    check: async (b) => expect((await presignedLocation(b)).searchParams.get('X-Amz-Expires'), 'X-Amz-Expires').toBe('360'),
  },
  'signed-url-wrong-bucket': {
    group: 'attachments',
    async check(b) {
      const loc = await presignedLocation(b);
      expect(loc.pathname.startsWith(`/${BUCKET}/`), `${loc.pathname} is in ${BUCKET}`).toBe(false);
    },
  },
  'signed-url-bad-signature': {
    group: 'attachments',
    async check(b) {
      const loc = await presignedLocation(b);
      expect(loc.searchParams.get('X-Amz-Signature'), 'signature of the configured key').not.toBe(
        await expectedSignature(target.env, loc.toString()),
      );
    },
  },
  'attachment-bytes-corrupted': {
    group: 'attachments',
    check: async (b) => expect(await fetchBytes((await presignedLocation(b)).toString()), 'bytes behind the URL').not.toEqual(bytes),
  },
  'legacy-stream-corrupted': {
    group: 'attachments',
    async check(b) {
      // A disk-only row of its own, as after a rollback, so it streams whatever ran before.
      const f = target.seed.legacy.verification[0];
      const { rows } = await target.pool.query(
        `INSERT INTO "JobAttachment" ("jobId","filename","mimeType","sizeBytes","diskPath","createdAt") VALUES ($1,'l.png','image/png',$2,$3,now()) RETURNING "id"`,
        [target.seed.jobId, f.bytes.length, f.diskPath],
      );
      const r = await fetch(`${b}/attachments/${rows[0].id}`, { headers: { authorization: `Bearer ${consumerToken}` } });
      expect(r.status, 'status').toBe(200);
      expect(Buffer.from(await r.arrayBuffer()), 'streamed bytes').not.toEqual(f.bytes);
    },
  },
  'login-broken': {
    group: 'login and attestation',
    check: async (b) =>
      expect(
        (await call(b, 'POST', '/auth/login', { body: ACCOUNTS.consumer, headers: { 'user-agent': 'fault-broken' } })).status,
        'valid login',
      ).toBe(401),
  },
  'login-reveals-account': {
    group: 'login and attestation',
    async check(b) {
      const r = await call(b, 'POST', '/auth/login', {
        body: { email: 'nobody@cutover.test', password: 'x' },
        headers: { 'user-agent': 'fault-reveal' },
      });
      expect(r.json.error, 'unknown email message').not.toBe('Invalid email or password.');
    },
  },
  'login-no-rate-limit': {
    group: 'login and attestation',
    async check(b) {
      for (let i = 1; i <= 7; i++) {
        const r = await call(b, 'POST', '/auth/login', {
          body: { email: 'nobody2@cutover.test', password: 'x' },
          headers: { 'user-agent': 'fault-nolimit' },
        });
        expect(r.status, `attempt ${i}`).toBe(401);
      }
    },
  },
  'attestation-not-enforced': {
    group: 'login and attestation',
    enforcing: true,
    check: async (b) =>
      expect(
        (await call(b, 'POST', '/auth/login', { body: ACCOUNTS.consumer, headers: { 'user-agent': 'fault-att' } })).status,
        'unattested login',
      ).toBe(200),
  },
  'attestation-blocks-reads': {
    group: 'login and attestation',
    enforcing: true,
    async check(b) {
      expect((await call(b, 'GET', '/notifications', { token: consumerToken })).status, 'GET /notifications').toBe(401);
      expect((await hook(b, (p) => target.sign(p))).status, 'webhook').toBe(401);
      expect((await call(b, 'GET', '/healthz')).status, '/healthz').toBe(200);
    },
  },
  'attestation-route-unguarded': {
    group: 'login and attestation',
    enforcing: true,
    async check(b) {
      // Without the attestation check, auth is what refuses the call: a different body.
      expect((await call(b, 'POST', '/jobs/1/cancel')).json.error, 'POST /jobs/1/cancel').not.toBe('App attestation required');
      expect((await call(b, 'POST', '/jobs')).json.error, 'POST /jobs').toBe('App attestation required');
    },
  },
  'kpis-wrong-shape': {
    group: 'admin views and saved searches',
    async check(b) {
      const k = (await asAdmin(b, '/admin/ops/kpis?windowDays=7')).json;
      expect(!('reportRate' in k) && typeof k.windowDays === 'string', `no reportRate, windowDays a string: ${JSON.stringify(k)}`).toBe(
        true,
      );
    },
  },
  'ai-metrics-low-hit-ratio': {
    group: 'admin views and saved searches',
    async check(b) {
      const m = (await asAdmin(b, '/admin/ai/metrics')).json;
      expect([m.cacheHitRatio, m.alert.triggered], '[cacheHitRatio, alert.triggered]').toEqual([0.01, true]);
    },
  },
  'ai-metrics-blocked-spike': {
    group: 'admin views and saved searches',
    check: async (b) => expect((await asAdmin(b, '/admin/ai/metrics')).json.blockedCallsCount, 'blockedCallsCount').toBeGreaterThan(1000),
  },
  'digest-preference-ignored': {
    group: 'admin views and saved searches',
    async check(b) {
      const token = await target.login(ACCOUNTS.providerDigest, 'fault-pref');
      const put = await call(b, 'PUT', '/me/notification-preferences', {
        token,
        body: { matchDeliveryMode: 'DIGEST', digestIntervalMinutes: 15 },
      });
      expect(put.status, 'PUT').toBe(200);
      expect((await call(b, 'GET', '/me/notification-preferences', { token })).json.matchDeliveryMode, 'stored mode').toBe('INSTANT');
    },
  },
  'saved-search-delete-ignored': {
    group: 'admin views and saved searches',
    async check(b) {
      const token = await target.login(ACCOUNTS.providerInstant, 'fault-search');
      const { id } = (
        await call(b, 'POST', '/provider/saved-searches', { token, body: { categories: ['roofing'], radiusMiles: 5, zipCode: '10001' } })
      ).json.savedSearch;
      expect((await call(b, 'DELETE', `/provider/saved-searches/${id}`, { token })).status, 'DELETE').toBe(204);
      expect(
        (await call(b, 'GET', '/provider/saved-searches', { token })).json.items.some((i: { id: number }) => i.id === id),
        'still listed',
      ).toBe(true);
    },
  },
  'digest-sent-immediately': {
    group: 'match notifications (worker)',
    worker: true,
    async check(b, fault) {
      const list = await digestProvider(b, fault);
      const matched = await until('an instant job.match for a DIGEST provider', async () =>
        (await list()).some((n) => n.type === 'job.match'),
      );
      expect(matched, 'job.match for the DIGEST provider').toBe(true);
    },
  },
  'digest-never-sent': {
    group: 'match notifications (worker)',
    worker: true,
    async check(b, fault) {
      const list = await digestProvider(b, fault);
      await sleep(4000); // more than twice the digest interval at TARGET_CLOCK_SCALE
      expect(await list(), 'notifications of the DIGEST provider').toEqual([]);
    },
  },
};

/** A fresh DIGEST provider per fault (independent checks) with a saved search a new job matches; returns its notification list. */
async function digestProvider(b: string, fault: FaultName): Promise<() => Promise<{ type: string }[]>> {
  const email = `${fault}@cutover.test`;
  const signup = await call(b, 'POST', '/auth/signup', { body: { role: 'PROVIDER', name: 'F', email, password: 'fault-password-1234' } });
  expect(signup.status, signup.text).toBe(201);
  const token = signup.json.token;
  const search = { categories: ['roofing'], radiusMiles: 5, zipCode: '10001' };
  expect(
    (await call(b, 'POST', '/provider/saved-searches', { token, body: search })).json.code,
    'saved search before verifying the email',
  ).toBe('EMAIL_NOT_VERIFIED');
  await target.pool.query(`UPDATE "User" SET "emailVerified" = true WHERE "email" = $1`, [email]);
  await call(b, 'PUT', '/me/notification-preferences', { token, body: { matchDeliveryMode: 'DIGEST', digestIntervalMinutes: 15 } });
  await call(b, 'POST', '/provider/saved-searches', { token, body: search });
  const job = await call(b, 'POST', '/jobs', {
    token: consumerToken,
    body: { title: `Replace roof shingles (${fault})`, location: 'New York, NY 10001' },
  });
  expect(job.status, 'POST /jobs').toBe(201);
  return async () => (await call(b, 'GET', '/notifications', { token })).json.items;
}

async function runCheck(fault: FaultName, c: Check): Promise<void> {
  const t = await target.start(c.worker ? {} : { TARGET_FAULTS: fault, ...(c.enforcing ? { APP_ATTESTATION_ENFORCE: 'true' } : {}) });
  const w = c.worker ? target.startWorker({ TARGET_FAULTS: fault }) : undefined;
  try {
    await c.check(t.url, fault);
  } finally {
    await w?.stop();
    await t.close();
  }
}

// Each server fault gets its own server, and the checks touch disjoint data: they may overlap.
// Worker faults may overlap those (no other check makes a job) but not each other: two workers
// on one database would take each other's match tasks.
let workerTurn = Promise.resolve();
function oneWorkerAtATime(run: () => Promise<void>): Promise<void> {
  const mine = workerTurn.then(run);
  workerTurn = mine.catch(() => undefined);
  return mine;
}

// The worker checks first: their waits then overlap the quick server checks.
const groups = [...new Set(Object.values(CHECKS).map((c) => c.group))].sort(
  (a, b) => Number(b.startsWith('match')) - Number(a.startsWith('match')),
);
describe.concurrent('fault switches', () => {
  for (const group of groups) {
    describe(group, () => {
      for (const [fault, c] of (Object.entries(CHECKS) as [FaultName, Check][]).filter(([, c]) => c.group === group)) {
        test(`${fault}: ${FAULTS[fault]}`, () => (c.worker ? oneWorkerAtATime(() => runCheck(fault, c)) : runCheck(fault, c)));
      }
    });
  }
});
