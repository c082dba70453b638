// Shared by the probe and readiness self-tests.
import { setupServer } from 'msw/node';
import { afterAll, beforeAll } from 'vitest';
import { stripeHandlers } from '../../rehearsal/thirdparty/stripe';

export const REDIS_URL = process.env.CUTOVER_SELFTEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const STRIPE_KEY = 'sk_test_ProbeSelftestKey0123456789';

/** Stripe's API as the rehearsal simulates it (rehearsal/thirdparty/stripe.ts), for this file. */
export function useSimulatedStripe(): ReturnType<typeof setupServer> {
  const server = setupServer(
    ...stripeHandlers({
      faults: [],
      targetBaseUrl: 'http://127.0.0.1:9',
      stripeSecretKey: STRIPE_KEY,
      githubToken: '',
      sentryToken: '',
      githubRepo: 'a/b',
      rcSha: '',
      startedAt: new Date().toISOString(),
    }),
  );
  beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }));
  afterAll(() => server.close());
  return server;
}
