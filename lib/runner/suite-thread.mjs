// The suites' worker thread, started before Vitest is (lib/runner/suite-thread.ts). Vitest's own
// worker runtime and the largest packages the steps import load here while the CLI's main thread
// is still loading and creating Vitest: each takes about half a second, one after the other
// before, side by side now. Plain JS: it runs without a TypeScript loader, from the sources and
// from the prebuilt CLI alike.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

// Started side by side with Vitest's runtime (lib/suite-packages.ts): a failure here is the
// importing step's to report.
for (const name of workerData.preload) import(name).catch(() => undefined);

// Nothing listens on the port until Vitest's runtime does: what arrives before waits in the port,
// in order. Its listener is attached as the import below evaluates, and ours in the same turn,
// right after it, before the port can deliver anything.
const vitestRoot = path.dirname(createRequire(import.meta.url).resolve('vitest/package.json'));
await import(pathToFileURL(path.join(vitestRoot, 'dist/workers/threads.js')).href);

parentPort.on('message', (message) => {
  // The env the thread would have been created with, had Vitest created it now: sent as the
  // thread is adopted, ahead of Vitest's first message (which Vitest's own listener handles).
  const env = message?.cutoverSuiteThreadEnv;
  if (!env) return;
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  Object.assign(process.env, env);
});
