import type Stripe from 'stripe';

/** Enough undelivered events to make the point; the list is evidence, not an inventory. */
const SHOWN = 20;

export interface PendingDeliveries {
  since: string;
  events: Pick<Stripe.Event, 'id' | 'type' | 'created' | 'pending_webhooks'>[];
  /** Stripe said there are more than we fetched. */
  more: boolean;
}

/**
 * Events created since the cutover started whose delivery to an endpoint has not succeeded
 * (Stripe's `delivery_success: false` filter): each is a webhook the target has not taken.
 */
export async function pendingDeliveries(stripe: Stripe, since: Date): Promise<PendingDeliveries> {
  const page = await stripe.events.list({
    created: { gte: Math.floor(since.getTime() / 1000) },
    delivery_success: false,
    limit: SHOWN,
  });
  if (!Array.isArray(page?.data)) throw new Error('Stripe answered events.list without a data list');
  return {
    since: since.toISOString(),
    events: page.data.map(({ id, type, created, pending_webhooks }) => ({ id, type, created, pending_webhooks })),
    more: Boolean(page.has_more),
  };
}

export function describePending(p: PendingDeliveries): string {
  if (!p.events.length) return `no event created since ${p.since} is waiting for a successful delivery`;
  const lines = p.events.map(
    (e) => `${e.id} ${e.type} created ${new Date(e.created * 1000).toISOString()} pending_webhooks=${e.pending_webhooks}`,
  );
  return [`${p.events.length}${p.more ? '+' : ''} event(s) since ${p.since} not delivered successfully:`, ...lines].join('\n');
}
