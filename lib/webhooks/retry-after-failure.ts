/**
 * Step 4's rollback trusts Stripe's retries ("the handler is idempotent"). That holds only when
 * the backend records an event as processed once its processing succeeded: one that records it
 * on receipt answers the retry of a failed event as a replay, and the event is lost.
 */

/** One delivery as the check saw it: the status and what the target said (redacted, short). */
export interface Delivery {
  status: number;
  /** describeDelivery's line, e.g. `HTTP 400 {"error":"No payment found ..."}`. */
  described: string;
}

const is2xx = (d: Delivery) => d.status >= 200 && d.status < 300;
const soundsLikeReplay = (d: Delivery) => /replay|duplicate|already (processed|received|handled)/i.test(d.described);

/**
 * Why two deliveries of one failing event (same id, same bytes) do not show retry safety, or
 * null when they do: both must fail, with any non-2xx.
 */
export function retryAfterFailureProblem(event: { id: string; type: string }, first: Delivery, again: Delivery): string | null {
  if (is2xx(first)) {
    return (
      `the first delivery of ${event.type} ${event.id}, which names a payment that does not exist, was answered ${first.described}: ` +
      'its processing did not fail, so the harness cannot show that a failed event is processed again when Stripe retries it ' +
      '(the contract answers 400 for a handled event without its payment)'
    );
  }
  if (!is2xx(again)) return null;
  const how = soundsLikeReplay(again) ? 'acknowledged as a replay' : 'acknowledged';
  return (
    `event ${event.id} was ${how} after its processing failed (${again.described}): ` +
    "the backend records events on receipt, so Stripe's retry after a rollback would be dropped"
  );
}
