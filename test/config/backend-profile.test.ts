// The backend profile can say everything the second backend does differently, with no change in lib/.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { firstParent, firstValue } from '../../lib/backend/json-path';
import { sectionsSchema } from '../../lib/config/schema';
import { formatReadiness, type ReadinessReport } from '../../lib/env-rules/readiness';
import { checkEnvRules, type RuleOptions } from '../../lib/env-rules/rules';
import { DigestTrial } from '../../lib/features/digest';
import { Sessions } from '../../lib/http/session';
import { judgeAiMetrics, judgeKpis } from '../../lib/monitoring/admin-metrics';
import { Redactor } from '../../lib/secrets/redactor';
import { clientFor } from '../smoke/client';
import { backend } from '../fixtures/second-backend/cutover.profile';

// Fake keys are split ('sk' + '_test_…') so no committed literal looks like a real credential.

const second = sectionsSchema.parse({
  backend,
  credentials: { accounts: { consumer: { email: 'PROFILE_TEST_EMAIL', password: 'PROFILE_TEST_PASSWORD' } } },
});
const contract = sectionsSchema.parse({});
const PROD: Omit<RuleOptions, 'rules'> = { production: true, stripeMode: 'test', attestation: 'on' };
const SERVICE_ACCOUNT = '{"type":"service_account","private_key":"Google-Key-Selftest"}';

/** The second backend's env in production, email by SMTP parts, the service account raw. */
function secondEnv(): Record<string, string> {
  return {
    POSTGRES_URL: 'postgres://app:Db-Pass-Selftest-2@db.internal:5432/app',
    REDIS_URL: 'redis://cache.internal:6379',
    AUTH_TOKEN_SECRET: 'auth-selftest-secret-value-0123456789',
    STRIPE_API_KEY: 'sk' + '_test_SelftestSecondKey0123456789',
    STRIPE_SIGNING_SECRET: 'whsec_SelftestSecondSigning0123',
    STRIPE_API_BASE: 'http://127.0.0.1:4010',
    S3_BUCKET: 'attachments',
    S3_REGION: 'eu-west-1',
    S3_ACCESS_KEY: 'AK' + 'IASELFTEST00000002',
    S3_SECRET_KEY: 'S3-Secret-Selftest-Value-2',
    S3_ENDPOINT: 'http://127.0.0.1:9000',
    S3_PATH_STYLE: 'true',
    SIGNED_URL_TTL: '900',
    SMTP_HOST: 'smtp.example.com',
    SMTP_PORT: '587',
    SMTP_USER: 'mailer',
    SMTP_PASS: 'Mail-Pass-Selftest-2',
    MAIL_FROM: 'Jobs <noreply@example.com>',
    ATTEST_ENFORCE: 'true',
    PLAY_INTEGRITY_KEY: 'play-integrity-selftest',
    GOOGLE_SERVICE_ACCOUNT: SERVICE_ACCOUNT,
    APPLE_APP_ATTEST_KEY: 'apple-attest-selftest',
    SENTRY_DSN: 'https://key@sentry.example.com/1',
  };
}

const without = (env: Record<string, string>, ...names: string[]) =>
  Object.fromEntries(Object.entries(env).filter(([k]) => !names.includes(k)));
const messages = (r: { message: string }[]) => r.map((v) => v.message);
const throughProfile = (env: Record<string, string>) => checkEnvRules(env, { ...PROD, rules: second.backend.envRules });

