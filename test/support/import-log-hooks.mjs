// The resolve hook behind import-log.mjs.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const log = process.env.IMPORT_LOG;
  if (log && !/^(\.|\/|node:|file:|data:)/.test(specifier)) appendFileSync(log, `${specifier}\n`);
  const resolved = await next(specifier, context);
  if (log && /\/dist\/build-[^/]+\/[^/]+\.mjs$/.test(resolved.url)) appendFileSync(log, `${resolved.url}\n`);
  return resolved;
}
