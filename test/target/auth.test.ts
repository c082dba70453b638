import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { beforeAll, describe, expect, test } from 'vitest';
import { ACCOUNTS, call, event, postHook, useReferenceTarget } from './reference-target';

const target = useReferenceTarget();
const login = (body: unknown, userAgent: string, headers: Record<string, string> = {}) =>
  call(target.url, 'POST', '/auth/login', { body, headers: { 'user-agent': userAgent, ...headers } });

describe.concurrent('login (contract §2)', () => {
  test('a login answers a token valid for 7 days and the user without secrets', async () => {
    const ok = await login(ACCOUNTS.providerDigest, 'ua-x');
    expect(Object.keys(ok.json.user).sort(), 'user fields').toEqual(['email', 'emailVerified', 'id', 'name', 'role', 'subscriptionTier']);
    const claims = jwt.decode(ok.json.token) as jwt.JwtPayload;
    expect(claims.exp! - claims.iat!, 'token lifetime (s)').toBe(7 * 24 * 3600);
  });

  test('a wrong password and an unknown email get the same 401 message, with a request id', async () => {
    const wrong = await login({ ...ACCOUNTS.consumer, password: 'nope-nope-nope' }, 'ua-1');
    const unknown = await login({ email: 'ghost@cutover.test', password: 'x' }, 'ua-2');
    expect(wrong.status, 'wrong password status').toBe(401);
    expect(wrong.json.error, 'wrong password message').toBe('Invalid email or password.');
    expect(unknown.json.error, 'unknown email message').toBe(wrong.json.error);
    expect(wrong.json.requestId, 'requestId in the error').toBeTruthy();
  });

  test('a login body that fails validation is 400', async () => {
    expect((await login({ email: 'bad' }, 'ua-3')).status, 'status').toBe(400);
  });
});

describe.concurrent('login limits (contract §2)', () => {
  test('one client gets 5 attempts a minute, counted down in X-RateLimit-Remaining; the 6th is 429 with Retry-After', async () => {
    const attempt = () => login({ email: 'ghost2@cutover.test', password: 'x' }, 'burst');
    for (let i = 1; i <= 5; i++) {
      const r = await attempt();
      expect(r.status, `attempt ${i} status`).toBe(401);
      expect(r.headers.get('x-ratelimit-remaining'), `attempt ${i} X-RateLimit-Remaining`).toBe(String(5 - i));
    }
    const sixth = await attempt();
    expect(sixth.status, '6th attempt status').toBe(429);
    expect(Number(sixth.headers.get('retry-after')), '6th attempt Retry-After').toBeGreaterThan(0);
  });

  test('8 failures from different clients lock the email, for more than 500 s', async () => {
    for (let i = 0; i < 8; i++) {
      expect((await login({ email: 'victim@cutover.test', password: 'x' }, `lock-${i}`)).status, `failure ${i + 1} status`).toBe(401);
    }
    const locked = await login({ email: 'victim@cutover.test', password: 'x' }, 'lock-9');
    expect(locked.status, '9th attempt status').toBe(429);
    expect(Number(locked.headers.get('retry-after')), '9th attempt Retry-After').toBeGreaterThan(500);
  });
});

describe.concurrent('app attestation, enforced (contract §6)', () => {
  let enforcing = '';
  beforeAll(async () => {
    enforcing = (await target.start({ APP_ATTESTATION_ENFORCE: 'true' })).url;
  });
  const attLogin = (userAgent: string, headers: Record<string, string> = {}) =>
    call(enforcing, 'POST', '/auth/login', { body: ACCOUNTS.consumer, headers: { 'user-agent': userAgent, ...headers } });
  const attested = () => jwt.sign({ sub: 'target-selftest' }, target.attestKey, { algorithm: 'RS256', expiresIn: 60 });

  test('a login without an attestation token is 401 "App attestation required"', async () => {
    const none = await attLogin('att-1');
    expect(none.status, 'status').toBe(401);
    expect(none.json.error, 'error').toBe('App attestation required');
  });

  test('a legacy JWT signed by a key in APP_ATTESTATION_JWT_PUBLIC_KEYS is accepted; one signed by another key is not', async () => {
    const ok = await attLogin('att-2', { 'x-app-attestation': attested() });
    expect(ok.status, `attested login: ${ok.text}`).toBe(200);
    const forged = jwt.sign({ sub: 'x' }, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, { algorithm: 'RS256' });
    const bad = await attLogin('att-3', { 'x-app-attestation': forged });
    expect(bad.status, 'forged token status').toBe(401);
    expect(bad.json.error, 'forged token error').toMatch(/^App attestation failed: /);
  });

  test('an android token is 401 (it cannot be verified offline), and so is an ios one (ios not in APP_ATTESTATION_PLATFORMS)', async () => {
    const android = await attLogin('att-4', { 'x-app-attestation': 'x', 'x-app-platform': 'android' });
    expect(android.status, 'android').toBe(401);
    const ios = await attLogin('att-4', { 'x-app-attestation': 'x', 'x-app-platform': 'ios' });
    expect(ios.status, 'ios not in APP_ATTESTATION_PLATFORMS').toBe(401);
  });

  test('reads and the Stripe webhook need no attestation', async () => {
    const { token } = (await attLogin('att-5', { 'x-app-attestation': attested() })).json;
    expect((await call(enforcing, 'GET', '/notifications', { token })).status, 'GET /notifications').toBe(200);
    const p = event('customer.updated');
    expect((await postHook(enforcing, p, target.sign(p))).status, 'webhook').toBe(200);
  });

  test('unattested writes are rate limited: after 25, the next is 429', async () => {
    for (let i = 0; i < 25; i++) await call(enforcing, 'POST', '/jobs', { headers: { 'user-agent': 'att-flood' } });
    expect((await call(enforcing, 'POST', '/jobs', { headers: { 'user-agent': 'att-flood' } })).status, '26th unattested write').toBe(429);
  });
});
