import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, UsageError } from '../../lib/cli/args';
import { parseScriptArgs, type ScriptSpec } from '../../lib/guard/args';
import { AUDIT_ACKNOWLEDGE_SPEC } from '../../scripts/audit-acknowledge';
import { BACKUP_SPEC } from '../../scripts/backup';
import { MIGRATE_ATTACHMENTS_SPEC } from '../../scripts/migrate-attachments';
import { MIGRATE_DEPLOY_SPEC } from '../../scripts/migrate-deploy';
import { ROOT } from './run-harness';

/**
 * Judges a command written down for people or CI (the workflows, the operator's guide) the way the
 * harness will: the CLI's own parser, package.json's scripts, and each guarded script's flag spec.
 */

export const PACKAGE_SCRIPTS = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;

/** The guarded scripts by npm script name, with the flag spec each parses its arguments with. */
export const GUARDED_SCRIPTS: Record<string, ScriptSpec> = Object.fromEntries(
  [BACKUP_SPEC, MIGRATE_DEPLOY_SPEC, MIGRATE_ATTACHMENTS_SPEC, AUDIT_ACKNOWLEDGE_SPEC].map((spec) => [spec.name, spec]),
);

/** The CLI's usage problems with these arguments (`npm test -- …`, `npx cutover …`). */
export function harnessProblems(argv: string[]): string[] {
  try {
    parseArgs(argv);
    return [];
  } catch (error) {
    if (error instanceof UsageError) return error.problems;
    throw error;
  }
}

/** `npm run <script> -- <argv>`: the script must exist, and its flags be the ones it parses. */
export function npmRunProblems(script: string, argv: string[]): string[] {
  if (!(script in PACKAGE_SCRIPTS)) return [`npm run ${script}: package.json has no such script`];
  if (script === 'doctor') return harnessProblems(['--doctor', ...argv]);
  const spec = GUARDED_SCRIPTS[script];
  if (spec) return parseScriptArgs(argv, spec).problems;
  return argv.length ? [`npm run ${script} with flags: this self-test has no flag spec for it`] : [];
}
