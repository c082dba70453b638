// The readiness summary step 2 pastes: rules and every probe run with the target's own values,
// from an env snapshot file as an operator would export it, and nothing secret in the text.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3rver, type LocalS3 } from '../../rehearsal/stack/s3';
import { sectionsSchema } from '../../lib/config/schema';
import { checkReadiness, formatReadiness, probe, type ReadinessInput } from '../../lib/env-rules/readiness';
import { formatEnvFile, loadTargetEnv, type TargetEnv } from '../../lib/env-rules/target-env';
import { SERVER_URL } from '../support/database';
import { contractEnv } from '../support/target-env';
import { REDIS_URL, STRIPE_KEY, useSimulatedStripe } from '../probes/helpers';

useSimulatedStripe();
let s3: LocalS3;
let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cutover-readiness-'));
  s3 = await startS3rver({ dir: path.join(dir, 's3'), bucket: 'readiness' });
});
afterAll(async () => {
  await s3.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

function targetEnv(): Record<string, string> {
  return contractEnv({
    databaseUrl: SERVER_URL,
    redisUrl: REDIS_URL,
    stripeKey: STRIPE_KEY,
    s3: s3.settings,
    smtpUrl: 'smtp://mailer:Mail-Selftest-Pw@127.0.0.1:2525',
    jwtSecret: 'readiness-selftest-jwt-secret-0123456789',
    webhookSecret: 'whsec_ReadinessSelftestSecret01',
  });
}

async function snapshot(values: Record<string, string>, extra = ''): Promise<TargetEnv> {
  const file = path.join(dir, `target-${Math.random().toString(16).slice(2)}.env`);
  await fs.writeFile(file, formatEnvFile(values) + extra);
  return loadTargetEnv(sectionsSchema.parse({ env: { snapshotFile: file } }), {});
}

function input(env: TargetEnv, extra: Partial<ReadinessInput> = {}): ReadinessInput {
  return {
    env,
    sections: sectionsSchema.parse({ env: { probeTimeoutMs: 5_000 } }),
    production: true,
    expect: { stripeMode: 'test', attestation: 'on' },
    runId: `selftest-${process.pid}`,
    redisMissing: null,
    ...extra,
  };
}

describe('checkReadiness', () => {
  it('validates the snapshot and probes with its values: everything passes, and the summary holds no secret', async () => {
    const values = targetEnv();
    const env = await snapshot(values);
    expect(env.source).toMatch(/^env snapshot .*\(20 variables\)$/);
    const report = await checkReadiness(input(env));
    expect(report.rules.errors).toEqual([]);
    expect(report.probes.map((p) => [p.name, p.ok])).toEqual([
      ['database', true],
      ['redis', true],
      ['object storage', true],
      ['stripe', true],
    ]);
    const text = formatReadiness(report);
    expect(text).toContain('Violations: none');
    expect(text).toMatch(/ok {3}stripe +GET \/v1\/account → acct_rehearsal/);
    for (const secret of env.secrets) if (secret.length >= 8) expect(text).not.toContain(secret);
    expect(env.secrets).toEqual(
      expect.arrayContaining([values.STRIPE_SECRET_KEY, values.STRIPE_WEBHOOK_SECRET, values.JWT_SECRET, 'Mail-Selftest-Pw']),
    );
  });

  it('without Redis in the rehearsal, the Redis probe fails with the how-to (that rehearsal cannot be GO)', async () => {
    const report = await checkReadiness(
      input(await snapshot(targetEnv()), { redisMissing: 'redis-server is not installed: apt-get install -y redis-server' }),
    );
    expect(probe(report, 'redis')).toMatchObject({ ok: false, detail: expect.stringContaining('apt-get install -y redis-server') });
  });

  it('lists every violation and every probe that cannot run, and the unreadable lines of the snapshot', async () => {
    const values = targetEnv();
    delete (values as Record<string, string>).STRIPE_SECRET_KEY;
    delete (values as Record<string, string>).OBJECT_STORAGE_S3_BUCKET;
    const report = await checkReadiness(input(await snapshot(values, 'this line is not KEY=value\n')));
    expect(report.snapshotProblems).toEqual([expect.stringMatching(/:19: not a KEY=value line$/)]);
    expect(report.rules.errors.map((e) => e.variable)).toEqual(['STRIPE_SECRET_KEY', 'OBJECT_STORAGE_S3_BUCKET']);
    expect(probe(report, 'stripe')).toMatchObject({ ok: false, detail: 'cannot probe: STRIPE_SECRET_KEY is not set' });
    expect(probe(report, 'object storage')).toMatchObject({ ok: false, detail: 'cannot probe: OBJECT_STORAGE_S3_BUCKET is not set' });
    expect(formatReadiness(report)).toMatch(/Violations \(3\):/);
    expect(formatReadiness(report)).not.toContain('pass --env-snapshot');
    const own = await checkReadiness(input(loadTargetEnv(sectionsSchema.parse({}), {})));
    expect(formatReadiness(own)).toContain(
      "these are the harness's own variables: export the target's env from the platform and pass --env-snapshot=<file>",
    );
  });

  it('a snapshot file that is not there is a problem, not an empty pass', async () => {
    const env = loadTargetEnv(sectionsSchema.parse({ env: { snapshotFile: path.join(dir, 'missing.env') } }), {});
    expect(env.problems).toEqual([`env snapshot ${path.join(dir, 'missing.env')} does not exist`]);
    const report = await checkReadiness(input(env));
    expect(report.rules.errors.length).toBeGreaterThan(5);
    expect(report.probes.every((p) => !p.ok)).toBe(true);
  });

  it('without a snapshot the rules run over the real process.env object (zod 4 rejects it as a record unless copied)', async () => {
    const report = await checkReadiness(input(loadTargetEnv(sectionsSchema.parse({}))));
    expect(report.fromSnapshot).toBe(false);
    expect(report.rules.errors.map((e) => e.message).join('\n')).not.toContain('expected record');
    expect(report.rules.errors.every((e) => e.variable !== 'undefined')).toBe(true);
  });

  it('without a snapshot it reads the given process env', () => {
    const env = loadTargetEnv(sectionsSchema.parse({}), { DATABASE_URL: 'postgres://u:Pw-Selftest-123@h/d' });
    expect(env).toMatchObject({ source: 'the harness process environment (no env snapshot given)', fromSnapshot: false });
    expect(env.secrets).toEqual(expect.arrayContaining(['postgres://u:Pw-Selftest-123@h/d', 'Pw-Selftest-123']));
  });
});
