import { describe, expect, it } from 'vitest';
import { paymentsHealthProblems } from '../../lib/webhooks/payments-health';

describe('paymentsHealthProblems', () => {
  const healthy = { ok: true, stripeOk: true, stripeMode: 'live', hasSecretKey: true, hasWebhookSecret: true };

  it('accepts ok:true in the expected mode', () => {
    expect(paymentsHealthProblems(healthy, 'live')).toEqual([]);
  });

  it('refuses a failed Stripe lookup, the other mode and a missing webhook secret', () => {
    expect(paymentsHealthProblems({ ...healthy, ok: false }, 'live')).toEqual([expect.stringMatching(/^ok is false/)]);
    expect(paymentsHealthProblems(healthy, 'test')).toEqual([
      expect.stringMatching(/stripeMode is "live"; this environment expects "test"/),
    ]);
    expect(paymentsHealthProblems({ ...healthy, hasWebhookSecret: false }, 'live')).toEqual([
      expect.stringMatching(/STRIPE_WEBHOOK_SECRET/),
    ]);
  });

  it('treats an empty answer as failing, not as healthy', () => {
    expect(paymentsHealthProblems({}, 'live')).toHaveLength(2);
  });
});
