// The resolve hook behind import-log.mjs.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  if (process.env.IMPORT_LOG && !/^(\.|\/|node:|file:|data:)/.test(specifier)) appendFileSync(process.env.IMPORT_LOG, `${specifier}\n`);
  return next(specifier, context);
}
