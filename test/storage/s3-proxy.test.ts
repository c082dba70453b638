import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { proxyFor } from '../../lib/http/proxy-env';
import { s3Client } from '../../lib/storage/s3-client';
import { startS3rver, type LocalS3 } from '../../rehearsal/stack/s3';
import { tempDir } from '../support/run-harness';

describe('proxyFor: the proxy the usual variables name for a URL', () => {
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
    ['http://localhost:9000', { ...env, NO_PROXY: '' }, null],
    ['http://s3.example.com', { ...env, no_proxy: '*' }, null],
    ['http://s3.example.com', {}, null],
  ])('%s → %s', (url, vars, expected) => {
    expect(proxyFor(new URL(url), vars as NodeJS.ProcessEnv)).toBe(expected);
  });
});

describe('the S3 client behind a proxy', () => {
  // A host that does not resolve: only a proxy can reach it. s3rver takes a host name that is
  // not an address for the bucket's (virtual-host style), so the bucket is named after it.
  const HOST = 'behind-proxy.invalid';
  let store: LocalS3;
  let proxy: http.Server;
  const through: string[] = [];
  const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy, NO_PROXY: process.env.NO_PROXY };

  beforeAll(async () => {
    store = await startS3rver({ dir: path.join(await tempDir('cutover-selftest-s3-proxy'), 's3'), bucket: HOST });
    // A forward proxy: absolute-URI requests, sent on to the store whatever host they name.
    proxy = http.createServer((req, res) => {
      const url = new URL(req.url!);
      through.push(`${req.method} ${url.host}`);
      const upstream = http.request(
        { host: '127.0.0.1', port: store.port, method: req.method, path: `${url.pathname}${url.search}`, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });
  afterAll(async () => {
    await new Promise((resolve) => proxy?.close(resolve));
    await store?.stop();
  });

  const settings = () => ({ ...store.settings, endpoint: `http://${HOST}:${store.port}` });
  const roundTrip = async () => {
    const client = s3Client(settings(), { maxAttempts: 1, connectionTimeoutMs: 3_000, requestTimeoutMs: 5_000 });
    try {
      await client.send(new PutObjectCommand({ Bucket: HOST, Key: 'probe.txt', Body: 'through the proxy' }));
      const got = await client.send(new GetObjectCommand({ Bucket: HOST, Key: 'probe.txt' }));
      return got.Body!.transformToString();
    } finally {
      client.destroy();
    }
  };

  test('with HTTP_PROXY set, the bucket is reached through the proxy', async () => {
    delete process.env.http_proxy;
    delete process.env.NO_PROXY;
    process.env.HTTP_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    expect(await roundTrip()).toBe('through the proxy');
    expect(through).toEqual([`PUT ${HOST}:${store.port}`, `GET ${HOST}:${store.port}`]);
  });

  test('without it, the same host is not reached at all (the test above proves the proxy, not DNS)', async () => {
    delete process.env.HTTP_PROXY;
    delete process.env.http_proxy;
    await expect(roundTrip()).rejects.toThrow(/ENOTFOUND|getaddrinfo/);
  });
});
