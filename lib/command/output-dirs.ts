import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Whether the reports dir and the audit log's dir can be made and written. Found unusable only
 * at the end, a run made its changes, then crashed with nowhere to put its document; a script
 * failed on its first audit line with a bare errno. Each problem is one line that says which
 * setting to change (CUTOVER_REPORTS_DIR, when that is what named the dir).
 */
export function outputDirProblems(
  reports: { dir: string; auditLog: string },
  configFile: string,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const fromEnv = Boolean(env.CUTOVER_REPORTS_DIR);
  const dirs = new Map<string, string>();
  dirs.set(path.resolve(reports.dir), fromEnv ? 'CUTOVER_REPORTS_DIR' : 'reports.dir');
  const auditDir = path.resolve(path.dirname(reports.auditLog));
  if (!dirs.has(auditDir)) dirs.set(auditDir, 'reports.auditLog');
  const problems: string[] = [];
  for (const [dir, setting] of dirs) {
    const why = unusable(dir);
    if (!why) continue;
    const fix = setting === 'CUTOVER_REPORTS_DIR' ? 'set it' : `set ${setting} in ${configFile}`;
    problems.push(`${setting}: ${dir} ${why}; ${fix} to a directory this user can write (nothing was run)`);
  }
  return problems;
}

/** Why `dir` could not be made or written, judged without creating anything (bad input creates nothing). */
function unusable(dir: string): string | null {
  let existing = dir;
  while (!existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  // "<dir> is …", or "<dir> cannot be created: <ancestor> is …"
  const subject = existing === dir ? '' : `cannot be created: ${existing} `;
  try {
    if (!statSync(existing).isDirectory()) return `${subject}is a file, not a directory`;
    accessSync(existing, constants.W_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EROFS') return `${subject}is on a read-only file system`;
    if (code === 'EACCES' || code === 'EPERM') return `${subject}is not writable by this user`;
    return `${subject}cannot be read (${code ?? (error as Error).message})`;
  }
}
