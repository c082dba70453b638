import { EnvHttpProxyAgent, type Dispatcher } from 'undici';
import { LOOPBACK, proxyVariables } from './proxy-env';

/**
 * undici's EnvHttpProxyAgent on these variables: HTTP_PROXY for http:, HTTPS_PROXY for https:
 * (else HTTP_PROXY), NO_PROXY's hosts and domains direct (lib/http/proxy-env.ts reads them).
 */
export function proxyDispatcher(env: NodeJS.ProcessEnv): Dispatcher {
  const { httpProxy, httpsProxy, noProxy } = proxyVariables(env);
  return new EnvHttpProxyAgent({
    httpProxy,
    httpsProxy,
    noProxy: noProxy === '*' ? '*' : [noProxy, ...LOOPBACK].filter(Boolean).join(','),
  });
}

let shared: Dispatcher | undefined;

/**
 * The dispatcher of every HTTP call the harness makes (the target, GitHub, Stripe, Sentry), so
 * an operator behind a corporate proxy gets through. Built on first use, from the environment
 * of that moment: .env.<env> is loaded by then.
 */
export function outboundDispatcher(): Dispatcher {
  return (shared ??= proxyDispatcher(process.env));
}

/**
 * The global fetch through outboundDispatcher. Global, not undici's own, so the rehearsal's
 * simulated APIs (msw patches globalThis.fetch) still answer in place of the real ones.
 */
export function outboundFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  // Node's fetch is typed by its bundled undici-types, a copy of the same Dispatcher interface.
  return fetch(input, { ...init, dispatcher: outboundDispatcher() as unknown as RequestInit['dispatcher'] });
}
