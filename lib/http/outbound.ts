import { EnvHttpProxyAgent, type Dispatcher } from 'undici';

let shared: Dispatcher | undefined;

/**
 * The dispatcher of every HTTP call the harness makes (the target, GitHub, Stripe, Sentry):
 * undici's EnvHttpProxyAgent, so an operator behind a corporate proxy gets through with
 * HTTPS_PROXY / HTTP_PROXY and NO_PROXY (or their lower-case forms), read as curl reads them.
 * Built on first use, from the environment of that moment: .env.<env> is loaded by then.
 */
export function outboundDispatcher(): Dispatcher {
  return (shared ??= new EnvHttpProxyAgent());
}

/**
 * The global fetch through outboundDispatcher. Global, not undici's own, so the rehearsal's
 * simulated APIs (msw patches globalThis.fetch) still answer in place of the real ones.
 */
export function outboundFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  // Node's fetch is typed by its bundled undici-types, a copy of the same Dispatcher interface.
  return fetch(input, { ...init, dispatcher: outboundDispatcher() as unknown as RequestInit['dispatcher'] });
}
