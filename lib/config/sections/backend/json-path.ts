import { z } from 'zod';

/**
 * A dotted path into a JSON body, `item.id`; `*` stands for every element of an array or every
 * value of an object (`topMatches.*.jobId`). Several paths are tried in order, the first present counts.
 */
export const jsonPath = z.string().regex(/^[\w$-]+(\.([\w$-]+|\*))*$/, 'must be a dotted JSON path such as item.id or topMatches.*.jobId');

export const jsonPaths = z.union([jsonPath, z.array(jsonPath).min(1)], {
  error: 'must be a dotted JSON path such as item.id, or a list of them tried in order',
});
export type JsonPaths = z.output<typeof jsonPaths>;
