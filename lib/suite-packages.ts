/**
 * The largest packages the steps import, loaded ahead of the suites' own imports: by the suites'
 * thread started before Vitest (lib/runner/suite-thread.mjs, against a running target) and by
 * the suites' first setup file (lib/worker-preload.ts), which finds them loaded where the thread
 * did so.
 */
export const SUITE_PACKAGES = ['undici', 'pg', '@aws-sdk/client-s3'];
