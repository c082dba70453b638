import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { startTarget } from '../../rehearsal/target/app';
import { ConfigError } from '../../rehearsal/target/config';
import { UnknownFaultError } from '../../rehearsal/target/faults';
import { call, stopProcess, until, useReferenceTarget, waitForLine } from './reference-target';

const target = useReferenceTarget({ worker: true });

describe.concurrent('health and readiness (contract §1)', () => {
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
    const lines = (await readFile(target.requestLog, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
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

describe.concurrent('entry points (what the launcher relies on)', () => {
  test('the server prints its listening line, serves there, and exits 0 on SIGTERM', async () => {
    const child = target.spawn('main.ts', [], target.env);
    const line = await waitForLine(child, /^target listening on /);
    expect(line, 'ready line').toMatch(/^target listening on http:\/\/127\.0\.0\.1:\d+$/);
    expect((await call(line.replace('target listening on ', ''), 'GET', '/healthz')).status, '/healthz').toBe(200);
    await stopProcess(child);
    expect(child.exitCode, 'exit code').toBe(0);
  });

  test('the worker prints "worker started" and exits 0 on SIGTERM', async () => {
    const child = target.spawn('worker.ts', [], target.env);
    await waitForLine(child, /^worker started$/);
    await stopProcess(child);
    expect(child.exitCode, 'exit code').toBe(0);
  });

  test('an unknown fault name in TARGET_FAULTS exits 2, naming it', async () => {
    const unknown = await target.runToEnd('main.ts', [], { ...target.env, TARGET_FAULTS: 'readyz-db-down,no-such-fault' });
    expect(unknown.code, 'exit code').toBe(2);
    expect(unknown.out, 'output').toMatch(/no-such-fault/);
  });

  test('startTarget throws UnknownFaultError for an unknown fault and ConfigError for a broken env', async () => {
    await expect(startTarget({ ...target.env, TARGET_FAULTS: 'nope' }), 'unknown fault').rejects.toThrow(UnknownFaultError);
    await expect(startTarget({ ...target.env, DATABASE_URL: undefined }), 'no DATABASE_URL').rejects.toThrow(ConfigError);
  });
});

describe.concurrent('environment rules at start-up (contract §5)', () => {
  test('broken production rules exit 1, naming each variable and echoing no value', async () => {
    const bad = await target.runToEnd('main.ts', [], {
      ...target.env,
      JWT_SECRET: undefined,
      OBJECT_STORAGE_PROVIDER: 'disk',
      SENTRY_DSN: 'not a url',
      EMAIL_PROVIDER: 'log',
      APP_ATTESTATION_ENFORCE: 'true',
      APP_ATTESTATION_GOOGLE_CREDENTIALS_JSON: undefined,
    });
    expect(bad.code, bad.out).toBe(1);
    for (const name of [
      'JWT_SECRET',
      'OBJECT_STORAGE_PROVIDER',
      'SENTRY_DSN',
      'EMAIL_PROVIDER',
      'APP_ATTESTATION_GOOGLE_CREDENTIALS_JSON',
    ]) {
      expect(bad.out, `names ${name}`).toMatch(new RegExp(name));
    }
    for (const [what, value] of [
      ['STRIPE_WEBHOOK_SECRET', target.webhookSecret],
      ['STRIPE_SECRET_KEY', target.env.STRIPE_SECRET_KEY!],
      ['SENTRY_DSN', 'not a url'],
    ]) {
      expect(bad.out.includes(value), `echoes the value of ${what}`).toBe(false);
    }
  });
});
