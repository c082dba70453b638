import type { Evidence } from '../evidence';
import type { SyntheticEvent } from './signed-event';

/**
 * A synthetic event the target accepted stays in its record of processed events: that record
 * is what makes a Stripe retry a replay, so the harness never removes it. The document lists it.
 */
export function keptEvent(evidence: Evidence, event: SyntheticEvent): Promise<void> {
  return evidence.testData({
    key: `webhook-event:${event.id}`,
    what: `synthetic Stripe event ${event.id} (${event.type}) in the target's processed-event record`,
    state: 'kept',
    detail: 'kept by design: the replay guard needs it; the type is one the target records but does not act on',
  });
}

/**
 * The handled event whose processing failed on purpose: a retry-safe backend leaves it out of its
 * processed-event record, but may keep it where it records failed deliveries (the reference
 * target's webhook dead letters). It names no payment, so it is harmless where it stays.
 */
export function keptFailedEvent(evidence: Evidence, event: SyntheticEvent): Promise<void> {
  return evidence.testData({
    key: `webhook-event:${event.id}`,
    what: `synthetic Stripe event ${event.id} (${event.type} for a payment that does not exist), delivered twice`,
    state: 'kept',
    detail:
      'not removed: the target may keep it among its failed deliveries (webhook dead letters) ' +
      'or, if it records events on receipt, in its processed-event record',
  });
}
