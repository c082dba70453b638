// Apart from the handlers so the fault table can name them without loading msw.
/** Faults of the simulated Stripe account, named in rehearsal/faults/step-4.ts. */
export const STRIPE_FAULTS = {
  endpointMissing: 'stripe-endpoint-missing',
  endpointDisabled: 'stripe-endpoint-disabled',
  endpointMissingEvents: 'stripe-endpoint-missing-events',
  endpointWrongMode: 'stripe-endpoint-wrong-mode',
} as const;
