import { z } from 'zod';
import { jsonPath } from './json-path';

/**
 * What a field of an admin answer must hold. Measured values (count, ratio, rated, minutes)
 * may be null: "no data yet", noted rather than failed.
 *   count: an integer ≥ 0; ratio: a number in 0..1; rated: a ratio or an object with one in `rate`;
 *   minutes: a number ≥ 0 or an object with medianMinutes/averageMinutes; positive-int;
 *   iso-time: an ISO 8601 date-time; month: YYYY-MM; object; array; present: anything but missing.
 */
export const FIELD_KINDS = [
  'count',
  'ratio',
  'rated',
  'minutes',
  'positive-int',
  'iso-time',
  'month',
  'object',
  'array',
  'present',
] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

const fieldKind = z.enum(FIELD_KINDS);
/** A kind, or a kind the backend may leave out. */
const fieldSpec = z.union([fieldKind, z.strictObject({ kind: fieldKind, optional: z.boolean().default(false) })], {
  error: `must be a field kind (${FIELD_KINDS.join(', ')}) or { kind, optional: true }`,
});
export type FieldSpec = z.output<typeof fieldSpec>;

/** path → kind: the rest of the answer's shape, beyond the fields the checks read. */
const fields = z.record(jsonPath, fieldSpec);

export const kpisShape = z
  .strictObject({
    /** Echo of the requested window, and its ends (their span must be windowDays). */
    windowDays: jsonPath.default('windowDays'),
    windowStart: jsonPath.default('startAt'),
    windowEnd: jsonPath.default('endAt'),
    /** Jobs posted and awarded in the window (awarded ≤ posted); null paths: not reported. */
    posted: jsonPath.nullable().default('postToAwardConversion.posted'),
    awarded: jsonPath.nullable().default('postToAwardConversion.awarded'),
    fields: fields.default({
      timeToFirstBid: 'minutes',
      postToAwardConversion: 'rated',
      'churnByTier.*': 'rated',
      reportRate: 'rated',
    }),
  })
  .prefault({});

export const aiMetricsShape = z
  .strictObject({
    /** Echo of the requested month (YYYY-MM). */
    month: jsonPath.default('monthKey'),
    /** Cache hits and calls that reached the provider (misses); their ratio, and other fields that must agree with it. */
    hits: jsonPath.default('cache.hits'),
    providerCalls: jsonPath.default('cache.providerCalls'),
    hitRatio: jsonPath.default('cache.hitRatio'),
    hitRatioCopies: z.array(jsonPath).default(['cacheHitRatio']),
    blockedCount: jsonPath.default('blockedCallsCount'),
    fields: fields.default({
      window: 'object',
      'window.start': { kind: 'iso-time', optional: true },
      'window.end': { kind: 'iso-time', optional: true },
      'tokensUsedPerTier.*': 'count',
      blockedCalls: 'present',
      topCostUsers: 'array',
      'topCostUsers.*': 'object',
      alert: 'present',
    }),
  })
  .prefault({});

/** The shapes of contract §8's admin answers, as paths the checks read. */
export const shapes = z.strictObject({ kpis: kpisShape, aiMetrics: aiMetricsShape }).prefault({});
