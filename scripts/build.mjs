// Prebuilds the CLI into dist/ so `npm test` runs on plain node, without a TypeScript loader
// on its hot path (tsx's hooks run on another thread on Node 20 and slow every import of
// Vite and Vitest). The CLI's packages stay external (but zod) and the chunks are split, so what a run does not
// use (the rehearsal's stack, the fault table) is not loaded. The runbook suites are not
// bundled: Vitest transforms them itself. The guarded scripts (backup, migrate:deploy,
// migrate:attachments, audit:acknowledge) are entry points too: they run through bin/guarded.mjs, and an
// attachment migration should spend its memory and CPU on the files, not on a loader.
// Run by `npm ci` (prepare) and by the bin launchers (freshBuild) whenever a source is newer
// than the build.
//
// Runs may start side by side (the self-tests start several at once), so a build never
// changes files another run may still load: each build has a directory of its own, and
// dist/current.json, replaced in one rename, says which is current.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');
/** { dir, startedAt, inputs }: the current build, the time it began and the sources it read. */
export const CURRENT = path.join(DIST, 'current.json');
/** Builds kept besides the current one: a run that began on an older build may still load its lazy chunks. */
const KEEP = 3;
/**
 * Packages bundled into the CLI rather than imported from node_modules. zod is loaded before
 * anything else can start (the config is validated first) and is ninety-odd small ES modules:
 * resolving and compiling them one by one took about 70 ms of every start, one file 25 ms.
 */
const BUNDLED_PACKAGES = ['zod'];

/** Every other bare import (a package, a builtin) stays external, as esbuild's `packages: 'external'` would keep it. */
const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, ({ path: specifier }) => {
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
      return BUNDLED_PACKAGES.includes(name) ? undefined : { path: specifier, external: true };
    });
  },
};

/** The guarded scripts by build entry name (bin/guarded.mjs <name>). */
export const GUARDED_ENTRIES = {
  backup: 'scripts/backup.ts',
  'migrate-deploy': 'scripts/migrate-deploy.ts',
  'migrate-attachments': 'scripts/migrate-attachments.ts',
  'audit-acknowledge': 'scripts/audit-acknowledge.ts',
};

export async function build() {
  const { build: esbuild } = await import('esbuild');
  const startedAt = Date.now();
  const dir = `build-${startedAt}-${process.pid}`;
  const common = {
    absWorkingDir: ROOT,
    outdir: path.join(DIST, dir),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    outExtension: { '.js': '.mjs' },
    metafile: true,
    logLevel: 'warning',
  };
  const [cli, target] = await Promise.all([
    esbuild({ ...common, entryPoints: { cutover: 'scripts/cutover.ts', ...GUARDED_ENTRIES }, plugins: [externalPackages] }),
    // The reference target's server and worker, which the rehearsal starts from here. Their
    // packages are bundled in: resolving and reading the few hundred files of express, zod, pg
    // and the rest took about a third of each start (and a rehearsal restarts the server). The
    // packages they import only on first use stay external, as does pg's optional native binding.
    esbuild({
      ...common,
      entryPoints: { 'target-main': 'rehearsal/target/main.ts', 'target-worker': 'rehearsal/target/worker.ts' },
      external: ['stripe', 'ioredis', '@aws-sdk/*', 'pg-native'],
      // Bundled CommonJS packages still require() Node's builtins.
      banner: {
        js: "import { createRequire as __targetCreateRequire } from 'node:module'; const require = __targetCreateRequire(import.meta.url);",
      },
    }),
  ]);
  // The packages bundled into the target change only with the lockfile: it stands for their few
  // hundred files, which every launch would otherwise stat.
  const read = [...Object.keys(cli.metafile.inputs), ...Object.keys(target.metafile.inputs)];
  const inputs = [...new Set([...read.filter((file) => !file.startsWith('node_modules/')), 'package-lock.json'])];
  const pointer = `${CURRENT}.${process.pid}`;
  writeFileSync(pointer, JSON.stringify({ dir, startedAt, inputs }));
  renameSync(pointer, CURRENT);
  const builds = readdirSync(DIST)
    .filter((name) => name.startsWith('build-'))
    .sort((a, b) => Number(b.split('-')[1]) - Number(a.split('-')[1]));
  for (const old of builds.slice(KEEP + 1)) rmSync(path.join(DIST, old), { recursive: true, force: true });
  return dir;
}

/** The current build's directory, or null when there is none or a source it read is newer. */
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

/** The built file of an entry point, built first when any source it was built from is newer: an edited checkout never runs stale code. */
export async function freshBuild(entry) {
  mkdirSync(DIST, { recursive: true });
  const dir = currentBuild() ?? (await build());
  return path.join(DIST, dir, `${entry}.mjs`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  mkdirSync(DIST, { recursive: true });
  await build();
}
