import { describe, expect, it } from 'vitest';
import { sectionsSchema } from '../../lib/config/schema';
import { judgeAiMetrics, judgeKpis, maskEmails } from '../../lib/monitoring/admin-metrics';

const { kpis: kpisShape, aiMetrics: aiShape } = sectionsSchema.parse({}).backend.shapes;
const judgeK = (body: unknown, days = 7) => judgeKpis(body, kpisShape, days);
const judgeAi = (body: unknown, month = '2026-11') => judgeAiMetrics(body, aiShape, month, limits);

const kpis = {
  windowDays: 7,
  startAt: '2026-11-21T05:00:00.000Z',
  endAt: '2026-11-28T05:00:00.000Z',
  timeToFirstBid: { jobsWithBids: 1, medianMinutes: 60, averageMinutes: 60 },
  postToAwardConversion: { posted: 4, awarded: 1, rate: 0.25 },
  churnByTier: { FREE: { active: 0, churned: 0, rate: 0 }, PRO: { active: 2, churned: 0, rate: 0 } },
  reportRate: { reports: 0, jobs: 4, rate: 0 },
};

const metrics = {
  monthKey: '2026-11',
  window: { start: '2026-11-01T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z' },
  tokensUsedPerTier: { FREE: 1600, BASIC: 0, PRO: 7800 },
  cache: { hits: 14, providerCalls: 5, hitRatio: 0.7368 },
  cacheHitRatio: 0.7368,
  blockedCalls: { total: 1, byReason: { quota: 1 } },
  blockedCallsCount: 1,
  topCostUsers: [{ userId: 3, email: 'pat.doe@example.com', costUsd: 0.054 }],
  alert: { triggered: false, reasons: [] },
};
const limits = { minCacheHitRatio: 0.2, maxBlockedCalls: 100 };

describe('/admin/ops/kpis', () => {
  it('accepts the contract shape with a window as asked', () => {
    expect(judgeK(kpis)).toEqual({ problems: [], measures: [], notes: [] });
  });

  it('names each field of a wrong shape: expected what, at which path, got what (kpis-wrong-shape)', () => {
    const { reportRate: _dropped, ...rest } = kpis;
    const problems = judgeK({ ...rest, windowDays: '7', churnByTier: { FREE: 'abc' } }).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        'expected a positive integer at windowDays, got "7"',
        'expected a ratio 0..1 (or an object with one in rate) or null at churnByTier.FREE, got "abc"',
        'expected a ratio 0..1 (or an object with one in rate) or null at reportRate, got nothing (no reportRate)',
      ]),
    );
    expect(problems.join('\n')).not.toMatch(/Invalid input/);
  });

  it('refuses ratios outside [0, 1] and windows other than asked', () => {
    expect(judgeK({ ...kpis, reportRate: { rate: 1.5 } }).problems).toEqual([expect.stringMatching(/at reportRate, got/)]);
    expect(judgeK(kpis, 30).problems).toEqual([expect.stringMatching(/windowDays is 7, asked for 30/)]);
    expect(judgeK({ ...kpis, startAt: '2026-11-27T05:00:00.000Z' }).problems).toEqual([expect.stringMatching(/spans 1.00 days/)]);
    const impossible = { ...kpis, postToAwardConversion: { posted: 1, awarded: 2, rate: 1 } };
    expect(judgeK(impossible).problems).toEqual([expect.stringMatching(/2 awarded out of 1 posted/)]);
  });

  it('takes null as "no data yet": noted, not failed', () => {
    const judged = judgeK({ ...kpis, reportRate: null, churnByTier: { FREE: null }, timeToFirstBid: null });
    expect(judged.problems).toEqual([]);
    expect(judged.notes).toEqual(['no data yet (null) at timeToFirstBid, churnByTier.FREE, reportRate']);
  });
});

describe('/admin/ai/metrics', () => {
  it('passes a sane month and measures both thresholds', () => {
    const judged = judgeAi(metrics);
    expect(judged.problems).toEqual([]);
    expect(judged.measures.map((m) => [m.name, m.ok])).toEqual([
      ['AI cache hit ratio', true],
      ['AI blocked calls', true],
    ]);
  });

  it('fails a low cache hit ratio (ai-metrics-low-hit-ratio)', () => {
    const low = { ...metrics, cacheHitRatio: 0.01, cache: { ...metrics.cache, hitRatio: 0.01 } };
    expect(judgeAi(low).problems).toEqual([expect.stringMatching(/cache hit ratio 0.01 is below 0.2/)]);
  });

  it('fails a blocked-calls spike (ai-metrics-blocked-spike)', () => {
    expect(judgeAi({ ...metrics, blockedCallsCount: 5000 }).problems).toEqual([expect.stringMatching(/5000 blocked AI calls/)]);
  });

  it('does not judge a hit ratio without calls, and says so', () => {
    const judged = judgeAi({ ...metrics, cache: { hits: 0, providerCalls: 0, hitRatio: 0 }, cacheHitRatio: 0 });
    expect(judged.problems).toEqual([]);
    expect(judged.notes).toEqual([expect.stringMatching(/no AI calls/)]);
  });

  it('catches another month and disagreeing ratios', () => {
    expect(judgeAi({ ...metrics, cacheHitRatio: 0.5 }, '2026-10').problems).toEqual([
      expect.stringMatching(/monthKey is 2026-11/),
      expect.stringMatching(/disagrees/),
    ]);
  });

  it('names a mistyped field and takes null as no data yet', () => {
    expect(judgeAi({ ...metrics, cache: { ...metrics.cache, hits: 'many' } }).problems).toEqual([
      'expected a count (integer ≥ 0) or null at cache.hits, got "many"',
    ]);
    const quiet = judgeAi({ ...metrics, cache: { hits: null, providerCalls: null, hitRatio: null }, cacheHitRatio: null });
    expect(quiet.problems).toEqual([]);
    expect(quiet.notes).toEqual(['no data yet (null) at cache.hits, cache.providerCalls, cache.hitRatio, cacheHitRatio']);
  });

  it("keeps top-cost users' addresses out of the document", () => {
    expect(maskEmails(metrics).topCostUsers[0]!.email).toBe('p***@example.com');
  });
});
