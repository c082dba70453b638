#!/usr/bin/env node
// `npm test` and `npx cutover`: the prebuilt CLI (dist/), rebuilt first when any source it was
// built from is newer than the build, so an edited checkout never runs stale code.
import { pathToFileURL } from 'node:url';
import { freshBuild } from '../scripts/build.mjs';

await import(pathToFileURL(await freshBuild('cutover')).href);
