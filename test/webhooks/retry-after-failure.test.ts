import { describe, expect, it } from 'vitest';
import { retryAfterFailureProblem, type Delivery } from '../../lib/webhooks/retry-after-failure';

const event = { id: 'evt_cutover_run_0123456789ab', type: 'payment_intent.payment_failed' };
const refused: Delivery = { status: 400, described: 'HTTP 400 {"error":"No payment found for payment intent pi_cutover_missing_x"}' };
const replay: Delivery = { status: 200, described: 'HTTP 200 {"received":true,"replay":true}' };

describe('retryAfterFailureProblem', () => {
  it('passes when both deliveries fail, whatever the non-2xx', () => {
    expect(retryAfterFailureProblem(event, refused, refused)).toBeNull();
    expect(retryAfterFailureProblem(event, refused, { status: 500, described: 'HTTP 500 (empty body)' })).toBeNull();
    expect(
      retryAfterFailureProblem(event, { status: 422, described: 'HTTP 422 {}' }, { status: 404, described: 'HTTP 404 {}' }),
    ).toBeNull();
  });

  it('names the event and the receipt-time record when the retry is acknowledged as a replay', () => {
    const problem = retryAfterFailureProblem(event, refused, replay);
    expect(problem).toMatch(/^event evt_cutover_run_0123456789ab was acknowledged as a replay after its processing failed/);
    expect(problem).toMatch(/records events on receipt, so Stripe's retry after a rollback would be dropped$/);
    expect(problem).toContain('(HTTP 200 {"received":true,"replay":true})');
  });

  it('also fails a retry acknowledged with any other 2xx, or worded as a duplicate', () => {
    expect(retryAfterFailureProblem(event, refused, { status: 204, described: 'HTTP 204 (empty body)' })).toMatch(
      /^event \S+ was acknowledged after its processing failed/,
    );
    expect(retryAfterFailureProblem(event, refused, { status: 200, described: 'HTTP 200 {"duplicate":true}' })).toMatch(
      /acknowledged as a replay/,
    );
  });

  it('cannot prove anything when the first delivery is not a failure, and says so', () => {
    const accepted: Delivery = { status: 200, described: 'HTTP 200 {"received":true}' };
    expect(retryAfterFailureProblem(event, accepted, refused)).toMatch(
      /^the first delivery of payment_intent.payment_failed evt_\S+, which names a payment that does not exist, was answered HTTP 200 .*its processing did not fail/,
    );
  });
});