describe("the second backend's env through its profile (step 2)", () => {
  it('passes with SMTP parts or an email API key, and a raw or base64 service account', () => {
    const smtp = secondEnv();
    const api = { ...without(smtp, 'SMTP_HOST', 'SMTP_PORT', 'SMTP_USER', 'SMTP_PASS'), MAIL_API_KEY: 'mail-api-selftest' };
    const b64 = {
      ...without(smtp, 'GOOGLE_SERVICE_ACCOUNT'),
      GOOGLE_SERVICE_ACCOUNT_B64: Buffer.from(SERVICE_ACCOUNT).toString('base64'),
    };
    for (const env of [smtp, api, b64]) {
      const result = throughProfile(env);
      expect({ errors: result.errors, warnings: result.warnings }).toEqual({ errors: [], warnings: [] });
    }
  });

  it("fails under the contract's default rules (other names)", () => {
    const errors = messages(checkEnvRules(secondEnv(), PROD).errors);
    expect(errors).toEqual(expect.arrayContaining(['DATABASE_URL is not set', 'JWT_SECRET is not set', 'STRIPE_SECRET_KEY is not set']));
  });

  it("still holds the backend to them: renamed rules, alternatives, formats, the Stripe key's mode", () => {
    const env = {
      ...without(secondEnv(), 'SMTP_PASS', 'AUTH_TOKEN_SECRET', 'PLAY_INTEGRITY_KEY'),
      GOOGLE_SERVICE_ACCOUNT: '[1]',
      STRIPE_API_KEY: 'sk' + '_live_SelftestSecondLive0123456',
      SMTP_PORT: 'twenty-five',
    };
    expect(messages(throughProfile(env).errors)).toEqual([
      'AUTH_TOKEN_SECRET is not set',
      'none of SMTP_HOST+SMTP_PORT+SMTP_USER+SMTP_PASS or MAIL_API_KEY is set in full (unset: SMTP_PASS, MAIL_API_KEY) (no email is sent otherwise)',
      'PLAY_INTEGRITY_KEY is not set (android verifier; ATTEST_ENFORCE=true)',
      'STRIPE_API_KEY must be a test key (sk_test_/rk_test_) in this environment, but it is a live key',
      'SMTP_PORT must be a port number (1-65535)',
      'GOOGLE_SERVICE_ACCOUNT must be a JSON object (the service account key)',
    ]);
    const b64 = { ...secondEnv(), GOOGLE_SERVICE_ACCOUNT_B64: Buffer.from('not json').toString('base64') };
    expect(messages(throughProfile(b64).errors)).toEqual([
      'GOOGLE_SERVICE_ACCOUNT_B64 must be a base64-encoded JSON object (the service account key)',
    ]);
  });

  it('says which contract rules it dropped and why, in the evidence', () => {
    const rules = throughProfile(secondEnv());
    expect(rules.dropped).toContainEqual({ id: 'object-storage-provider', reason: 'always S3: it has no OBJECT_STORAGE_PROVIDER' });
    const report: ReadinessReport = {
      source: 'env snapshot second.env',
      profile: second.backend.name,
      fromSnapshot: true,
      production: true,
      expect: { stripeMode: 'test', attestation: 'on' },
      snapshotProblems: [],
      rules,
      probes: [],
    };
    const text = formatReadiness(report);
    expect(text).toContain('backend profile "second backend (test fixture)"');
    expect(text).toContain('dropped: object-storage-provider: always S3: it has no OBJECT_STORAGE_PROVIDER');
    for (const value of Object.values(secondEnv())) if (value.length > 8) expect(text).not.toContain(value);
  });

  it("renames a contract variable everywhere, and a profile's own set replaces the contract's", () => {
    const renamed = sectionsSchema.parse({ backend: { envRules: { rename: { EMAIL_SMTP_URL: 'SMTP_URL' } } } }).backend.envRules;
    const env = { EMAIL_PROVIDER: 'smtp', EMAIL_SMTP_URL: 'smtps://mail.example.com', SMTP_URL: 'not a url' };
    const errors = messages(checkEnvRules(env, { ...PROD, rules: renamed }).errors);
    expect(errors).toContain('SMTP_URL must be an smtp:// or smtps:// URL');
    expect(errors.join('\n')).not.toMatch(/EMAIL_SMTP_URL/);
    const own = sectionsSchema.parse({
      backend: { envRules: { rules: [{ id: 'app-key', level: 'always', anyOf: [['APP_KEY']], why: 'sessions are signed with it' }] } },
    }).backend.envRules;
    const result = checkEnvRules({}, { ...PROD, rules: own });
    expect(messages(result.errors)).toEqual(['APP_KEY is not set (sessions are signed with it)']);
    expect(result.errors[0]!.rule).toBe('app-key');
    expect(result.warnings).toEqual([]);
  });

  it('says what a profile setting must be, not "Invalid input"', () => {
    const parsed = sectionsSchema.safeParse({
      backend: {
        responses: { loginToken: 5 },
        shapes: { kpis: { fields: { reportRate: 'ratioo' } } },
        envRules: { add: [{ id: 'x', level: 'always', anyOf: [['X']], when: [{ variable: 'Y' }] }] },
      },
    });
    const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(problems).toEqual([
      'backend.responses.loginToken: must be a dotted JSON path such as item.id, or a list of them tried in order',
      expect.stringMatching(/^backend\.shapes\.kpis\.fields\.reportRate: must be a field kind \(count, ratio, /),
      'backend.envRules.add.0.when.0: must be { variable, equals }, { variable, lists, default? } or { enforcedBy }',
    ]);
  });

  it('refuses to drop a rule that does not exist, or without a reason', () => {
    const problems = (drop: unknown) => {
      const parsed = sectionsSchema.safeParse({ backend: { envRules: { drop } } });
      return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(problems([{ id: 'no-such-rule', reason: 'x' }])).toEqual(['backend.envRules.drop.0.id: no rule has the id no-such-rule']);
    expect(problems([{ id: 'jwt-secret', reason: ' ' }])).toEqual(['backend.envRules.drop.0.reason: say why the rule does not apply']);
  });
});

describe("the second backend's answers through its profile", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
    vi.unstubAllEnvs();
  });

  it('logs in from {"session":{"accessToken"}} and presents its attestation header', async () => {
    vi.stubEnv('PROFILE_TEST_EMAIL', 'consumer@second.test');
    vi.stubEnv('PROFILE_TEST_PASSWORD', 'second-password-123');
    vi.stubEnv(second.credentials.attestationToken, 'attestation-selftest-token');
    let header: unknown;
    const server = await clientFor({
      'POST /auth/login': (req) => {
        header = req.headers['x-attestation-token'];
        return { body: { session: { accessToken: 'second-session-token', user: { id: 9, role: 'CONSUMER' } } } };
      },
    });
    close = server.close;
    const session = await new Sessions({ sections: second }, new Redactor()).login(server.target, 'consumer');
    expect([session.token, session.user.id, header]).toEqual(['second-session-token', 9, 'attestation-selftest-token']);
  });

  it('reads created resources from {"item":{...}} and notifications from {"data":[...]} by content.job.id', async () => {
    vi.stubEnv('PROFILE_TEST_EMAIL', 'consumer@second.test');
    vi.stubEnv('PROFILE_TEST_PASSWORD', 'second-password-123');
    const created = { item: { id: 41, title: 't', category: 'home-repair', createdAt: '2026-12-01T00:00:00.000Z' } };
    const server = await clientFor({
      'POST /auth/login': () => ({ body: { session: { accessToken: 'second-session-token', user: { id: 9, role: 'CONSUMER' } } } }),
      'POST /jobs': () => ({ status: 201, body: created }),
      'GET /notifications': () => ({
        body: {
          data: [
            { id: 1, type: 'match.instant', content: { job: { id: 41 } }, createdAt: '2026-12-01T00:00:01.000Z' },
            { id: 2, type: 'match.instant', content: { job: { id: 40 } }, createdAt: '2026-12-01T00:00:01.000Z' },
            { id: 3, type: 'job.match', content: { jobId: 41 }, createdAt: '2026-12-01T00:00:01.000Z' },
          ],
          next: null,
        },
      }),
    });
    close = server.close;
    const sessions = new Sessions({ sections: second }, new Redactor());
    const trial = new DigestTrial({ runId: 'selftest', sections: second }, sessions);
    const job = await trial.createJob(server.target);
    expect([job.id, job.category]).toEqual([41, second.backend.digest.category]);
    // The instant type and the job's place are the profile's: only notification 1 is about the job.
    trial.providers.set('providerInstant', {
      role: 'providerInstant',
      session: await sessions.login(server.target, 'consumer'),
      previous: null,
      changed: false,
      createdSearchIds: [],
      savedSearchIds: [],
    });
    const found = await trial.aboutJob(server.target, 'providerInstant', second.backend.responses.notificationTypes.instant);
    expect(found.map((n) => n.id)).toEqual([1]);
  });

  it('finds ids in the recorded envelopes, and the reference target keeps its own', () => {
    const saved = { item: { id: 'ss_7', zipCode: '00000' } };
    expect(firstValue(saved, second.backend.responses.created.savedSearch)).toBe('ss_7');
    expect(firstParent({ item: { id: 12, storageKey: 'k' } }, second.backend.responses.created.upload)).toEqual({
      id: 12,
      storageKey: 'k',
    });
    expect(firstValue({ savedSearch: { id: 3 } }, contract.backend.responses.created.savedSearch)).toBe(3);
    expect(firstValue({ id: 4 }, contract.backend.responses.created.job)).toBe(4);
    expect(firstValue({ attachment: { id: 5 } }, contract.backend.responses.created.upload)).toBe(5);
  });
});

