/**
 * The CLI behind `npm test`: parses the harness's flags and runs the runbook through Vitest. The
 * one place that joins the harness (lib/) and the local rehearsal (rehearsal/).
 */
import { main } from '../lib/runner/run';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Vite warns that a future loader will want file extensions in config imports; not actionable here.
process.env.VITE_CONFIG_NATIVE_IGNORE_WARNING ??= 'true';
// Exit as soon as the document is written and the rehearsal is down: a pool or timer some
// library keeps (Prisma's engine holds one for ~10 s) must not keep the operator waiting.
// stdout and stderr are synchronous for files, pipes and terminals on Linux: nothing is lost.
process.exit(await main(process.argv.slice(2), undefined, () => import('../rehearsal').then((m) => m.wing)));
