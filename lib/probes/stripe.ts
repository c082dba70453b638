import Stripe from 'stripe';
import { ProbeFailure, runProbe, type ProbeResult } from './probe';

export type StripeMode = 'live' | 'test';

/** The mode a key is for, from its prefix (Stripe has no other way to tell without a call). */
export function stripeKeyMode(key: string): StripeMode | undefined {
  if (/^(sk|rk)_live_/.test(key)) return 'live';
  if (/^(sk|rk)_test_/.test(key)) return 'test';
  return undefined;
}

/**
 * The key works (GET /v1/account through the real Stripe SDK, no retries, a deadline) and is
 * for the mode this environment expects.
 */
export function probeStripe(secretKey: string, expectedMode: StripeMode, timeoutMs: number): Promise<ProbeResult> {
  return runProbe('stripe', timeoutMs, async () => {
    const mode = stripeKeyMode(secretKey);
    if (!mode) throw new ProbeFailure('the secret key is not an sk_/rk_ live or test key');
    const stripe = new Stripe(secretKey, { timeout: timeoutMs, maxNetworkRetries: 0, telemetry: false });
    let account: Stripe.Account;
    try {
      account = await stripe.accounts.retrieveCurrent();
    } catch (error) {
      const err = error as { type?: string; statusCode?: number; message?: string };
      if (err.type === 'StripeAuthenticationError' || err.statusCode === 401) {
        throw new ProbeFailure('Stripe refused the secret key (401 authentication error): it is wrong, revoked or for another account');
      }
      if (err.type === 'StripeConnectionError') throw new ProbeFailure(`cannot reach Stripe's API: ${err.message ?? 'connection error'}`);
      throw new ProbeFailure(`GET /v1/account failed: ${err.statusCode ? `HTTP ${err.statusCode} ` : ''}${err.type ?? ''} ${err.message ?? ''}`.trim());
    }
    if (!account?.id) throw new ProbeFailure('GET /v1/account answered without an account id');
    if (mode !== expectedMode) {
      throw new ProbeFailure(`the key works (account ${account.id}) but is a ${mode} key; this environment expects ${expectedMode} (environment.expect.stripeMode)`);
    }
    return `GET /v1/account → ${account.id}; ${mode} key, as expected`;
  });
}
