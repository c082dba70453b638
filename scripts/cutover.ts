/**
 * The CLI behind `npm test`: parses the harness's flags and runs the runbook through Vitest. The
 * one place that joins the harness (lib/) and the local rehearsal (rehearsal/).
 */
import { main } from '../lib/runner/run';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Vite warns that a future loader will want file extensions in config imports; not actionable here.
process.env.VITE_CONFIG_NATIVE_IGNORE_WARNING ??= 'true';

/**
 * One run of the CLI, to its exit code. bin/cutover.mjs exits with it at once; the self-tests'
 * fault and hostile-target runs call it several times in one process (test/support/harness-batch.mjs).
 */
export function cli(argv: readonly string[]): Promise<number> {
  return main(argv, undefined, () => import('../rehearsal').then((m) => m.wing));
}
