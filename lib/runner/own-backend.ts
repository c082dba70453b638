import { statSync } from 'node:fs';
import path from 'node:path';
import type { Sections } from '../config/schema';

/**
 * `--rehearse=<dir>`: the checkout must be a directory, and the config must say how to start it
 * (rehearse.server). Returns the directory, absolute, or the one line that says what is wrong.
 */
export function ownBackendDir(dir: string, sections: Sections, configFile: string): { dir: string } | { problem: string } {
  const absolute = path.resolve(dir);
  const stat = statSync(absolute, { throwIfNoEntry: false });
  if (!stat) return { problem: `--rehearse: ${dir} does not exist (give the path of your backend's checkout)` };
  if (!stat.isDirectory()) return { problem: `--rehearse: ${dir} is not a directory (give the path of your backend's checkout)` };
  if (!sections.rehearse.server)
    return {
      problem: `--rehearse: ${configFile} has no rehearse section saying how to start the backend (set rehearse.server.command, see README "Rehearse your own backend")`,
    };
  return { dir: absolute };
}
