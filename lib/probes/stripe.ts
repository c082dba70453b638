import type Stripe from 'stripe';
import { describeStripeError, stripeClient, stripeKeyMode } from '../webhooks/stripe-api';
import { ProbeFailure, runProbe, type ProbeResult } from './probe';

/**
 * The key works (GET /v1/account through the real Stripe SDK, no retries, a deadline) and is
 * for the mode this environment expects (Stripe tells the mode only by the key's prefix).
 */
export function probeStripe(secretKey: string, expectedMode: 'live' | 'test', apiUrl: string, timeoutMs: number): Promise<ProbeResult> {
  return runProbe('stripe', timeoutMs, async () => {
    const mode = stripeKeyMode(secretKey);
    if (mode === 'unknown') throw new ProbeFailure('the secret key is not an sk_/rk_ live or test key');
    let account: Stripe.Account;
    try {
      account = await stripeClient(secretKey, apiUrl, timeoutMs).accounts.retrieveCurrent();
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 403)
        throw new ProbeFailure('GET /v1/account: the key may not read the account (403): a restricted key needs Account read access');
      throw new ProbeFailure(describeStripeError('GET /v1/account', error));
    }
    if (!account?.id) throw new ProbeFailure('GET /v1/account answered without an account id');
    if (mode !== expectedMode) {
      throw new ProbeFailure(
        `the key works (account ${account.id}) but is a ${mode} key; this environment expects ${expectedMode} (environment.expect.stripeMode)`,
      );
    }
    return `GET /v1/account → ${account.id}; ${mode} key, as expected`;
  });
}
