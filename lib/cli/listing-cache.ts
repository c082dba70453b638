/**
 * `--list` collects every check through Vitest and loads the fault table, about 3 s; what it
 * prints changes only when a source or the config does. So the listing is kept under
 * node_modules/.cache, keyed by the size and modification time of every file it is made from
 * (a few hundred stat calls, a few milliseconds), and made again when any of them changes.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What the listing is made from: the suites, everything they and the fault table import, the configs. */
const SOURCES = ['suites', 'lib', 'reporters', 'rehearsal', 'cutover.config.ts', 'vitest.config.ts', 'package.json'];

function fingerprint(root: string): string {
  const hash = createHash('sha256');
  const visit = (rel: string) => {
    const abs = path.join(root, rel);
    let st;
    try {
      st = statSync(abs);
    } catch {
      hash.update(`${rel}:absent\n`);
      return;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(abs).sort()) visit(path.join(rel, name));
    } else {
      hash.update(`${rel}:${st.size}:${st.mtimeMs}\n`);
    }
  };
  for (const rel of SOURCES) visit(rel);
  return hash.digest('hex').slice(0, 16);
}

/** `compute()`'s result from the cache when no source changed since it was made; made and kept otherwise (unless `keep` says no). */
export async function cachedListing<T>(root: string, compute: () => Promise<T>, keep: (value: T) => boolean): Promise<T> {
  const dir = path.join(root, 'node_modules/.cache/cutover-harness');
  // node_modules may be one directory shared by several checkouts (worktrees link it): each keeps its own listing.
  const checkout = `listing-${createHash('sha256').update(path.resolve(root)).digest('hex').slice(0, 8)}-`;
  const file = path.join(dir, `${checkout}${fingerprint(root)}.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    // not made yet for these sources
  }
  const value = await compute();
  if (!keep(value)) return value;
  try {
    mkdirSync(dir, { recursive: true });
    for (const old of readdirSync(dir)) if (old.startsWith(checkout)) rmSync(path.join(dir, old), { force: true });
    // Written whole and renamed into place: a listing read while another run writes it is never half a file.
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, JSON.stringify(value));
    renameSync(partial, file);
  } catch {
    // A read-only checkout lists as before, only slower.
  }
  return value;
}
