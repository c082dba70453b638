#!/usr/bin/env node
// `npm test` and `npx cutover`: the prebuilt CLI (dist/), rebuilt first when any source it was
// built from is newer than the build, so an edited checkout never runs stale code.
import { pathToFileURL } from 'node:url';
import { freshBuild } from '../scripts/build.mjs';

const { cli } = await import(pathToFileURL(await freshBuild('cutover')).href);
// Exit as soon as the document is written and the rehearsal is down: a pool or timer some
// library keeps (Prisma's engine holds one for ~10 s) must not keep the operator waiting.
// stdout and stderr are synchronous for files, pipes and terminals on Linux: nothing is lost.
process.exit(await cli(process.argv.slice(2)));
