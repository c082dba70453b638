import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../project-root';

/**
 * Imports a configuration module. A TypeScript file needs compiling: run from the sources,
 * tsx's loader does it; the prebuilt entry (plain node) has no loader, so esbuild bundles the
 * file (its relative imports inline, packages left to resolve from the project) into a module
 * under node_modules/.cache, which is imported and removed at once. That costs about a third
 * of registering tsx for the one import.
 */
export async function importModule(file: string): Promise<{ default?: unknown }> {
  const url = pathToFileURL(file).href;
  try {
    return (await import(url)) as { default?: unknown };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
  }
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [file],
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  const dir = path.join(PROJECT_ROOT, 'node_modules/.cache/cutover-harness');
  await mkdir(dir, { recursive: true });
  const compiled = path.join(dir, `config-${process.pid}-${Date.now()}.mjs`);
  await writeFile(compiled, result.outputFiles[0]!.text);
  try {
    return (await import(pathToFileURL(compiled).href)) as { default?: unknown };
  } finally {
    await rm(compiled, { force: true });
  }
}
