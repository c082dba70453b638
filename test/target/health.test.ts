import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { call, until, useReferenceTarget } from './reference-target';

const target = useReferenceTarget({ worker: true });

describe('health and readiness (contract §1)', () => {
  test('GET /healthz answers {ok:true} with a request id and the release sha', async () => {
    const hz = await call(target.url, 'GET', '/healthz');
    expect(hz.json, 'body').toEqual({ ok: true });
    expect(hz.headers.get('x-request-id'), 'X-Request-Id').toBeTruthy();
    expect(hz.headers.get('x-release-sha'), 'X-Release-Sha is BUILD_SHA').toBe('deadbeefcafe');
  });

  test('GET /readyz and /health/db report the database up; /health names the environment', async () => {
    expect((await call(target.url, 'GET', '/readyz')).json, '/readyz').toEqual({ ok: true, db: true });
    expect((await call(target.url, 'GET', '/health')).json.env, '/health env').toBe('production');
    expect((await call(target.url, 'GET', '/health/db')).json.db, '/health/db').toBe('up');
  });

  test('GET /ready reports the worker once its heartbeat lands, with the database ok', async () => {
    const ready = await until('worker heartbeat', async () => {
      const r = await call(target.url, 'GET', '/ready');
      return r.json.worker === true && r;
    });
    expect(ready.json.db, '/ready db').toBe('ok');
  });

  test('an unknown route is an HTML 404', async () => {
    const nf = await call(target.url, 'GET', '/no-such-route');
    expect(nf.status, 'status').toBe(404);
    expect(nf.headers.get('content-type') ?? '', 'content type').toMatch(/text\/html/);
  });

  test('each request is logged as one JSON line with path, status, request id and duration', async () => {
    await call(target.url, 'GET', '/healthz');
    const lines = (await readFile(target.requestLog, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(
      lines.some((l) => l.path === '/healthz' && l.status === 200 && l.requestId && typeof l.durationMs === 'number'),
      `a /healthz line in:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`,
    ).toBe(true);
  });

  test('with the database unreachable the server still starts, and only readiness says so', async () => {
    const down = await target.start({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nope' });
    expect((await call(down.url, 'GET', '/healthz')).status, '/healthz').toBe(200);
    const r = await call(down.url, 'GET', '/readyz');
    expect([r.status, r.json.ok, r.json.db], '/readyz [status, ok, db]').toEqual([503, false, false]);
    const db = await call(down.url, 'GET', '/health/db');
    expect(db.status, '/health/db status').toBe(503);
    expect(db.json.error, '/health/db error').toMatch(/ECONNREFUSED|connect/);
    await down.close();
  });
});
