// Nothing a target sends can hang the harness (issue 8, item 5): every hostile answer, against
// the first check of every step that calls the target, through the real CLI, ends bounded, NO-GO
// at that step, with the document written.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { HarnessBatch, summary, tempDir } from '../support/run-harness';
import { HOSTILE_MODES, hostileTarget, type HostileMode, type HostileTarget } from '../support/hostile-target';

/** Short deadlines: a hang ends in 1.5 s per call instead of the default 10 s. */
const TIMEOUT_MS = 1_500;

/** Each step that calls the target, and the first of its checks that does (-t selects it). */
const STEPS = [
  { id: 'preflight', n: 0, check: 'RC commit SHA identified' },
  { id: 'env', n: 2, check: 'GET /healthz' },
  { id: 'storage', n: 3, check: 'new uploads: POST' },
  { id: 'webhooks', n: 4, check: 'Test event signed with the new STRIPE_WEBHOOK_SECRET' },
  { id: 'smoke', n: 5, check: 'GET /healthz' },
  { id: 'features', n: 6, check: 'Test provider set to digest mode' },
  { id: 'monitoring', n: 7, check: '/admin/ops/kpis' },
] as const;

/** What those checks need to get as far as calling the target; nothing here reaches a real service. */
const ENV = {
  CUTOVER_ADMIN_EMAIL: 'admin@selftest.invalid',
  CUTOVER_ADMIN_PASSWORD: 'selftest-admin-password',
  CUTOVER_CONSUMER_EMAIL: 'consumer@selftest.invalid',
  CUTOVER_CONSUMER_PASSWORD: 'selftest-consumer-password',
  CUTOVER_PROVIDER_INSTANT_EMAIL: 'instant@selftest.invalid',
  CUTOVER_PROVIDER_INSTANT_PASSWORD: 'selftest-instant-password',
  CUTOVER_PROVIDER_DIGEST_EMAIL: 'digest@selftest.invalid',
  CUTOVER_PROVIDER_DIGEST_PASSWORD: 'selftest-digest-password',
  CUTOVER_TEST_JOB_ID: '1',
  STRIPE_WEBHOOK_SECRET: 'whsec_selftestselftestselftest',
  // Nothing listens on port 9: a check that reaches for the database or the store fails at once.
  DATABASE_URL: 'postgres://selftest:selftest@127.0.0.1:9/none',
  OBJECT_STORAGE_S3_BUCKET: 'selftest',
  OBJECT_STORAGE_S3_REGION: 'us-east-1',
  OBJECT_STORAGE_S3_ACCESS_KEY_ID: 'selftest',
  OBJECT_STORAGE_S3_SECRET_ACCESS_KEY: 'selftest-secret',
  OBJECT_STORAGE_S3_ENDPOINT: 'http://127.0.0.1:9',
  OBJECT_STORAGE_S3_FORCE_PATH_STYLE: 'true',
};

/** What a network-level failure must be called, whichever check met it. */
const NETWORK_ERROR: Partial<Record<HostileMode, RegExp>> = {
  refused: /connection refused/,
  'accept-and-hang': new RegExp(`no answer within ${TIMEOUT_MS} ms`),
  drip: new RegExp(`body did not arrive in full \\(no answer within ${TIMEOUT_MS} ms\\)`),
  'self-signed-tls': /self.signed|certificate/i,
};

const CONFIG = `export default {
  http: { timeoutMs: ${TIMEOUT_MS} },
  preflight: { deployedSha: { source: 'header', header: 'x-release-sha', path: '/healthz' } },
  environments: {
    local: { expect: { stripeMode: 'test' } },
    staging: { baseUrlEnv: 'STAGING_BASE_URL', expect: { stripeMode: 'test' } },
    prod: { baseUrlEnv: 'PROD_BASE_URL', expect: { stripeMode: 'live' } },
  },
};
`;

const targets = new Map<HostileMode, Promise<HostileTarget>>();
const targetFor = (mode: HostileMode) => {
  if (!targets.has(mode)) targets.set(mode, hostileTarget(mode));
  return targets.get(mode)!;
};
afterAll(async () => {
  for (const target of targets.values()) await (await target).close();
});

let configFile: Promise<string> | undefined;
const config = () =>
  (configFile ??= tempDir('cutover-selftest-hostile').then(async (dir) => {
    const file = path.join(dir, 'hostile.config.mjs');
    await writeFile(file, CONFIG);
    return file;
  }));

// The runs share a few long-lived harness processes (as the fault rehearsals do, test/faults.test.ts);
// each run must leave nothing in its process for the next.
const batch = new HarnessBatch();

describe.concurrent('a hostile target ends the run bounded, NO-GO at the step that met it, with the document', () => {
  const cases = HOSTILE_MODES.flatMap((mode) => STEPS.map((step) => ({ mode, ...step })));
  // As many runs at once as the machine has cores (test/vitest.config.ts maxConcurrency). The
  // timeout is each run's deadline too (its process's group is killed then): a hung run fails here.
  test.for(cases)('$mode → step $n ($id)', { timeout: 120_000 }, async ({ mode, id, n, check }, { signal }) => {
    const target = await targetFor(mode);
    const file = await config();
    const run = await batch.run(
      [
        '--env=local',
        `--base-url=${target.url}`,
        `--config=${file}`,
        `--only=${id}`,
        '--sha=a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
        '-t',
        check,
      ],
      { env: ENV, signal },
    );
    expect(run.signal, summary(run)).toBeNull();
    expect(run.code, summary(run)).toBe(1);
    expect(run.run?.decision, summary(run)).toBe('NO-GO');
    expect(run.run!.blocking, summary(run)).toMatchObject({ stepN: n });
    expect(run.markdown).toContain('# Go/No-Go — local — NO-GO');
    expect(run.markdown).toContain(`Blocked at **Step ${n} `);
    // Stopped by what the target did, not by a setting this test forgot.
    const error = run.run!.blocking!.error;
    expect(error).not.toMatch(/is not set|needs the target's/);
    if (NETWORK_ERROR[mode]) expect(error).toMatch(NETWORK_ERROR[mode]);
    expect(run.leftovers, 'left in the harness process for its next run').toEqual([]);
  });
});
