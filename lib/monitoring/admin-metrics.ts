import { z } from 'zod';
import type { Measure } from '../evidence';

/**
 * Shapes of contract §8. Only the top-level fields are the contract's; nested ones are what
 * the reference backend sends, kept loose (extra fields pass) so harmless drift does not
 * block a cutover while a missing or mistyped field does.
 */
const ratio = z.number().min(0).max(1);
const count = z.number().int().min(0);
const isoTime = z.iso.datetime({ offset: true });
const minutes = z.number().min(0).nullable();
/** A KPI given as a bare ratio or as an object carrying one in `rate`. */
const rated = z.union([ratio, z.looseObject({ rate: ratio })]);

export const kpisSchema = z.looseObject({
  windowDays: z.number().int().positive(),
  startAt: isoTime,
  endAt: isoTime,
  timeToFirstBid: z.union([minutes, z.looseObject({ medianMinutes: minutes.optional(), averageMinutes: minutes.optional() })]),
  postToAwardConversion: rated,
  churnByTier: z.record(z.string(), rated),
  reportRate: rated,
});
export type Kpis = z.infer<typeof kpisSchema>;

export const aiMetricsSchema = z.looseObject({
  monthKey: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  window: z.looseObject({ start: isoTime.optional(), end: isoTime.optional() }),
  tokensUsedPerTier: z.record(z.string(), count),
  cache: z.looseObject({ hits: count, providerCalls: count, hitRatio: ratio }),
  cacheHitRatio: ratio,
  blockedCalls: z.unknown(),
  blockedCallsCount: count,
  topCostUsers: z.array(z.looseObject({})),
  alert: z.unknown(),
});
export type AiMetrics = z.infer<typeof aiMetricsSchema>;

export interface Judgement {
  problems: string[];
  measures: Measure[];
  notes: string[];
}

/** zod's verdict as problems, one per field, so the error names what is wrong. */
export function shapeProblems(route: string, result: z.ZodSafeParseResult<unknown>): string[] {
  if (result.success) return [];
  return result.error.issues.map((i) => `${route}: ${i.path.join('.') || '(body)'}: ${i.message}`);
}

const DAY_MS = 86_400_000;
/** Server-side rounding of the window's ends. */
const SPAN_TOLERANCE_MS = 60_000;

export function judgeKpis(k: Kpis, requestedDays: number): Judgement {
  const problems: string[] = [];
  if (k.windowDays !== requestedDays) problems.push(`windowDays is ${k.windowDays}, asked for ${requestedDays}`);
  const span = Date.parse(k.endAt) - Date.parse(k.startAt);
  if (Math.abs(span - k.windowDays * DAY_MS) > SPAN_TOLERANCE_MS) {
    problems.push(`startAt..endAt spans ${(span / DAY_MS).toFixed(2)} days, not windowDays=${k.windowDays}`);
  }
  const conversion = k.postToAwardConversion as { posted?: unknown; awarded?: unknown };
  if (
    typeof conversion === 'object' &&
    typeof conversion.posted === 'number' &&
    typeof conversion.awarded === 'number' &&
    conversion.awarded > conversion.posted
  ) {
    problems.push(`postToAwardConversion: ${conversion.awarded} awarded out of ${conversion.posted} posted`);
  }
  return { problems, measures: [], notes: [] };
}

export function judgeAiMetrics(m: AiMetrics, monthKey: string, limits: { minCacheHitRatio: number; maxBlockedCalls: number }): Judgement {
  const problems: string[] = [];
  const notes: string[] = [];
  const measures: Measure[] = [];
  if (m.monthKey !== monthKey) problems.push(`monthKey is ${m.monthKey}, asked for ${monthKey}`);
  if (Math.abs(m.cacheHitRatio - m.cache.hitRatio) > 1e-3) {
    problems.push(`cacheHitRatio ${m.cacheHitRatio} disagrees with cache.hitRatio ${m.cache.hitRatio}`);
  }
  const calls = m.cache.hits + m.cache.providerCalls;
  if (calls === 0) {
    notes.push(`no AI calls in ${monthKey} yet: the cache hit ratio has nothing to say`);
  } else {
    const ok = m.cacheHitRatio >= limits.minCacheHitRatio;
    measures.push({
      name: 'AI cache hit ratio',
      value: m.cacheHitRatio,
      threshold: `≥ ${limits.minCacheHitRatio} (of ${calls} calls)`,
      ok,
    });
    if (!ok)
      problems.push(
        `cache hit ratio ${m.cacheHitRatio} is below ${limits.minCacheHitRatio} (${m.cache.hits} hits, ${m.cache.providerCalls} provider calls)`,
      );
  }
  const blockedOk = m.blockedCallsCount <= limits.maxBlockedCalls;
  measures.push({ name: 'AI blocked calls', value: m.blockedCallsCount, threshold: `≤ ${limits.maxBlockedCalls}`, ok: blockedOk });
  if (!blockedOk) problems.push(`${m.blockedCallsCount} blocked AI calls this month, more than ${limits.maxBlockedCalls}`);
  return { problems, measures, notes };
}

/** The month /admin/ai/metrics reports on: the current one, in UTC like the backend. */
export function currentMonthKey(now = new Date()): string {
  return now.toISOString().slice(0, 7);
}

const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;

/** Top-cost users are real people: their addresses stay out of the document. */
export function maskEmails<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (_k, v: unknown) => (typeof v === 'string' ? v.replace(EMAIL, '$1***@$2') : v)) as T;
}
