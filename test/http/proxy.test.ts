// An operator behind a corporate proxy: every call the harness makes (the target, GitHub,
// Stripe, Sentry, the S3 store) goes through HTTP_PROXY / HTTPS_PROXY, and NO_PROXY is honoured. The host
// names below do not resolve, so a call that did not go through the proxy could not succeed.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { request } from 'undici';
import { TargetClient } from '../../lib/http/client';
import { proxyDispatcher } from '../../lib/http/outbound';
import { proxyFor } from '../../lib/http/proxy-env';
import { s3Client } from '../../lib/storage/s3-client';
import { startS3rver } from '../../rehearsal/stack/s3';
import { tempDir } from '../support/run-harness';
import { newSentryIssues } from '../../lib/monitoring/sentry';
import { CiUnavailable, githubCiStatus } from '../../lib/preflight/ci-github';
import { Redactor } from '../../lib/secrets/redactor';
import { stripeClient } from '../../lib/webhooks/stripe-api';

const SHA = 'a'.repeat(40);
const ANSWERS: Record<string, unknown> = {
  [`/repos/o/r/commits/${SHA}/status`]: {
    state: 'success',
    statuses: [{ context: 'ci', state: 'success' }],
    repository: { html_url: 'https://github.com/o/r' },
  },
  [`/repos/o/r/commits/${SHA}/check-runs`]: { total_count: 0, check_runs: [] },
  '/api/0/projects/org/proj/issues/': [],
  '/v1/account': { id: 'acct_proxy', object: 'account' },
  '/healthz': { ok: true },
};

/** The APIs, answering whatever host the request was meant for. */
const origin = http.createServer((req, res) => {
  const answer = ANSWERS[new URL(req.url ?? '/', 'http://x').pathname];
  res.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'application/json', 'request-id': 'req_1' });
  res.end(JSON.stringify(answer ?? { error: 'no such route' }));
});

/**
 * A forward proxy: absolute-URI requests and CONNECT tunnels to *.test reach the origin (or the
 * server on `originPort`); other hosts are refused (403).
 */
function forwardProxy(seen: string[], originPort = () => (origin.address() as AddressInfo).port): http.Server {
  const proxy = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const url = new URL(req.url!);
    const upstream = http.request(
      { host: '127.0.0.1', port: originPort(), method: req.method, path: url.pathname + url.search, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  proxy.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    if (!req.url!.split(':')[0]!.endsWith('.test')) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect(originPort(), '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket).on('error', () => undefined);
      socket.pipe(upstream).on('error', () => undefined);
    });
  });
  return proxy;
}

const viaHttpProxy: string[] = [];
const viaHttpsProxy: string[] = [];
const httpProxy = forwardProxy(viaHttpProxy);
const httpsProxy = forwardProxy(viaHttpsProxy);
const PROXY_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'] as const;
const saved = Object.fromEntries(PROXY_VARS.map((k) => [k, process.env[k]]));
const listen = (server: http.Server) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

