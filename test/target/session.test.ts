import { afterEach, describe, expect, it, vi } from 'vitest';
import { sectionsSchema } from '../../lib/config/schema';
import { Sessions } from '../../lib/http/session';
import { Redactor } from '../../lib/secrets/redactor';
import { clientFor } from '../smoke/client';

const sections = sectionsSchema.parse({
  credentials: { accounts: { consumer: { email: 'SESSION_TEST_EMAIL', password: 'SESSION_TEST_PASSWORD' } } },
});

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  vi.unstubAllEnvs();
});

/** A target that mints a new token per login and counts them. */
async function loginTarget() {
  let logins = 0;
  const server = await clientFor({
    [`POST ${sections.backend.routes.login}`]: () => ({
      body: { token: `minted-session-token-${++logins}`, user: { id: '7', role: 'CONSUMER' } },
    }),
  });
  close = server.close;
  return { target: server.target, logins: () => logins };
}

describe('Sessions', () => {
  it('logs each account in once per run; fresh logs in again and keeps the new session for later checks', async () => {
    vi.stubEnv('SESSION_TEST_EMAIL', 'consumer@session.test');
    vi.stubEnv('SESSION_TEST_PASSWORD', 'consumer-session-password');
    const { target, logins } = await loginTarget();
    const sessions = new Sessions({ sections }, new Redactor());
    const first = await sessions.login(target, 'consumer');
    expect((await sessions.login(target, 'consumer')).token).toBe(first.token);
    expect(logins()).toBe(1);
    const fresh = await sessions.login(target, 'consumer', { fresh: true });
    expect(fresh.token).not.toBe(first.token);
    expect((await sessions.login(target, 'consumer')).token).toBe(fresh.token);
    expect(logins()).toBe(2);
  });

  it('hides the token the target minted in reports, without taking its echo for a leak', async () => {
    vi.stubEnv('SESSION_TEST_EMAIL', 'consumer@session.test');
    vi.stubEnv('SESSION_TEST_PASSWORD', 'consumer-session-password');
    const { target } = await loginTarget();
    const redactor = new Redactor();
    const { token } = await new Sessions({ sections }, redactor).login(target, 'consumer');
    expect(redactor.redact(`Bearer ${token}`)).not.toContain(token);
    expect(redactor.findKnown(`{"token":"${token}"}`)).toBe(false);
  });

  it('fails before any attempt when the account is not configured', async () => {
    const { target, logins } = await loginTarget();
    await expect(new Sessions({ sections }, new Redactor()).login(target, 'consumer')).rejects.toThrow(/SESSION_TEST_EMAIL is not set/);
    expect(logins()).toBe(0);
  });
});
