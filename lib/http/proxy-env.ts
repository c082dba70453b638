/**
 * Never proxied, whatever NO_PROXY says (Go's http.ProxyFromEnvironment does the same): the
 * rehearsal's target, store and simulated APIs listen there, and a corporate proxy cannot reach
 * them. IPv6 with its brackets, as URL.hostname and undici both write it.
 */
export const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

const first = (...values: (string | undefined)[]) => values.find((v) => v?.trim())?.trim();

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
  const proxy = https ? first(env.https_proxy, env.HTTPS_PROXY, env.http_proxy, env.HTTP_PROXY) : first(env.http_proxy, env.HTTP_PROXY);
  if (!proxy) return null;
  const port = Number(target.port) || (https ? 443 : 80);
  const noProxy = first(env.no_proxy, env.NO_PROXY) ?? '';
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