describe("the second backend's admin shapes", () => {
  const kpis = {
    windowDays: 7,
    range: { from: '2026-11-24T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
    timeToFirstBid: { medianMinutes: null },
    conversion: { jobsPosted: 4, jobsAwarded: 1, conversion: 0.25 },
    churnByTier: { free: null, pro: 0.1 },
    reportRate: null,
  };
  const ai = {
    month: '2026-12',
    cache: { hits: 6, misses: 2, hitRatio: 0.75 },
    blocked: { count: 3 },
    tokensByTier: { free: 10, pro: 90 },
  };
  const limits = { minCacheHitRatio: 0.2, maxBlockedCalls: 100 };

  it('passes its KPIs, null as no data yet', () => {
    const judged = judgeKpis(kpis, second.backend.shapes.kpis, 7);
    expect(judged.problems).toEqual([]);
    expect(judged.notes).toEqual(['no data yet (null) at timeToFirstBid.medianMinutes, churnByTier.free, reportRate']);
    const empty = { ...kpis, conversion: { jobsPosted: 0, jobsAwarded: 0, conversion: null } };
    expect(judgeKpis(empty, second.backend.shapes.kpis, 7).problems).toEqual([]);
  });

  it('passes its AI metrics and measures them; null is no data yet', () => {
    const judged = judgeAiMetrics(ai, second.backend.shapes.aiMetrics, '2026-12', limits);
    expect(judged.problems).toEqual([]);
    expect(judged.measures.map((m) => [m.name, m.value])).toEqual([
      ['AI cache hit ratio', 0.75],
      ['AI blocked calls', 3],
    ]);
    const quiet = { ...ai, cache: { hits: 0, misses: 0, hitRatio: null } };
    expect(judgeAiMetrics(quiet, second.backend.shapes.aiMetrics, '2026-12', limits).problems).toEqual([]);
  });

  it('says what it expected at which path, and what it got', () => {
    const wrong = { ...kpis, conversion: { ...kpis.conversion, conversion: 'abc' }, range: { from: 'yesterday', to: kpis.range.to } };
    expect(judgeKpis(wrong, second.backend.shapes.kpis, 7).problems).toEqual([
      'expected a ratio 0..1 or null at conversion.conversion, got "abc"',
      'expected an ISO 8601 date-time at range.from, got "yesterday"',
    ]);
    const awarded = { ...kpis, conversion: { jobsPosted: 1, jobsAwarded: 2, conversion: 1 } };
    expect(judgeKpis(awarded, second.backend.shapes.kpis, 7).problems).toEqual(['conversion.jobsAwarded: 2 awarded out of 1 posted']);
    expect(judgeAiMetrics({ ...ai, blocked: {} }, second.backend.shapes.aiMetrics, '2026-12', limits).problems).toEqual([
      'expected a count (integer ≥ 0) or null at blocked.count, got nothing (no blocked.count)',
    ]);
    // The reference target's shape is not the second backend's: the contract's paths say so.
    expect(judgeKpis(kpis, contract.backend.shapes.kpis, 7).problems).toEqual(
      expect.arrayContaining(['expected an ISO 8601 date-time at startAt, got nothing (no startAt)']),
    );
  });
});
