import { describe, expect, it } from 'vitest';
import { aiMetricsSchema, judgeAiMetrics, judgeKpis, kpisSchema, maskEmails, shapeProblems } from '../../lib/monitoring/admin-metrics';

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
    const parsed = kpisSchema.parse(kpis);
    expect(judgeKpis(parsed, 7).problems).toEqual([]);
  });

  it('names each field of a wrong shape (kpis-wrong-shape)', () => {
    const { reportRate: _dropped, ...rest } = kpis;
    const problems = shapeProblems('kpis', kpisSchema.safeParse({ ...rest, windowDays: '7' }));
    expect(problems.join('\n')).toMatch(/windowDays/);
    expect(problems.join('\n')).toMatch(/reportRate/);
  });

  it('refuses ratios outside [0, 1] and windows other than asked', () => {
    expect(kpisSchema.safeParse({ ...kpis, reportRate: { rate: 1.5 } }).success).toBe(false);
    expect(judgeKpis(kpisSchema.parse(kpis), 30).problems).toEqual([expect.stringMatching(/windowDays is 7, asked for 30/)]);
    const short = kpisSchema.parse({ ...kpis, startAt: '2026-11-27T05:00:00.000Z' });
    expect(judgeKpis(short, 7).problems).toEqual([expect.stringMatching(/spans 1.00 days/)]);
    const impossible = kpisSchema.parse({ ...kpis, postToAwardConversion: { posted: 1, awarded: 2, rate: 1 } });
    expect(judgeKpis(impossible, 7).problems).toEqual([expect.stringMatching(/2 awarded out of 1 posted/)]);
  });
});

describe('/admin/ai/metrics', () => {
  it('passes a sane month and measures both thresholds', () => {
    const judged = judgeAiMetrics(aiMetricsSchema.parse(metrics), '2026-11', limits);
    expect(judged.problems).toEqual([]);
    expect(judged.measures.map((m) => [m.name, m.ok])).toEqual([
      ['AI cache hit ratio', true],
      ['AI blocked calls', true],
    ]);
  });

  it('fails a low cache hit ratio (ai-metrics-low-hit-ratio)', () => {
    const low = aiMetricsSchema.parse({ ...metrics, cacheHitRatio: 0.01, cache: { ...metrics.cache, hitRatio: 0.01 } });
    expect(judgeAiMetrics(low, '2026-11', limits).problems).toEqual([expect.stringMatching(/cache hit ratio 0.01 is below 0.2/)]);
  });

  it('fails a blocked-calls spike (ai-metrics-blocked-spike)', () => {
    const spike = aiMetricsSchema.parse({ ...metrics, blockedCallsCount: 5000 });
    expect(judgeAiMetrics(spike, '2026-11', limits).problems).toEqual([expect.stringMatching(/5000 blocked AI calls/)]);
  });

  it('does not judge a hit ratio without calls, and says so', () => {
    const quiet = aiMetricsSchema.parse({ ...metrics, cache: { hits: 0, providerCalls: 0, hitRatio: 0 }, cacheHitRatio: 0 });
    const judged = judgeAiMetrics(quiet, '2026-11', limits);
    expect(judged.problems).toEqual([]);
    expect(judged.notes).toEqual([expect.stringMatching(/no AI calls/)]);
  });

  it('catches another month and disagreeing ratios', () => {
    const odd = aiMetricsSchema.parse({ ...metrics, cacheHitRatio: 0.5 });
    expect(judgeAiMetrics(odd, '2026-10', limits).problems).toEqual([
      expect.stringMatching(/monthKey is 2026-11/),
      expect.stringMatching(/disagrees/),
    ]);
  });

  it("keeps top-cost users' addresses out of the document", () => {
    expect(maskEmails(metrics).topCostUsers[0]!.email).toBe('p***@example.com');
  });
});
