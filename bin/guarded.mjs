#!/usr/bin/env node
// `npm run backup | migrate:deploy | migrate:attachments | audit:acknowledge`: the guarded script, prebuilt like the
// CLI (bin/cutover.mjs), so it runs on plain node without a TypeScript loader.
//
//   node bin/guarded.mjs <backup|migrate-deploy|migrate-attachments|audit-acknowledge> [flags]
import { pathToFileURL } from 'node:url';
import { freshBuild, GUARDED_ENTRIES } from '../scripts/build.mjs';

const [name, ...argv] = process.argv.slice(2);
if (!Object.hasOwn(GUARDED_ENTRIES, name ?? '')) {
  console.error(`usage: node bin/guarded.mjs <${Object.keys(GUARDED_ENTRIES).join('|')}> [flags]`);
  process.exit(2);
}
const file = await freshBuild(name);
// Each script runs itself only when it is node's main module (argv[1]), so tests can import
// its spec: the argv it sees is the one `node <built script> [flags]` would give it.
process.argv = [process.argv[0], file, ...argv];
await import(pathToFileURL(file).href);
