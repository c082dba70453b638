import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import type { SandboxOptions } from '../../lib/context';
import { REHEARSAL_SENTRY, sentryHandlers } from '../../rehearsal/thirdparty/sentry';
import { stripeEventHandlers } from '../../rehearsal/thirdparty/stripe-events';
import { issuesUrl, newSentryIssues } from '../../lib/monitoring/sentry';
import { describePending, pendingDeliveries } from '../../lib/monitoring/stripe-deliveries';

/**
 * The monitoring checks against the rehearsal's simulated Sentry and Stripe (msw, like the
 * rehearsal), through the same clients they use in production: global fetch and Stripe's SDK.
 */
const startedAt = new Date(Date.now() - 60_000).toISOString();
const options = (faults: string[]): SandboxOptions => ({
  faults,
  targetBaseUrl: 'http://127.0.0.1:1',
  stripeSecretKey: 'sk_test_monitoring',
  githubToken: 'ghp_unused',
  sentryToken: 'sntrys_monitoring',
  githubRepo: 'example/backend',
  rcSha: '0'.repeat(40),
  startedAt,
});

// One server; each test picks the world it needs.
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => server.close());
const world = (faults: string[]) => server.resetHandlers(...sentryHandlers(options(faults)), ...stripeEventHandlers(options(faults)));

describe('Sentry: new issues since the deploy', () => {
  const query = {
    apiUrl: 'https://sentry.io',
    ...REHEARSAL_SENTRY,
    token: 'sntrys_monitoring',
    since: startedAt,
    query: 'is:unresolved',
    timeoutMs: 5_000,
  };

  it("asks for issues first seen after the deploy, in Sentry's search syntax", () => {
    const url = new URL(issuesUrl({ ...query, since: '2026-11-28T05:42:31.303Z' }));
    expect(url.pathname).toBe('/api/0/projects/cutover-rehearsal/backend/issues/');
    expect(url.searchParams.get('query')).toBe('is:unresolved firstSeen:>2026-11-28T05:42:31');
  });

  it('finds none when only older issues exist', async () => {
    world([]);
    expect((await newSentryIssues(query)).issues).toEqual([]);
  });

  it('finds the issue first seen after the deploy (sentry-new-issues)', async () => {
    world(['sentry-new-issues']);
    const { issues } = await newSentryIssues(query);
    expect(issues.map((i) => i.shortId)).toEqual(['BACKEND-2C']);
  });

  it('fails on a bad token or an unknown project, saying what to check', async () => {
    world([]);
    await expect(newSentryIssues({ ...query, token: 'wrong' })).rejects.toThrow(/401 \(check the token/);
    await expect(newSentryIssues({ ...query, project: 'other' })).rejects.toThrow(/404 \(check sentry org and project\)/);
  });

  it('fails when Sentry does not answer', async () => {
    await expect(newSentryIssues({ ...query, apiUrl: 'http://127.0.0.1:9' })).rejects.toThrow(/did not answer/);
  });
});

describe('Stripe: events not delivered since the cutover started', () => {
  const stripe = (key = 'sk_test_monitoring') => new Stripe(key, { maxNetworkRetries: 0, timeout: 5_000 });

  it('finds none when every event was delivered', async () => {
    world([]);
    const pending = await pendingDeliveries(stripe(), new Date(startedAt));
    expect(pending.events).toEqual([]);
    expect(describePending(pending)).toMatch(/no event created since/);
  });

  it('lists the undelivered one (stripe-deliveries-pending)', async () => {
    world(['stripe-deliveries-pending']);
    const pending = await pendingDeliveries(stripe(), new Date(startedAt));
    expect(pending.events.map((e) => [e.id, e.pending_webhooks])).toEqual([['evt_rehearsal_undelivered', 1]]);
    expect((await pendingDeliveries(stripe(), new Date(Date.now() + 3_600_000))).events).toEqual([]);
  });

  it('fails on a key Stripe does not know', async () => {
    world([]);
    await expect(pendingDeliveries(stripe('sk_test_wrong'), new Date(startedAt))).rejects.toThrow(/Invalid API Key/);
  });
});
