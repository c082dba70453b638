import { pathToFileURL } from 'node:url';

/**
 * Imports a configuration module. A TypeScript file needs a loader: run from the sources, tsx's
 * is already there; the prebuilt entry (plain node) has none, so tsx is registered for this one
 * import only, and nothing else of the run pays for it.
 */
export async function importModule(file: string): Promise<{ default?: unknown }> {
  const url = pathToFileURL(file).href;
  try {
    return (await import(url)) as { default?: unknown };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    const { tsImport } = await import('tsx/esm/api');
    const mod = (await tsImport(url, import.meta.url)) as { default?: unknown };
    // A .ts file outside an ESM package is compiled to CommonJS: its `export default` arrives
    // one level down, marked __esModule, as Node's ESM import of CommonJS hands it over.
    const inner = mod.default as { __esModule?: boolean; default?: unknown } | undefined;
    return inner?.__esModule ? { default: inner.default } : mod;
  }
}
