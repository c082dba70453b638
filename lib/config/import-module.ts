import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../project-root';

/** Where bundled configuration modules are kept between runs. */
export const CONFIG_CACHE_DIR = path.join(PROJECT_ROOT, 'node_modules/.cache/cutover-harness/config');

/** What a bundle was made from: each input file with its size and modification time. */
type Inputs = Record<string, { size: number; mtimeMs: number }>;

/**
 * Imports a configuration module. A TypeScript file needs compiling: run from the sources,
 * tsx's loader does it; the prebuilt entry (plain node) has no loader, so esbuild bundles the
 * file (its relative imports inline, packages left to resolve from the project) into a module
 * under node_modules/.cache. The bundle is kept, with the size and time of every file it was
 * made from, and reused while none of them changed: loading esbuild and its service process
 * for the bundle cost about 60 ms of every run's start.
 */
export async function importModule(file: string): Promise<{ default?: unknown }> {
  const url = pathToFileURL(file).href;
  try {
    return (await import(url)) as { default?: unknown };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
  }
  return importBundled(file);
}

/** The file bundled by esbuild (kept, see importModule), imported. */
export async function importBundled(file: string): Promise<{ default?: unknown }> {
  const base = path.join(CONFIG_CACHE_DIR, createHash('sha256').update(file).digest('hex').slice(0, 16));
  const bundled = (await cachedBundle(base)) ?? (await bundle(file, base));
  // The query names this version of the bundle: a process that imports the file again after
  // it changed gets the new module, not the one it imported before.
  return (await import(`${pathToFileURL(`${base}.mjs`).href}?v=${bundled}`)) as { default?: unknown };
}

/** The version of the kept bundle when every file it was made from is as it was, else null. */
async function cachedBundle(base: string): Promise<string | null> {
  try {
    const { version, inputs } = JSON.parse(await readFile(`${base}.json`, 'utf8')) as { version: string; inputs: Inputs };
    await stat(`${base}.mjs`);
    return (await sameInputs(inputs)) ? version : null;
  } catch {
    return null; // none kept yet, or unreadable: bundle again
  }
}

async function sameInputs(inputs: Inputs): Promise<boolean> {
  const now = await Promise.all(Object.keys(inputs).map((file) => stat(file).catch(() => null)));
  return Object.values(inputs).every((was, i) => now[i]?.size === was.size && now[i]?.mtimeMs === was.mtimeMs);
}

async function bundle(file: string, base: string): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [file],
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    metafile: true,
    absWorkingDir: path.dirname(file),
    logLevel: 'silent',
  });
  const text = result.outputFiles[0]!.text;
  const inputs: Inputs = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    const absolute = path.resolve(path.dirname(file), input);
    const s = await stat(absolute);
    inputs[absolute] = { size: s.size, mtimeMs: s.mtimeMs };
  }
  const version = createHash('sha256').update(text).digest('hex').slice(0, 16);
  await makePrivateDir(CONFIG_CACHE_DIR);
  // Written aside and renamed: runs starting together never import a half-written bundle. Only
  // the owner reads it: a config refused for a secret literal was bundled before it was refused.
  const temp = `${base}.${process.pid}.${Date.now()}`;
  await writeFile(`${temp}.mjs`, text, { mode: 0o600 });
  await rename(`${temp}.mjs`, `${base}.mjs`);
  await writeFile(`${temp}.json`, JSON.stringify({ version, inputs }));
  await rename(`${temp}.json`, `${base}.json`);
  return version;
}

/**
 * Makes `dir` readable by its owner only, and the directories above it with the usual modes:
 * node_modules/.cache/cutover-harness also holds the embedded Postgres's cached cluster, which
 * the postgres OS user (the rehearsal's, when run as root) must be able to pass through.
 */
export async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(path.dirname(dir), { recursive: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
}
