import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout the harness runs from: the nearest directory above this module whose
 * package.json is the harness's. Found, not computed from a fixed depth, because this module
 * runs from its source (lib/) and from the prebuilt entry (dist/) alike.
 */
function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'cutover-harness') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no cutover-harness package.json above ${from}`);
  }
}

export const PROJECT_ROOT = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));
