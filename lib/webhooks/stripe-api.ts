import Stripe from 'stripe';
import type { HarnessContext } from '../context';
import { credential } from '../credentials';
import { outboundFetch } from '../http/outbound';

export type StripeMode = 'live' | 'test' | 'unknown';

/** The mode a Stripe key works in, from its prefix (secret `sk_` or restricted `rk_` keys). */
export function stripeKeyMode(key: string): StripeMode {
  if (/^(sk|rk)_live_/.test(key)) return 'live';
  if (/^(sk|rk)_test_/.test(key)) return 'test';
  return 'unknown';
}

/**
 * Stripe's official SDK on the configured API (webhooks.stripeApiUrl), with the run's deadline
 * and no silent retries: a Stripe that does not answer is a failure the operator should see.
 */
export function stripeApi(harness: Pick<HarnessContext, 'sections'>, why: string): { stripe: Stripe; key: string } {
  const key = credential(harness.sections.credentials.stripeSecretKey, why);
  return { stripe: stripeClient(key, harness.sections.webhooks.stripeApiUrl, harness.sections.http.timeoutMs), key };
}

export function stripeClient(key: string, apiUrl: string, timeoutMs: number): Stripe {
  const api = new URL(apiUrl);
  const https = api.protocol === 'https:';
  return new Stripe(key, {
    host: api.hostname,
    port: api.port || (https ? 443 : 80),
    protocol: https ? 'https' : 'http',
    timeout: timeoutMs,
    maxNetworkRetries: 0,
    telemetry: false,
    httpClient: Stripe.createFetchHttpClient(outboundFetch),
  });
}

/** Stripe rejects more than 16 endpoints per account; the cap only bounds a misbehaving API. */
const MAX_ENDPOINTS = 1_000;

export interface EndpointExpectations {
  /** The target's webhook URL as Stripe should have it registered. */
  url: string;
  /** Events the target handles; the endpoint must send each (or '*'). */
  handledEvents: readonly string[];
  mode: 'live' | 'test';
}

export interface EndpointReport {
  endpoint: Stripe.WebhookEndpoint | null;
  /** URLs of the account's other endpoints, to help when the expected one is missing. */
  otherUrls: string[];
  problems: string[];
}

const sameUrl = (a: string, b: string) => normalizeUrl(a) === normalizeUrl(b);

function normalizeUrl(value: string): string {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`.toLowerCase();
  } catch {
    return value.trim().toLowerCase();
  }
}

/** Lists every webhook endpoint of the key's account (all pages) and judges the target's. */
export async function inspectWebhookEndpoint(stripe: Stripe, expected: EndpointExpectations): Promise<EndpointReport> {
  let all: Stripe.WebhookEndpoint[];
  try {
    all = await stripe.webhookEndpoints.list({ limit: 100 }).autoPagingToArray({ limit: MAX_ENDPOINTS });
  } catch (error) {
    throw new Error(describeStripeError('listing the webhook endpoints', error));
  }
  const matches = all.filter((e) => sameUrl(e.url, expected.url));
  const otherUrls = all.filter((e) => !matches.includes(e)).map((e) => e.url);
  // Stripe allows duplicates; the enabled one is the one that delivers.
  const endpoint = matches.find((e) => e.status === 'enabled') ?? matches[0] ?? null;
  if (!endpoint) {
    const seen = otherUrls.length
      ? `the account has ${otherUrls.length} other endpoint(s): ${otherUrls.join(', ')}`
      : 'the account has no webhook endpoints';
    return { endpoint, otherUrls, problems: [`no Stripe webhook endpoint is registered for ${expected.url} (${seen})`] };
  }
  return { endpoint, otherUrls, problems: endpointProblems(endpoint, expected) };
}

export function endpointProblems(endpoint: Stripe.WebhookEndpoint, expected: EndpointExpectations): string[] {
  const problems: string[] = [];
  if (endpoint.status !== 'enabled')
    problems.push(`the endpoint ${endpoint.id} is ${endpoint.status}, not enabled: Stripe delivers nothing to it`);
  const events = endpoint.enabled_events ?? [];
  if (!events.includes('*')) {
    const missing = expected.handledEvents.filter((e) => !events.includes(e));
    if (missing.length)
      problems.push(`the endpoint ${endpoint.id} does not send ${missing.join(', ')} (it sends ${events.join(', ') || 'nothing'})`);
  }
  const mode = endpoint.livemode ? 'live' : 'test';
  if (mode !== expected.mode)
    problems.push(`the endpoint ${endpoint.id} is a ${mode}-mode endpoint; this environment expects ${expected.mode} mode`);
  return problems;
}

/** One line per endpoint fact, for the document. */
export function describeEndpoint(endpoint: Stripe.WebhookEndpoint): string {
  return [
    `endpoint ${endpoint.id}: ${endpoint.url}`,
    `status: ${endpoint.status} · livemode: ${endpoint.livemode}`,
    `enabled_events: ${(endpoint.enabled_events ?? []).join(', ') || '(none)'}`,
  ].join('\n');
}

/** One line an operator can act on, for an error of Stripe's SDK. Never the key. */
export function describeStripeError(what: string, error: unknown): string {
  const err = error as { type?: string; statusCode?: number; message?: string; detail?: { code?: string; message?: string } };
  if (err.type === 'StripeAuthenticationError' || err.statusCode === 401) {
    return `${what}: Stripe refused STRIPE_SECRET_KEY (401): it is wrong, revoked or for another account`;
  }
  if (err.type === 'StripePermissionError' || err.statusCode === 403) {
    return `${what}: the key may not read webhook endpoints (403): a restricted key needs Webhook Endpoints read access`;
  }
  if (err.type === 'StripeConnectionError') {
    return `${what}: cannot reach Stripe's API (${err.detail?.code ?? err.detail?.message ?? 'connection error'}; check webhooks.stripeApiUrl and the network)`;
  }
  return `${what}: ${err.statusCode ? `HTTP ${err.statusCode} ` : ''}${err.type ?? 'error'}: ${err.message ?? String(error)}`;
}
