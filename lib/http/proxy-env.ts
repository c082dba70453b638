/**
 * Never proxied, whatever NO_PROXY says (Go's http.ProxyFromEnvironment does the same): the
 * rehearsal's target, store and simulated APIs listen there, and a corporate proxy cannot reach
 * them. IPv6 with its brackets, as URL.hostname and undici both write it.
 */
export const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

const first = (...values: (string | undefined)[]) => values.find((v) => v?.trim())?.trim() ?? '';

/**
 * The proxy variables as every client reads them (undici's dispatcher in lib/http/outbound.ts,
 * the S3 SDK's agents through proxyFor): the lower-case form first, as curl reads them, and a
 * blank value as unset, so the two can never disagree on where a call goes.
 */
export function proxyVariables(env: NodeJS.ProcessEnv): { httpProxy: string; httpsProxy: string; noProxy: string } {
  return {
    httpProxy: first(env.http_proxy, env.HTTP_PROXY),
    httpsProxy: first(env.https_proxy, env.HTTPS_PROXY),
    noProxy: first(env.no_proxy, env.NO_PROXY),
  };
}

/**
 * The proxy a request to `target` goes through by the usual variables, read as undici's
 * EnvHttpProxyAgent (lib/http/outbound.ts) reads them for every other call: HTTP_PROXY for http:,
 * HTTPS_PROXY for https: (else HTTP_PROXY), lower-case forms first; none for loopback or a host
 * NO_PROXY names (a host, a domain and its subdomains, optionally `:port`; `*` for all). For
 * clients that take a Node agent rather than undici's dispatcher (the S3 SDK).
 */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv): string | null {
  const host = target.hostname.toLowerCase();
  if (LOOPBACK.includes(host)) return null;
  const https = target.protocol === 'https:';
  const { httpProxy, httpsProxy, noProxy } = proxyVariables(env);
  const proxy = https ? httpsProxy || httpProxy : httpProxy;
  if (!proxy) return null;
  const port = Number(target.port) || (https ? 443 : 80);
  if (noProxy === '*') return null;
  for (const entry of noProxy.split(/[,\s]/)) {
    if (!entry) continue;
    const parsed = /^(.+):(\d+)$/.exec(entry);
    if (parsed && Number(parsed[2]) !== port) continue;
    const name = (parsed ? parsed[1]! : entry).replace(/^\*?\./, '').toLowerCase();
    if (host === name || host.endsWith(`.${name}`)) return null;
  }
  return proxy;
}
