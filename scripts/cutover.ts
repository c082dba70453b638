/** The CLI behind `npm test`: parses the harness's flags and runs the runbook through Vitest. */
import { main } from '../lib/runner/run';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.exitCode = await main(process.argv.slice(2));
