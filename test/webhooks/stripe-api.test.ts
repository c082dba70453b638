import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxOptions } from '../../lib/context';
import { STRIPE_FAULTS, stripeHandlers } from '../../rehearsal/thirdparty/stripe';
import {
  endpointProblems,
  inspectWebhookEndpoint,
  stripeClient,
  stripeKeyMode,
  type EndpointExpectations,
} from '../../lib/webhooks/stripe-api';

/** The real Stripe SDK against the rehearsal's simulated Stripe, as the suite uses it. */
const KEY = 'sk_test_unit0123456789abcdefgh';
const TARGET = 'http://127.0.0.1:4010';
const options = (faults: string[] = []): SandboxOptions => ({
  faults,
  targetBaseUrl: TARGET,
  stripeSecretKey: KEY,
  githubToken: '',
  sentryToken: '',
  githubRepo: 'example/backend',
  rcSha: '',
  startedAt: '2026-11-28T00:00:00Z',
});
const expected: EndpointExpectations = {
  url: `${TARGET}/payments/webhook`,
  handledEvents: ['payment_intent.succeeded', 'payment_intent.payment_failed'],
  mode: 'test',
};

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

async function inspect(faults: string[] = [], key = KEY) {
  server.resetHandlers(...stripeHandlers(options(faults)));
  return inspectWebhookEndpoint(stripeClient(key, 'https://api.stripe.com', 5_000), expected);
}

describe('inspectWebhookEndpoint', () => {
  it("finds the target's enabled endpoint among the account's others", async () => {
    const report = await inspect();
    expect(report.problems).toEqual([]);
    expect(report.endpoint?.id).toBe('we_rehearsal_target');
    expect(report.otherUrls).toEqual(['https://analytics.example.test/stripe']);
  });

  it.each([
    [STRIPE_FAULTS.endpointMissing, /no Stripe webhook endpoint is registered for http:\/\/127\.0\.0\.1:4010\/payments\/webhook/],
    [STRIPE_FAULTS.endpointDisabled, /is disabled, not enabled/],
    [STRIPE_FAULTS.endpointMissingEvents, /does not send payment_intent\.payment_failed/],
    [STRIPE_FAULTS.endpointWrongMode, /live-mode endpoint; this environment expects test/],
  ])('%s → a problem naming it', async (fault, message) => {
    const report = await inspect([fault]);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatch(message);
  });

  it("follows Stripe's pagination to an endpoint on a later page", async () => {
    const endpoint = (id: string, url: string) => ({
      id,
      object: 'webhook_endpoint',
      url,
      status: 'enabled',
      enabled_events: ['*'],
      livemode: false,
    });
    const pages = [
      [endpoint('we_1', 'https://a.example.test/hook')],
      [endpoint('we_2', 'https://b.example.test/hook')],
      [endpoint('we_3', `${TARGET}/payments/webhook/`)],
    ];
    server.resetHandlers(
      http.get('https://api.stripe.com/v1/webhook_endpoints', ({ request }) => {
        const after = new URL(request.url).searchParams.get('starting_after');
        const i = after ? Number(after.slice(3)) : 0;
        return HttpResponse.json({ object: 'list', url: '/v1/webhook_endpoints', has_more: i + 1 < pages.length, data: pages[i] });
      }),
    );
    const report = await inspectWebhookEndpoint(stripeClient(KEY, 'https://api.stripe.com', 5_000), expected);
    expect(report.endpoint?.id).toBe('we_3');
    expect(report.problems).toEqual([]);
  });

  it('fails saying Stripe refused the key, without quoting it', async () => {
    const failure = inspect([], 'sk_test_wrong0123456789abcdefgh');
    await expect(failure).rejects.toThrow('listing the webhook endpoints: Stripe refused STRIPE_SECRET_KEY (401)');
    await expect(failure).rejects.not.toThrow(/wrong0123/);
  });

  it('fails closed when Stripe cannot be reached', async () => {
    server.resetHandlers(http.get('https://api.stripe.com/v1/webhook_endpoints', () => HttpResponse.error()));
    await expect(inspectWebhookEndpoint(stripeClient(KEY, 'https://api.stripe.com', 2_000), expected)).rejects.toThrow(
      /listing the webhook endpoints: cannot reach Stripe's API/,
    );
  });
});

describe('endpointProblems', () => {
  const base = { id: 'we_x', url: expected.url, status: 'enabled', livemode: false } as never;

  it('accepts an endpoint that sends every event', () => {
    expect(endpointProblems({ ...(base as object), enabled_events: ['*'] } as never, expected)).toEqual([]);
  });

  it('lists every problem at once', () => {
    const problems = endpointProblems({ ...(base as object), status: 'disabled', enabled_events: [], livemode: true } as never, expected);
    expect(problems).toHaveLength(3);
  });
});

describe('stripeKeyMode', () => {
  it.each([
    ['sk_live_abc', 'live'],
    ['rk_live_abc', 'live'],
    ['sk_test_abc', 'test'],
    ['rk_test_abc', 'test'],
    ['pk_live_abc', 'unknown'],
    ['whsec_abc', 'unknown'],
  ])('%s → %s', (key, mode) => {
    expect(stripeKeyMode(key)).toBe(mode);
  });
});
