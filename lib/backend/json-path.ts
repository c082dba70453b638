import type { JsonPaths } from '../config/sections/backend/json-path';

/** What a dotted path found: every value it reached (several through `*`), or where it stopped. */
export interface Found {
  path: string;
  values: unknown[];
  /** Where each value was found, `*` spelled out (`churnByTier.FREE`). */
  at: string[];
  /** The path reached nothing: the first segment that was missing or not an object. */
  missingAt: string | null;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Follows a dotted path (`*`: every element or value) through a parsed JSON body. */
export function readPath(body: unknown, path: string): Found {
  let current: { at: string; value: unknown }[] = [{ at: '', value: body }];
  const walked: string[] = [];
  const join = (a: string, b: string) => (a ? `${a}.${b}` : b);
  for (const segment of path.split('.')) {
    walked.push(segment);
    const next: typeof current = [];
    for (const { at, value } of current) {
      if (!isRecord(value)) continue;
      if (segment !== '*') {
        if (Object.hasOwn(value, segment)) next.push({ at: join(at, segment), value: (value as Record<string, unknown>)[segment] });
      } else if (Array.isArray(value)) value.forEach((v, i) => next.push({ at: join(at, String(i)), value: v }));
      else for (const [k, v] of Object.entries(value)) next.push({ at: join(at, k), value: v });
    }
    // An empty list or object under `*` is a list of nothing, not a missing field.
    if (!next.length && !(segment === '*' && current.some((c) => isRecord(c.value)))) {
      return { path, values: [], at: [], missingAt: walked.join('.') };
    }
    current = next;
  }
  return { path, values: current.map((c) => c.value), at: current.map((c) => c.at), missingAt: null };
}

export const pathList = (paths: JsonPaths): string[] => (typeof paths === 'string' ? [paths] : paths);

/** The first value any of the paths reaches that is not null or undefined; undefined when none does. */
export function firstValue(body: unknown, paths: JsonPaths): unknown {
  for (const path of pathList(paths)) {
    const found = readPath(body, path).values.find((v) => v !== undefined && v !== null);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The object holding the first path's last segment: the created resource around its id. */
export function firstParent(body: unknown, paths: JsonPaths): Record<string, unknown> | undefined {
  for (const path of pathList(paths)) {
    const id = readPath(body, path).values.find((v) => v !== undefined && v !== null);
    if (id === undefined) continue;
    const parent = path.includes('.') ? readPath(body, path.slice(0, path.lastIndexOf('.'))).values[0] : body;
    return isRecord(parent) ? parent : undefined;
  }
  return undefined;
}

/** For messages: a value as it appeared, cut short. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** "paths a or b" for messages. */
export const describePaths = (paths: JsonPaths): string => pathList(paths).join(' or ');
