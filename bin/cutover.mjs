#!/usr/bin/env node
// `npm test` and `npx cutover`: the prebuilt CLI (dist/), rebuilt first when any source it was
// built from is newer than the build, so an edited checkout never runs stale code.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, CURRENT, DIST, ROOT } from '../scripts/build.mjs';

function currentBuild() {
  if (!existsSync(CURRENT)) return null;
  const { dir, startedAt, inputs } = JSON.parse(readFileSync(CURRENT, 'utf8'));
  const changed = inputs.some((file) => {
    try {
      return statSync(path.join(ROOT, file)).mtimeMs >= startedAt;
    } catch {
      return true; // a source that moved or went: build again
    }
  });
  return changed || !existsSync(path.join(DIST, dir)) ? null : dir;
}

mkdirSync(DIST, { recursive: true });
const dir = currentBuild() ?? (await build());
await import(pathToFileURL(path.join(DIST, dir, 'cutover.mjs')).href);
