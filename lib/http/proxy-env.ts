/**
 * Never proxied, whatever NO_PROXY says (Go's http.ProxyFromEnvironment does the same): the
 * rehearsal's target, store and simulated APIs listen there, and a corporate proxy cannot reach them.
 */
export const LOOPBACK = ['localhost', '127.0.0.1', '::1'];

const first = (...values: (string | undefined)[]) => values.find((v) => v?.trim())?.trim();

/**
 * The proxy a request to `target` goes through by the usual variables: HTTP_PROXY for http:,
 * HTTPS_PROXY for https: (else HTTP_PROXY), none for loopback or a host NO_PROXY names (a host,
 * a domain and its subdomains, optionally with :port; `*` for all); lower-case forms first, as
 * curl reads them. For clients that take a Node agent rather than undici's dispatcher (the S3 SDK).
 */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv): string | null {
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (LOOPBACK.includes(host)) return null;
  const https = target.protocol === 'https:';
  const proxy = https ? first(env.https_proxy, env.HTTPS_PROXY, env.http_proxy, env.HTTP_PROXY) : first(env.http_proxy, env.HTTP_PROXY);
  if (!proxy) return null;
  const port = target.port || (https ? '443' : '80');
  for (const entry of (first(env.no_proxy, env.NO_PROXY) ?? '').toLowerCase().split(/[\s,]+/)) {
    if (!entry) continue;
    if (entry === '*') return null;
    const [name = '', onlyPort] = entry.split(':');
    if (onlyPort && onlyPort !== port) continue;
    const domain = name.replace(/^\*?\./, '');
    if (host === domain || host.endsWith(`.${domain}`)) return null;
  }
  return proxy;
}
