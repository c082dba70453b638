/** The admin route's answer (contract §3); fields beyond these are kept in the evidence only. */
export interface PaymentsHealth {
  ok?: unknown;
  stripeMode?: unknown;
  hasWebhookSecret?: unknown;
}

/** What is wrong with a /payments/health answer for an environment that expects `mode`. */
export function paymentsHealthProblems(body: PaymentsHealth, mode: 'live' | 'test'): string[] {
  const problems: string[] = [];
  if (body.ok !== true) problems.push(`ok is ${JSON.stringify(body.ok)}, not true: the target cannot reach Stripe with its key`);
  if (body.stripeMode !== mode) problems.push(`stripeMode is ${JSON.stringify(body.stripeMode)}; this environment expects "${mode}"`);
  // Optional in the contract's drift sense: judged only when the target reports it.
  if ('hasWebhookSecret' in body && body.hasWebhookSecret !== true)
    problems.push('hasWebhookSecret is not true: STRIPE_WEBHOOK_SECRET is not set on the target');
  return problems;
}
