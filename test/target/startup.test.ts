import { describe, expect, test } from 'vitest';
import { startTarget } from '../../rehearsal/target/app';
import { ConfigError } from '../../rehearsal/target/config';
import { UnknownFaultError } from '../../rehearsal/target/faults';
import { call, stopProcess, useReferenceTarget, waitForLine } from './reference-target';

const target = useReferenceTarget();

describe('entry points (what the launcher relies on)', () => {
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

describe('environment rules at start-up (contract §5)', () => {
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
    for (const name of ['JWT_SECRET', 'OBJECT_STORAGE_PROVIDER', 'SENTRY_DSN', 'EMAIL_PROVIDER', 'APP_ATTESTATION_GOOGLE_CREDENTIALS_JSON']) {
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
