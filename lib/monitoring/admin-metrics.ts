import type { Sections } from '../config/schema';
import type { Measure } from '../evidence';
import { readField, readFields, readNumber } from './admin-shapes';

type KpisShape = Sections['backend']['shapes']['kpis'];
type AiMetricsShape = Sections['backend']['shapes']['aiMetrics'];

export interface Judgement {
  problems: string[];
  measures: Measure[];
  notes: string[];
}

const DAY_MS = 86_400_000;
/** Server-side rounding of the window's ends. */
const SPAN_TOLERANCE_MS = 60_000;

const noDataNote = (paths: string[]) => (paths.length ? [`no data yet (null) at ${paths.join(', ')}`] : []);

/**
 * /admin/ops/kpis (contract §8) read through the profile's shape: every field of the shape, the
 * window as asked, and no more jobs awarded than posted.
 */
export function judgeKpis(body: unknown, shape: KpisShape, requestedDays: number): Judgement {
  const fields = readFields(body, shape.fields);
  const problems = [...fields.problems];
  const noData = [...fields.noData];
  const days = readNumber(body, shape.windowDays, 'positive-int');
  const start = readField(body, shape.windowStart, 'iso-time');
  const end = readField(body, shape.windowEnd, 'iso-time');
  problems.push(...days.problems, ...start.problems, ...end.problems);
  if (days.value !== null && days.value !== requestedDays)
    problems.push(`${shape.windowDays} is ${days.value}, asked for ${requestedDays}`);
  if (days.value !== null && !start.problems.length && !end.problems.length) {
    const span = Date.parse(String(end.values[0]?.value)) - Date.parse(String(start.values[0]?.value));
    if (Math.abs(span - days.value * DAY_MS) > SPAN_TOLERANCE_MS) {
      problems.push(`${shape.windowStart}..${shape.windowEnd} spans ${(span / DAY_MS).toFixed(2)} days, not windowDays=${days.value}`);
    }
  }
  // Optional in the contract: judged when the backend reports them.
  const counted = (path: string | null) =>
    path && readField(body, path, 'count').values.length ? readNumber(body, path, 'count') : { value: null, problems: [], noData: [] };
  const posted = counted(shape.posted);
  const awarded = counted(shape.awarded);
  problems.push(...posted.problems, ...awarded.problems);
  noData.push(...posted.noData, ...awarded.noData);
  if (posted.value !== null && awarded.value !== null && awarded.value > posted.value) {
    problems.push(`${shape.awarded}: ${awarded.value} awarded out of ${posted.value} posted`);
  }
  return { problems, measures: [], notes: noDataNote([...new Set(noData)]) };
}

/** /admin/ai/metrics (contract §8) read through the profile's shape, judged against the limits. */
export function judgeAiMetrics(
  body: unknown,
  shape: AiMetricsShape,
  monthKey: string,
  limits: { minCacheHitRatio: number; maxBlockedCalls: number },
): Judgement {
  const fields = readFields(body, shape.fields);
  const problems = [...fields.problems];
  const notes: string[] = [];
  const measures: Measure[] = [];
  const month = readField(body, shape.month, 'month');
  problems.push(...month.problems);
  const reported = month.values[0]?.value;
  if (!month.problems.length && reported !== monthKey) problems.push(`${shape.month} is ${String(reported)}, asked for ${monthKey}`);
  const hits = readNumber(body, shape.hits, 'count');
  const calls = readNumber(body, shape.providerCalls, 'count');
  const ratio = readNumber(body, shape.hitRatio, 'ratio');
  const blocked = readNumber(body, shape.blockedCount, 'count');
  const copies = shape.hitRatioCopies.map((path) => ({ path, ...readNumber(body, path, 'ratio') }));
  for (const r of [hits, calls, ratio, blocked, ...copies]) problems.push(...r.problems);
  const noData = [
    ...fields.noData,
    ...hits.noData,
    ...calls.noData,
    ...ratio.noData,
    ...blocked.noData,
    ...copies.flatMap((c) => c.noData),
  ];
  for (const copy of copies) {
    if (copy.value !== null && ratio.value !== null && Math.abs(copy.value - ratio.value) > 1e-3) {
      problems.push(`${copy.path} ${copy.value} disagrees with ${shape.hitRatio} ${ratio.value}`);
    }
  }
  if (hits.value !== null && calls.value !== null) {
    const total = hits.value + calls.value;
    if (total === 0) notes.push(`no AI calls in ${monthKey} yet: the cache hit ratio has nothing to say`);
    else if (ratio.value !== null) {
      const ok = ratio.value >= limits.minCacheHitRatio;
      measures.push({ name: 'AI cache hit ratio', value: ratio.value, threshold: `≥ ${limits.minCacheHitRatio} (of ${total} calls)`, ok });
      if (!ok)
        problems.push(
          `cache hit ratio ${ratio.value} is below ${limits.minCacheHitRatio} (${hits.value} hits, ${calls.value} provider calls)`,
        );
    }
  }
  if (blocked.value !== null) {
    const blockedOk = blocked.value <= limits.maxBlockedCalls;
    measures.push({ name: 'AI blocked calls', value: blocked.value, threshold: `≤ ${limits.maxBlockedCalls}`, ok: blockedOk });
    if (!blockedOk) problems.push(`${blocked.value} blocked AI calls this month, more than ${limits.maxBlockedCalls}`);
  }
  notes.push(...noDataNote([...new Set(noData)]));
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