beforeAll(async () => {
  await listen(origin);
  for (const k of PROXY_VARS) delete process.env[k];
  process.env.HTTP_PROXY = `http://127.0.0.1:${await listen(httpProxy)}`;
  process.env.HTTPS_PROXY = `http://127.0.0.1:${await listen(httpsProxy)}`;
  process.env.NO_PROXY = 'direct.test';
});
afterAll(async () => {
  for (const k of PROXY_VARS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  for (const server of [origin, httpProxy, httpsProxy]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const latest = (seen: string[]) => seen.at(-1);

describe('outbound calls honour HTTP_PROXY, HTTPS_PROXY and NO_PROXY', () => {
  test('GitHub: the CI status goes through the proxy', async () => {
    const ci = await githubCiStatus({
      apiUrl: 'http://github.test',
      repo: 'o/r',
      sha: SHA,
      token: 't',
      timeoutMs: 5_000,
      userAgent: 'cutover-test',
    });
    expect(ci.checks).toEqual([expect.objectContaining({ name: 'ci', state: 'success' })]);
    expect(viaHttpProxy).toContain('CONNECT github.test:80');
  });

  test('GitHub over https: HTTPS_PROXY is asked to CONNECT to api.github.com, and its refusal is the error', async () => {
    const call = githubCiStatus({
      apiUrl: 'https://api.github.com',
      repo: 'o/r',
      sha: SHA,
      token: 't',
      timeoutMs: 5_000,
      userAgent: 'cutover-test',
    });
    await expect(call).rejects.toBeInstanceOf(CiUnavailable);
    expect(latest(viaHttpsProxy)).toBe('CONNECT api.github.com:443');
    expect(viaHttpProxy).not.toContain('CONNECT api.github.com:443');
  });

  test('Sentry: the issues query goes through the proxy', async () => {
    const { issues } = await newSentryIssues({
      apiUrl: 'http://sentry.test',
      org: 'org',
      project: 'proj',
      token: 't',
      since: '2026-01-01T00:00:00Z',
      query: 'is:unresolved',
      timeoutMs: 5_000,
    });
    expect(issues).toEqual([]);
    expect(latest(viaHttpProxy)).toBe('CONNECT sentry.test:80');
  });

  test("Stripe: the SDK's calls go through the proxy", async () => {
    const account = await stripeClient('sk_test_proxy', 'http://stripe.test', 5_000).accounts.retrieveCurrent();
    expect(account.id).toBe('acct_proxy');
    expect(latest(viaHttpProxy)).toBe('CONNECT stripe.test:80');
  });

  test('the target: through the proxy, except loopback (the rehearsal)', async () => {
    const client = (baseUrl: string) =>
      new TargetClient({ baseUrl, timeoutMs: 5_000, userAgent: 'cutover-test', redactor: new Redactor() });
    expect((await client('http://target.test').get('/healthz')).status).toBe(200);
    expect(latest(viaHttpProxy)).toBe('CONNECT target.test:80');
    const before = viaHttpProxy.length + viaHttpsProxy.length;
    const direct = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
    expect((await client(direct).get('/healthz')).status).toBe(200);
    expect(viaHttpProxy.length + viaHttpsProxy.length).toBe(before);
  });

  test('NO_PROXY: its hosts and their subdomains go direct, * sends everything direct, loopback never goes through the proxy', async () => {
    const proxied = (env: NodeJS.ProcessEnv, url: string) => {
      const before = viaHttpProxy.length;
      return request(url, {
        dispatcher: proxyDispatcher({ HTTP_PROXY: process.env.HTTP_PROXY, ...env }),
        headersTimeout: 5_000,
        bodyTimeout: 5_000,
      })
        .then((res) => res.body.dump())
        .catch(() => undefined)
        .then(() => viaHttpProxy.length > before);
    };
    const loopback = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/healthz`;
    expect(await proxied({}, 'http://api.example.test/healthz')).toBe(true);
    expect(await proxied({}, loopback)).toBe(false);
    expect(await proxied({ NO_PROXY: 'example.test' }, 'http://api.example.test/healthz')).toBe(false);
    expect(await proxied({ NO_PROXY: 'example.test' }, 'http://other.test/healthz')).toBe(true);
    expect(await proxied({ no_proxy: '*', NO_PROXY: '' }, 'http://other.test/healthz')).toBe(false);
    expect(await proxied({ NO_PROXY: '' }, loopback)).toBe(false);
    // A blank lower-case variable counts as unset (lib/http/proxy-env.ts), as for the S3 agents below.
    expect(await proxied({ http_proxy: ' ' }, 'http://other.test/healthz')).toBe(true);
  });
});

describe('the S3 store behind a proxy', () => {
  // A host that does not resolve (.test), so only a proxy reaches the store. s3rver takes a
  // host name that is not an address for the bucket's (virtual-host style): the bucket is named after it.
  const HOST = 'store.test';
  const viaStoreProxy: string[] = [];
  let store: Awaited<ReturnType<typeof startS3rver>>;
  let storeProxy: http.Server;
  beforeAll(async () => {
    store = await startS3rver({ dir: path.join(await tempDir('cutover-selftest-s3-proxy'), 's3'), bucket: HOST });
    storeProxy = forwardProxy(viaStoreProxy, () => store.port);
    await listen(storeProxy);
  });
  afterAll(async () => {
    storeProxy.closeAllConnections();
    await new Promise((resolve) => storeProxy.close(resolve));
    await store.stop();
  });

  /** A PUT and a GET of one object, with the client made under these proxy variables. */
  const roundTrip = async (env: Record<string, string>) => {
    const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    const client = s3Client({ ...store.settings, endpoint: `http://${HOST}:${store.port}` }, { maxAttempts: 1, requestTimeoutMs: 5_000 });
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    try {
      await client.send(new PutObjectCommand({ Bucket: HOST, Key: 'probe.txt', Body: 'through the proxy' }));
      const got = await client.send(new GetObjectCommand({ Bucket: HOST, Key: 'probe.txt' }));
      return await got.Body!.transformToString();
    } finally {
      client.destroy();
    }
  };

  test('the bucket is written and read back through HTTP_PROXY', async () => {
    expect(await roundTrip({ HTTP_PROXY: `http://127.0.0.1:${(storeProxy.address() as AddressInfo).port}` })).toBe('through the proxy');
    expect(viaStoreProxy.map((line) => line.split('?')[0])).toEqual([
      `PUT http://${HOST}:${store.port}/${HOST}/probe.txt`,
      `GET http://${HOST}:${store.port}/${HOST}/probe.txt`,
    ]);
  });

  test('a store NO_PROXY names is called directly: here that host does not resolve, so the call fails and the proxy sees nothing', async () => {
    const before = viaStoreProxy.length;
    const env = { HTTP_PROXY: `http://127.0.0.1:${(storeProxy.address() as AddressInfo).port}`, NO_PROXY: HOST };
    await expect(roundTrip(env)).rejects.toThrow(/ENOTFOUND|getaddrinfo/);
    expect(viaStoreProxy.length).toBe(before);
  });

  // proxyFor reads the variables for the SDK, which takes Node agents, not undici's dispatcher:
  // the same answers as that dispatcher gives above.
  const env = { HTTP_PROXY: 'http://proxy.corp:3128', HTTPS_PROXY: 'http://tls-proxy.corp:3128', NO_PROXY: 'internal.corp, .svc:8080' };
  test.each([
    ['http://s3.eu.example.com', env, 'http://proxy.corp:3128'],
    ['https://s3.eu-west-1.amazonaws.com', env, 'http://tls-proxy.corp:3128'],
    ['https://s3.eu-west-1.amazonaws.com', { HTTP_PROXY: 'http://proxy.corp:3128' }, 'http://proxy.corp:3128'],
    ['http://minio.internal.corp:9000', env, null],
    ['http://store.internal.corp', env, null],
    ['http://store.svc:8080', env, null],
    ['http://store.svc:9000', env, 'http://proxy.corp:3128'],
    ['http://127.0.0.1:9000', env, null],
    ['http://[::1]:9000', env, null],
    ['http://localhost:9000', { ...env, NO_PROXY: '' }, null],
    ['http://s3.example.com', { ...env, no_proxy: '*' }, null],
    ['http://s3.example.com', {}, null],
    ['http://s3.example.com', { http_proxy: ' ', HTTP_PROXY: 'http://proxy.corp:3128' }, 'http://proxy.corp:3128'],
  ])('proxyFor(%s) → %s', (url, vars, expected) => {
    expect(proxyFor(new URL(url), vars as NodeJS.ProcessEnv)).toBe(expected);
  });
});
