import { z } from 'zod';
import type { FieldKind, FieldSpec } from '../config/sections/backend/shapes';
import { describeValue, readPath } from '../backend/json-path';

/**
 * Reads the fields of an admin answer (contract §8) where the backend profile says they are
 * (backend.shapes), and says what is wrong as "expected X at path Y, got Z". A measured value
 * that is null is "no data yet": noted, never failed.
 */

const ratio = z.number().min(0).max(1);
const minutes = z.number().min(0);
const ACCEPTS: Record<FieldKind, { what: string; schema: z.ZodType; nullable: boolean }> = {
  count: { what: 'a count (integer ≥ 0)', schema: z.number().int().min(0), nullable: true },
  ratio: { what: 'a ratio 0..1', schema: ratio, nullable: true },
  rated: { what: 'a ratio 0..1 (or an object with one in rate)', schema: z.union([ratio, z.looseObject({ rate: ratio })]), nullable: true },
  minutes: {
    what: 'minutes ≥ 0 (or an object with medianMinutes/averageMinutes)',
    schema: z.union([
      minutes,
      z.looseObject({ medianMinutes: minutes.nullable().optional(), averageMinutes: minutes.nullable().optional() }),
    ]),
    nullable: true,
  },
  'positive-int': { what: 'a positive integer', schema: z.number().int().positive(), nullable: false },
  'iso-time': { what: 'an ISO 8601 date-time', schema: z.iso.datetime({ offset: true }), nullable: false },
  month: { what: 'a month (YYYY-MM)', schema: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/), nullable: false },
  object: { what: 'an object', schema: z.looseObject({}), nullable: false },
  array: { what: 'an array', schema: z.array(z.unknown()), nullable: false },
  present: { what: 'a value', schema: z.unknown(), nullable: true },
};

export interface FieldReading {
  /** Each value found (several through `*`), where it was, and whether it is null (no data yet). */
  values: { at: string; value: unknown }[];
  problems: string[];
  noData: string[];
}

const kindOf = (spec: FieldSpec) => (typeof spec === 'string' ? { kind: spec, optional: false } : spec);

/** One field, checked against its kind. */
export function readField(body: unknown, path: string, spec: FieldSpec): FieldReading {
  const { kind, optional } = kindOf(spec);
  const accepts = ACCEPTS[kind];
  const what = `${accepts.what}${accepts.nullable ? ' or null' : ''}`;
  const found = readPath(body, path);
  const reading: FieldReading = { values: [], problems: [], noData: [] };
  if (found.missingAt !== null) {
    if (!optional) reading.problems.push(`expected ${what} at ${path}, got nothing (no ${found.missingAt})`);
    return reading;
  }
  found.values.forEach((value, i) => {
    const at = found.at[i]!;
    if (value === null && accepts.nullable) {
      if (kind !== 'present') reading.noData.push(at);
    } else if (!accepts.schema.safeParse(value).success) reading.problems.push(`expected ${what} at ${at}, got ${describeValue(value)}`);
    reading.values.push({ at, value });
  });
  return reading;
}

/** A single number the check reads (null: no data yet); problems as for any field. */
export function readNumber(body: unknown, path: string, kind: FieldKind): { value: number | null; problems: string[]; noData: string[] } {
  const reading = readField(body, path, kind);
  const first = reading.values[0]?.value;
  return { value: reading.problems.length || typeof first !== 'number' ? null : first, problems: reading.problems, noData: reading.noData };
}

/** Every field of the profile's `fields` map. */
export function readFields(body: unknown, fields: Record<string, FieldSpec>): { problems: string[]; noData: string[] } {
  const problems: string[] = [];
  const noData: string[] = [];
  for (const [path, spec] of Object.entries(fields)) {
    const reading = readField(body, path, spec);
    problems.push(...reading.problems);
    noData.push(...reading.noData);
  }
  return { problems, noData };
}
