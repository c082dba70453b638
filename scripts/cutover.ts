/** The CLI behind `npm test`: parses the harness's flags and runs the runbook through Vitest. */
import { main } from '../lib/runner/run';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Vite warns that a future loader will want file extensions in config imports; not actionable here.
process.env.VITE_CONFIG_NATIVE_IGNORE_WARNING ??= 'true';
process.exitCode = await main(process.argv.slice(2));
